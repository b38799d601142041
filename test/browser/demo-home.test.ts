// Chromium opens the demo (emulated store + app on SQLite) the way a merchant would and
// checks the home page shows the store's real data. Screenshots go to test-results/.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";

import Database from "better-sqlite3";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const CUSTOMERS = 300;
const ORDERS = 900;
let demo: ChildProcess;
let browser: Browser;
let openUrl: string;
const DATABASE_FILE = "data/browser-test.db";
// Headless Chromium says "HeadlessChrome", which the Shopify library turns away as a bot (410).
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36";
const newPage = (): Promise<Page> => browser.newPage({ viewport: { width: 1280, height: 900 }, userAgent: USER_AGENT });

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

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  mkdirSync("test-results", { recursive: true });
  const port = await freePort();
  demo = spawn("npx", ["tsx", "dev/demo.ts"], {
    env: { ...process.env, PORT: String(port), DEMO_CUSTOMERS: String(CUSTOMERS), DEMO_ORDERS: String(ORDERS), DEMO_DATABASE_URL: `file:./${DATABASE_FILE}` },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  openUrl = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open: (\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    demo.stdout!.on("data", onData);
    demo.stderr!.on("data", onData);
    demo.on("exit", (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  if (demo?.pid) process.kill(-demo.pid, "SIGINT");
});

describe("demo home page", () => {
  test("shows the emulated store's customers, orders and sync status in Polaris", async () => {
    const page = await newPage();
    await page.goto(openUrl);
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
    const page = await newPage();
    await page.goto(openUrl.replace(/locale=[^&]+/, "locale=zh-CN"));
    await page.getByRole("heading", { name: "客户档案" }).waitFor({ timeout: 60_000 });
    await page.getByText("已是最新").waitFor();
    await page.screenshot({ path: "test-results/home-zh-CN.png", fullPage: true });
    await page.close();
  });
});
