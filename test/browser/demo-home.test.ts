// Chromium opens the demo (emulated store + app on SQLite) the way a merchant would and
// checks the home page shows the store's real data. Screenshots go to test-results/.
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { startDemo, type Demo } from "./demo-support";

const CUSTOMERS = 300;
const ORDERS = 900;
const DATABASE_FILE = "data/browser-test.db";
let demo: Demo;

/** What the demo imported, read straight from its SQLite file. */
function archive() {
  const db = new Database(DATABASE_FILE, { readonly: true });
  try {
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      customers: count('SELECT COUNT(*) AS n FROM "Customer" WHERE "deletedAt" IS NULL'),
      orders: count('SELECT COUNT(*) AS n FROM "Order" WHERE "cancelledAt" IS NULL AND "test" = 0'),
      topCustomer: (db.prepare('SELECT "displayName" FROM "Customer" ORDER BY "amountSpentMinor" DESC LIMIT 1').get() as { displayName: string }).displayName,
    };
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  demo = await startDemo({ customers: CUSTOMERS, orders: ORDERS, databaseFile: DATABASE_FILE });
});

afterAll(async () => {
  await demo?.stop();
});

describe("demo home page", () => {
  test("shows the emulated store's customers, orders and sync status in Polaris", async () => {
    const page = await demo.newPage();
    await demo.open(page, "/app");
    await page.getByRole("heading", { name: "Customer archive" }).waitFor({ timeout: 60_000 });
    await page.getByText("Up to date").waitFor();
    const statValue = (label: string) => page.getByRole("heading", { name: label, exact: true }).locator("xpath=following-sibling::p[1]").innerText();
    const imported = archive();
    expect(imported.customers).toBe(CUSTOMERS);
    expect(await statValue("Customers")).toBe(imported.customers.toLocaleString("en"));
    expect(await statValue("Orders")).toBe(imported.orders.toLocaleString("en"));
    expect(imported.orders).toBeGreaterThan(ORDERS / 2);
    expect(await statValue("Net revenue")).toMatch(/^\$[\d,]+\.\d{2}$/);
    expect(await page.locator(".Polaris-ResourceItem__ListItem").count()).toBe(10);
    await expect(page.locator(".Polaris-ResourceItem__ListItem").first().innerText()).resolves.toContain(imported.topCustomer);
    // The app's navigation is handed to Shopify admin (here: the emulator's App Bridge stand-in).
    await expect(page.locator("ui-nav-menu a[rel=home]").count()).resolves.toBe(1);
    await page.screenshot({ path: "test-results/home-en.png", fullPage: true });

    // The admin navigation leads to the privacy requests page, inside the same session.
    await page.locator("ui-nav-menu a", { hasText: "Privacy requests" }).click();
    await page.getByRole("heading", { name: "Privacy requests" }).waitFor();
    await page.getByText("No data requests yet").waitFor();
    await page.screenshot({ path: "test-results/privacy-en.png", fullPage: true });
    await page.close();
  });

  test("opens in Simplified Chinese when Shopify admin is in Chinese", async () => {
    const page = await demo.newPage();
    await demo.open(page, "/app", { locale: "zh-CN" });
    await page.getByRole("heading", { name: "客户档案" }).waitFor({ timeout: 60_000 });
    await page.getByText("已是最新").waitFor();
    await page.screenshot({ path: "test-results/home-zh-CN.png", fullPage: true });
    await page.close();
  });
});
