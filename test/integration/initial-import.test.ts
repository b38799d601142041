// The initial import against the emulated store: bulk operations over HTTP, JSONL streamed into
// the database; the archive then matches the store exactly, money included, and a second run
// converges on the same rows instead of duplicating them.
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import type { Emulator } from "../../dev/emulator/index";
import type { AdminGraphql } from "~/modules/shopify/admin-graphql.server";
import { runInitialImport } from "~/modules/sync/initial-import.server";
import { getTestDatabase } from "../support/db";
import { emulatorAdmin, startEmulatedShops } from "../support/emulated-shop";

const SHOP = "import-shop.myshopify.com";
const { prisma, reset, url } = await getTestDatabase();
let emulator: Emulator;
let admin: AdminGraphql;

beforeAll(async () => {
  await reset();
  emulator = await startEmulatedShops([{ domain: SHOP, customers: 60, orders: 180, products: 20, seed: 11 }]);
  admin = emulatorAdmin(emulator, SHOP);
  await prisma.shop.create({ data: { shop: SHOP, name: "Import Shop", currencyCode: "USD", installedAt: new Date() } });
});

afterAll(async () => {
  await emulator?.close();
});

const importOnce = () => runInitialImport({ shop: SHOP, admin, db: prisma, databaseUrl: url, currencyCode: "USD", pollIntervalMs: 20 });

describe("initial import", () => {
  test("copies every customer and order with exact money, then records the sync", async () => {
    const store = emulator.store(SHOP);
    const runId = await importOnce();

    expect(await prisma.customer.count({ where: { shop: SHOP } })).toBe(store.customerCount);
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(store.orderCount);
    expect(await prisma.product.count({ where: { shop: SHOP } })).toBe(20);

    const first = store.getCustomer(0)!;
    const row = await prisma.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop: SHOP, shopifyId: `gid://shopify/Customer/${first.id}` } } });
    expect(row.email).toBe(first.email);
    expect(row.amountSpentMinor).toBe(BigInt(first.amountSpentCents));
    expect(row.numberOfOrders).toBe(first.numberOfOrders);

    const order = store.getOrder(5)!;
    const orderId = `gid://shopify/Order/${order.id}`;
    const orderRow = await prisma.order.findUniqueOrThrow({ where: { shop_shopifyId: { shop: SHOP, shopifyId: orderId } } });
    expect(orderRow.customerId).toBe(order.customerIdx < 0 ? null : `gid://shopify/Customer/${store.getCustomer(order.customerIdx)!.id}`);
    const lines = await prisma.orderLine.findMany({ where: { shop: SHOP, orderId } });
    expect(lines).toHaveLength(order.lines.length);
    expect(lines.map((line) => line.quantity).sort()).toEqual(order.lines.map((line) => line.quantity).sort());
    expect(lines.map((line) => line.unitPriceMinor).sort()).toEqual(order.lines.map((line) => BigInt(line.unitCents)).sort());

    const refunds = Array.from({ length: store.orderCount }, (_, index) => store.getOrder(index)!.refunds.length).reduce((sum, count) => sum + count, 0);
    expect(refunds).toBeGreaterThan(0);
    expect(await prisma.refund.count({ where: { shop: SHOP } })).toBe(refunds);

    const run = await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("completed");
    expect(run.objectsImported).toBe(run.objectsTotal);
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).lastSyncedAt).not.toBeNull();
  });

  test("a second run converges on the same archive instead of duplicating it", async () => {
    const store = emulator.store(SHOP);
    const linesBefore = await prisma.orderLine.count({ where: { shop: SHOP } });
    await importOnce();
    expect(await prisma.customer.count({ where: { shop: SHOP } })).toBe(store.customerCount);
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(store.orderCount);
    expect(await prisma.orderLine.count({ where: { shop: SHOP } })).toBe(linesBefore);
    expect(await prisma.syncRun.count({ where: { shop: SHOP, status: "completed" } })).toBe(2);
  });
});
