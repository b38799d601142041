// From an order webhook to Shopify (decision 010): Shopify's own orders/create example, for a
// customer just below a threshold, goes through the signed route and the job worker (drain ->
// loyalty.evaluate -> loyalty.push), and ends as a metafieldsSet on the emulator with the new tier
// and a flowTriggerReceive call - seconds, not an hour.
import { Session } from "@shopify/shopify-api";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Emulator } from "../../dev/emulator/index";
import { bootApp, examplePayload, webhookRequest } from "../support/app";
import { emulatorAdmin, startEmulatedShops } from "../support/emulated-shop";
import { createCustomer, createOrder, createShop } from "../support/factories";
import { TEST_TIERS, testProgram } from "../support/loyalty";

const { prisma, database } = await bootApp();
const shop = "loyal-webhooks.myshopify.com";
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulatedShops([{ domain: shop, customers: 3, orders: 0, products: 2 }]);
  // Admin calls of background jobs go to the emulator, as in the demo.
  process.env.SHOPIFY_ADMIN_API_URL = emulator.url;
});
afterAll(async () => {
  delete process.env.SHOPIFY_ADMIN_API_URL;
  await emulator?.close();
});

async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("an order webhook reaches Shopify's metafields and Flow through the worker", () => {
  test("a customer $20 below Silver orders $404.95: metafieldsSet with Silver, and a tier-changed Flow trigger", async () => {
    await database.reset();
    const { sessionStorage } = await import("~/shopify.server");
    const { jobQueue, resetJobQueue } = await import("~/modules/jobs/index.server");
    const { jobHandlers } = await import("~/modules/jobs/handlers.server");
    const { saveProgram } = await import("~/modules/loyalty/loyalty.server");
    const { evaluateMembers } = await import("~/modules/loyalty/evaluate.server");
    const orders = await import("~/routes/webhooks.orders");

    await createShop(prisma, { shop });
    await sessionStorage.storeSession(new Session({ id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: emulator.issueAccessToken(shop), scope: "read_customers,write_customers,read_orders" }));
    const store = emulator.store(shop);
    const seeded = store.getCustomer(store.customerIdxs()[0]!)!;
    const customerId = `gid://shopify/Customer/${seeded.id}`;
    await createCustomer(prisma, { shop, shopifyId: customerId, displayName: `${seeded.firstName} ${seeded.lastName}` });
    await saveProgram({
      actor: { shop, userId: "1", name: "Ava Chen" },
      draft: testProgram({ points: { ...testProgram().points, from: "2020-01-01T00:00:00.000Z" } }, [0, 50_000, 200_000]),
    });
    // $480 of history from before the app was installed: a Member, $20 short of Silver.
    await createOrder(prisma, { shop, shopifyId: "gid://shopify/Order/1", customerId, totalPriceMinor: 48_000n, subtotalPriceMinor: 48_000n, processedAt: new Date("2019-05-01T00:00:00Z") });
    await evaluateMembers(prisma, { shop, quiet: true });
    expect((await prisma.loyaltyMember.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId } } })).tierKey).toBe("member");

    // Shopify's own example order, made a real (neither test nor cancelled) order of this customer.
    const example = examplePayload("orders/create") as Record<string, unknown> & { customer: Record<string, unknown> };
    const now = new Date().toISOString();
    const payload = { ...example, test: false, cancelled_at: null, cancel_reason: null, customer: { ...example.customer, id: seeded.id, admin_graphql_api_id: customerId }, updated_at: now, processed_at: now };
    const response = await orders.action({ request: webhookRequest({ topic: "orders/create", shop, payload, path: "/webhooks/orders" }), params: {}, context: {} } as never);
    expect(response.status).toBe(200);

    await resetJobQueue();
    const queue = jobQueue();
    await queue.work(jobHandlers(), { pollIntervalMs: 20 });
    try {
      // Saving the program pushed the starting state (Member) already; the order's push carries Silver.
      type MetafieldInput = { ownerId: string; key: string; value: string; type: string };
      const fieldsOf = (request: (typeof emulator.requests)[number]) => (request.variables as { metafields?: MetafieldInput[] }).metafields ?? [];
      const metafieldCall = await waitFor(() => emulator.requests.find((request) => request.query.includes("metafieldsSet") && fieldsOf(request).some((field) => field.key === "loyalty_tier" && field.value === "Silver")), "metafieldsSet with Silver");
      const metafields = fieldsOf(metafieldCall);
      expect(metafields.find((field) => field.key === "loyalty_tier")).toMatchObject({ ownerId: customerId, value: "Silver", type: "single_line_text_field" });
      expect(metafields.find((field) => field.key === "loyalty_points")).toMatchObject({ value: "404", type: "number_integer" });
      const status = JSON.parse(metafields.find((field) => field.key === "loyalty_status")!.value);
      expect(status).toMatchObject({ tier: { name: "Silver", perks: "Free gift wrap" }, next: { name: "Gold", unit: "money", remaining: 200_000 - 48_000 - 40_495 }, points: 404 });
      // Stored in the emulated store under the app's own namespace.
      expect(store.getMetafield(customerId, "$app", "loyalty_tier")?.value).toBe("Silver");

      const trigger = await waitFor(() => emulator.flowTriggers.find((call) => call.handle === "tier-changed" && (call.payload as { tier?: string }).tier === "Silver"), "flowTriggerReceive");
      expect(trigger).toMatchObject({ shop, payload: { customer_id: seeded.id, tier: "Silver", previous_tier: "Member", reason: "promoted" } });
      await waitFor(() => emulator.flowTriggers.find((call) => call.handle === "points-changed"), "points-changed trigger");
      await waitFor(async () => (await prisma.flowEvent.count({ where: { shop, sentAt: null } })) === 0, "the Flow outbox to empty");
      await waitFor(async () => (await prisma.loyaltyMember.count({ where: { shop, pushNeeded: true } })) === 0, "every member pushed");
    } finally {
      await queue.stop();
    }
  });
});

describe("tier tags", () => {
  test("with tagging on, a member carries the tag of their tier and loses the old one, in Shopify and the archive; a second push calls nothing", async () => {
    await database.reset();
    const { saveProgram } = await import("~/modules/loyalty/loyalty.server");
    const { evaluateMembers } = await import("~/modules/loyalty/evaluate.server");
    const { pushLoyalty } = await import("~/modules/loyalty/push.server");
    await createShop(prisma, { shop });
    const store = emulator.store(shop);
    const seeded = store.getCustomer(store.customerIdxs()[1]!)!;
    const customerId = `gid://shopify/Customer/${seeded.id}`;
    store.changeTags(customerId, ["spring-2026", "Tier: Member"], "add");
    await createCustomer(prisma, { shop, shopifyId: customerId, tags: store.getCustomer(store.customerIdxs()[1]!)!.tags.join(", ") });
    await saveProgram({
      actor: { shop, userId: "1", name: "Ava Chen" },
      draft: testProgram({ basis: "orders", graceDays: 0, tiers: [TEST_TIERS[0]!, { ...TEST_TIERS[1]!, key: "regular", name: "Regular", threshold: 1 }], points: { ...testProgram().points, enabled: false }, tagMembers: true }),
    });
    await createOrder(prisma, { shop, shopifyId: "gid://shopify/Order/77", customerId, processedAt: new Date("2025-01-01T00:00:00Z") });
    await evaluateMembers(prisma, { shop, quiet: true });

    const admin = emulatorAdmin(emulator, shop);
    const result = await pushLoyalty({ db: prisma, shop, admin });
    expect(result.tagged).toBe(1);
    const tags = store.getCustomer(store.customerIdxs()[1]!)!.tags;
    expect(tags).toContain("Tier: Regular");
    expect(tags).toContain("spring-2026");
    expect(tags).not.toContain("Tier: Member");
    // The archive holds what Shopify holds.
    expect((await prisma.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: customerId } } })).tags.split(", ").sort()).toEqual([...tags].sort());

    await prisma.loyaltyMember.updateMany({ where: { shop }, data: { pushNeeded: true } });
    const calls = emulator.requests.filter((request) => /tagsAdd|tagsRemove/.test(request.query)).length;
    expect((await pushLoyalty({ db: prisma, shop, admin })).tagged).toBe(0);
    expect(emulator.requests.filter((request) => /tagsAdd|tagsRemove/.test(request.query)).length).toBe(calls);
  });
});
