// `npm run demo`: the emulated Shopify store + the app on SQLite, seeded and imported,
// ready to open in a browser with no Shopify account. Ctrl-C stops everything.
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { createServer } from "vite";

import { createPrismaClient } from "../app/db.server";
import { applyMigrations } from "../scripts/setup-db";
import { createEmulator, EMULATED_STAFF } from "./emulator/index";

const root = resolve(import.meta.dirname, "..");
const port = Number(process.env.PORT ?? 3000);
const customers = Number(process.env.DEMO_CUSTOMERS ?? 1000);
const orders = Number(process.env.DEMO_ORDERS ?? customers * 3);
const shop = process.env.DEMO_SHOP ?? "demo-shop.myshopify.com";
const locale = process.env.DEMO_LOCALE ?? "en";
const databaseUrl = process.env.DEMO_DATABASE_URL ?? "file:./data/demo.db";
const appUrl = `http://localhost:${port}`;

const log = (message: string) => console.log(`[demo] ${message}`);

async function main() {
  const started = Date.now();
  if (databaseUrl.startsWith("file:")) {
    // A demo starts from a clean archive every time: the emulated store is the source of truth.
    for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(resolve(root, databaseUrl.slice(5) + suffix), { force: true });
  }
  await applyMigrations({ url: databaseUrl });

  const apiKey = process.env.SHOPIFY_API_KEY ?? "demo-api-key";
  const apiSecret = process.env.SHOPIFY_API_SECRET ?? "demo-api-secret";
  log(`seeding ${shop} with ${customers.toLocaleString()} customers and ${orders.toLocaleString()} orders…`);
  const emulator = await createEmulator({ port: Number(process.env.EMULATOR_PORT ?? 0), apiKey, apiSecret, appUrl, shops: [{ domain: shop, customers, orders }] });

  Object.assign(process.env, {
    NODE_ENV: "development",
    SHOPIFY_API_KEY: apiKey,
    SHOPIFY_API_SECRET: apiSecret,
    SHOPIFY_APP_URL: appUrl,
    DATABASE_URL: databaseUrl,
    SHOPIFY_ADMIN_API_URL: emulator.url,
    APP_BRIDGE_URL: `${emulator.url}/app-bridge.js`,
  });

  const vite = await createServer({ root, configFile: resolve(root, "vite.config.ts"), server: { port, strictPort: true, hmr: false }, logLevel: "warn" });
  await vite.listen();

  const db = createPrismaClient(databaseUrl);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log("stopping…");
    await Promise.allSettled([vite.close(), emulator.close(), db.$disconnect()]);
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  // Open the app once the way Shopify admin would: token exchange, afterAuth, initial import.
  const openUrl = `${emulator.url}/admin/apps/open?shop=${encodeURIComponent(shop)}&path=/app&locale=${encodeURIComponent(locale)}`;
  // A browser's user agent: the library answers 410 to anything that looks like a bot (node's fetch does).
  const first = await fetch(openUrl, { headers: { "User-Agent": BROWSER_USER_AGENT } });
  if (!first.ok) throw new Error(`The app answered ${first.status} on first open: ${(await first.text()).slice(0, 500)}`);
  // The store's other staff open the app too, so owners and follow-ups can be given to them.
  for (const staff of EMULATED_STAFF.slice(1)) {
    const opened = await fetch(`${openUrl}&user=${staff.id}`, { headers: { "User-Agent": BROWSER_USER_AGENT } });
    if (!opened.ok) throw new Error(`The app answered ${opened.status} when staff member ${staff.id} opened it`);
  }

  log("importing the store through bulk operations…");
  for (;;) {
    const run = await db.syncRun.findFirst({ where: { shop, kind: "initial" }, orderBy: { startedAt: "desc" } });
    if (run?.status === "failed") throw new Error(`Initial import failed: ${run.error}`);
    if (run?.status === "completed") break;
    await sleep(250);
  }
  const [customerCount, orderCount] = await Promise.all([db.customer.count({ where: { shop } }), db.order.count({ where: { shop } })]);
  log(`imported ${customerCount.toLocaleString()} customers and ${orderCount.toLocaleString()} orders in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`\n  Customer CRM demo is running.\n  Open: ${openUrl}\n  (as another staff member: add &user=2 or &user=3)\n  (Shopify admin is emulated at ${emulator.url}; press Ctrl-C to stop)\n`);
}

const BROWSER_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36";

main().catch((error) => {
  console.error("[demo] failed:", error);
  process.exit(1);
});
