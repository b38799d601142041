// `npx tsx dev/emulator/cli.ts --port 4001 --customers 1000 --orders 3000 [--shop x.myshopify.com] [--seed 42]`
// Env: SHOPIFY_API_KEY, SHOPIFY_API_SECRET, SHOPIFY_APP_URL.
import { parseArgs } from "node:util";

import { createEmulator, DEFAULT_SHOP } from "./index";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4001" },
    customers: { type: "string", default: "1000" },
    orders: { type: "string" },
    products: { type: "string", default: "200" },
    shop: { type: "string", default: DEFAULT_SHOP },
    seed: { type: "string", default: "42" },
    toml: { type: "string" },
  },
});
const customers = Number(values.customers);
const started = Date.now();
const emulator = await createEmulator({
  port: Number(values.port),
  apiKey: process.env.SHOPIFY_API_KEY ?? "demo-api-key",
  apiSecret: process.env.SHOPIFY_API_SECRET ?? "demo-api-secret",
  appUrl: process.env.SHOPIFY_APP_URL,
  tomlPath: values.toml,
  shops: [{ domain: values.shop!, customers, orders: Number(values.orders ?? customers * 3), products: Number(values.products), seed: Number(values.seed) }],
  log: (message) => console.log(`[emulator] ${message}`),
});
const token = emulator.issueAccessToken(values.shop!);
console.log(`[emulator] ${values.shop} seeded in ${Date.now() - started} ms, listening on ${emulator.url}`);
console.log(`[emulator] webhook topics: ${[...emulator.subscriptions.keys()].join(", ") || "(none)"} -> ${process.env.SHOPIFY_APP_URL ?? "(no SHOPIFY_APP_URL: webhooks disabled)"}`);
console.log(`[emulator] offline access token for ${values.shop}: ${token}`);
if (process.env.SHOPIFY_APP_URL) console.log(`[emulator] open the app: ${emulator.url}/admin/apps/open?shop=${values.shop}&path=/app`);
const stop = () => void emulator.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
