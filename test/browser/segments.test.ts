// Chromium on the demo builds a segment (decision 011): conditions and an OR group in the rule
// builder, the live count matching the database as the rules change, saving (members filled with
// the day they entered), the profile's segment-and-predictions card, and the pages in Chinese.
// Screenshots go to test-results/.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { demoDatabase, startDemo, type Demo } from "./demo-support";

const DATABASE_FILE = "data/browser-segments.db";
let demo: Demo;

const { one } = demoDatabase(DATABASE_FILE);
const count = (sql: string, ...params: unknown[]) => one<{ n: number }>(sql, ...params).n;

beforeAll(async () => {
  demo = await startDemo({ customers: 200, orders: 700, databaseFile: DATABASE_FILE });
  // The import's recompute ranks everyone in the background (loyalty, then segments).
  const customers = () => count(`SELECT COUNT(*) AS n FROM "Customer" WHERE "deletedAt" IS NULL AND "redactedAt" IS NULL`);
  const started = Date.now();
  while (count(`SELECT COUNT(*) AS n FROM "CustomerInsight" WHERE "computedAt" IS NOT NULL`) < customers()) {
    if (Date.now() - started > 90_000) throw new Error("the segments recompute did not rank every customer within 90 s");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}, 180_000);

afterAll(async () => {
  await demo?.stop();
});


const condition = (page: Page, index: number) => page.getByTestId("segment-condition").nth(index);

describe("segment builder", () => {
  test("build a segment with a group, see the live count follow the rules, save it", async () => {
    const page = await demo.newPage();
    await demo.open(page, "/app/segments");
    await page.getByRole("heading", { name: "Start from a template" }).waitFor({ timeout: 60_000 });
    // The RFM overview counts what the database holds.
    const champions = count(`SELECT COUNT(*) AS n FROM "CustomerInsight" WHERE "rfmSegment" = 'champions'`);
    await expect(page.getByTestId("rfm-count-champions").innerText()).resolves.toBe(champions.toLocaleString("en"));
    await page.screenshot({ path: "test-results/segments-page.png", fullPage: true });

    await page.getByRole("link", { name: "Create segment" }).first().click();
    await page.getByRole("heading", { name: "New segment" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("Repeat buyers in the US or big spenders");

    // Condition 1: number of orders is at least 2.
    await condition(page, 0).getByLabel("Value").fill("2");
    const repeat = count(`SELECT COUNT(*) AS n FROM "Customer" WHERE "deletedAt" IS NULL AND "redactedAt" IS NULL AND "numberOfOrders" >= 2`);
    await expect.poll(() => page.getByTestId("segment-live-count").innerText(), { timeout: 15_000 }).toBe(`${repeat} customer${repeat === 1 ? "" : "s"}`);

    // A group: any of (country is US, amount spent at least 500).
    await page.getByRole("button", { name: "Add group" }).click();
    const groupFirst = condition(page, 1);
    await groupFirst.getByLabel("Field").selectOption({ label: "Country" });
    await groupFirst.getByText(/\(US\)$/).click();
    await page.getByRole("button", { name: "Add condition" }).first().click();
    const groupSecond = condition(page, 2);
    await groupSecond.getByLabel("Field").selectOption({ label: "Amount spent" });
    await groupSecond.getByLabel("Value").fill("500");
    const expected = count(
      `SELECT COUNT(*) AS n FROM "Customer" WHERE "deletedAt" IS NULL AND "redactedAt" IS NULL AND "numberOfOrders" >= 2 AND ("countryCode" = 'US' OR "amountSpentMinor" >= 50000)`,
    );
    expect(expected).toBeGreaterThan(0);
    expect(expected).not.toBe(repeat);
    await expect.poll(() => page.getByTestId("segment-live-count").innerText(), { timeout: 15_000 }).toBe(`${expected} customer${expected === 1 ? "" : "s"}`);

    // A value that is not a number is named under its condition, and nothing is counted for it.
    await groupSecond.getByLabel("Value").fill("lots");
    await page.getByText("Enter an amount such as 120 or 99.50").waitFor();
    await groupSecond.getByLabel("Value").fill("500");
    await page.screenshot({ path: "test-results/segment-builder.png", fullPage: true });

    await page.getByRole("button", { name: "Save segment" }).click();
    await page.getByText("Segment saved.", { exact: false }).waitFor({ timeout: 30_000 });
    const saved = one<{ id: string; memberCount: number }>(`SELECT "id", "memberCount" FROM "Segment" WHERE "name" = 'Repeat buyers in the US or big spenders'`);
    expect(saved.memberCount).toBe(expected);
    expect(count(`SELECT COUNT(*) AS n FROM "SegmentMember" WHERE "segmentId" = ?`, saved.id)).toBe(expected);
    await page.getByRole("heading", { name: `${expected} member${expected === 1 ? "" : "s"}` }).waitFor();
    await page.screenshot({ path: "test-results/segment-saved.png", fullPage: true });

    // The list shows it with its count.
    await demo.open(page, "/app/segments");
    await expect(page.getByTestId(`segment-count-${saved.id}`).innerText()).resolves.toBe(String(expected));
  });

  test("a template starts the builder with its rules and name", async () => {
    const page = await demo.newPage();
    await demo.open(page, "/app/segments/new?template=vipAtRisk");
    await page.getByLabel("Name", { exact: true }).waitFor({ timeout: 60_000 });
    await expect(page.getByLabel("Name", { exact: true }).inputValue()).resolves.toBe("VIPs at risk");
    const expected = count(`SELECT COUNT(*) AS n FROM "Customer" c JOIN "CustomerInsight" i ON i."shop" = c."shop" AND i."customerId" = c."shopifyId" WHERE c."deletedAt" IS NULL AND c."redactedAt" IS NULL AND i."rfmSegment" IN ('atRisk', 'cantLose') AND c."numberOfOrders" >= 2`);
    await expect.poll(() => page.getByTestId("segment-live-count").innerText(), { timeout: 15_000 }).toBe(`${expected} customer${expected === 1 ? "" : "s"}`);
  });

  test("the profile shows the customer's RFM segment, predictions with their reason, and segments", async () => {
    const target = one<{ customerId: string; rfmSegment: string; churnRisk: number }>(`SELECT "customerId", "rfmSegment", "churnRisk" FROM "CustomerInsight" WHERE "orders" >= 3 ORDER BY "customerId" LIMIT 1`);
    const page = await demo.newPage();
    await demo.open(page, `/app/customers/${target.customerId.split("/").pop()}`);
    await page.getByRole("heading", { name: "Segment and predictions" }).waitFor({ timeout: 60_000 });
    const names: Record<string, string> = { champions: "Champions", loyal: "Loyal", potentialLoyalist: "Potential loyalist", new: "New", promising: "Promising", needAttention: "Need attention", aboutToSleep: "About to sleep", atRisk: "At risk", cantLose: "Can't lose them", hibernating: "Hibernating", lost: "Lost" };
    await expect(page.getByTestId("insight-rfm").innerText()).resolves.toMatch(new RegExp(`${names[target.rfmSegment]}$`));
    // (A Polaris badge reads its tone to screen readers first: "Warning 59%".)
    await expect(page.getByTestId("insight-churn").innerText()).resolves.toMatch(new RegExp(`(^|\\s)${Math.round(target.churnRisk / 10)}%$`));
    await expect(page.getByTestId("insight-reason").innerText()).resolves.toMatch(/orders? every \d+ days|One order so far/i);
    await page.screenshot({ path: "test-results/segment-profile.png", fullPage: true });
  });

  test("the builder in Simplified Chinese", async () => {
    const page = await demo.newPage();
    await demo.open(page, "/app/segments/new?template=replenishmentDue", { locale: "zh-CN", user: 3 });
    await page.getByRole("heading", { name: "新建分群" }).waitFor({ timeout: 60_000 });
    await page.getByText("符合条件的客户").waitFor();
    await page.screenshot({ path: "test-results/segment-builder-zh-CN.png", fullPage: true });
  });
});
