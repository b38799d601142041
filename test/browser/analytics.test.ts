// Chromium on the demo opens the analytics page: the RFM chart's numbers are the database's counts once the import's
// background recompute has scored every customer, a valuable customer's move to At risk is called out with a link to
// their profile, and the page reads in Simplified Chinese. Screenshots go to test-results/.
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import Database from "better-sqlite3";

import { RFM_SEGMENTS } from "../../app/modules/segments/rfm";
import { demoDatabase, startDemo, type Demo } from "./demo-support";

const DATABASE_FILE = "data/browser-analytics.db";
let demo: Demo;

const { one } = demoDatabase(DATABASE_FILE);

const LIVE = `c."deletedAt" IS NULL AND c."redactedAt" IS NULL`;
const liveCustomers = () => one<{ n: number }>(`SELECT COUNT(*) AS n FROM "Customer" c WHERE ${LIVE}`).n;
const scoredCustomers = () => one<{ n: number }>(`SELECT COUNT(*) AS n FROM "CustomerInsight" i JOIN "Customer" c ON c."shop" = i."shop" AND c."shopifyId" = i."customerId" WHERE i."computedAt" IS NOT NULL AND ${LIVE}`).n;
const segmentCount = (segment: string | null) =>
  one<{ n: number }>(`SELECT COUNT(*) AS n FROM "CustomerInsight" i JOIN "Customer" c ON c."shop" = i."shop" AND c."shopifyId" = i."customerId" WHERE i."computedAt" IS NOT NULL AND ${LIVE} AND i."rfmSegment" IS ?`, segment).n;

beforeAll(async () => {
  demo = await startDemo({ customers: 300, orders: 1200, databaseFile: DATABASE_FILE });
});

afterAll(async () => {
  await demo?.stop();
});


describe("analytics page", () => {
  test("the RFM chart shows the database's count for every segment, once every customer is scored", async () => {
    const page = await demo.newPage();
    await demo.open(page, "/app/analytics");
    await page.getByRole("heading", { name: "Analytics" }).waitFor({ timeout: 60_000 });
    // The import's segments.recompute runs in the background: wait until it has scored everyone.
    const customers = liveCustomers();
    expect(customers).toBeGreaterThan(0);
    await expect.poll(scoredCustomers, { timeout: 120_000, interval: 1000 }).toBe(customers);
    await page.reload();
    await page.getByRole("heading", { name: "Customers by segment" }).waitFor({ timeout: 60_000 });
    for (const segment of RFM_SEGMENTS) {
      const count = segmentCount(segment);
      await expect(page.getByTestId(`segment-${segment}`).getAttribute("data-count")).resolves.toBe(String(count));
      await expect(page.getByTestId(`segment-${segment}`).innerText()).resolves.toMatch(new RegExp(`^${count} · \\d+%$`));
    }
    const none = segmentCount(null);
    if (none > 0) await expect(page.getByTestId("segment-none").getAttribute("data-count")).resolves.toBe(String(none));
    expect(RFM_SEGMENTS.filter((segment) => segmentCount(segment) > 0).length).toBeGreaterThan(3);

    // A segment's name explains itself on hover.
    await page.getByText("Champions", { exact: true }).first().hover();
    await page.getByText("Bought recently, buy often and spend the most.").waitFor();
    await page.mouse.move(0, 0);

    // Every month's column and every cohort's row is there; a cohort's month 0 is all of it.
    await expect(page.locator('[data-testid^="month-"]').count()).resolves.toBe(12);
    const grid = page.getByTestId("cohort-grid");
    await expect(grid.locator("tbody tr").count()).resolves.toBe(12);
    const firstCells = await grid.locator("tbody tr td:nth-child(3)").allInnerTexts();
    expect(firstCells.filter((text) => text !== "–" && text !== "").every((text) => text === "100%")).toBe(true);
    await page.getByText("No Champions or Loyal customers moved to At risk this month").waitFor();
    await page.screenshot({ path: "test-results/analytics.png", fullPage: true });
  });

  test("a Champion who moved to At risk this month is called out, with a link to their profile", async () => {
    // GIVEN the recompute's record of the biggest spender moving from Champions to At risk now
    const target = one<{ customerId: string; name: string }>(
      `SELECT i."customerId", c."displayName" AS name FROM "CustomerInsight" i JOIN "Customer" c ON c."shop" = i."shop" AND c."shopifyId" = i."customerId" WHERE i."rfmSegment" = 'champions' AND c."displayName" IS NOT NULL ORDER BY i."netSpentMinor" DESC LIMIT 1`,
    );
    const shop = one<{ shop: string }>(`SELECT "shop" FROM "Shop" LIMIT 1`).shop;
    const db = new Database(DATABASE_FILE);
    try {
      db.prepare(`INSERT INTO "RfmChange" ("shop", "customerId", "fromSegment", "toSegment", "createdAt") VALUES (?, ?, 'champions', 'atRisk', ?)`).run(shop, target.customerId, new Date().toISOString().replace("Z", "+00:00"));
    } finally {
      db.close();
    }
    // WHEN the page opens THEN the callout names them and links to their profile
    const page = await demo.newPage();
    await demo.open(page, "/app/analytics");
    await page.getByText("1 valuable customer moved to At risk this month").waitFor({ timeout: 60_000 });
    const link = page.getByTestId("at-risk-customer").getByRole("link", { name: target.name });
    await expect(link.getAttribute("href")).resolves.toContain(`/app/customers/${target.customerId.split("/").pop()}`);
    await page.screenshot({ path: "test-results/analytics-at-risk.png" });
  });

  test("the analytics page in Simplified Chinese", async () => {
    const page = await demo.newPage();
    await demo.open(page, "/app/analytics", { locale: "zh-CN", user: 3 });
    await page.getByRole("heading", { name: "各分群客户数" }).waitFor({ timeout: 60_000 });
    await page.getByRole("heading", { name: "新客户与回头客" }).waitFor();
    await page.getByText("本月有 1 位高价值客户转入“有流失风险”").waitFor();
    await expect(page.getByTestId("segment-champions").getAttribute("data-count")).resolves.toBe(String(segmentCount("champions")));
    await page.screenshot({ path: "test-results/analytics-zh-CN.png", fullPage: true });
  });
});
