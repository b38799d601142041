// adminGraphql against the emulator's leaky bucket (a small one: 100 points, 50/s): many
// concurrent calls from two shops all complete without a single THROTTLED answer, because each
// call waits for its shop's bucket instead of being refused, and the two shops never wait for each other.
import { afterAll, beforeAll, expect, test } from "vitest";

import { createEmulator, type Emulator } from "../../dev/emulator/index";
import { adminGraphql, type AdminGraphql } from "~/modules/shopify/admin-graphql.server";
import { emulatorAdmin } from "../support/emulated-shop";

const SHOPS = ["throttle-a.myshopify.com", "throttle-b.myshopify.com"];
let emulator: Emulator;
const admins = new Map<string, AdminGraphql>();

beforeAll(async () => {
  emulator = await createEmulator({
    apiKey: "key",
    apiSecret: "secret",
    shops: SHOPS.map((domain, index) => ({ domain, customers: 30, orders: 10, products: 5, seed: index + 1 })),
    throttle: { maximumAvailable: 100, restoreRate: 50 },
    autoWebhooks: false,
  });
  for (const shop of SHOPS) {
    admins.set(shop, emulatorAdmin(emulator, shop));
  }
});

afterAll(async () => {
  await emulator?.close();
});

const CUSTOMER_PAGE = `#graphql
  query ThrottleProbe($first: Int!) {
    customers(first: $first) { nodes { id } }
  }
`;

test("many concurrent calls complete with no THROTTLED answer, for each shop", async () => {
  const callsPerShop = 20;
  const started = Date.now();
  const results = await Promise.all(
    SHOPS.flatMap((shop) =>
      Array.from({ length: callsPerShop }, () => adminGraphql<{ customers: { nodes: { id: string }[] } }>({ shop, admin: admins.get(shop)! }, CUSTOMER_PAGE, { first: 10 })),
    ),
  );
  const elapsed = Date.now() - started;

  expect(results.every((data) => data.customers.nodes.length === 10)).toBe(true);
  for (const shop of SHOPS) {
    const requests = emulator.requests.filter((request) => request.shop === shop);
    expect(requests.map((request) => request.status)).toEqual(Array(callsPerShop).fill("ok"));
    // each call costs 12 points: 20 of them need 240 from a bucket of 100 refilled at 50/s
    expect(requests[0]!.requestedQueryCost).toBe(12);
  }
  // waiting is real: 140 points beyond the first bucketful take 2.8 s to restore
  expect(elapsed).toBeGreaterThanOrEqual(2500);
  // and the shops waited side by side, not one after the other: their calls interleave
  const order = emulator.requests.map((request) => request.shop);
  expect(order.indexOf(SHOPS[1]!)).toBeLessThan(order.lastIndexOf(SHOPS[0]!));
  expect(order.indexOf(SHOPS[0]!)).toBeLessThan(order.lastIndexOf(SHOPS[1]!));
});
