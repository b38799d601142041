// Webhook delivery, bulk operations, token exchange, the Admin stand-in and seed determinism.
import { createHmac } from "node:crypto";

import { afterEach, describe, expect, test } from "vitest";

import { signSessionToken, Store, type Emulator } from "../../dev/emulator/index";
import { API_KEY, API_SECRET, gql, SHOP, startEmulator, startFakeApp, waitFor } from "./helpers";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});
async function setup(respond?: Parameters<typeof startFakeApp>[0], overrides: Parameters<typeof startEmulator>[0] = {}) {
  const app = await startFakeApp(respond);
  const emulator = await startEmulator({ appUrl: app.url, ...overrides });
  cleanups.push(app.close, emulator.close);
  return { app, emulator };
}

describe("webhooks", () => {
  test("signed with the app secret over the raw body, with Shopify's headers, to the toml uri", async () => {
    const { app, emulator } = await setup();
    const event = emulator.webhooks.send(SHOP, "customers/update", { resourceId: "gid://shopify/Customer/7100000000003" })!;
    await event.done;
    expect(app.received).toHaveLength(1);
    const req = app.received[0]!;
    expect(req.path).toBe("/webhooks/customers");
    const expected = createHmac("sha256", API_SECRET).update(req.body, "utf8").digest("base64");
    expect(req.headers["x-shopify-hmac-sha256"]).toBe(expected);
    expect(createHmac("sha256", "wrong").update(req.body).digest("base64")).not.toBe(req.headers["x-shopify-hmac-sha256"]);
    expect(req.headers).toMatchObject({
      "content-type": "application/json",
      "x-shopify-topic": "customers/update",
      "x-shopify-shop-domain": SHOP,
      "x-shopify-api-version": "2026-07",
      "x-shopify-webhook-id": expect.stringMatching(/^[0-9a-f-]{36}$/),
      "x-shopify-event-id": event.eventId,
      "x-shopify-triggered-at": expect.any(String),
      "x-shopify-name": expect.any(String),
    });
    const payload = JSON.parse(req.body);
    expect(payload).toMatchObject({ id: 7100000000003, admin_graphql_api_id: "gid://shopify/Customer/7100000000003" });
    expect(payload).toHaveProperty("default_address"); // shape from Shopify's example
  });

  test("topics the app does not subscribe to are not sent", async () => {
    const { app, emulator } = await setup();
    expect(emulator.webhooks.send(SHOP, "products/update")).toBeNull();
    expect(app.received).toHaveLength(0);
  });

  test("duplicates share the event id and carry different webhook ids", async () => {
    const { app, emulator } = await setup();
    const event = emulator.webhooks.send(SHOP, "orders/create", { duplicate: 2 })!;
    await event.done;
    expect(app.received).toHaveLength(3);
    expect(new Set(app.received.map((r) => r.headers["x-shopify-event-id"]))).toEqual(new Set([event.eventId]));
    expect(new Set(app.received.map((r) => r.headers["x-shopify-webhook-id"])).size).toBe(3);
    expect(new Set(app.received.map((r) => r.body)).size).toBe(1);
  });

  test("retries on 500 with the original payload and stops on 200", async () => {
    const { app, emulator } = await setup((_req, n) => (n <= 2 ? 500 : 200));
    const event = emulator.webhooks.send(SHOP, "refunds/create")!;
    await event.done;
    expect(app.received).toHaveLength(3);
    expect(event.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(event.delivered).toBe(true);
    expect(new Set(app.received.map((r) => r.body)).size).toBe(1);
    expect(new Set(app.received.map((r) => r.headers["x-shopify-event-id"])).size).toBe(1);
    expect(JSON.parse(app.received[0]!.body)).toHaveProperty("refund_line_items");
  });

  test("3xx counts as a failure; gives up after the schedule", async () => {
    const { app, emulator } = await setup(() => 302);
    const event = emulator.webhooks.send(SHOP, "app/uninstalled")!;
    await event.done;
    expect(app.received).toHaveLength(4); // 1 + 3 retries
    expect(app.received.every((r) => r.path === "/webhooks/app/uninstalled")).toBe(true);
    expect(event.delivered).toBe(false);
    expect(emulator.webhooks.deliveries.filter((d) => d.eventId === event.eventId).map((d) => d.status)).toEqual([302, 302, 302, 302]);
  });

  test("a timeout is a failure", async () => {
    const { emulator } = await setup(undefined, { appUrl: "http://10.255.255.1:9", webhookTimeoutMs: 100, webhookRetrySchedule: [] });
    const event = emulator.webhooks.send(SHOP, "customers/redact")!;
    await event.done;
    expect(event.attempts[0]).toMatchObject({ ok: false, status: null });
  });

  test("sendMany can deliver out of order; store helpers fire the right topic", async () => {
    const { app, emulator } = await setup();
    const events = emulator.webhooks.sendMany(
      [1, 2, 3].map((n) => ({ shop: SHOP, topic: "customers/update", resourceId: `gid://shopify/Customer/${7100000000000 + n}` })),
      { order: "reverse", spacingMs: 30 },
    );
    await Promise.all(events.map((e) => e!.done));
    expect(app.received.map((r) => JSON.parse(r.body).id)).toEqual([7100000000003, 7100000000002, 7100000000001]);
    app.received.length = 0;
    const order = emulator.store(SHOP).createOrder({ customerId: "gid://shopify/Customer/7100000000005" });
    await emulator.webhooks.idle();
    const topics = app.received.map((r) => r.headers["x-shopify-topic"]);
    expect(topics).toContain("orders/create");
    const created = app.received.find((r) => r.headers["x-shopify-topic"] === "orders/create")!;
    expect(JSON.parse(created.body)).toMatchObject({ admin_graphql_api_id: `gid://shopify/Order/${order.id}`, customer: { id: 7100000000005 } });
  });
});

describe("bulk operations", () => {
  const CUSTOMERS_WITH_ORDERS = `{ customers { edges { node { id email orders { edges { node { id name } } } } } } }`;
  const run = (emulator: Emulator, token: string, query: string) =>
    gql(emulator.url, token, `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message code } } }`, { q: query });

  test("JSONL has every record, nested children with __parentId, and bulk_operations/finish is delivered", async () => {
    const { app, emulator } = await setup(undefined, { bulkRowsPerTick: 5 });
    const token = emulator.issueAccessToken(SHOP);
    const started = await run(emulator, token, CUSTOMERS_WITH_ORDERS);
    expect(started.body.data.bulkOperationRunQuery.userErrors).toEqual([]);
    const id = started.body.data.bulkOperationRunQuery.bulkOperation.id as string;

    const second = await run(emulator, token, "{ products { edges { node { id } } } }");
    expect(second.body.data.bulkOperationRunQuery).toMatchObject({ bulkOperation: null, userErrors: [{ code: "OPERATION_IN_PROGRESS" }] });

    const finished = await waitFor(async () => {
      const res = await gql(emulator.url, token, `{ currentBulkOperation { id status objectCount rootObjectCount fileSize url } }`);
      return res.body.data.currentBulkOperation.status === "COMPLETED" && res.body.data.currentBulkOperation;
    });
    expect(finished.id).toBe(id);
    const text = await (await fetch(finished.url)).text();
    const lines = text.trim().split("\n").map((l) => JSON.parse(l));
    const store = emulator.store(SHOP);
    const customers = lines.filter((l) => l.id.includes("/Customer/"));
    const orders = lines.filter((l) => l.id.includes("/Order/"));
    expect(customers).toHaveLength(40);
    expect(customers.every((c) => !("__parentId" in c) && !("orders" in c))).toBe(true);
    const expectedOrders = store.customerIdxs().reduce((s, i) => s + store.customerOrderIdxs(i).length, 0);
    expect(orders).toHaveLength(expectedOrders);
    expect(expectedOrders).toBeGreaterThan(40); // more than one page per customer would have allowed with first: 1
    for (const o of orders) {
      const parent = store.getOrder(store.orderIdxFromId(o.id))!;
      expect(o.__parentId).toBe(`gid://shopify/Customer/${7100000000001 + parent.customerIdx}`);
    }
    expect(Number(finished.objectCount)).toBe(lines.length);
    expect(Number(finished.rootObjectCount)).toBe(40);
    expect(Number(finished.fileSize)).toBe(Buffer.byteLength(text));

    const hook = await waitFor(() => app.received.find((r) => r.headers["x-shopify-topic"] === "bulk_operations/finish"));
    expect(hook.path).toBe("/webhooks/bulk-operations");
    expect(JSON.parse(hook.body)).toMatchObject({ admin_graphql_api_id: id, status: "completed", type: "query", error_code: null, completed_at: expect.any(String), created_at: expect.any(String) });

    const node = await gql(emulator.url, token, `query($id: ID!) { node(id: $id) { ... on BulkOperation { status } } }`, { id });
    expect(node.body.data.node.status).toBe("COMPLETED");
    // Now a new one may start.
    expect((await run(emulator, token, "{ products { edges { node { id } } } }")).body.data.bulkOperationRunQuery.userErrors).toEqual([]);
  });

  test("bulk rules: needs a connection, at most 5, at most 2 levels, valid against the schema", async () => {
    const { emulator } = await setup();
    const token = emulator.issueAccessToken(SHOP);
    const cases = [
      "{ shop { name } }",
      "{ customers { edges { node { orders { edges { node { lineItems { edges { node { id } } } } } } } } } }",
      "{ customers { edges { node { idx } } } }",
      "{ products { edges { node { id a: variants { edges { node { id } } } b: variants { edges { node { id } } } c: variants { edges { node { id } } } d: variants { edges { node { id } } } e: variants { edges { node { id } } } } } } }",
    ];
    for (const query of cases) {
      const res = await run(emulator, token, query);
      expect(res.body.data.bulkOperationRunQuery.bulkOperation, query).toBeNull();
      expect(res.body.data.bulkOperationRunQuery.userErrors[0], query).toMatchObject({ field: ["query"], code: "INVALID", message: expect.any(String) });
    }
  });
});

describe("token exchange and admin stand-in", () => {
  const exchange = (url: string, body: Record<string, string>) =>
    fetch(`${url}/admin/oauth/access_token`, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body) });
  const base = { client_id: API_KEY, client_secret: API_SECRET, grant_type: "urn:ietf:params:oauth:grant-type:token-exchange", subject_token_type: "urn:ietf:params:oauth:token-type:id_token" };

  test("a valid session token yields an access token that works; online tokens carry the user", async () => {
    const { emulator } = await setup();
    const subject = signSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, userId: "42" });
    const res = await exchange(emulator.url, { ...base, subject_token: subject, requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; scope: string };
    expect(body.scope).toBe("read_customers,write_customers,read_orders,read_all_orders,read_products");
    expect((await gql(emulator.url, body.access_token, "{ shop { name } }")).status).toBe(200);
    const online = (await (await exchange(emulator.url, { ...base, subject_token: subject, requested_token_type: "urn:shopify:params:oauth:token-type:online-access-token" })).json()) as Record<string, unknown>;
    expect(online).toMatchObject({ expires_in: expect.any(Number), associated_user_scope: expect.any(String), associated_user: { id: 42 } });
  });

  test("a bad JWT or a wrong secret is refused", async () => {
    const { emulator } = await setup();
    const forged = signSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: "not-the-secret" });
    const bad = await exchange(emulator.url, { ...base, subject_token: forged });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_subject_token" });
    const expired = signSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET, ttlSeconds: -60 });
    expect((await exchange(emulator.url, { ...base, subject_token: expired })).status).toBe(400);
    const wrongAud = signSessionToken({ shop: SHOP, apiKey: "someone-else", apiSecret: API_SECRET });
    expect((await exchange(emulator.url, { ...base, subject_token: wrongAud })).status).toBe(400);
    const good = signSessionToken({ shop: SHOP, apiKey: API_KEY, apiSecret: API_SECRET });
    expect((await exchange(emulator.url, { ...base, client_secret: "nope", subject_token: good })).status).toBe(401);
  });

  test("/admin/apps/open redirects into the app with an id_token; App Bridge script and id-token endpoint", async () => {
    const { app, emulator } = await setup();
    const res = await fetch(`${emulator.url}/admin/apps/open?shop=${SHOP}&path=/app/customers&locale=zh-CN`, { redirect: "manual" });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location")!);
    expect(location.origin + location.pathname).toBe(`${app.url}/app/customers`);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({ embedded: "1", shop: SHOP, locale: "zh-CN", host: Buffer.from("admin.shopify.com/store/test-shop").toString("base64url") });
    const [head, body, sig] = location.searchParams.get("id_token")!.split(".");
    expect(createHmac("sha256", API_SECRET).update(`${head}.${body}`).digest("base64url")).toBe(sig);
    expect(JSON.parse(Buffer.from(body!, "base64url").toString())).toMatchObject({ dest: `https://${SHOP}`, iss: `https://${SHOP}/admin`, aud: API_KEY });
    const script = await fetch(`${emulator.url}/app-bridge.js`);
    expect(script.headers.get("access-control-allow-origin")).toBe("*");
    expect(await script.text()).toContain("window.shopify");
    const idToken = (await (await fetch(`${emulator.url}/app-bridge/id-token?shop=${SHOP}`)).json()) as { idToken: string };
    expect(idToken.idToken.split(".")).toHaveLength(3);
  });
});

describe("seeded store", () => {
  const snapshot = (store: Store) => JSON.stringify({ customers: store.customerIdxs().map((i) => store.getCustomer(i)), orders: Array.from({ length: store.orderCount }, (_, i) => store.getOrder(i)), products: store.products });
  test("is deterministic for a seed and differs across seeds", () => {
    const a = new Store({ domain: SHOP, customers: 60, orders: 150, products: 20, seed: 3 });
    const b = new Store({ domain: SHOP, customers: 60, orders: 150, products: 20, seed: 3 });
    const c = new Store({ domain: SHOP, customers: 60, orders: 150, products: 20, seed: 4 });
    expect(snapshot(a)).toBe(snapshot(b));
    expect(snapshot(a)).not.toBe(snapshot(c));
  });
  test("is realistic: missing PII, guest orders, zero-order customers, cancelled and refunded orders, statuses", () => {
    const store = new Store({ domain: SHOP, customers: 500, orders: 1500, products: 50, seed: 42 });
    const customers = store.customerIdxs().map((i) => store.getCustomer(i)!);
    const orders = Array.from({ length: store.orderCount }, (_, i) => store.getOrder(i)!);
    expect(customers.some((c) => c.email === null)).toBe(true);
    expect(customers.some((c) => c.numberOfOrders === 0)).toBe(true);
    expect(orders.some((o) => o.customerIdx === -1)).toBe(true);
    expect(orders.some((o) => o.cancelledAt !== null)).toBe(true);
    expect(orders.some((o) => o.financialStatus === "PARTIALLY_REFUNDED")).toBe(true);
    expect(new Set(store.products.map((p) => p.status))).toEqual(new Set(["ACTIVE", "ARCHIVED", "DRAFT"]));
    expect(store.products.some((p) => p.isGiftCard)).toBe(true);
    for (const o of orders) expect(o.lines.length).toBeGreaterThanOrEqual(1);
    // aggregates agree with the orders
    const c = customers.find((x) => x.numberOfOrders > 1)!;
    const own = orders.filter((o) => o.customerIdx === c.idx && !o.test && o.cancelledAt === null);
    expect(c.numberOfOrders).toBe(own.length);
    expect(c.amountSpentCents).toBe(own.reduce((s, o) => s + o.totalCents - o.refundedCents, 0));
  });
  test("a 100k customer / 500k order store builds in seconds", () => {
    const started = Date.now();
    const store = new Store({ domain: SHOP, customers: 100_000, orders: 500_000, seed: 1 });
    expect(store.orderCount).toBe(500_000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
