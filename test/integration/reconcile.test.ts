// Reconciliation against the emulated store: after the initial import, records change in Shopify
// without a webhook (the emulator sends none here: missed webhooks); a reconciliation writes
// exactly those, counts them, changes nothing on a second run, and never overwrites a newer
// version a webhook already applied.
import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { requestedQueryCost } from "../../dev/emulator/cost";
import { loadAdminSchema, type Emulator } from "../../dev/emulator/index";
import type { JobQueue } from "~/modules/jobs/types";
import type { AdminGraphql } from "~/modules/shopify/admin-graphql.server";
import { runInitialImport } from "~/modules/sync/initial-import.server";
import {
  RECONCILE_CUSTOMERS,
  RECONCILE_ORDER_LINES_PAGE,
  RECONCILE_ORDERS,
  RECONCILE_PAGE_SIZES,
  RECONCILE_PRODUCT_VARIANTS_PAGE,
  RECONCILE_PRODUCTS,
} from "~/modules/sync/reconcile-documents";
import { NothingToReconcileError, reconcileShop, runReconcileJob, scheduleReconciliation, shopsDueForReconciliation, updatedSinceQuery } from "~/modules/sync/reconcile.server";
import { getTestDatabase } from "../support/db";
import { emulatorAdmin, startEmulatedShops } from "../support/emulated-shop";

const SHOP = "reconcile-shop.myshopify.com";
const { prisma, reset, url } = await getTestDatabase();
let emulator: Emulator;
let admin: AdminGraphql;

const customerGid = (id: number) => `gid://shopify/Customer/${id}`;
const orderGid = (id: number) => `gid://shopify/Order/${id}`;
const customerKey = (id: number) => ({ shop_shopifyId: { shop: SHOP, shopifyId: customerGid(id) } });

beforeAll(async () => {
  await reset();
  emulator = await startEmulatedShops([{ domain: SHOP, customers: 40, orders: 120, products: 12, seed: 23 }]);
  admin = emulatorAdmin(emulator, SHOP);
  await prisma.shop.create({ data: { shop: SHOP, name: "Reconcile Shop", currencyCode: "USD", installedAt: new Date() } });
  await runInitialImport({ shop: SHOP, admin, db: prisma, databaseUrl: url, currencyCode: "USD", pollIntervalMs: 20 });
});

afterAll(async () => {
  await emulator?.close();
});

describe("reconciliation queries", () => {
  test("every page stays under Shopify's 1,000-point limit for a single query", async () => {
    const schema = await loadAdminSchema();
    const sizes = RECONCILE_PAGE_SIZES;
    const cost = (source: string, variables: Record<string, unknown>) => requestedQueryCost(schema, parse(source), undefined, variables);
    const query = updatedSinceQuery(new Date());
    const costs = [
      cost(RECONCILE_CUSTOMERS, { query, first: sizes.customers }),
      cost(RECONCILE_ORDERS, { query, first: sizes.orders, lines: sizes.orderLines }),
      cost(RECONCILE_ORDER_LINES_PAGE, { id: orderGid(1), first: sizes.orderLinesPage }),
      cost(RECONCILE_PRODUCTS, { query, first: sizes.products, variants: sizes.productVariants }),
      cost(RECONCILE_PRODUCT_VARIANTS_PAGE, { id: "gid://shopify/Product/1", first: sizes.productVariantsPage }),
    ];
    for (const value of costs) expect(value).toBeLessThanOrEqual(1000);
  });

  test("the search starts after `since`, in Shopify's syntax", () => {
    expect(updatedSinceQuery(new Date("2026-11-22T10:15:30.250Z"))).toBe("updated_at:>'2026-11-22T10:15:30Z'");
  });
});

describe("reconcileShop", () => {
  const changed = { customers: [] as number[], orders: [] as number[], newOrder: 0, newCustomer: 0, product: 0 };

  test("repairs exactly the records whose webhooks were missed", async () => {
    const store = emulator.store(SHOP);
    // GIVEN two customers, two orders and a product changed in Shopify, and a customer and an
    // order created there, none of which the app heard of
    const [first, second] = [store.getCustomer(1)!, store.getCustomer(2)!];
    store.updateCustomer(first.id, { firstName: "Missed", note: "changed without a webhook", tags: ["vip"] }, { silent: true });
    store.updateCustomer(second.id, { lastName: "Renamed" }, { silent: true });
    const orderOf = (customerIdx: number) => Array.from({ length: store.orderCount }, (_, index) => store.getOrder(index)!).find((order) => order.customerIdx === customerIdx && order.refunds.length === 0 && !order.cancelledAt)!;
    const refunded = store.refundOrder(orderOf(1).id);
    const fulfilled = store.updateOrder(orderOf(2).id, { fulfillmentStatus: "FULFILLED" });
    const newCustomer = store.createCustomer({ firstName: "Newcomer", email: "newcomer@example.com" });
    const variants = store.products.flatMap((product) => product.variants.map((variant) => `gid://shopify/ProductVariant/${variant.id}`)).slice(0, 8);
    const newOrder = store.createOrder({ customerId: customerGid(first.id), lines: variants.map((variantId) => ({ variantId, quantity: 2 })) });
    const product = store.updateProduct(store.products[3]!.id, { title: "Renamed product" });
    Object.assign(changed, { customers: [first.id, second.id], orders: [refunded.id, fulfilled.id], newOrder: newOrder.id, newCustomer: newCustomer.id, product: product.id });

    // WHEN the shop is reconciled
    const result = await reconcileShop({ shop: SHOP, admin, db: prisma });

    // THEN those 7 records, and only those, were checked and repaired
    expect(result).toMatchObject({ checked: 7, repaired: 7 });
    const customer = await prisma.customer.findUniqueOrThrow({ where: customerKey(first.id) });
    const firstNow = store.getCustomer(1)!;
    expect(customer).toMatchObject({ firstName: "Missed", note: "changed without a webhook", tags: "vip", numberOfOrders: firstNow.numberOfOrders, amountSpentMinor: BigInt(firstNow.amountSpentCents) });
    expect(customer.shopifyUpdatedAt.getTime()).toBe(firstNow.updatedAt);
    expect((await prisma.customer.findUniqueOrThrow({ where: customerKey(second.id) })).lastName).toBe("Renamed");
    expect(await prisma.customer.findUnique({ where: customerKey(newCustomer.id) })).toMatchObject({ firstName: "Newcomer", email: "newcomer@example.com" });

    const refundedRow = await prisma.order.findUniqueOrThrow({ where: { shop_shopifyId: { shop: SHOP, shopifyId: orderGid(refunded.id) } } });
    expect(refundedRow).toMatchObject({ financialStatus: refunded.financialStatus, totalRefundedMinor: BigInt(refunded.refundedCents) });
    expect(await prisma.refund.count({ where: { shop: SHOP, orderId: orderGid(refunded.id) } })).toBe(1);
    expect((await prisma.order.findUniqueOrThrow({ where: { shop_shopifyId: { shop: SHOP, shopifyId: orderGid(fulfilled.id) } } })).fulfillmentStatus).toBe("FULFILLED");
    // 8 lines: the first page of 5 came with the order, the rest through the follow-up query
    const lines = await prisma.orderLine.findMany({ where: { shop: SHOP, orderId: orderGid(newOrder.id) } });
    expect(lines.map((line) => line.quantity)).toEqual(Array(8).fill(2));
    expect((await prisma.product.findUniqueOrThrow({ where: { shop_shopifyId: { shop: SHOP, shopifyId: `gid://shopify/Product/${product.id}` } } })).title).toBe("Renamed product");

    // and the run is recorded with what it repaired, from where it started
    const run = await prisma.syncRun.findUniqueOrThrow({ where: { id: result.runId } });
    const initial = await prisma.syncRun.findFirstOrThrow({ where: { shop: SHOP, kind: "initial" } });
    expect(run).toMatchObject({ kind: "reconcile", status: "completed", repaired: 7, objectsImported: 7, resourcesDone: "products,customers,orders" });
    expect(run.since!.getTime()).toBe(initial.startedAt.getTime() - 5 * 60 * 1000);
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).lastSyncedAt).toEqual(run.finishedAt);
  });

  test("a second run finds the same changes and repairs nothing", async () => {
    const before = await prisma.customer.findUniqueOrThrow({ where: customerKey(changed.customers[0]!) });
    const result = await reconcileShop({ shop: SHOP, admin, db: prisma });
    expect(result).toMatchObject({ checked: 7, repaired: 0 });
    expect(await prisma.customer.findUniqueOrThrow({ where: customerKey(changed.customers[0]!) })).toEqual(before);
    expect(await prisma.orderLine.count({ where: { shop: SHOP, orderId: orderGid(changed.newOrder) } })).toBe(8);
  });

  test("a newer version applied by a webhook is not overwritten by older data from Shopify", async () => {
    const store = emulator.store(SHOP);
    // GIVEN a customer changed in Shopify, whose next change already reached the archive by webhook
    const third = store.updateCustomer(store.getCustomer(3)!.id, { note: "older change" }, { silent: true });
    const newer = new Date(third.updatedAt + 60_000);
    await prisma.customer.update({ where: customerKey(third.id), data: { note: "newer change from a webhook", shopifyUpdatedAt: newer } });
    // WHEN reconciliation reads the older version
    const result = await reconcileShop({ shop: SHOP, admin, db: prisma });
    // THEN it checks it but keeps the archive's newer version
    expect(result).toMatchObject({ checked: 8, repaired: 0 });
    expect(await prisma.customer.findUniqueOrThrow({ where: customerKey(third.id) })).toMatchObject({ note: "newer change from a webhook", shopifyUpdatedAt: newer });
  });

  test("a deleted customer is not brought back", async () => {
    const store = emulator.store(SHOP);
    const fourth = store.updateCustomer(store.getCustomer(4)!.id, { note: "changed after the app deleted it" }, { silent: true });
    await prisma.customer.update({ where: customerKey(fourth.id), data: { deletedAt: new Date() } });
    const result = await reconcileShop({ shop: SHOP, admin, db: prisma });
    expect(result.repaired).toBe(0);
    expect((await prisma.customer.findUniqueOrThrow({ where: customerKey(fourth.id) })).note).not.toBe("changed after the app deleted it");
  });

  test("an explicit `since` narrows the search; a shop never synced has nothing to reconcile from", async () => {
    const result = await reconcileShop({ shop: SHOP, admin, db: prisma, since: new Date(Date.now() + 60_000) });
    expect(result).toMatchObject({ checked: 0, repaired: 0 });
    await prisma.shop.create({ data: { shop: "never-synced.myshopify.com", name: "Never", currencyCode: "USD", installedAt: new Date() } });
    await expect(reconcileShop({ shop: "never-synced.myshopify.com", admin, db: prisma })).rejects.toBeInstanceOf(NothingToReconcileError);
  });
});

describe("the sync.reconcile job and its schedule", () => {
  test("the job reconciles the shop and skips shops it cannot reconcile", async () => {
    const result = await runReconcileJob({ shop: SHOP, payload: {} }, { db: prisma, admin });
    expect(result).toMatchObject({ repaired: 0 });
    expect(await runReconcileJob({ shop: "never-synced.myshopify.com", payload: {} }, { db: prisma, admin })).toBeNull();
    expect(await runReconcileJob({ shop: "unknown.myshopify.com", payload: {} }, { db: prisma, admin })).toBeNull();
  });

  test("shops are due once per interval, only when installed and synced, one job per shop", async () => {
    await prisma.shop.create({ data: { shop: "gone.myshopify.com", name: "Gone", currencyCode: "USD", installedAt: new Date(), uninstalledAt: new Date() } });
    await prisma.syncRun.create({ data: { shop: "gone.myshopify.com", kind: "initial", status: "completed", finishedAt: new Date() } });
    const everyMs = 15 * 60 * 1000;
    // just reconciled: not due; an interval later: due (the never-synced and uninstalled shops never are)
    expect(await shopsDueForReconciliation({ db: prisma, everyMs })).toEqual([]);
    const later = new Date(Date.now() + everyMs);
    expect(await shopsDueForReconciliation({ db: prisma, everyMs, now: later })).toEqual([SHOP]);

    const enqueued: Array<{ name: string; shop?: string; uniqueKey?: string }> = [];
    const keys = new Set<string>();
    const queue: Pick<JobQueue, "enqueue"> = {
      async enqueue(name, _payload, options) {
        if (options?.uniqueKey && keys.has(options.uniqueKey)) return null;
        if (options?.uniqueKey) keys.add(options.uniqueKey);
        enqueued.push({ name, shop: options?.shop, uniqueKey: options?.uniqueKey });
        return `job-${enqueued.length}`;
      },
    };
    expect(await scheduleReconciliation({ queue, db: prisma, everyMs, now: later })).toEqual([SHOP]);
    expect(await scheduleReconciliation({ queue, db: prisma, everyMs, now: later })).toEqual([]);
    expect(enqueued).toEqual([{ name: "sync.reconcile", shop: SHOP, uniqueKey: `reconcile:${SHOP}` }]);
  });
});
