// customers/data_request: the export holds the customer's own data (row, orders with lines and
// refunds, webhook events, audit entries) and nothing of anyone else; the merchant's page and the
// download are shop-scoped: shop B can never list or download shop A's export.
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { beforeEach, describe, expect, test } from "vitest";

import { getDataExport, listDataExports, requestDataExport } from "~/modules/privacy/privacy.server";
import { processWebhookEventById } from "~/modules/webhooks/process-event.server";

import { bootApp, createStaffSession, examplePayload, TEST_API_KEY, TEST_API_SECRET, TEST_APP_URL } from "../support/app";
import { createCustomer, createShop, createWebhookEvent } from "../support/factories";

const { prisma, database } = await bootApp();
const listRoute = await import("~/routes/app.privacy");
const downloadRoute = await import("~/routes/app.privacy.$id");

const shopA = "export-a.myshopify.com";
const shopB = "export-b.myshopify.com";
const gid = (type: string, id: string) => `gid://shopify/${type}/${id}`;

interface ExportContent {
  format: string;
  shop: string;
  request: { dataRequestId: string; customer: { id: string; email: string } };
  data: {
    customers: { shopifyId: string; email: string; amountSpentMinor: string }[];
    orders: { shopifyId: string; totalPriceMinor: string; lines: { shopifyId: string }[]; refunds: { shopifyId: string; lines: { shopifyId: string }[] }[] }[];
    webhookEvents: { topic: string; payload: { id?: number } }[];
    auditLog: { action: string; after: unknown }[];
  };
}

async function seedCustomer(shop: string, id: string, name: string, email: string, orderIds: string[]) {
  const customerId = gid("Customer", id);
  await createCustomer(prisma, { shop, shopifyId: customerId, firstName: name, lastName: "Tester", displayName: `${name} Tester`, email, amountSpentMinor: 4200n, numberOfOrders: orderIds.length });
  const date = new Date("2024-02-01T00:00:00Z");
  for (const orderId of orderIds) {
    await prisma.order.create({
      data: { shop, shopifyId: gid("Order", orderId), customerId, name: `#${orderId}`, email, currencyCode: "USD", totalPriceMinor: 2100n, processedAt: date, shopifyCreatedAt: date, shopifyUpdatedAt: date },
    });
    await prisma.orderLine.create({
      data: { shop, shopifyId: gid("LineItem", `${orderId}1`), orderId: gid("Order", orderId), title: "Teapot", quantity: 1, currentQuantity: 1, unitPriceMinor: 2100n, totalMinor: 2100n },
    });
    await createWebhookEvent(prisma, { shop, topic: "orders/create", payload: { id: Number(orderId), email, customer: { id: Number(id), first_name: name } } });
  }
  await prisma.refund.create({ data: { shop, shopifyId: gid("Refund", `${orderIds[0]}9`), orderId: gid("Order", orderIds[0]!), totalMinor: 100n, currencyCode: "USD", shopifyCreatedAt: date } });
  await prisma.refundLine.create({ data: { shop, shopifyId: gid("RefundLineItem", `${orderIds[0]}8`), refundId: gid("Refund", `${orderIds[0]}9`), orderLineId: gid("LineItem", `${orderIds[0]}1`), quantity: 1, subtotalMinor: 100n } });
  const event = await createWebhookEvent(prisma, { shop, topic: "customers/update", payload: { id: Number(id), admin_graphql_api_id: customerId, first_name: name, email } });
  await prisma.webhookEvent.update({ where: { id: event.id }, data: { status: "processed", subjectId: customerId } });
  await prisma.auditLog.create({ data: { shop, actorType: "staff", action: "customer.tagged", subjectType: "customer", subjectId: customerId, after: JSON.stringify({ tags: ["vip"] }) } });
}

async function sessionFor(shop: string) {
  await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: `token-${shop}`, scope: "read_customers,read_orders" } });
  await createStaffSession(shop);
}

function signedRequest(store: string, path: string) {
  return setUpValidRequest({ type: RequestType.Bearer, store, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET }, new Request(`${TEST_APP_URL}${path}`));
}

async function download(store: string, id: string): Promise<Response> {
  const request = await signedRequest(store, `/app/privacy/${id}`);
  try {
    return await downloadRoute.loader({ request, params: { id }, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

const dataRequest = (overrides: Partial<{ id: string | number; email: string; requestId: string }> = {}) => ({
  customer: { id: overrides.id ?? "1001", email: overrides.email ?? "ida@mail.test", phone: null },
  orders_requested: ["6001"],
  data_request: { id: overrides.requestId ?? "9999" },
});

beforeEach(async () => {
  await database.reset();
  for (const shop of [shopA, shopB]) {
    await createShop(prisma, { shop });
    await sessionFor(shop);
  }
  await seedCustomer(shopA, "1001", "Ida", "ida@mail.test", ["6001", "6002"]);
  await seedCustomer(shopA, "1002", "Kurt", "kurt@mail.test", ["6003"]);
  // The same customer id in the other shop is another person.
  await seedCustomer(shopB, "1001", "Bruna", "bruna@mail.test", ["6001"]);
});

describe("customers/data_request", () => {
  test("exports the customer's row, orders with lines and refunds, events and audit entries, and nothing of others", async () => {
    const id = await requestDataExport({ db: prisma, shop: shopA, payload: dataRequest() });

    const row = await getDataExport({ db: prisma, shop: shopA, id });
    expect(row).toMatchObject({ status: "ready", customerId: gid("Customer", "1001"), requestId: "9999" });
    const content = JSON.parse(row!.content!) as ExportContent;
    expect(content).toMatchObject({ format: "customer-crm.data-export/1", shop: shopA, request: { dataRequestId: "9999" } });
    expect(content.data.customers).toEqual([expect.objectContaining({ shopifyId: gid("Customer", "1001"), email: "ida@mail.test", amountSpentMinor: "4200" })]);
    expect(content.data.orders.map((order) => order.shopifyId).sort()).toEqual([gid("Order", "6001"), gid("Order", "6002")]);
    const first = content.data.orders.find((order) => order.shopifyId === gid("Order", "6001"))!;
    expect(first.totalPriceMinor).toBe("2100");
    expect(first.lines.map((line) => line.shopifyId)).toEqual([gid("LineItem", "60011")]);
    expect(first.refunds).toEqual([expect.objectContaining({ shopifyId: gid("Refund", "60019"), lines: [expect.objectContaining({ shopifyId: gid("RefundLineItem", "60018") })] })]);
    expect(content.data.webhookEvents.map((event) => event.topic).sort()).toEqual(["CUSTOMERS_UPDATE", "ORDERS_CREATE", "ORDERS_CREATE"]);
    expect(content.data.auditLog.map((entry) => entry.action)).toEqual(["customer.tagged"]);

    // Nothing of the shop's other customer, nor of the other shop's customer with the same id.
    for (const foreign of ["Kurt", "kurt@mail.test", "6003", "Bruna", "bruna@mail.test", shopB]) expect(row!.content).not.toContain(foreign);
  });

  test("a repeated delivery of the same request returns the same export", async () => {
    const first = await requestDataExport({ db: prisma, shop: shopA, payload: dataRequest() });
    const second = await requestDataExport({ db: prisma, shop: shopA, payload: dataRequest() });
    expect(second).toBe(first);
    expect(await prisma.dataExport.count({ where: { shop: shopA } })).toBe(1);
    // A new request of the same customer is a new export.
    expect(await requestDataExport({ db: prisma, shop: shopA, payload: dataRequest({ requestId: "10000" }) })).not.toBe(first);
  });

  test("falls back to the email when the payload's id cannot be trusted", async () => {
    const bigId = "9007199254740993"; // beyond 2^53: as a number it is already ...992
    await createCustomer(prisma, { shop: shopA, shopifyId: gid("Customer", bigId), firstName: "Bea", email: "bea@mail.test" });
    const id = await requestDataExport({ db: prisma, shop: shopA, payload: dataRequest({ id: Number(bigId), email: "bea@mail.test", requestId: "1" }) });
    const row = await getDataExport({ db: prisma, shop: shopA, id });
    expect(row?.customerId).toBe(gid("Customer", bigId));
    expect((JSON.parse(row!.content!) as ExportContent).data.customers.map((customer) => customer.email)).toEqual(["bea@mail.test"]);
  });

  test("Shopify's data_request through the webhook pipeline makes a ready export", async () => {
    const payload = { ...examplePayload("customers/data_request"), shop_domain: shopA, customer: { id: 1001, email: "ida@mail.test", phone: null } };
    const event = await createWebhookEvent(prisma, { shop: shopA, topic: "customers/data_request", payload });
    expect(await processWebhookEventById({ db: prisma, eventId: event.id })).toMatchObject({ status: "processed", subjectId: gid("Customer", "1001") });
    expect(await prisma.dataExport.findMany({ where: { shop: shopA }, select: { status: true, requestId: true } })).toEqual([{ status: "ready", requestId: "9999" }]);
  });
});

describe("the merchant's privacy page and download", () => {
  test("lists only the signed-in shop's requests", async () => {
    await requestDataExport({ db: prisma, shop: shopA, payload: dataRequest() });
    const asA = await listRoute.loader({ request: await signedRequest("export-a", "/app/privacy?_data=routes/app.privacy"), params: {}, context: {} });
    expect(asA.requests).toEqual([expect.objectContaining({ customerName: "Ida Tester", customerEmail: "ida@mail.test", status: "ready", customerId: "1001" })]);
    const asB = await listRoute.loader({ request: await signedRequest("export-b", "/app/privacy?_data=routes/app.privacy"), params: {}, context: {} });
    expect(asB.requests).toEqual([]);
    expect(await listDataExports({ db: prisma, shop: shopB })).toEqual([]);
  });

  test("downloads the export as a JSON attachment for its own shop only", async () => {
    const id = await requestDataExport({ db: prisma, shop: shopA, payload: dataRequest() });
    const stored = await getDataExport({ db: prisma, shop: shopA, id });

    const own = await download("export-a", id);
    expect(own.status).toBe(200);
    expect(own.headers.get("Content-Type")).toContain("application/json");
    expect(own.headers.get("Content-Disposition")).toMatch(/^attachment; filename="customer-1001-data-\d{4}-\d{2}-\d{2}\.json"$/);
    expect(own.headers.get("Cache-Control")).toBe("no-store");
    expect(await own.text()).toBe(stored!.content);

    // Shop B knows the id (ids are not secrets) and still gets nothing.
    const foreign = await download("export-b", id);
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain("ida@mail.test");
    expect(await getDataExport({ db: prisma, shop: shopB, id })).toBeNull();
    expect((await download("export-a", "no-such-export")).status).toBe(404);
  });

  test("refuses a request without a valid session token", async () => {
    const id = await requestDataExport({ db: prisma, shop: shopA, payload: dataRequest() });
    const forged = new Request(`${TEST_APP_URL}/app/privacy/${id}`, { headers: { Authorization: "Bearer not-a-jwt" } });
    const outcome = await downloadRoute.loader({ request: forged, params: { id }, context: {} }).then(
      () => "served",
      (thrown: unknown) => (thrown instanceof Response ? thrown.status : "error"),
    );
    expect(outcome).toBe(401);
  });
});
