// Test helpers: an emulator on a random port and a fake app that records webhook requests.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

import { createEmulator, type EmulatorOptions } from "../../dev/emulator/index";

export const API_KEY = "test-api-key";
export const API_SECRET = "test-api-secret";
export const SHOP = "test-shop.myshopify.com";
export const TOML = join(import.meta.dirname, "fixtures/shopify.app.toml");

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A fake app: answers webhook POSTs with `respond(request, n)` (status code), records them. */
export async function startFakeApp(respond: (req: ReceivedRequest, n: number) => number = () => 200) {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const record = { path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      received.push(record);
      const status = respond(record, received.length);
      res.writeHead(status, status >= 300 && status < 400 ? { Location: "/elsewhere" } : {});
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export function startEmulator(overrides: Partial<EmulatorOptions> = {}) {
  return createEmulator({
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    tomlPath: TOML,
    shops: [{ domain: SHOP, customers: 40, orders: 120, products: 15, seed: 7 }],
    webhookRetrySchedule: [20, 20, 20],
    ...overrides,
  });
}

export async function gql(emulatorUrl: string, token: string | undefined, query: string, variables: Record<string, unknown> = {}, shop = SHOP) {
  const response = await fetch(`${emulatorUrl}/admin/api/2026-07/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Forwarded-Host": shop, ...(token ? { "X-Shopify-Access-Token": token } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any };
}

export async function waitFor<T>(check: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 5000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error("waitFor timed out");
    await new Promise((r) => setTimeout(r, 15));
  }
}
