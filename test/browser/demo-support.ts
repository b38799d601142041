// Boots the demo (emulated store + app on SQLite) and a headless Chromium for browser tests.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer } from "node:net";

import Database from "better-sqlite3";
import { chromium, type Browser, type Page } from "playwright-core";

// Headless Chromium says "HeadlessChrome", which the Shopify library turns away as a bot (410).
const USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Demo {
  /** Opens the app as Shopify admin would, at `path`, as staff member `user` (1 owns the store), in `locale`. */
  url(path: string, options?: { user?: number; locale?: string }): string;
  newPage(): Promise<Page>;
  /**
   * Opens `url(path, options)` in `page` and waits until React has hydrated it (root.tsx marks the
   * page). Before that a click does nothing and typed text never reaches a form's state - the first
   * page of a cold demo loads its modules while the import's background jobs still run.
   */
  open(page: Page, path: string, options?: { user?: number; locale?: string }): Promise<void>;
  stop(): Promise<void>;
  /** The app itself (what Shopify calls: webhooks, the app proxy), not the emulated admin around it. */
  appUrl: string;
}

export async function startDemo({ customers, orders, databaseFile }: { customers: number; orders: number; databaseFile: string }): Promise<Demo> {
  mkdirSync("test-results", { recursive: true });
  const port = await freePort();
  const demo: ChildProcess = spawn("npx", ["tsx", "dev/demo.ts"], {
    env: { ...process.env, PORT: String(port), DEMO_CUSTOMERS: String(customers), DEMO_ORDERS: String(orders), DEMO_DATABASE_URL: `file:./${databaseFile}` },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const openUrl = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open: (\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    demo.stdout!.on("data", onData);
    demo.stderr!.on("data", onData);
    demo.on("exit", (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
  });
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const url = (path: string, { user = 1, locale = "en" } = {}) => {
    const address = new URL(openUrl);
    address.searchParams.set("path", path);
    address.searchParams.set("locale", locale);
    address.searchParams.set("user", String(user));
    return address.toString();
  };
  return {
    appUrl: `http://localhost:${port}`,
    url,
    async open(page, path, options) {
      await page.goto(url(path, options));
      await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 60_000 });
    },
    newPage: () => browser.newPage({ viewport: { width: 1280, height: 900 }, userAgent: USER_AGENT }),
    async stop() {
      await browser.close();
      if (demo.pid) process.kill(-demo.pid, "SIGINT");
    },
  };
}

/** Read-only queries on a demo's SQLite file (what the page should show, from the source). */
export function demoDatabase(file: string) {
  const all = <T>(sql: string, ...params: unknown[]): T[] => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  };
  return { all, one: <T>(sql: string, ...params: unknown[]) => all<T>(sql, ...params)[0]! };
}
