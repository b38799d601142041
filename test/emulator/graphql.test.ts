// Admin GraphQL emulation: auth, validation against the real schema, cost, throttling, search.
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Emulator } from "../../dev/emulator/index";
import { gql, SHOP, startEmulator } from "./helpers";

let emulator: Emulator;
let token: string;
beforeAll(async () => {
  emulator = await startEmulator();
  token = emulator.issueAccessToken(SHOP);
});
afterAll(() => emulator.close());

describe("access", () => {
  test("requires an access token issued for that shop", async () => {
    const missing = await gql(emulator.url, undefined, "{ shop { name } }");
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
    const wrong = await gql(emulator.url, "shpat_nope", "{ shop { name } }");
    expect(wrong.status).toBe(401);
  });
  test("a token for another shop is refused", async () => {
    const other = await startEmulator({ shops: [{ domain: SHOP, customers: 2, orders: 2, products: 2 }, { domain: "other.myshopify.com", customers: 2, orders: 2, products: 2 }] });
    try {
      const t = other.issueAccessToken("other.myshopify.com");
      expect((await gql(other.url, t, "{ shop { name } }", {}, SHOP)).status).toBe(401);
      const ok = await gql(other.url, t, "{ shop { myshopifyDomain } }", {}, "other.myshopify.com");
      expect(ok.body.data.shop.myshopifyDomain).toBe("other.myshopify.com");
    } finally {
      await other.close();
    }
  });
});

describe("validation against the real Admin schema", () => {
  test("an invalid document is rejected with Shopify's error shape and nothing runs", async () => {
    const res = await gql(emulator.url, token, '{ shop { nameX } customer(id: "gid://shopify/Customer/1") { id } }');
    expect(res.status).toBe(200);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors[0]).toMatchObject({ message: expect.stringContaining("nameX"), locations: [{ line: 1, column: expect.any(Number) }], extensions: { code: "undefinedField" } });
  });
  test("a mutation with a bad argument is not executed", async () => {
    const before = emulator.store(SHOP).getCustomer(0)!.tags;
    const res = await gql(emulator.url, token, 'mutation { tagsAdd(id: "gid://shopify/Customer/7100000000001", tagz: ["x"]) { userErrors { message } } }');
    expect(res.body.errors[0].extensions.code).toBe("argumentNotAccepted");
    expect(emulator.store(SHOP).getCustomer(0)!.tags).toEqual(before);
  });
  test("bad variables are rejected", async () => {
    const res = await gql(emulator.url, token, "query($n: Int!) { customers(first: $n) { nodes { id } } }", { n: "ten" });
    expect(res.body.errors[0].message).toMatch(/\$n/);
    expect(res.body.data).toBeUndefined();
  });
  test("a valid document is answered with data and cost", async () => {
    const res = await gql(emulator.url, token, "{ shop { id name email currencyCode ianaTimezone myshopifyDomain plan { displayName } } }");
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.shop).toMatchObject({ myshopifyDomain: SHOP, currencyCode: "USD", plan: { displayName: expect.any(String) } });
    expect(res.body.extensions.cost).toMatchObject({ requestedQueryCost: 2, actualQueryCost: 2, throttleStatus: { maximumAvailable: 2000, restoreRate: 100 } });
  });
});

describe("data", () => {
  test("customers page with cursors, money as decimal strings and UnsignedInt64 as string", async () => {
    const query = `query($after: String) { customers(first: 15, after: $after) { edges { cursor node { id numberOfOrders amountSpent { amount currencyCode } email } } pageInfo { hasNextPage endCursor } } }`;
    const ids: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res = await gql(emulator.url, token, query, { after });
      const conn = res.body.data.customers;
      for (const edge of conn.edges) {
        ids.push(edge.node.id);
        expect(typeof edge.node.numberOfOrders).toBe("string");
        expect(edge.node.amountSpent.amount).toMatch(/^\d+\.\d{2}$/);
      }
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
  });
  test("search by updated_at and email, order with line items and refunds", async () => {
    const store = emulator.store(SHOP);
    const cutoff = new Date(store.customerUpdated(20)).toISOString();
    const res = await gql(emulator.url, token, `{ customers(first: 100, query: "updated_at:>'${cutoff}'") { nodes { updatedAt } } }`);
    const nodes = res.body.data.customers.nodes as Array<{ updatedAt: string }>;
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) expect(Date.parse(n.updatedAt)).toBeGreaterThan(Date.parse(cutoff));
    const withEmail = store.customerIdxs().map((i) => store.getCustomer(i)!).find((c) => c.email)!;
    const byEmail = await gql(emulator.url, token, `{ customers(first: 5, query: "email:${withEmail.email}") { nodes { id } } }`);
    expect(byEmail.body.data.customers.nodes).toEqual([{ id: `gid://shopify/Customer/${withEmail.id}` }]);
    const refunded = await gql(emulator.url, token, `{ orders(first: 1, query: "financial_status:refunded") { nodes { id displayFinancialStatus totalRefundedSet { shopMoney { amount } } lineItems(first: 5) { nodes { id quantity } } refunds { refundLineItems(first: 5) { nodes { lineItem { id } quantity subtotalSet { shopMoney { amount } } } } } } } }`);
    const order = refunded.body.data.orders.nodes[0];
    expect(order.displayFinancialStatus).toBe("REFUNDED");
    expect(order.refunds[0].refundLineItems.nodes[0].lineItem.id).toBe(order.lineItems.nodes[0].id);
  });
  test("node and nodes resolve several types", async () => {
    const res = await gql(emulator.url, token, `{ nodes(ids: ["gid://shopify/Customer/7100000000001", "gid://shopify/Product/8000000001", "gid://shopify/Customer/1"]) { id ... on Customer { email } ... on Product { title } } }`);
    expect(res.body.data.nodes[0].id).toBe("gid://shopify/Customer/7100000000001");
    expect(res.body.data.nodes[1].title).toBe("Gift Card");
    expect(res.body.data.nodes[2]).toBeNull();
  });
  test("tagsAdd and metafieldsSet change the store and return userErrors", async () => {
    const id = "gid://shopify/Customer/7100000000002";
    const add = await gql(emulator.url, token, `mutation($id: ID!) { tagsAdd(id: $id, tags: ["loyal"]) { node { id } userErrors { field message } } }`, { id });
    expect(add.body.data.tagsAdd.userErrors).toEqual([]);
    expect(emulator.store(SHOP).getCustomer(1)!.tags).toContain("loyal");
    expect(add.body.extensions.cost.requestedQueryCost).toBe(10);
    const set = await gql(emulator.url, token, `mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { namespace key value } userErrors { field code } } }`, { m: [{ ownerId: id, namespace: "$app:loyalty", key: "tier", type: "single_line_text_field", value: "gold" }] });
    expect(set.body.data.metafieldsSet.metafields[0]).toMatchObject({ key: "tier", value: "gold", namespace: expect.stringMatching(/^app--\d+--loyalty$/) });
    const bad = await gql(emulator.url, token, `mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { id } userErrors { field code } } }`, { m: [{ ownerId: "gid://shopify/Customer/1", namespace: "x", key: "tier", type: "single_line_text_field", value: "gold" }] });
    expect(bad.body.data.metafieldsSet.userErrors[0].code).toBe("INVALID_VALUE");
    // This fixture app declares no Flow trigger: Shopify refuses a handle the app does not have.
    const flow = await gql(emulator.url, token, `mutation { flowTriggerReceive(handle: "tier-changed", payload: {tier: "gold"}) { userErrors { message } } }`);
    expect(flow.body.data.flowTriggerReceive.userErrors).toEqual([{ message: "No Flow trigger with the handle tier-changed" }]);
  });
});

describe("the app's own declarations (shopify.app.toml and its extensions)", () => {
  let app: Emulator;
  let appToken: string;
  beforeAll(async () => {
    app = await startEmulator({ tomlPath: undefined });
    appToken = app.issueAccessToken(SHOP);
  });
  afterAll(async () => {
    await app?.close();
  });
  const customer = "gid://shopify/Customer/7100000000003";
  const setMetafield = (input: Record<string, unknown>) =>
    gql(app.url, appToken, `mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { key } userErrors { field code message } } }`, { m: [{ ownerId: customer, namespace: "$app", ...input }] });
  const trigger = (handle: string, payload: unknown) => gql(app.url, appToken, `mutation($h: String!, $p: JSON!) { flowTriggerReceive(handle: $h, payload: $p) { userErrors { field message } } }`, { h: handle, p: payload });

  test("a declared metafield keeps its type, and values must fit it", async () => {
    expect((await setMetafield({ key: "loyalty_points", type: "number_integer", value: "120" })).body.data.metafieldsSet.userErrors).toEqual([]);
    expect((await setMetafield({ key: "loyalty_points", type: "single_line_text_field", value: "120" })).body.data.metafieldsSet.userErrors[0]).toMatchObject({ code: "INVALID_TYPE" });
    expect((await setMetafield({ key: "loyalty_points", type: "number_integer", value: "12.5" })).body.data.metafieldsSet.userErrors[0]).toMatchObject({ code: "INVALID_VALUE" });
    expect((await setMetafield({ key: "loyalty_tier", type: "single_line_text_field", value: "Gold\nand more" })).body.data.metafieldsSet.userErrors[0]).toMatchObject({ code: "INVALID_VALUE" });
  });

  test("a Flow trigger's payload must carry its declared fields, typed, and nothing else", async () => {
    expect((await trigger("tier-changed", { customer_id: 7100000000003, tier: "Gold", previous_tier: "Silver", reason: "promoted" })).body.data.flowTriggerReceive.userErrors).toEqual([]);
    expect(app.flowTriggers.at(-1)).toMatchObject({ handle: "tier-changed", payload: { tier: "Gold" } });
    const missing = (await trigger("tier-changed", { tier: "Gold", previous_tier: "", reason: "joined" })).body.data.flowTriggerReceive.userErrors;
    expect(missing).toEqual([{ field: ["payload", "customer_id"], message: "customer_id is required" }]);
    const typed = (await trigger("points-changed", { customer_id: 1, points: "many", change: 5, colour: "red" })).body.data.flowTriggerReceive.userErrors;
    expect(typed.map((error: { field: string[] }) => error.field.join("."))).toEqual(["payload.points", "payload.colour"]);
  });
});

describe("cost and throttling", () => {
  test("a query over 1000 points is refused with MAX_COST_EXCEEDED", async () => {
    const res = await gql(emulator.url, token, "{ customers(first: 250) { nodes { id orders(first: 10) { nodes { id } } } } }");
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors[0].extensions).toMatchObject({ code: "MAX_COST_EXCEEDED", maxCost: 1000 });
    expect(res.body.errors[0].extensions.cost).toBeGreaterThan(1000);
  });
  test("requested cost follows Shopify's rules and fewer nodes are refunded", async () => {
    const res = await gql(emulator.url, token, "{ customers(first: 100) { edges { node { id defaultAddress { city } } } } }");
    // 2 + 100 x (customer 1 + address 1)
    expect(res.body.extensions.cost.requestedQueryCost).toBe(202);
    // only 40 customers exist
    expect(res.body.extensions.cost.actualQueryCost).toBeLessThan(202);
  });
  test("THROTTLED when the bucket is empty, and it restores over time", async () => {
    const small = await startEmulator({ throttle: { maximumAvailable: 100, restoreRate: 50 } });
    try {
      const t = small.issueAccessToken(SHOP);
      const query = "{ customers(first: 40) { nodes { id } } }"; // 42 points, all returned
      const first = await gql(small.url, t, query);
      expect(first.body.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThanOrEqual(58);
      await gql(small.url, t, query);
      const throttled = await gql(small.url, t, query);
      expect(throttled.status).toBe(200);
      expect(throttled.body.data).toBeUndefined();
      expect(throttled.body.errors[0]).toEqual({ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } });
      expect(throttled.body.extensions.cost).toMatchObject({ requestedQueryCost: 42, actualQueryCost: null, throttleStatus: { maximumAvailable: 100, restoreRate: 50 } });
      expect(throttled.body.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThan(42);
      // Another token for the same shop has its own bucket.
      expect((await gql(small.url, small.issueAccessToken(SHOP), query)).body.data).toBeDefined();
      await new Promise((r) => setTimeout(r, 700));
      const again = await gql(small.url, t, query);
      expect(again.body.errors).toBeUndefined();
      expect(again.body.data.customers.nodes).toHaveLength(40);
    } finally {
      await small.close();
    }
  });
});
