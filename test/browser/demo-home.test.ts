// Chromium opens the demo (emulated store + app on SQLite) the way a merchant would and
// checks the home page shows the store's real data. Screenshots go to test-results/.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";

import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const CUSTOMERS = 300;
const ORDERS = 900;
let demo: ChildProcess;
let browser: Browser;
let openUrl: string;

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
    env: { ...process.env, PORT: String(port), DEMO_CUSTOMERS: String(CUSTOMERS), DEMO_ORDERS: String(ORDERS), DEMO_DATABASE_URL: "file:./data/browser-test.db" },
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
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(openUrl);
    await page.getByRole("heading", { name: "Customer archive" }).waitFor({ timeout: 60_000 });
    await page.getByText("Up to date").waitFor();
    const statValue = (label: string) => page.locator(".Polaris-Card", { hasText: label }).locator("p").first().innerText();
    expect(await statValue("Customers")).toBe(CUSTOMERS.toLocaleString("en"));
    expect(Number((await statValue("Orders")).replace(/,/g, ""))).toBeGreaterThan(0);
    expect(await statValue("Net revenue")).toMatch(/^\$[\d,]+\.\d{2}$/);
    expect(await page.locator(".Polaris-ResourceItem__ListItem").count()).toBe(10);
    await page.screenshot({ path: "test-results/home-en.png", fullPage: true });
    await page.close();
  });

  test("opens in Simplified Chinese when Shopify admin is in Chinese", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(openUrl.replace(/locale=[^&]+/, "locale=zh-CN"));
    await page.getByRole("heading", { name: "客户档案" }).waitFor({ timeout: 60_000 });
    await page.getByText("已是最新").waitFor();
    await page.screenshot({ path: "test-results/home-zh-CN.png", fullPage: true });
    await page.close();
  });
});
