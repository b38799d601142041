// Exactly once in effect: duplicates, reordering, invalid payloads, re-runs and failures of the
// webhook processor (decision 008), on the real routes and a real database.
import { beforeEach, describe, expect, test } from "vitest";

import type { PrismaClient } from "~/db.server";

import { bootApp, examplePayload, webhookRequest } from "../support/app";
import { createCustomer, createShop, createWebhookEvent } from "../support/factories";

const { prisma, database } = await bootApp();
const { drainShopEvents, listWebhookEvents, processWebhookEvent, processWebhookEventById } = await import("~/modules/webhooks/process-event.server");
const routes: Record<string, { action: (args: never) => Promise<Response> | Response }> = {
  "/webhooks/customers": await import("~/routes/webhooks.customers"),
  "/webhooks/orders": await import("~/routes/webhooks.orders"),
  "/webhooks/products": await import("~/routes/webhooks.products"),
};

const shop = "processing-shop.myshopify.com";
const BOB = "gid://shopify/Customer/706405506930370084";
const ORDER = "gid://shopify/Order/820982911946154508";
const PRODUCT = "gid://shopify/Product/788032119674292922";

const pathOf = (topic: string) => (topic.startsWith("customer") ? "/webhooks/customers" : topic.startsWith("product") ? "/webhooks/products" : "/webhooks/orders");

/** Delivers through the real route (signed) and returns the recorded event. */
async function deliver(topic: string, payload: unknown, { eventId = crypto.randomUUID(), triggeredAt }: { eventId?: string; triggeredAt?: string } = {}) {
  const path = pathOf(topic);
  const request = webhookRequest({ topic, shop, payload, path, eventId });
  if (triggeredAt) request.headers.set("X-Shopify-Triggered-At", triggeredAt);
  const response = await routes[path]!.action({ request, params: {}, context: {} } as never);
  expect(response.status).toBe(200);
  return prisma.webhookEvent.findUniqueOrThrow({ where: { shop_eventId: { shop, eventId } } });
}

const run = (eventId: string, db: PrismaClient = prisma) => processWebhookEventById({ db, eventId });
const eventStatus = async (id: string) => (await prisma.webhookEvent.findUniqueOrThrow({ where: { id } })).status;

async function deliverAndProcess(topic: string, payload: unknown, options?: { eventId?: string; triggeredAt?: string }) {
  const delivered = await deliver(topic, payload, options);
  const outcome = await run(delivered.id);
  return { event: await prisma.webhookEvent.findUniqueOrThrow({ where: { id: delivered.id } }), outcome };
}

/** Everything the processor may write, in a stable order. */
async function archive() {
  const byId = { orderBy: { shopifyId: "asc" as const } };
  return {
    customers: await prisma.customer.findMany(byId),
    orders: await prisma.order.findMany(byId),
    orderLines: await prisma.orderLine.findMany(byId),
    refunds: await prisma.refund.findMany(byId),
    refundLines: await prisma.refundLine.findMany(byId),
    products: await prisma.product.findMany(byId),
    variants: await prisma.productVariant.findMany(byId),
    versions: await prisma.appliedVersion.findMany({ orderBy: [{ subjectId: "asc" }, { aspect: "asc" }] }),
  };
}

const customer = () => prisma.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: BOB } } });
const order = () => prisma.order.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: ORDER } } });
const customerUpdate = (updatedAt: string, firstName: string) => ({ ...examplePayload("customers/update"), updated_at: updatedAt, first_name: firstName });

beforeEach(async () => {
  await database.reset();
  await createShop(prisma, { shop });
});

describe("duplicates", () => {
  test("one refund delivered three times with one event id is stored once and counted once", async () => {
    await deliverAndProcess("orders/create", examplePayload("orders/create"));
    const eventId = crypto.randomUUID();
    const outcomes = [];
    for (let delivery = 0; delivery < 3; delivery++) {
      const event = await deliver("refunds/create", examplePayload("refunds/create"), { eventId });
      outcomes.push((await run(event.id)).status);
    }
    expect(await prisma.webhookEvent.count({ where: { shop, eventId } })).toBe(1);
    expect(outcomes).toEqual(["processed", "skipped", "skipped"]);
    expect(await prisma.refundLine.count()).toBe(5);
    expect((await prisma.orderLine.findMany()).map((line) => line.refundedQuantity)).toEqual([1, 1, 1, 1, 1]);
    expect((await order()).totalRefundedMinor).toBe(8500n);
  });

  test("a refund seen again inside a newer orders/updated (another event) still counts once", async () => {
    await deliverAndProcess("orders/create", examplePayload("orders/create"));
    const refund = examplePayload("refunds/create");
    await deliverAndProcess("refunds/create", refund);
    const { event } = await deliverAndProcess("orders/updated", { ...examplePayload("orders/updated"), updated_at: "2022-01-02T00:00:00Z", financial_status: "partially_refunded", refunds: [refund] });
    expect(event.status).toBe("processed");
    expect(await prisma.refund.count()).toBe(1);
    expect(await prisma.refundLine.count()).toBe(5);
    expect((await prisma.orderLine.findMany()).map((line) => line.refundedQuantity)).toEqual([1, 1, 1, 1, 1]);
    expect(await order()).toMatchObject({ totalRefundedMinor: 8500n, financialStatus: "PARTIALLY_REFUNDED" });
    // ... and the refunds/create arriving once more, under a new event id, is not news.
    const { outcome } = await deliverAndProcess("refunds/create", refund);
    expect(outcome.status).toBe("stale");
    expect((await order()).totalRefundedMinor).toBe(8500n);
  });
});

describe("an older delivery arriving after a newer one changes nothing", () => {
  test("customers/update: by updated_at", async () => {
    await deliverAndProcess("customers/update", customerUpdate("2024-05-02T00:00:00Z", "Newer"));
    const before = await archive();
    const { event } = await deliverAndProcess("customers/update", customerUpdate("2024-05-01T00:00:00Z", "Older"));
    expect(event.status).toBe("stale");
    expect(await archive()).toEqual(before);
    expect(await customer()).toMatchObject({ firstName: "Newer", shopifyUpdatedAt: new Date("2024-05-02T00:00:00Z") });
  });

  test("orders/updated: by updated_at, lines included", async () => {
    await deliverAndProcess("orders/updated", { ...examplePayload("orders/updated"), updated_at: "2024-05-02T00:00:00Z" });
    const before = await archive();
    const older = examplePayload("orders/updated") as { line_items: Array<Record<string, unknown>> };
    older.line_items = older.line_items.map((line) => ({ ...line, title: "Old title", current_quantity: 0 }));
    const { event } = await deliverAndProcess("orders/updated", { ...older, updated_at: "2024-05-01T00:00:00Z", financial_status: "pending" });
    expect(event.status).toBe("stale");
    expect(await archive()).toEqual(before);
  });

  test("products/update: by updated_at, variants included", async () => {
    await deliverAndProcess("products/update", { ...examplePayload("products/update"), updated_at: "2024-05-02T00:00:00Z" });
    const before = await archive();
    const older = examplePayload("products/update") as { variants: Array<Record<string, unknown>> };
    const { event } = await deliverAndProcess("products/update", {
      ...older,
      updated_at: "2024-05-01T00:00:00Z",
      title: "Old title",
      variants: [{ ...older.variants[0], price: "1.00" }],
      variant_gids: [{ admin_graphql_api_id: older.variants[0]!.admin_graphql_api_id }],
    });
    expect(event.status).toBe("stale");
    expect(await archive()).toEqual(before);
  });

  test("email consent without its own timestamp: by X-Shopify-Triggered-At", async () => {
    await createCustomer(prisma, { shop, shopifyId: BOB, email: "bob@biller.com" });
    const consent = (state: string) => ({ ...examplePayload("customers_email_marketing_consent/update"), email_marketing_consent: { state, opt_in_level: null, consent_updated_at: null } });
    const newer = await deliverAndProcess("customers_email_marketing_consent/update", consent("subscribed"), { triggeredAt: "2024-05-02T00:00:00Z" });
    const older = await deliverAndProcess("customers_email_marketing_consent/update", consent("unsubscribed"), { triggeredAt: "2024-05-01T00:00:00Z" });
    expect([newer.event.status, older.event.status]).toEqual(["processed", "stale"]);
    expect((await customer()).emailMarketingState).toBe("SUBSCRIBED");
    expect(await prisma.appliedVersion.findMany({ where: { subjectId: BOB }, select: { aspect: true, version: true } })).toEqual([{ aspect: "consent", version: new Date("2024-05-02T00:00:00Z") }]);
  });

  test("purchasing summary: by occurredAt", async () => {
    await createCustomer(prisma, { shop, shopifyId: BOB });
    const summary = (numberOfOrders: number, amount: string, occurredAt: string) => ({ ...examplePayload("customers/purchasing_summary"), customerId: BOB, numberOfOrders, amountSpent: { amount, currencyCode: "USD" }, occurredAt });
    await deliverAndProcess("customers/purchasing_summary", summary(5, "500.00", "2024-05-02T00:00:00Z"));
    const { event } = await deliverAndProcess("customers/purchasing_summary", summary(4, "400.00", "2024-05-01T00:00:00Z"));
    expect(event.status).toBe("stale");
    expect(await customer()).toMatchObject({ numberOfOrders: 5, amountSpentMinor: 50000n });
  });

  test("tags are versioned per tag: an older add loses to a newer removal of that tag only", async () => {
    await createCustomer(prisma, { shop, shopifyId: BOB, tags: "vip" });
    await deliverAndProcess("customer.tags_removed", { customerId: BOB, tags: ["vip"], occurredAt: "2024-05-02T00:00:00Z" });
    const { event } = await deliverAndProcess("customer.tags_added", { customerId: BOB, tags: ["vip", "wholesale"], occurredAt: "2024-05-01T00:00:00Z" });
    expect(event.status).toBe("processed");
    expect((await customer()).tags).toBe("wholesale");
    const repeat = await deliverAndProcess("customer.tags_removed", { customerId: BOB, tags: ["vip"], occurredAt: "2024-05-02T00:00:00Z" });
    expect(repeat.event.status).toBe("stale");
  });

  test("a deleted customer is not brought back by a late update, nor created by a create that arrives after the delete", async () => {
    await deliverAndProcess("customers/create", customerUpdate("2024-05-01T00:00:00Z", "Bob"));
    await deliverAndProcess("customers/delete", examplePayload("customers/delete"), { triggeredAt: "2024-05-02T00:00:00Z" });
    const late = await deliverAndProcess("customers/update", customerUpdate("2024-05-03T00:00:00Z", "Zombie"));
    expect(late.event.status).toBe("stale");
    expect(await customer()).toMatchObject({ firstName: "Bob", deletedAt: new Date("2024-05-02T00:00:00Z") });

    const other = "gid://shopify/Customer/42";
    await deliverAndProcess("customers/delete", { id: 42, admin_graphql_api_id: other }, { triggeredAt: "2024-05-02T00:00:00Z" });
    const create = await deliverAndProcess("customers/create", { ...customerUpdate("2024-05-01T00:00:00Z", "Ghost"), id: 42, admin_graphql_api_id: other });
    expect(create.event.status).toBe("stale");
    expect(await prisma.customer.count({ where: { shopifyId: other } })).toBe(0);
  });
});

describe("a payload that fails validation", () => {
  test("is kept as invalid with a readable error, and none of it is applied", async () => {
    const order = examplePayload("orders/create") as { line_items: Array<Record<string, unknown>> };
    // The first lines are fine; the fourth has a price finer than USD allows, and the order lost its name.
    order.line_items[3] = { ...order.line_items[3], price_set: { shop_money: { amount: "159.999", currency_code: "USD" } } };
    const { event, outcome } = await deliverAndProcess("orders/create", { ...order, name: undefined, refunds: [examplePayload("refunds/create")] });
    expect(outcome.status).toBe("invalid");
    const stored = await prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(stored.status).toBe("invalid");
    expect(stored.error).toContain("name: Required");
    expect(stored.error).toContain("line_items.3.price_set: 159.999 has more precision than USD allows");
    expect(JSON.parse(stored.payload)).toMatchObject({ admin_graphql_api_id: ORDER }); // kept for support
    const nothing = await archive();
    expect(Object.values(nothing).every((rows) => rows.length === 0)).toBe(true);
    // and stays so: running it again does not try again
    expect((await run(event.id)).status).toBe("skipped");
  });

  test("an aspect topic with a bad id leaves the customer as it was", async () => {
    await createCustomer(prisma, { shop, shopifyId: BOB, tags: "vip" });
    const before = await archive();
    const { event } = await deliverAndProcess("customer.tags_added", { customerId: "706405506930370084", tags: ["x"], occurredAt: "2024-05-01T00:00:00Z" });
    expect(await eventStatus(event.id)).toBe("invalid");
    expect((await prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } })).error).toBe("customerId: expected a gid://shopify/Customer/<id>");
    expect(await archive()).toEqual(before);
  });
});

describe("processing the same event again (a job re-run after a crash)", () => {
  test("a settled event is skipped and nothing changes", async () => {
    await deliverAndProcess("orders/create", examplePayload("orders/create"));
    const { event } = await deliverAndProcess("refunds/create", examplePayload("refunds/create"));
    const before = await archive();
    const settled = await prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } });
    expect(await run(event.id)).toEqual({ status: "skipped", eventId: event.id, reason: "already-settled", current: "processed" });
    expect(await archive()).toEqual(before);
    expect(await prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } })).toEqual(settled);
  });

  test.each([
    { title: "refunds/create", topic: "refunds/create", payload: () => examplePayload("refunds/create") },
    { title: "customer.tags_added", topic: "customer.tags_added", payload: () => ({ ...examplePayload("customer.tags_added"), customerId: BOB }) },
    { title: "customers/purchasing_summary", topic: "customers/purchasing_summary", payload: () => ({ ...examplePayload("customers/purchasing_summary"), customerId: BOB }) },
    { title: "customers/delete", topic: "customers/delete", payload: () => examplePayload("customers/delete") },
  ])("$title applied a second time (its settled status lost) changes no data", async ({ topic, payload }) => {
    await createCustomer(prisma, { shop, shopifyId: BOB, tags: "vip" });
    await deliverAndProcess("orders/create", examplePayload("orders/create"));
    const { event } = await deliverAndProcess(topic, payload());
    expect(await eventStatus(event.id)).toBe("processed");
    const before = await archive();
    await prisma.webhookEvent.update({ where: { id: event.id }, data: { status: "received", processedAt: null } });
    await run(event.id);
    expect(await archive()).toEqual(before);
  });
});

describe("an unexpected error", () => {
  test("marks the event failed with the error, counts the attempt and rethrows; the retry applies it", async () => {
    const event = await deliver("customers/create", examplePayload("customers/create"));
    const broken = new Proxy(prisma, {
      get: (target, property) => (property === "$transaction" ? () => Promise.reject(new Error("database went away")) : Reflect.get(target, property)),
    });
    await expect(run(event.id, broken)).rejects.toThrow("database went away");
    expect(await prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: "failed", error: "database went away", attempts: 1 });
    expect(await prisma.customer.count()).toBe(0);

    await processWebhookEvent({ id: "job-1", name: "webhook.process", shop, payload: { eventId: event.id }, attempt: 2, maxAttempts: 8 });
    expect(await prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: "processed", error: null, attempts: 1 });
    expect(await prisma.customer.count()).toBe(1);
  });
});

describe("ids beyond 2^53 in a raw body", () => {
  // Intake stores the payload; these rows hold the raw body text Shopify sends, exact digits included.
  test("numeric-only ids (line product, products/delete, consent) keep every digit", async () => {
    await createCustomer(prisma, { shop, shopifyId: BOB, email: "someone-else@example.com" });
    const orderText = JSON.stringify(examplePayload("orders/create")).replace('"product_id":788032119674292900', '"product_id":788032119674292922');
    const orderEvent = await createWebhookEvent(prisma, { shop, topic: "orders/create", payload: orderText });
    const productEvent = await createWebhookEvent(prisma, { shop, topic: "products/create", payload: examplePayload("products/create") });
    const deleteEvent = await createWebhookEvent(prisma, { shop, topic: "products/delete", payload: '{"id":788032119674292922}' });
    const consentEvent = await createWebhookEvent(prisma, {
      shop,
      topic: "customers_email_marketing_consent/update",
      payload: '{"customer_id":706405506930370084,"email_address":"bob@biller.com","email_marketing_consent":{"state":"subscribed","opt_in_level":"single_opt_in","consent_updated_at":"2024-05-01T00:00:00Z"}}',
    });
    for (const event of [orderEvent, productEvent, deleteEvent, consentEvent]) expect((await run(event.id)).status).toBe("processed");

    const aviator = await prisma.orderLine.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: "gid://shopify/LineItem/487817672276298554" } } });
    expect(aviator.productId).toBe(PRODUCT);
    expect((await prisma.product.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: PRODUCT } } })).deletedAt).toBeInstanceOf(Date);
    expect((await customer()).emailMarketingState).toBe("SUBSCRIBED");
  });
});

describe("a customer who asked to be forgotten", () => {
  test("an order event about them arriving after customers/redact keeps no payload, and their order no email", async () => {
    const payload = examplePayload("orders/updated") as { customer: { admin_graphql_api_id: string }; email: string };
    const shopifyId = payload.customer.admin_graphql_api_id;
    await createCustomer(prisma, { shop, shopifyId, email: null, firstName: null, lastName: null, displayName: null, redactedAt: new Date() });
    expect(payload.email).toBeTruthy();
    const { event, outcome } = await deliverAndProcess("orders/updated", payload);
    expect(outcome.status).toBe("processed");
    expect(event.payload).toBe("{}");
    expect(event.redactedAt).toBeInstanceOf(Date);
    expect((await order()).email).toBeNull();
  });
});

describe("listWebhookEvents", () => {
  test("lists one shop's events, newest first, filtered by status, without payloads", async () => {
    await deliverAndProcess("customers/create", examplePayload("customers/create"));
    await new Promise((resolve) => setTimeout(resolve, 5)); // distinct receivedAt
    await deliverAndProcess("customer.tags_added", { customerId: "1", tags: [], occurredAt: "x" });
    await createWebhookEvent(prisma, { shop: "other-shop.myshopify.com", topic: "customers/create", payload: {} });

    const all = await listWebhookEvents({ db: prisma, shop, take: 10 });
    expect(all.map((event) => [event.topic, event.status])).toEqual([
      ["CUSTOMER_TAGS_ADDED", "invalid"],
      ["CUSTOMERS_CREATE", "processed"],
    ]);
    expect(all[0]).not.toHaveProperty("payload");
    const invalid = await listWebhookEvents({ db: prisma, shop, status: "invalid", take: 10 });
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.error).toContain("occurredAt: expected an ISO 8601 timestamp");
  });
});

describe("draining a shop's waiting events", () => {
  const statuses = async () => Object.fromEntries((await prisma.webhookEvent.findMany()).map((event) => [event.topic, event.status]));

  async function deliverMix() {
    await deliver("customers/create", { ...examplePayload("customers/create"), updated_at: "2024-01-01T00:00:00Z", first_name: "First" });
    await deliver("customers/update", customerUpdate("2024-02-01T00:00:00Z", "Second"));
    const order = examplePayload("orders/create") as { line_items: Array<Record<string, unknown>> };
    order.line_items[0] = { ...order.line_items[0], price_set: { shop_money: { amount: "1.999", currency_code: "USD" } } };
    await deliver("orders/create", order);
    await deliver("products/create", examplePayload("products/create"));
  }

  test("applies them in the order received, keeps a bad one as invalid, and the rest are applied", async () => {
    await deliverMix();
    expect(await drainShopEvents({ db: prisma, shop })).toEqual({ processed: 4, failed: 0 });
    expect(await statuses()).toEqual({ CUSTOMERS_CREATE: "processed", CUSTOMERS_UPDATE: "processed", ORDERS_CREATE: "invalid", PRODUCTS_CREATE: "processed" });
    expect((await customer()).firstName).toBe("Second");
    expect(await prisma.order.count()).toBe(0);
    expect(await prisma.product.count()).toBe(1);
    // Nothing left: a second drain finds no work.
    expect(await drainShopEvents({ db: prisma, shop })).toEqual({ processed: 0, failed: 0 });
  });

  test("a batch whose transaction fails is applied again one by one, each event once", async () => {
    await deliverMix();
    let failures = 1;
    const flaky = new Proxy(prisma, {
      get: (target, property) =>
        property === "$transaction" && failures-- > 0 ? () => Promise.reject(new Error("database is locked")) : Reflect.get(target, property),
    });
    await drainShopEvents({ db: flaky, shop });
    expect(await statuses()).toEqual({ CUSTOMERS_CREATE: "processed", CUSTOMERS_UPDATE: "processed", ORDERS_CREATE: "invalid", PRODUCTS_CREATE: "processed" });
    expect((await customer()).firstName).toBe("Second");
    expect(await prisma.webhookEvent.aggregate({ _max: { attempts: true } })).toEqual({ _max: { attempts: 0 } });
  });

  test("an event that fails unexpectedly stays failed for a later drain, and does not hold up the others", async () => {
    await deliverMix();
    // Every transaction fails: batches and single events alike.
    const broken = new Proxy(prisma, {
      get: (target, property) => (property === "$transaction" ? () => Promise.reject(new Error("disk full")) : Reflect.get(target, property)),
    });
    await expect(drainShopEvents({ db: broken, shop })).rejects.toThrow();
    const failed = await prisma.webhookEvent.findMany({ where: { status: "failed" } });
    expect(failed.map((event) => event.error)).toEqual(["disk full", "disk full", "disk full"]);
    // The next drain, with the database back, applies them.
    await drainShopEvents({ db: prisma, shop });
    expect(await statuses()).toEqual({ CUSTOMERS_CREATE: "processed", CUSTOMERS_UPDATE: "processed", ORDERS_CREATE: "invalid", PRODUCTS_CREATE: "processed" });
    expect((await customer()).firstName).toBe("Second");
  });
});
