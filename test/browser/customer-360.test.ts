// Chromium walks staff through Customer 360 on the demo: find a customer, open the profile, write
// and edit a note (and see it in the timeline with its history), hand the customer over to a
// colleague and read the briefing, then see the follow-up on the colleague's list. Screenshots go
// to test-results/.
import { readFileSync } from "node:fs";

import Database from "better-sqlite3";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { startDemo, type Demo } from "./demo-support";

const DATABASE_FILE = "data/browser-360.db";
let demo: Demo;

function query<T>(sql: string, ...params: unknown[]): T {
  const db = new Database(DATABASE_FILE, { readonly: true });
  try {
    return db.prepare(sql).get(...params) as T;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  demo = await startDemo({ customers: 200, orders: 600, databaseFile: DATABASE_FILE });
});

afterAll(async () => {
  await demo?.stop();
});

/** A note's text as shown in the list (not the composer's textarea). */
const noteText = (page: Page, text: string) => page.locator("span", { hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) }).first();

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);


/** Opens the index's search and filter bar and returns its search field. */
async function openFilters(page: Page) {
  await page.getByRole("button", { name: /Search and filter/i }).click();
  const search = page.getByPlaceholder("Search by name, email, phone or tag");
  await search.waitFor();
  return search;
}

const indexRows = (page: Page) => page.locator(".Polaris-IndexTable__TableRow");

describe("Customer 360", () => {
  // The customer staff will look for: a named customer with orders, chosen from the imported archive.
  let target: { shopifyId: string; displayName: string; email: string; numberOfOrders: number };
  let customerPath: string;

  test("staff search the index and open a customer's profile", async () => {
    target = query("SELECT shopifyId, displayName, email, numberOfOrders FROM Customer WHERE displayName IS NOT NULL AND email IS NOT NULL AND numberOfOrders > 1 ORDER BY amountSpentMinor DESC LIMIT 1 OFFSET 3");
    customerPath = `/app/customers/${target.shopifyId.split("/").pop()}`;
    const page = await demo.newPage();
    await demo.open(page, "/app/customers");
    await page.getByRole("heading", { name: "Customers", exact: true }).waitFor({ timeout: 60_000 });
    const total = query<{ n: number }>('SELECT COUNT(*) AS n FROM "Customer" WHERE "deletedAt" IS NULL').n;
    await page.getByText(`${total} customers`).waitFor();

    // Search by part of the email: the list narrows to that customer.
    const search = await openFilters(page);
    await search.fill(target.email.split("@")[0]!);
    await page.waitForURL(/q=/, { timeout: 10_000 });
    const rows = indexRows(page);
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    await expect(rows.first().innerText()).resolves.toContain(target.displayName);
    await page.screenshot({ path: "test-results/customers-search-en.png", fullPage: true });

    await page.getByRole("link", { name: target.displayName }).click();
    await page.getByRole("heading", { name: target.displayName }).waitFor();
    await page.getByText("Lifetime value").waitFor();
    const orders = page.getByRole("heading", { name: "Orders", exact: true, level: 3 }).locator("xpath=following-sibling::p[1]");
    await expect(orders.innerText()).resolves.toBe(String(target.numberOfOrders));
    await page.screenshot({ path: "test-results/customer-profile-en.png", fullPage: true });
    await page.close();
  });

  test("staff narrow the index to a loyalty tier, then to an RFM segment too, and read it in Chinese", async () => {
    // The import's background jobs place customers in tiers and RFM segments: wait for them.
    const live = `FROM "Customer" c JOIN "LoyaltyMember" m ON m."shop" = c."shop" AND m."customerId" = c."shopifyId" LEFT JOIN "CustomerInsight" i ON i."shop" = c."shop" AND i."customerId" = c."shopifyId" WHERE c."deletedAt" IS NULL`;
    await expect.poll(() => query<{ n: number }>(`SELECT COUNT(*) AS n ${live} AND i."rfmSegment" IS NOT NULL`).n, { timeout: 60_000, interval: 1_000 }).toBeGreaterThan(0);
    const { tier } = query<{ tier: string }>(`SELECT m."tierKey" AS tier ${live} AND m."tierKey" IS NOT NULL GROUP BY m."tierKey" ORDER BY COUNT(*) ASC LIMIT 1`);
    const inTier = query<{ n: number }>(`SELECT COUNT(*) AS n ${live} AND m."tierKey" = ?`, tier).n;
    const tierName = tier.charAt(0).toUpperCase() + tier.slice(1); // the default program's names: Member, Silver, Gold
    const page = await demo.newPage();
    await demo.open(page, "/app/customers");
    await page.getByRole("heading", { name: "Customers", exact: true }).waitFor({ timeout: 60_000 });
    await openFilters(page);
    await page.getByRole("button", { name: "Add filter" }).click();
    await page.getByRole("menuitem", { name: "Tier", exact: true }).click();
    await page.getByRole("radio", { name: tierName, exact: true }).check({ force: true }); // Polaris draws its own control over the (transparent) input
    await page.waitForURL(new RegExp(`tier=${tier}`), { timeout: 10_000 });
    const rows = indexRows(page);
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(Math.min(inTier, 50));
    await page.getByText(`${inTier} customer${inTier === 1 ? "" : "s"}`).waitFor();
    for (const text of await rows.allInnerTexts()) expect(text).toContain(tierName);

    // And an RFM segment: the rows are those of both, each showing its segment.
    const { segment } = query<{ segment: string }>(`SELECT i."rfmSegment" AS segment ${live} AND m."tierKey" = ? AND i."rfmSegment" IS NOT NULL GROUP BY i."rfmSegment" ORDER BY COUNT(*) DESC LIMIT 1`, tier);
    const both = query<{ n: number }>(`SELECT COUNT(*) AS n ${live} AND m."tierKey" = ? AND i."rfmSegment" = ?`, tier, segment).n;
    const segmentName = (JSON.parse(readFileSync("app/i18n/locales/en.json", "utf8")) as { rfm: { names: Record<string, string> } }).rfm.names[segment]!;
    // Close the tier's popover (a click outside it; Escape would close the whole filter bar).
    await page.getByRole("heading", { name: "Customers", exact: true }).click();
    await page.getByRole("button", { name: "Add filter" }).click();
    await page.getByRole("menuitem", { name: "RFM segment", exact: true }).click();
    await page.getByRole("radio", { name: segmentName, exact: true }).check({ force: true });
    await page.waitForURL(new RegExp(`rfm=${segment}`), { timeout: 10_000 });
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(Math.min(both, 50));
    for (const text of await rows.allInnerTexts()) expect(text).toContain(segmentName);
    await page.getByRole("heading", { name: "Customers", exact: true }).click();
    // Both filters show as removable pills.
    await page.getByText(`Tier: ${tierName}`).waitFor();
    await page.getByText(`RFM: ${segmentName}`).waitFor();
    await page.screenshot({ path: "test-results/customers-filter-tier-rfm-en.png", fullPage: true });

    await demo.open(page, `/app/customers?tier=${tier}&rfm=${segment}`, { locale: "zh-CN" });
    await page.getByRole("columnheader", { name: "等级" }).waitFor({ timeout: 60_000 });
    await page.getByRole("columnheader", { name: "RFM 分群" }).waitFor();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(Math.min(both, 50));
    await page.screenshot({ path: "test-results/customers-filter-tier-rfm-zh-CN.png", fullPage: true });
    await page.close();
  });

  test("staff write a pinned note with a follow-up, edit it, and find both texts on the profile", async () => {
    const page = await demo.newPage();
    await demo.open(page, customerPath);
    await page.getByRole("heading", { name: "Notes", exact: true }).waitFor({ timeout: 60_000 });

    await page.getByLabel("New note").fill("Prefers a call after 6pm; allergic to wool.");
    await page.getByLabel("Pin").check();
    await page.getByLabel("Follow up").check();
    await page.getByLabel("Due").fill(yesterday());
    await page.getByLabel("Assigned to").selectOption({ label: "Ben Okafor" });
    await page.getByRole("button", { name: "Add note" }).click();
    await noteText(page, "Prefers a call after 6pm; allergic to wool.").waitFor();
    await expect(page.getByLabel("New note").inputValue()).resolves.toBe(""); // the composer is ready for the next one
    await page.getByText("Ava Chen wrote: Prefers a call after 6pm; allergic to wool.").waitFor(); // the timeline
    await expect(page.getByText("Overdue").first().isVisible()).resolves.toBe(true);

    // Edit: the new text replaces the old, which stays in the note's history.
    await page.getByRole("button", { name: "Edit", exact: true }).click();
    await page.getByLabel("Edit", { exact: true }).fill("Prefers a call after 7pm; allergic to wool.");
    await page.getByRole("button", { name: "Save", exact: true }).first().click();
    await noteText(page, "Prefers a call after 7pm; allergic to wool.").waitFor();
    await page.getByRole("button", { name: "1 earlier version" }).click();
    await noteText(page, "Prefers a call after 6pm; allergic to wool.").waitFor();
    await page.getByText(/Ava Chen edited a note/).waitFor(); // the timeline records the edit too

    const stored = query<{ body: string; pinned: number; authorName: string; revisions: number }>(
      'SELECT n.body, n.pinned, n.authorName, (SELECT COUNT(*) FROM "NoteRevision" r WHERE r.noteId = n.id) AS revisions FROM "Note" n WHERE n.customerId = ?',
      target.shopifyId,
    );
    expect(stored).toEqual({ body: "Prefers a call after 7pm; allergic to wool.", pinned: 1, authorName: "Ava Chen", revisions: 1 });
    await page.screenshot({ path: "test-results/customer-notes-en.png", fullPage: true });

    // Ava takes the customer on.
    await page.getByLabel("Change owner").selectOption({ label: "Ava Chen" });
    await page.getByRole("button", { name: "Save", exact: true }).last().click();
    await page.getByText("Ava Chen made Ava Chen the owner").waitFor();
    await page.close();
  });

  test("a handover moves Ava's customers to Ben, and Ben's briefing shows them with their notes", async () => {
    const page = await demo.newPage();
    await demo.open(page, "/app/handover");
    await page.getByRole("heading", { name: "Handover", exact: true }).waitFor({ timeout: 60_000 });
    await page.getByLabel("From", { exact: true }).selectOption({ label: "Ava Chen (1 customer)" });
    await page.getByText("1 customer will move.").waitFor();
    await page.getByLabel("To", { exact: true }).selectOption({ label: "Ben Okafor (0 customers)" });
    await page.getByRole("button", { name: "Hand over 1 customer" }).click();

    await page.getByRole("heading", { name: "Briefing for Ben Okafor" }).waitFor();
    const row = page.locator(".Polaris-IndexTable__TableRow").first();
    await expect(row.innerText()).resolves.toContain(target.displayName);
    await expect(row.innerText()).resolves.toContain("Prefers a call after 7pm; allergic to wool.");
    expect(query<{ ownerId: string }>('SELECT ownerId FROM "Customer" WHERE shopifyId = ?', target.shopifyId).ownerId).toBe("2");
    await page.screenshot({ path: "test-results/handover-briefing-en.png", fullPage: true });
    await page.close();
  });

  test("Ben sees the overdue follow-up on his list, and the profile reads in Chinese", async () => {
    const page = await demo.newPage();
    await demo.open(page, "/app/follow-ups", { user: 2 });
    await page.getByRole("heading", { name: "Follow-ups", exact: true }).waitFor({ timeout: 60_000 });
    await page.getByText("1 overdue").waitFor();
    await page.getByRole("link", { name: target.displayName }).waitFor();
    await page.screenshot({ path: "test-results/follow-ups-en.png", fullPage: true });

    await demo.open(page, customerPath, { user: 3, locale: "zh-CN" });
    await page.getByRole("heading", { name: "备注" }).waitFor({ timeout: 60_000 });
    await page.getByText("累计消费").waitFor();
    await page.getByText("负责人", { exact: true }).first().waitFor();
    await page.screenshot({ path: "test-results/customer-profile-zh-CN.png", fullPage: true });
    await page.close();
  });
});
