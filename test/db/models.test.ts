// The model on the real database TEST_DB selects: money in BigInt minor units, composite
// (shop, shopifyId) keys, shop scoping, no foreign keys between Shopify records, webhook dedupe.
import { beforeEach, describe, expect, test } from "vitest";

import { Prisma } from "~/db.server";

import { getTestDatabase } from "../support/db";

const { prisma, provider } = await getTestDatabase();

beforeEach(async () => {
  const database = await getTestDatabase();
  await database.reset();
});

const shopA = "shop-a.myshopify.com";
const shopB = "shop-b.myshopify.com";
const at = new Date("2026-03-01T12:34:56.789Z");

function customer(shop: string, shopifyId: string, overrides: Partial<Prisma.CustomerUncheckedCreateInput> = {}): Prisma.CustomerUncheckedCreateInput {
  return { shop, shopifyId, currencyCode: "USD", shopifyCreatedAt: at, shopifyUpdatedAt: at, ...overrides };
}

function order(shop: string, shopifyId: string, overrides: Partial<Prisma.OrderUncheckedCreateInput> = {}): Prisma.OrderUncheckedCreateInput {
  return { shop, shopifyId, name: "#1001", currencyCode: "USD", totalPriceMinor: 0n, processedAt: at, shopifyCreatedAt: at, shopifyUpdatedAt: at, ...overrides };
}

describe(`money (${provider})`, () => {
  test.each([
    { title: "zero", value: 0n },
    { title: "just above 2^31", value: 2n ** 31n + 7n },
    { title: "just above 2^53 (beyond a JS number)", value: 2n ** 53n + 1n },
    { title: "the largest signed 64-bit value", value: 2n ** 63n - 1n },
    { title: "a large refund (negative)", value: -(2n ** 53n) - 3n },
  ])("$title round-trips exactly", async ({ value }) => {
    await prisma.order.create({ data: order(shopA, "gid://shopify/Order/1", { totalPriceMinor: value, currencyCode: "IDR" }) });
    const stored = await prisma.order.findUniqueOrThrow({ where: { shop_shopifyId: { shop: shopA, shopifyId: "gid://shopify/Order/1" } } });
    expect(typeof stored.totalPriceMinor).toBe("bigint");
    expect(stored.totalPriceMinor).toBe(value);
  });

  test("sums beyond 2^53 are exact", async () => {
    const big = 2n ** 52n + 1n;
    await prisma.order.createMany({ data: [1, 2, 3].map((n) => order(shopA, `gid://shopify/Order/${n}`, { totalPriceMinor: big })) });
    const sum = await prisma.order.aggregate({ where: { shop: shopA }, _sum: { totalPriceMinor: true } });
    expect(sum._sum.totalPriceMinor).toBe(big * 3n);
  });

  test("timestamps keep millisecond precision", async () => {
    await prisma.customer.create({ data: customer(shopA, "gid://shopify/Customer/1") });
    const stored = await prisma.customer.findFirstOrThrow({ where: { shop: shopA } });
    expect(stored.shopifyUpdatedAt.toISOString()).toBe(at.toISOString());
  });
});

describe(`keys and scoping (${provider})`, () => {
  test("upsert by (shop, shopifyId) inserts once, then updates the same row", async () => {
    const where = { shop_shopifyId: { shop: shopA, shopifyId: "gid://shopify/Customer/42" } };
    await prisma.customer.upsert({ where, create: customer(shopA, "gid://shopify/Customer/42", { email: "old@example.com" }), update: {} });
    await prisma.customer.upsert({ where, create: customer(shopA, "gid://shopify/Customer/42"), update: { email: "new@example.com", amountSpentMinor: 2n ** 40n } });

    const rows = await prisma.customer.findMany({ where: { shop: shopA } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ email: "new@example.com", amountSpentMinor: 2n ** 40n });
  });

  test("the same Shopify id in two shops is two rows, each shop sees only its own", async () => {
    const shopifyId = "gid://shopify/Customer/7";
    await prisma.customer.create({ data: customer(shopA, shopifyId, { firstName: "Alice" }) });
    await prisma.customer.create({ data: customer(shopB, shopifyId, { firstName: "Bella" }) });

    expect(await prisma.customer.count({ where: { shopifyId } })).toBe(2);
    expect((await prisma.customer.findMany({ where: { shop: shopA } })).map((row) => row.firstName)).toEqual(["Alice"]);
    expect((await prisma.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop: shopB, shopifyId } } })).firstName).toBe("Bella");
  });

  test("a second row with the same (shop, shopifyId) is rejected", async () => {
    await prisma.product.create({ data: { shop: shopA, shopifyId: "gid://shopify/Product/1", title: "Hat", handle: "hat", status: "ACTIVE", shopifyCreatedAt: at, shopifyUpdatedAt: at } });
    await expect(
      prisma.product.create({ data: { shop: shopA, shopifyId: "gid://shopify/Product/1", title: "Hat", handle: "hat", status: "ACTIVE", shopifyCreatedAt: at, shopifyUpdatedAt: at } }),
    ).rejects.toSatisfy((error) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002");
  });

  test("an order and its lines may arrive before their customer and product (no foreign keys)", async () => {
    await prisma.order.create({ data: order(shopA, "gid://shopify/Order/9", { customerId: "gid://shopify/Customer/not-yet-synced", totalPriceMinor: 1999n }) });
    await prisma.orderLine.create({
      data: {
        shop: shopA,
        shopifyId: "gid://shopify/LineItem/1",
        orderId: "gid://shopify/Order/9",
        productId: "gid://shopify/Product/unknown",
        title: "Mystery",
        quantity: 1,
        currentQuantity: 1,
        unitPriceMinor: 1999n,
        totalMinor: 1999n,
      },
    });
    const orders = await prisma.order.findMany({ where: { shop: shopA, customerId: "gid://shopify/Customer/not-yet-synced" }, orderBy: { processedAt: "desc" } });
    expect(orders).toHaveLength(1);
    expect(await prisma.orderLine.count({ where: { shop: shopA, orderId: "gid://shopify/Order/9" } })).toBe(1);
  });

  test("a webhook event id is recorded once per shop", async () => {
    const event = { topic: "CUSTOMERS_CREATE", webhookId: "w-1", eventId: "e-1", apiVersion: "2026-07", payload: "{}" };
    await prisma.webhookEvent.create({ data: { shop: shopA, ...event } });
    await prisma.webhookEvent.create({ data: { shop: shopB, ...event } });
    await expect(prisma.webhookEvent.create({ data: { shop: shopA, ...event, webhookId: "w-2" } })).rejects.toMatchObject({ code: "P2002" });
    const stored = await prisma.webhookEvent.findUniqueOrThrow({ where: { shop_eventId: { shop: shopA, eventId: "e-1" } } });
    expect(stored).toMatchObject({ status: "received", attempts: 0 });
    expect(stored.receivedAt).toBeInstanceOf(Date);
  });

  test("reset() empties every table", async () => {
    await prisma.shop.create({ data: { shop: shopA, name: "A", currencyCode: "USD", installedAt: at } });
    await prisma.auditLog.create({ data: { shop: shopA, actorType: "system", action: "app.installed", subjectType: "shop", subjectId: shopA } });
    await (await getTestDatabase()).reset();
    expect(await prisma.shop.count()).toBe(0);
    expect(await prisma.auditLog.count()).toBe(0);
  });
});
