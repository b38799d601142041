// The customer panel's endpoint (admin UI extension on Shopify's customer page): nothing without a
// valid session token, CORS on every answer the extension can read, one shop never sees another's
// customer, and a note written from the panel is the session's staff member's, audited. The
// answer carries the customer's RFM segment, predictions and custom segments as the profile card does.
import { getJwt, RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { beforeAll, describe, expect, expectTypeOf, test } from "vitest";

import type { CustomerPanelResponse } from "~/modules/customers/customer-panel.server";
import { MAX_NOTE_LENGTH } from "~/modules/notes/notes.server";

import { isPanelPayload, MAX_NOTE_LENGTH as PANEL_MAX_NOTE_LENGTH, type PanelPayload } from "../../extensions/customer-panel/src/panel-model";
import { bootApp, createStaffSession, TEST_API_KEY, TEST_API_SECRET, TEST_APP_URL } from "../support/app";
import { createCustomer, createOrder, createOrderLine, createShop } from "../support/factories";

const { prisma, database } = await bootApp();
const route = await import("~/routes/api.panel.$customerId");

// Where admin UI extensions run: a different origin from the app, so the browser asks for CORS.
const EXTENSION_ORIGIN = "https://extensions.shopifycdn.com";
const STORE_A = "panel-a";
const SHOP_A = `${STORE_A}.myshopify.com`;
const SHOP_B = "panel-b.myshopify.com";
const CUSTOMER = "gid://shopify/Customer/101";
const DELETED_CUSTOMER = "gid://shopify/Customer/102";
const CUSTOMER_WITHOUT_ORDERS = "gid://shopify/Customer/103";
const CUSTOMER_OF_B = "gid://shopify/Customer/201";
const day = (iso: string) => new Date(`${iso}T00:00:00.000Z`);

function panelRequest(id: string, init: RequestInit = {}, query = "?locale=en") {
  return new Request(`${TEST_APP_URL}/api/panel/${id}${query}`, { ...init, headers: { Origin: EXTENSION_ORIGIN, ...(init.headers as Record<string, string> | undefined) } });
}

/** Signed as the extension's fetch is: a Bearer session token of `store`'s staff member (user 12345). */
const signed = (request: Request, store = STORE_A) => setUpValidRequest({ type: RequestType.Bearer, store, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET }, request);

function withToken(request: Request, token: string) {
  const copy = new Request(request);
  copy.headers.set("Authorization", `Bearer ${token}`);
  return copy;
}

/** The route's answer, returned or thrown (authenticate.admin throws its refusals as Responses). */
async function answer(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

const get = (request: Request, id: string) => answer(() => route.loader({ request, params: { customerId: id }, context: {} }));
const post = (request: Request, id: string) => answer(() => route.action({ request, params: { customerId: id }, context: {} }));
const postJson = (body: unknown) => ({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

beforeAll(async () => {
  await database.reset();
  await createShop(prisma, { shop: SHOP_A });
  await createShop(prisma, { shop: SHOP_B });
  await createStaffSession(SHOP_A, { first_name: "Grace", last_name: "Hopper", email: "grace@panel-a.test" });
  await createStaffSession(SHOP_B);
  await prisma.staffMember.createMany({
    data: [
      { shop: SHOP_A, userId: "777", firstName: "Olive", lastName: "Owner" },
      { shop: SHOP_A, userId: "888", firstName: "Abe", lastName: "Assignee" },
    ],
  });
  await createCustomer(prisma, {
    shop: SHOP_A,
    shopifyId: CUSTOMER,
    displayName: "Ada Lovelace",
    amountSpentMinor: 123456n,
    currencyCode: "USD",
    numberOfOrders: 7,
    lastOrderAt: new Date("2026-11-20T10:00:00.000Z"),
    ownerId: "777",
  });
  await createCustomer(prisma, { shop: SHOP_A, shopifyId: DELETED_CUSTOMER, deletedAt: new Date() });
  await createCustomer(prisma, { shop: SHOP_B, shopifyId: CUSTOMER_OF_B, displayName: "Bella Secret", amountSpentMinor: 999999n });

  const note = { shop: SHOP_A, customerId: CUSTOMER, authorId: "777", authorName: "Olive Owner" };
  await prisma.note.createMany({
    data: [
      { ...note, body: "Pinned 1 (oldest)", pinned: true, createdAt: new Date("2026-01-01T00:00:00Z") },
      { ...note, body: "Pinned 2", pinned: true, createdAt: new Date("2026-02-01T00:00:00Z") },
      { ...note, body: "Pinned 3", pinned: true, createdAt: new Date("2026-03-01T00:00:00Z") },
      { ...note, body: "Pinned 4 (newest)", pinned: true, createdAt: new Date("2026-04-01T00:00:00Z") },
      { ...note, body: "Deleted pinned", pinned: true, createdAt: new Date("2026-05-01T00:00:00Z"), deletedAt: new Date() },
      { ...note, body: "Call back about the refund", followUpAt: day("2020-01-15"), followUpAssigneeId: "888", createdAt: new Date("2019-12-01T00:00:00Z") },
      { ...note, body: "Send the spring catalogue", followUpAt: day("2999-03-01"), followUpAssigneeId: "777", createdAt: new Date("2025-12-01T00:00:00Z") },
      { ...note, body: "Done follow-up", followUpAt: day("2020-01-01"), followUpAssigneeId: "888", followUpDoneAt: new Date(), createdAt: new Date("2019-11-01T00:00:00Z") },
    ],
  });
  await prisma.note.create({ data: { shop: SHOP_B, customerId: CUSTOMER_OF_B, authorId: "1", authorName: "B staff", body: "B's secret", pinned: true } });

  // Insights as the segments job writes them (reason JSON, churn risk per mille, value in minor units).
  await createCustomer(prisma, { shop: SHOP_A, shopifyId: CUSTOMER_WITHOUT_ORDERS, displayName: "Nell New" });
  await prisma.customerInsight.createMany({
    data: [
      {
        shop: SHOP_A,
        customerId: CUSTOMER,
        orders: 7,
        rfmSegment: "atRisk",
        rfmSince: new Date("2026-10-01T00:00:00Z"),
        expectedNextOrderAt: new Date("2020-06-01T12:00:00Z"),
        churnRisk: 618,
        predictedValueMinor: 31_050n,
        reason: JSON.stringify({ code: "overdue", everyDays: 31, lastDaysAgo: 95 }),
        computedAt: new Date(),
      },
      { shop: SHOP_A, customerId: CUSTOMER_WITHOUT_ORDERS, reason: JSON.stringify({ code: "noOrders" }), computedAt: new Date() },
    ],
  });
  const segment = (shop: string, name: string, deletedAt: Date | null = null) => prisma.segment.create({ data: { shop, name, rules: "{}", deletedAt } });
  const [wholesale, vip, retired, ofB] = await Promise.all([segment(SHOP_A, "Wholesale"), segment(SHOP_A, "VIP"), segment(SHOP_A, "Retired", new Date()), segment(SHOP_B, "B's segment")]);
  const entered = new Date("2026-09-01T00:00:00Z");
  await prisma.segmentMember.createMany({
    data: [
      { shop: SHOP_A, segmentId: wholesale.id, customerId: CUSTOMER, enteredAt: entered },
      { shop: SHOP_A, segmentId: vip.id, customerId: CUSTOMER, enteredAt: entered },
      { shop: SHOP_A, segmentId: retired.id, customerId: CUSTOMER, enteredAt: entered },
      { shop: SHOP_B, segmentId: ofB.id, customerId: CUSTOMER, enteredAt: entered },
    ],
  });
});

describe("a request without a valid session token is refused", () => {
  test("no Authorization header: redirected to the login page (the library's answer to a document request), no data", async () => {
    const response = await get(panelRequest("101"), "101");
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/auth/login");
    const text = await response.text();
    expect(text).not.toMatch(/Ada|1,234|Pinned/);
  });

  test.each([
    { title: "not a JWT", token: async () => "not-a-jwt" },
    { title: "signed with another secret", token: async () => (await getJwt(STORE_A, TEST_API_KEY, "someone-elses-secret")).token },
    { title: "expired", token: async () => (await getJwt(STORE_A, TEST_API_KEY, TEST_API_SECRET, { exp: Math.floor(Date.now() / 1000) - 60 })).token },
    { title: "for another app", token: async () => (await getJwt(STORE_A, "another-app", TEST_API_SECRET)).token },
  ])("a token $title: 401 with CORS headers (so the extension can read it), no data", async ({ token }) => {
    const response = await get(withToken(panelRequest("101"), await token()), "101");
    expect(response.status).toBe(401);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(await response.text()).toBe("");
  });

  test("a POST without a valid token writes nothing", async () => {
    const before = await prisma.note.count();
    const unsigned = await post(panelRequest("101", postJson({ body: "sneaky" })), "101");
    const forged = await post(withToken(panelRequest("101", postJson({ body: "sneaky" })), (await getJwt(STORE_A, TEST_API_KEY, "wrong-secret")).token), "101");
    expect([unsigned.status, forged.status]).toEqual([302, 401]);
    expect(await prisma.note.count()).toBe(before);
  });
});

describe("GET api/panel/:customerId", () => {
  test("answers the customer's figures, owner, latest pinned notes and open follow-ups, with CORS headers", async () => {
    const response = await get(await signed(panelRequest("101")), "101");
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = (await response.json()) as PanelPayload;
    expect(body.customer).toEqual({
      id: CUSTOMER,
      name: "Ada Lovelace",
      email: "101@example.com",
      lifetimeValue: "$1,234.56",
      ordersCount: 7,
      lastOrderAt: "2026-11-20T10:00:00.000Z",
      owner: { userId: "777", name: "Olive Owner" },
      adminUrl: null,
    });
    expect(body.pinnedNotes.map((note) => note.body)).toEqual(["Pinned 4 (newest)", "Pinned 3", "Pinned 2"]);
    expect(body.pinnedNotes[0]).toMatchObject({ authorName: "Olive Owner", createdAt: "2026-04-01T00:00:00.000Z" });
    expect(body.followUps).toEqual([
      { noteId: expect.any(String), body: "Call back about the refund", dueAt: "2020-01-15", overdue: true, assigneeName: "Abe Assignee" },
      { noteId: expect.any(String), body: "Send the spring catalogue", dueAt: "2999-03-01", overdue: false, assigneeName: "Olive Owner" },
    ]);
    expect(body.appUrl).toBe(`${TEST_APP_URL}/app/customers/101`);
  });

  test("formats the lifetime value in the requested locale", async () => {
    const response = await get(await signed(panelRequest("101", {}, "?locale=zh-CN")), "101");
    const body = (await response.json()) as PanelPayload;
    expect(body.customer.lifetimeValue).toBe(new Intl.NumberFormat("zh-CN", { style: "currency", currency: "USD" }).format(1234.56));
  });

  test("carries the customer's tier, points and what is missing to the next tier", async () => {
    const before = (await (await get(await signed(panelRequest("101")), "101")).json()) as PanelPayload;
    expect(before.loyalty).toEqual({ tier: null, points: 0, next: null }); // not evaluated yet: no tier is shown, not a made-up one
    const { evaluateMembers } = await import("~/modules/loyalty/evaluate.server");
    await createOrder(prisma, { shop: SHOP_A, shopifyId: "gid://shopify/Order/9101", customerId: CUSTOMER, totalPriceMinor: 25_000n, subtotalPriceMinor: 25_000n, processedAt: day("2025-06-01") });
    await evaluateMembers(prisma, { shop: SHOP_A, customerIds: [CUSTOMER] });
    const body = (await (await get(await signed(panelRequest("101")), "101")).json()) as PanelPayload;
    // The default program: Silver from $200 of lifetime spend, Gold from $1,000.
    expect(body.loyalty).toEqual({ tier: { name: "Silver", color: "#6d7175" }, points: 0, next: { tier: "Gold", unit: "money", remaining: "$750.00" } });
    await prisma.order.deleteMany({ where: { shop: SHOP_A, shopifyId: "gid://shopify/Order/9101" } });
  });

  test("carries the RFM segment, predictions (money formatted, churn as a percentage) and the live custom segments of the shop", async () => {
    const body = (await (await get(await signed(panelRequest("101")), "101")).json()) as PanelPayload;
    expect(body.insights).toEqual({
      rfmSegment: "atRisk",
      churnPercent: 62,
      expectedNextOrderAt: "2020-06-01T12:00:00.000Z",
      overdue: true,
      predictedValue: "$310.50",
      reason: { code: "overdue", everyDays: 31, lastDaysAgo: 95 },
      segments: ["VIP", "Wholesale"], // by name; not the deleted segment, not shop B's
    });
    expect(isPanelPayload(body)).toBe(true);
  });

  test("a customer without orders: no segment or prediction figures, the reason says so", async () => {
    const body = (await (await get(await signed(panelRequest("103")), "103")).json()) as PanelPayload;
    expect(body.insights).toEqual({ rfmSegment: null, churnPercent: null, expectedNextOrderAt: null, overdue: false, predictedValue: null, reason: { code: "noOrders" }, segments: [] });
  });

  test("insights not computed yet: all null, no reason", async () => {
    await prisma.customerInsight.update({ where: { shop_customerId: { shop: SHOP_A, customerId: CUSTOMER_WITHOUT_ORDERS } }, data: { computedAt: null } });
    const body = (await (await get(await signed(panelRequest("103")), "103")).json()) as PanelPayload;
    expect(body.insights).toEqual({ rfmSegment: null, churnPercent: null, expectedNextOrderAt: null, overdue: false, predictedValue: null, reason: null, segments: [] });
    await prisma.customerInsight.update({ where: { shop_customerId: { shop: SHOP_A, customerId: CUSTOMER_WITHOUT_ORDERS } }, data: { computedAt: new Date() } });
  });

  test("carries the customer's suggestions once the shop's model is built: what they come back for, with its reason", async () => {
    const before = (await (await get(await signed(panelRequest("101")), "101")).json()) as PanelPayload;
    expect(before.suggestions).toEqual({ ready: false, items: [] });
    await prisma.product.create({ data: { shop: SHOP_A, shopifyId: "gid://shopify/Product/501", title: "House blend", handle: "house-blend", status: "ACTIVE", shopifyCreatedAt: new Date(), shopifyUpdatedAt: new Date() } });
    const orders = ["9201", "9202"].map((id) => `gid://shopify/Order/${id}`);
    for (const [index, orderId] of orders.entries()) {
      await createOrder(prisma, { shop: SHOP_A, shopifyId: orderId, customerId: CUSTOMER, processedAt: day(`2025-0${index + 1}-01`) });
      await createOrderLine(prisma, { shop: SHOP_A, shopifyId: `gid://shopify/LineItem/50${index}`, orderId, productId: "gid://shopify/Product/501", title: "House blend" });
    }
    const { buildShopModel, forgetRecommendations } = await import("~/modules/recommendations/recommendations.server");
    forgetRecommendations(SHOP_A);
    await buildShopModel(prisma, SHOP_A);
    const body = (await (await get(await signed(panelRequest("101")), "101")).json()) as PanelPayload;
    expect(body.suggestions?.ready).toBe(true);
    expect(body.suggestions?.items[0]).toEqual({ title: "House blend", due: false, reason: { code: "again", times: orders.length, ordersAgo: 0 } });
    expect(isPanelPayload(body)).toBe(true);
    // Shop B's panel knows nothing of A's products.
    const other = (await (await get(await signed(panelRequest("201"), "panel-b"), "201")).json()) as PanelPayload;
    expect(other.suggestions).toEqual({ ready: false, items: [] });
    await prisma.orderLine.deleteMany({ where: { shop: SHOP_A, orderId: { in: orders } } });
    await prisma.order.deleteMany({ where: { shop: SHOP_A, shopifyId: { in: orders } } });
  });

  test("formats the predicted value in the requested locale", async () => {
    const body = (await (await get(await signed(panelRequest("101", {}, "?locale=zh-CN")), "101")).json()) as PanelPayload;
    expect(body.insights?.predictedValue).toBe(new Intl.NumberFormat("zh-CN", { style: "currency", currency: "USD" }).format(310.5));
  });

  test("the endpoint's answer is what the extension reads, and both check notes alike", () => {
    expectTypeOf<CustomerPanelResponse>().toExtend<PanelPayload>();
    // The extension takes insights as optional (an older server); this server always sends them.
    expectTypeOf<CustomerPanelResponse["insights"]>().toExtend<NonNullable<PanelPayload["insights"]>>();
    expectTypeOf<CustomerPanelResponse["suggestions"]>().toExtend<NonNullable<PanelPayload["suggestions"]>>();
    expect(PANEL_MAX_NOTE_LENGTH).toBe(MAX_NOTE_LENGTH);
  });

  test.each([
    { title: "letters", id: "abc" },
    { title: "a whole GID", id: "gid://shopify/Customer/101" },
  ])("a customer id of $title: 400", async ({ id }) => {
    const response = await get(await signed(panelRequest(encodeURIComponent(id))), id);
    expect(response.status).toBe(400);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });

  test("a customer deleted in Shopify: 404", async () => {
    const response = await get(await signed(panelRequest("102")), "102");
    expect(response.status).toBe(404);
  });
});

describe("shop isolation", () => {
  test("shop B's customer asked for with shop A's token: 404, nothing of B's", async () => {
    const response = await get(await signed(panelRequest("201")), "201");
    expect(response.status).toBe(404);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: "Customer not found" });
    expect(text).not.toMatch(/Bella|secret|9,999/);
  });

  test("a note for shop B's customer with shop A's token: 404, nothing written", async () => {
    const response = await post(await signed(panelRequest("201", postJson({ body: "cross-shop" }))), "201");
    expect(response.status).toBe(404);
    expect(await prisma.note.count({ where: { body: "cross-shop" } })).toBe(0);
  });

  test("shop B's own token reads its customer", async () => {
    const response = await get(await signed(panelRequest("201"), "panel-b"), "201");
    expect(response.status).toBe(200);
    const body = (await response.json()) as PanelPayload;
    expect(body.customer.name).toBe("Bella Secret");
    expect(body.insights).toMatchObject({ rfmSegment: null, reason: null, segments: [] }); // no insights of B's yet
  });
});

describe("POST api/panel/:customerId (quick add note)", () => {
  test("creates the note as the session's staff member, audited, and it shows as the newest pinned note", async () => {
    const response = await post(await signed(panelRequest("101", postJson({ body: "  Prefers email over phone  ", pinned: true }))), "101");
    expect(response.status).toBe(201);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const { note } = (await response.json()) as { note: { id: string; body: string; pinned: boolean; authorId: string; authorName: string } };
    expect(note).toMatchObject({ body: "Prefers email over phone", pinned: true, authorId: "12345", authorName: "Grace Hopper" });

    const stored = await prisma.note.findUniqueOrThrow({ where: { id: note.id } });
    expect(stored).toMatchObject({ shop: SHOP_A, customerId: CUSTOMER, authorName: "Grace Hopper" });
    const audit = await prisma.auditLog.findMany({ where: { shop: SHOP_A, subjectType: "customer", subjectId: CUSTOMER, action: "note.created" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorType: "staff", actorId: "12345", actorName: "Grace Hopper" });
    expect(JSON.parse(audit[0]!.after!)).toMatchObject({ noteId: note.id, body: "Prefers email over phone", pinned: true });

    const panel = (await (await get(await signed(panelRequest("101")), "101")).json()) as PanelPayload;
    expect(panel.pinnedNotes[0]).toMatchObject({ id: note.id, authorName: "Grace Hopper" });
  });

  test.each([
    { title: "an empty body", input: { body: "   " } },
    { title: "no body", input: { pinned: true } },
    { title: "a body that is not text", input: { body: 42 } },
  ])("$title: 422 with fieldErrors, nothing written", async ({ input }) => {
    const before = await prisma.note.count();
    const response = await post(await signed(panelRequest("101", postJson(input))), "101");
    expect(response.status).toBe(422);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(await response.json()).toEqual({ error: expect.any(String), fieldErrors: { body: expect.any(String) } });
    expect(await prisma.note.count()).toBe(before);
  });

  test("malformed JSON: 400", async () => {
    const response = await post(await signed(panelRequest("101", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{not json" })), "101");
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });

  test("a customer deleted in Shopify: 404", async () => {
    const response = await post(await signed(panelRequest("102", postJson({ body: "too late" }))), "102");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "Customer not found", fieldErrors: {} });
  });
});

describe("CORS preflight", () => {
  // Remix hands an OPTIONS request to a resource route's loader (only POST/PUT/PATCH/DELETE reach
  // the action); both answer it, before any authentication, as the browser sends no token with it.
  test.each([
    { title: "the loader (where Remix sends it)", handle: get },
    { title: "the action", handle: post },
  ])("OPTIONS through $title: 204 with the CORS headers the extension's fetch needs", async ({ handle }) => {
    const preflight = panelRequest("101", { method: "OPTIONS", headers: { "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type" } });
    const response = await handle(preflight, "101");
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Allow-Headers")).toEqual(expect.stringContaining("Authorization"));
    expect(response.headers.get("Access-Control-Allow-Headers")).toEqual(expect.stringContaining("Content-Type"));
    expect(response.headers.get("Access-Control-Max-Age")).toBe("7200");
  });
});
