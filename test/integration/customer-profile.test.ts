// A customer's profile (decision 009): figures, orders with lines and refunds, products bought and
// the merged timeline; and the first/last order dates the archive keeps on Customer, refreshed by
// the archive writer (webhooks), for a whole shop, and at the end of the initial import.
import { afterAll, beforeEach, describe, expect, test } from "vitest";

import type { Emulator } from "../../dev/emulator/index";
import type { Actor } from "~/modules/staff/staff.server";
import type { BulkRow } from "~/modules/sync/bulk-rows";

import { bootApp, examplePayload, webhookRequest } from "../support/app";
import { emulatorAdmin, startEmulatedShops } from "../support/emulated-shop";
import { createCustomer, createOrder, createOrderLine, createRefund, createShop, createStaff } from "../support/factories";

const { prisma, database } = await bootApp();
const { getCustomerProfile } = await import("~/modules/customers/customer-profile.server");
const { refreshOrderDates } = await import("~/modules/customers/customer-stats.server");
const { createNote } = await import("~/modules/notes/notes.server");
const { assignOwner } = await import("~/modules/staff/staff.server");
const { writeArchiveRows } = await import("~/modules/sync/archive-writer.server");
const { processWebhookEventById } = await import("~/modules/webhooks/process-event.server");
const { runInitialImport } = await import("~/modules/sync/initial-import.server");
const ordersRoute = await import("~/routes/webhooks.orders");

const SHOP = "profile.myshopify.com";
const OTHER_SHOP = "profile-other.myshopify.com";
const CLEO = "gid://shopify/Customer/5001";
const DAN = "gid://shopify/Customer/5002";
const P1 = "gid://shopify/Product/71";
const P2 = "gid://shopify/Product/72";
const P3 = "gid://shopify/Product/73";
const order = (id: number) => `gid://shopify/Order/${id}`;
const line = (id: number) => `gid://shopify/LineItem/${id}`;
const at = (iso: string) => new Date(iso);

const olga: Actor = { shop: SHOP, userId: "301", name: "Olga Owner" };

beforeEach(async () => {
  await database.reset();
  await createShop(prisma, { shop: SHOP });
  await createShop(prisma, { shop: OTHER_SHOP });
});

/**
 * Cleo of SHOP: Shopify says 7 orders worth 1234.56 (some from before the app); the archive holds
 * four live orders (one cancelled, one refunded), a test order and a deleted order. Dan and the
 * other shop (which has a Cleo with the same id) hold orders that must not show.
 */
async function seedCleo() {
  await createCustomer(prisma, { shop: SHOP, shopifyId: CLEO, displayName: "Cleo Park", amountSpentMinor: 123456n, numberOfOrders: 7, tags: "vip, wholesale" });
  await createCustomer(prisma, { shop: SHOP, shopifyId: DAN, displayName: "Dan Roe" });
  await createCustomer(prisma, { shop: OTHER_SHOP, shopifyId: CLEO, displayName: "Cleo Elsewhere" });
  await prisma.product.createMany({
    data: [P1, P2].map((shopifyId, index) => ({
      shop: SHOP,
      shopifyId,
      title: `Catalogue product ${index + 1}`,
      handle: `product-${index + 1}`,
      status: "ACTIVE",
      imageUrl: `https://cdn.test/${index + 1}.png`,
      shopifyCreatedAt: at("2024-01-01T00:00:00Z"),
      shopifyUpdatedAt: at("2024-01-01T00:00:00Z"),
    })),
  });

  await createOrder(prisma, { shop: SHOP, shopifyId: order(1), customerId: CLEO, name: "#1001", totalPriceMinor: 10000n, processedAt: at("2025-01-01T10:00:00Z") });
  await createOrderLine(prisma, { shop: SHOP, shopifyId: line(11), orderId: order(1), productId: P1, title: "Scarf", quantity: 2 });
  await createOrderLine(prisma, { shop: SHOP, shopifyId: line(12), orderId: order(1), productId: P2, title: "Gloves", quantity: 1 });

  await createOrder(prisma, { shop: SHOP, shopifyId: order(2), customerId: CLEO, name: "#1002", totalPriceMinor: 5000n, processedAt: at("2025-01-11T10:00:00Z") });
  await createOrderLine(prisma, { shop: SHOP, shopifyId: line(21), orderId: order(2), productId: P1, title: "Scarf", quantity: 1 });
  await createRefund(prisma, { shop: SHOP, shopifyId: "gid://shopify/Refund/21", orderId: order(2), totalMinor: 2500n, shopifyCreatedAt: at("2025-01-15T09:00:00Z") });

  await createOrder(prisma, { shop: SHOP, shopifyId: order(3), customerId: CLEO, name: "#1003", processedAt: at("2025-01-31T10:00:00Z"), cancelledAt: at("2025-02-01T08:00:00Z") });
  await createOrderLine(prisma, { shop: SHOP, shopifyId: line(31), orderId: order(3), productId: P3, title: "Cancelled hat", quantity: 5 });

  await createOrder(prisma, { shop: SHOP, shopifyId: order(4), customerId: CLEO, name: "#1004", totalPriceMinor: 7000n, processedAt: at("2025-03-02T10:00:00Z") });
  await createOrderLine(prisma, { shop: SHOP, shopifyId: line(41), orderId: order(4), productId: null, title: "Gift wrap", quantity: 1 });
  await createOrderLine(prisma, { shop: SHOP, shopifyId: line(42), orderId: order(4), productId: P2, title: "Gloves", quantity: 3 });

  // Not counted anywhere: a test order (latest), a deleted order (earliest), another customer's order.
  await createOrder(prisma, { shop: SHOP, shopifyId: order(5), customerId: CLEO, name: "#T5", test: true, processedAt: at("2026-01-01T00:00:00Z") });
  await createOrderLine(prisma, { shop: SHOP, shopifyId: line(51), orderId: order(5), productId: P1, title: "Scarf", quantity: 10 });
  await createOrder(prisma, { shop: SHOP, shopifyId: order(6), customerId: CLEO, name: "#D6", processedAt: at("2024-06-01T00:00:00Z"), deletedAt: at("2024-07-01T00:00:00Z") });
  await createOrderLine(prisma, { shop: SHOP, shopifyId: line(61), orderId: order(6), productId: P1, title: "Scarf", quantity: 10 });
  await createOrder(prisma, { shop: SHOP, shopifyId: order(7), customerId: DAN, name: "#1007", processedAt: at("2025-02-15T00:00:00Z") });
  await createOrderLine(prisma, { shop: SHOP, shopifyId: line(71), orderId: order(7), productId: P1, title: "Scarf", quantity: 100 });

  // The other shop: the same order, line and refund ids for its own Cleo.
  await createOrder(prisma, { shop: OTHER_SHOP, shopifyId: order(1), customerId: CLEO, name: "#OTHER", processedAt: at("2025-05-01T00:00:00Z") });
  await createOrderLine(prisma, { shop: OTHER_SHOP, shopifyId: line(11), orderId: order(1), productId: P1, title: "Other scarf", quantity: 50 });
  await createRefund(prisma, { shop: OTHER_SHOP, shopifyId: "gid://shopify/Refund/21", orderId: order(1), shopifyCreatedAt: at("2025-05-02T00:00:00Z") });
}

describe("profile", () => {
  test("figures come from Shopify's totals and the archived non-test orders", async () => {
    // GIVEN Cleo and her orders
    await seedCleo();
    // WHEN her profile is read
    const profile = await getCustomerProfile({ shop: SHOP, customerId: CLEO });
    // THEN value and order count are Shopify's; dates and rhythm come from the four archived live orders
    // (2025-01-01 to 2025-03-02 is 60 days over 3 gaps)
    expect(profile!.figures).toEqual({
      lifetimeValueMinor: 123456n,
      ordersCount: 7,
      averageOrderMinor: 17636n, // 1234.56 / 7, rounded down to the cent
      currencyCode: "USD",
      firstOrderAt: at("2025-01-01T10:00:00Z"),
      lastOrderAt: at("2025-03-02T10:00:00Z"),
      averageDaysBetweenOrders: 20,
      archivedOrders: 4,
    });
    expect(profile!.customer).toMatchObject({ shop: SHOP, shopifyId: CLEO, displayName: "Cleo Park" });
    expect(profile!.tags).toEqual(["vip", "wholesale"]);
  });

  test.each([
    { title: "no orders at all", orders: [] as string[], expected: { averageOrderMinor: null, firstOrderAt: null, lastOrderAt: null, averageDaysBetweenOrders: null, archivedOrders: 0 } },
    {
      title: "a single order",
      orders: ["2025-06-01T00:00:00Z"],
      expected: { averageOrderMinor: 5000n, firstOrderAt: at("2025-06-01T00:00:00Z"), lastOrderAt: at("2025-06-01T00:00:00Z"), averageDaysBetweenOrders: null, archivedOrders: 1 },
    },
    {
      title: "two orders 45 days apart",
      orders: ["2025-06-01T00:00:00Z", "2025-07-16T00:00:00Z"],
      expected: { averageOrderMinor: 5000n, firstOrderAt: at("2025-06-01T00:00:00Z"), lastOrderAt: at("2025-07-16T00:00:00Z"), averageDaysBetweenOrders: 45, archivedOrders: 2 },
    },
  ])("figures of a customer with $title", async ({ orders, expected }) => {
    // GIVEN a customer whose Shopify totals match their archived orders
    await createCustomer(prisma, { shop: SHOP, shopifyId: DAN, amountSpentMinor: BigInt(orders.length * 5000), numberOfOrders: orders.length });
    for (const [index, processedAt] of orders.entries()) await createOrder(prisma, { shop: SHOP, shopifyId: order(900 + index), customerId: DAN, totalPriceMinor: 5000n, processedAt: at(processedAt) });
    // WHEN the profile is read
    // THEN the derived figures say so
    expect((await getCustomerProfile({ shop: SHOP, customerId: DAN }))!.figures).toMatchObject(expected);
  });

  test("orders come newest first, each with its own lines and refunds", async () => {
    await seedCleo();
    const profile = await getCustomerProfile({ shop: SHOP, customerId: CLEO });
    expect(
      profile!.orders.map((row) => ({
        name: row.name,
        cancelled: row.cancelledAt !== null,
        lines: row.lines.map((orderLine) => [orderLine.title, orderLine.quantity]),
        refunds: row.refunds.map((refund) => refund.totalMinor),
      })),
    ).toEqual([
      { name: "#1004", cancelled: false, lines: [["Gift wrap", 1], ["Gloves", 3]], refunds: [] },
      { name: "#1003", cancelled: true, lines: [["Cancelled hat", 5]], refunds: [] },
      { name: "#1002", cancelled: false, lines: [["Scarf", 1]], refunds: [2500n] },
      { name: "#1001", cancelled: false, lines: [["Scarf", 2], ["Gloves", 1]], refunds: [] },
    ]);
  });

  test("products bought add up quantities and orders over live, uncancelled orders", async () => {
    await seedCleo();
    const profile = await getCustomerProfile({ shop: SHOP, customerId: CLEO });
    // Most bought first; a line without a product counts under its own title; the catalogue's title wins.
    expect(profile!.products).toEqual([
      { productId: P2, title: "Catalogue product 2", imageUrl: "https://cdn.test/2.png", productType: null, quantity: 4, orders: 2, lastBoughtAt: at("2025-03-02T10:00:00Z") },
      { productId: P1, title: "Catalogue product 1", imageUrl: "https://cdn.test/1.png", productType: null, quantity: 3, orders: 2, lastBoughtAt: at("2025-01-11T10:00:00Z") },
      { productId: null, title: "Gift wrap", imageUrl: null, productType: null, quantity: 1, orders: 1, lastBoughtAt: at("2025-03-02T10:00:00Z") },
    ]);
  });

  test("the timeline merges orders, a cancellation, a refund, notes and owner changes, newest first", async () => {
    // GIVEN Cleo's orders, a note written on 2025-04-01 and an owner given to her just now
    await seedCleo();
    await createStaff(prisma, { shop: SHOP, userId: olga.userId, firstName: "Olga", lastName: "Owner" });
    const note = await createNote({ actor: olga, customerId: CLEO, input: { body: "Loves the gloves" } });
    await prisma.note.update({ where: { id: note.id }, data: { createdAt: at("2025-04-01T12:00:00Z") } });
    await assignOwner({ actor: olga, customerIds: [CLEO], ownerId: olga.userId });
    // AND a note on the other shop's Cleo
    await prisma.note.create({ data: { shop: OTHER_SHOP, customerId: CLEO, body: "Elsewhere", authorId: "9", authorName: "Someone" } });

    // WHEN her profile is read
    const profile = await getCustomerProfile({ shop: SHOP, customerId: CLEO });

    // THEN everything is on one timeline, newest first (the note's creation appears once, as the note)
    expect(
      profile!.timeline.map((entry) => {
        switch (entry.kind) {
          case "order":
          case "order_cancelled":
            return [entry.kind, entry.name];
          case "refund":
            return [entry.kind, entry.orderName, entry.totalMinor];
          case "note":
            return [entry.kind, entry.body, entry.authorName];
          case "audit":
            return [entry.kind, entry.action, entry.actorName, entry.after];
        }
      }),
    ).toEqual([
      ["audit", "customer.owner_changed", "Olga Owner", { ownerId: olga.userId, ownerName: "Olga Owner" }],
      ["note", "Loves the gloves", "Olga Owner"],
      ["order", "#1004"],
      ["order_cancelled", "#1003"],
      ["order", "#1003"],
      ["refund", "#1002", 2500n],
      ["order", "#1002"],
      ["order", "#1001"],
    ]);
    expect(profile!.owner).toEqual({ userId: olga.userId, name: "Olga Owner" });
    expect(profile!.notes.map((row) => row.body)).toEqual(["Loves the gloves"]);
  });

  test("the timeline shows her moves between RFM segments, not her first placement", async () => {
    await seedCleo();
    await prisma.rfmChange.create({ data: { shop: SHOP, customerId: CLEO, fromSegment: null, toSegment: "new", createdAt: at("2025-01-11T10:00:01Z") } });
    await prisma.rfmChange.create({ data: { shop: SHOP, customerId: CLEO, fromSegment: "new", toSegment: "loyal", createdAt: at("2025-05-01T00:00:00Z") } });
    await prisma.rfmChange.create({ data: { shop: OTHER_SHOP, customerId: CLEO, fromSegment: "loyal", toSegment: "lost", createdAt: at("2025-06-01T00:00:00Z") } });
    const profile = await getCustomerProfile({ shop: SHOP, customerId: CLEO });
    expect(profile!.timeline.filter((entry) => entry.kind === "rfm")).toEqual([{ kind: "rfm", at: at("2025-05-01T00:00:00Z"), from: "new", to: "loyal" }]);
    expect(profile!.timeline[0]).toMatchObject({ kind: "rfm" });
  });

  test.each([
    { title: "a customer only another shop has", shop: OTHER_SHOP, customerId: DAN },
    { title: "an id no shop has", shop: SHOP, customerId: "gid://shopify/Customer/404" },
  ])("the profile of $title is null", async ({ shop, customerId }) => {
    await seedCleo();
    expect(await getCustomerProfile({ shop, customerId })).toBeNull();
  });

  test("another shop's customer with the same id sees only their own orders", async () => {
    await seedCleo();
    const profile = await getCustomerProfile({ shop: OTHER_SHOP, customerId: CLEO });
    expect(profile!.orders.map((row) => [row.name, row.lines.map((orderLine) => orderLine.title), row.refunds.length])).toEqual([["#OTHER", ["Other scarf"], 1]]);
    expect(profile!.products.map((product) => [product.title, product.quantity])).toEqual([["Other scarf", 50]]);
    expect(profile!.figures.archivedOrders).toBe(1);
  });
});

describe("first and last order dates on Customer", () => {
  const dates = async (shop: string, shopifyId: string) => {
    const row = await prisma.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId } }, select: { firstOrderAt: true, lastOrderAt: true } });
    return { first: row.firstOrderAt?.toISOString() ?? null, last: row.lastOrderAt?.toISOString() ?? null };
  };

  const orderRow = (shop: string, shopifyId: string, customerId: string | null, processedAt: string, extra: { test?: boolean; shopifyUpdatedAt?: Date } = {}): BulkRow => ({
    table: "order",
    row: {
      shop,
      shopifyId,
      customerId,
      name: shopifyId,
      email: null,
      test: extra.test ?? false,
      currencyCode: "USD",
      financialStatus: "PAID",
      fulfillmentStatus: null,
      totalPriceMinor: 1000n,
      subtotalPriceMinor: 1000n,
      totalDiscountsMinor: 0n,
      totalRefundedMinor: 0n,
      processedAt: at(processedAt),
      cancelledAt: null,
      shopifyCreatedAt: at(processedAt),
      shopifyUpdatedAt: extra.shopifyUpdatedAt ?? at(processedAt),
    },
  });

  test("writeArchiveRows refreshes the dates of exactly the orders' customers", async () => {
    // GIVEN Cleo with a deleted earlier order, Dan without orders, and the other shop's Cleo
    for (const shopifyId of [CLEO, DAN]) await createCustomer(prisma, { shop: SHOP, shopifyId });
    await createCustomer(prisma, { shop: OTHER_SHOP, shopifyId: CLEO, firstOrderAt: at("2020-01-01T00:00:00Z"), lastOrderAt: at("2020-01-01T00:00:00Z") });
    await createOrder(prisma, { shop: SHOP, shopifyId: order(1), customerId: CLEO, processedAt: at("2024-01-01T00:00:00Z"), deletedAt: at("2024-02-01T00:00:00Z") });

    // WHEN orders for Cleo (one a test order) and Dan are written
    await writeArchiveRows(prisma, [
      orderRow(SHOP, order(2), CLEO, "2025-02-01T00:00:00.000Z"),
      orderRow(SHOP, order(3), CLEO, "2025-05-01T00:00:00.000Z"),
      orderRow(SHOP, order(4), CLEO, "2025-09-01T00:00:00.000Z", { test: true }),
      orderRow(SHOP, order(5), DAN, "2025-03-03T00:00:00.000Z"),
      orderRow(SHOP, order(6), null, "2025-03-04T00:00:00.000Z"),
    ]);

    // THEN each has the dates of their live, non-test orders; the other shop's Cleo is untouched
    expect(await dates(SHOP, CLEO)).toEqual({ first: "2025-02-01T00:00:00.000Z", last: "2025-05-01T00:00:00.000Z" });
    expect(await dates(SHOP, DAN)).toEqual({ first: "2025-03-03T00:00:00.000Z", last: "2025-03-03T00:00:00.000Z" });
    expect(await dates(OTHER_SHOP, CLEO)).toEqual({ first: "2020-01-01T00:00:00.000Z", last: "2020-01-01T00:00:00.000Z" });

    // WHEN a later order and an earlier one arrive, one at a time
    await writeArchiveRows(prisma, [orderRow(SHOP, order(7), CLEO, "2025-08-01T00:00:00.000Z")]);
    await writeArchiveRows(prisma, [orderRow(SHOP, order(8), CLEO, "2025-01-05T00:00:00.000Z")]);
    // THEN both ends move
    expect(await dates(SHOP, CLEO)).toEqual({ first: "2025-01-05T00:00:00.000Z", last: "2025-08-01T00:00:00.000Z" });
  });

  test("an order moved to another customer leaves the first customer's dates without it", async () => {
    for (const shopifyId of [CLEO, DAN]) await createCustomer(prisma, { shop: SHOP, shopifyId });
    await writeArchiveRows(prisma, [orderRow(SHOP, order(1), CLEO, "2025-02-01T00:00:00.000Z"), orderRow(SHOP, order(2), CLEO, "2025-06-01T00:00:00.000Z")]);
    // WHEN the later order, updated in Shopify, now belongs to Dan
    await writeArchiveRows(prisma, [orderRow(SHOP, order(2), DAN, "2025-06-01T00:00:00.000Z", { shopifyUpdatedAt: at("2025-07-01T00:00:00Z") })]);
    expect(await dates(SHOP, CLEO)).toEqual({ first: "2025-02-01T00:00:00.000Z", last: "2025-02-01T00:00:00.000Z" });
    expect(await dates(SHOP, DAN)).toEqual({ first: "2025-06-01T00:00:00.000Z", last: "2025-06-01T00:00:00.000Z" });
  });

  test("refreshOrderDates for a whole shop recomputes every customer of that shop only", async () => {
    // GIVEN stale dates on every customer, in both shops
    const stale = { firstOrderAt: at("1999-01-01T00:00:00Z"), lastOrderAt: at("1999-01-01T00:00:00Z") };
    for (const shopifyId of [CLEO, DAN]) await createCustomer(prisma, { shop: SHOP, shopifyId, ...stale });
    await createCustomer(prisma, { shop: OTHER_SHOP, shopifyId: CLEO, ...stale });
    await createOrder(prisma, { shop: SHOP, shopifyId: order(1), customerId: CLEO, processedAt: at("2025-02-01T00:00:00Z") });
    await createOrder(prisma, { shop: SHOP, shopifyId: order(2), customerId: CLEO, processedAt: at("2025-04-01T00:00:00Z") });
    await createOrder(prisma, { shop: OTHER_SHOP, shopifyId: order(3), customerId: CLEO, processedAt: at("2025-06-01T00:00:00Z") });
    // A test order and a deleted one do not count.
    await createOrder(prisma, { shop: SHOP, shopifyId: order(4), customerId: CLEO, test: true, processedAt: at("2025-09-01T00:00:00Z") });
    await createOrder(prisma, { shop: SHOP, shopifyId: order(5), customerId: CLEO, deletedAt: at("2025-11-01T00:00:00Z"), processedAt: at("2025-10-01T00:00:00Z") });

    // WHEN the shop's dates are refreshed
    await refreshOrderDates(prisma, { shop: SHOP });

    // THEN its customers have their orders' dates (none for Dan); the other shop keeps its own
    expect(await dates(SHOP, CLEO)).toEqual({ first: "2025-02-01T00:00:00.000Z", last: "2025-04-01T00:00:00.000Z" });
    expect(await dates(SHOP, DAN)).toEqual({ first: null, last: null });
    expect(await dates(OTHER_SHOP, CLEO)).toEqual({ first: "1999-01-01T00:00:00.000Z", last: "1999-01-01T00:00:00.000Z" });
  });

  test("orders/create webhooks through the real pipeline move the customer's first and last order", async () => {
    // GIVEN the customer of Shopify's example order, archived without orders
    const example = examplePayload("orders/create") as Record<string, unknown> & { customer: { admin_graphql_api_id: string }; line_items: Array<Record<string, unknown>> };
    const customerId = example.customer.admin_graphql_api_id;
    await createCustomer(prisma, { shop: SHOP, shopifyId: customerId });
    expect(await dates(SHOP, customerId)).toEqual({ first: null, last: null });

    /** The example order as order `n`, live (Shopify's example is a cancelled test order), processed at `processedAt`. */
    const payload = (n: number, processedAt: string, overrides: Record<string, unknown> = {}) => ({
      ...example,
      id: 7_000 + n,
      admin_graphql_api_id: `gid://shopify/Order/${7_000 + n}`,
      name: `#W${n}`,
      test: false,
      cancelled_at: null,
      processed_at: processedAt,
      created_at: processedAt,
      updated_at: processedAt,
      line_items: example.line_items.map((item, index) => ({ ...item, id: 70_000 + n * 10 + index, admin_graphql_api_id: `gid://shopify/LineItem/${70_000 + n * 10 + index}` })),
      ...overrides,
    });
    const deliver = async (body: unknown) => {
      const eventId = crypto.randomUUID();
      const response = await ordersRoute.action({ request: webhookRequest({ topic: "orders/create", shop: SHOP, payload: body, path: "/webhooks/orders", eventId }), params: {}, context: {} } as never);
      expect(response.status).toBe(200);
      const event = await prisma.webhookEvent.findUniqueOrThrow({ where: { shop_eventId: { shop: SHOP, eventId } } });
      expect((await processWebhookEventById({ db: prisma, eventId: event.id })).status).toBe("processed");
    };

    // WHEN a first order arrives
    await deliver(payload(1, "2025-03-10T09:00:00-05:00"));
    // THEN it is both the first and the last
    expect(await dates(SHOP, customerId)).toEqual({ first: "2025-03-10T14:00:00.000Z", last: "2025-03-10T14:00:00.000Z" });

    // WHEN a later order, an earlier order and an even later test order arrive
    await deliver(payload(2, "2025-06-01T00:00:00Z"));
    await deliver(payload(3, "2025-01-02T00:00:00Z"));
    await deliver(payload(4, "2025-12-01T00:00:00Z", { test: true }));
    // THEN the dates span the live orders only
    expect(await dates(SHOP, customerId)).toEqual({ first: "2025-01-02T00:00:00.000Z", last: "2025-06-01T00:00:00.000Z" });
  });
});

describe("first and last order dates after the initial import", () => {
  let emulator: Emulator | undefined;
  afterAll(async () => {
    await emulator?.close();
  });

  test("the import ends by setting every imported customer's dates from their archived orders", async () => {
    // GIVEN an emulated store with customers and orders
    const shop = "profile-import.myshopify.com";
    await createShop(prisma, { shop });
    emulator = await startEmulatedShops([{ domain: shop, customers: 12, orders: 40, products: 5, seed: 7 }]);

    // WHEN it is imported (the bulk writer never names the derived columns)
    await runInitialImport({ shop, admin: emulatorAdmin(emulator, shop), db: prisma, databaseUrl: database.url, currencyCode: "USD", pollIntervalMs: 20 });

    // THEN each customer's dates are the min and max processedAt of their live, non-test orders
    const customers = await prisma.customer.findMany({ where: { shop }, orderBy: { shopifyId: "asc" } });
    const orders = await prisma.order.findMany({ where: { shop, test: false, deletedAt: null } });
    const expected = customers.map((customer) => {
      const times = orders.filter((row) => row.customerId === customer.shopifyId).map((row) => row.processedAt.getTime());
      return { id: customer.shopifyId, first: times.length ? new Date(Math.min(...times)) : null, last: times.length ? new Date(Math.max(...times)) : null };
    });
    expect(customers.map((customer) => ({ id: customer.shopifyId, first: customer.firstOrderAt, last: customer.lastOrderAt }))).toEqual(expected);
    expect(expected.filter((customer) => customer.first !== null).length).toBeGreaterThan(3);
  });
});
