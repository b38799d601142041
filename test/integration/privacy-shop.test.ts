// shop/redact and app/uninstalled, and the guards that keep a new table from being forgotten:
// every model has a shop column (or is exempt) and is claimed by a personal data source (or is
// declared free of customer data); every table in the database is a model.
import { beforeEach, describe, expect, test, vi } from "vitest";

import type { PrismaClient } from "~/db.server";
import { createDatabaseQueue } from "~/modules/jobs/database-queue.server";
import { allModels, modelFields, MODELS_WITHOUT_SHOP, shopScopedModels, type ModelName } from "~/modules/privacy/models.server";
import { redactShop, requestDataExport, uninstallShop } from "~/modules/privacy/privacy.server";
import { MODELS_WITHOUT_CUSTOMER_DATA, PERSONAL_DATA_SOURCES } from "~/modules/privacy/sources.server";
import { processWebhookEventById } from "~/modules/webhooks/process-event.server";

import { MIGRATIONS_TABLE } from "../../scripts/setup-db";
import { bootApp, examplePayload } from "../support/app";
import { POSTGRES_RAW_TABLES, SQLITE_TABLES } from "../support/db";
import { createCustomer, createShop, createWebhookEvent } from "../support/factories";

const { prisma, database } = await bootApp();

const shopA = "leaving.myshopify.com";
const shopB = "staying.myshopify.com";

/** The database's own list of tables (not Prisma's), without the migrations bookkeeping. */
async function catalogTables(db: PrismaClient): Promise<string[]> {
  const rows =
    database.provider === "sqlite"
      ? await db.$queryRawUnsafe<{ name: string }[]>(SQLITE_TABLES, MIGRATIONS_TABLE)
      : await db.$queryRawUnsafe<{ name: string }[]>(`SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> $1`, MIGRATIONS_TABLE);
  return rows.map((row) => row.name).sort();
}

/** Rows of `shop` in every table of the database, counted through the catalog. */
async function rowsPerTable(shop: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await catalogTables(prisma)) {
    const sql = database.provider === "sqlite" ? `SELECT COUNT(*) AS n FROM "${table}" WHERE "shop" = ?` : `SELECT COUNT(*)::int AS n FROM "${table}" WHERE "shop" = $1`;
    const [row] = await prisma.$queryRawUnsafe<{ n: number | bigint }[]>(sql, shop);
    counts[table] = Number(row?.n ?? 0);
  }
  return counts;
}

/** At least one row of `shop` in every model's table. */
async function seedEverything(shop: string) {
  const now = new Date();
  const customerId = "gid://shopify/Customer/1";
  const orderId = "gid://shopify/Order/1";
  await createShop(prisma, { shop });
  await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: "token", scope: "read_customers" } });
  await createCustomer(prisma, { shop, shopifyId: customerId, email: `someone@${shop}` });
  await prisma.order.create({ data: { shop, shopifyId: orderId, customerId, name: "#1", currencyCode: "USD", totalPriceMinor: 100n, processedAt: now, shopifyCreatedAt: now, shopifyUpdatedAt: now } });
  await prisma.orderLine.create({ data: { shop, shopifyId: "gid://shopify/LineItem/1", orderId, title: "Cup", quantity: 1, currentQuantity: 1, unitPriceMinor: 100n, totalMinor: 100n } });
  await prisma.refund.create({ data: { shop, shopifyId: "gid://shopify/Refund/1", orderId, totalMinor: 100n, currencyCode: "USD", shopifyCreatedAt: now } });
  await prisma.refundLine.create({ data: { shop, shopifyId: "gid://shopify/RefundLineItem/1", refundId: "gid://shopify/Refund/1", orderLineId: "gid://shopify/LineItem/1", quantity: 1, subtotalMinor: 100n } });
  await prisma.product.create({ data: { shop, shopifyId: "gid://shopify/Product/1", title: "Cup", handle: "cup", status: "ACTIVE", shopifyCreatedAt: now, shopifyUpdatedAt: now } });
  await prisma.productVariant.create({ data: { shop, shopifyId: "gid://shopify/ProductVariant/1", productId: "gid://shopify/Product/1", title: "Default", priceMinor: 100n } });
  await createWebhookEvent(prisma, { shop, topic: "customers/update", payload: { id: 1, email: `someone@${shop}` } });
  await prisma.appliedVersion.create({ data: { shop, subjectId: customerId, aspect: "record", version: now } });
  await prisma.job.create({ data: { queue: "sync.reconcile", shop, payload: "{}" } });
  await prisma.syncRun.create({ data: { shop, kind: "initial", status: "completed" } });
  await prisma.auditLog.create({ data: { shop, actorType: "system", action: "app.installed", subjectType: "shop", subjectId: shop } });
  await requestDataExport({ db: prisma, shop, payload: { customer: { id: "1", email: `someone@${shop}` }, data_request: { id: "1" } } });
  await prisma.staffMember.create({ data: { shop, userId: "1", firstName: "Ava" } });
  const note = await prisma.note.create({ data: { shop, customerId, body: "Prefers phone calls", authorId: "1", authorName: "Ava" } });
  await prisma.noteRevision.create({ data: { shop, noteId: note.id, body: "Prefers calls", editedById: "1", editedByName: "Ava" } });
  await prisma.savedView.create({ data: { shop, name: "VIP", query: "{}", createdById: "1" } });
  await prisma.loyaltyProgram.create({ data: { shop, version: 1, settings: "{}" } });
  await prisma.loyaltyMember.create({ data: { shop, customerId, tierKey: "gold", pointsBalance: 10 } });
  await prisma.tierChange.create({ data: { shop, customerId, toKey: "gold", toName: "Gold", reason: "joined", programVersion: 1, actorType: "system" } });
  await prisma.pointsEntry.create({ data: { shop, customerId, kind: "adjustment", points: 10, balanceAfter: 10, reason: "Welcome gift" } });
  await prisma.flowEvent.create({ data: { shop, handle: "points-changed", customerId, payload: "{}" } });
  await prisma.customerInsight.create({ data: { shop, customerId, orders: 1, recency: 3, frequency: 3, monetary: 3, rfmSegment: "potentialLoyalist", computedAt: now } });
  await prisma.insightModel.create({ data: { shop, distribution: "{}", parameters: "{}", customers: 1, fittedAt: now } });
  await prisma.recommendationModel.create({ data: { shop, builtAt: now, customers: 1, orders: 1, products: 1, buildMs: 1, model: "{}" } });
  await prisma.rfmChange.create({ data: { shop, customerId, fromSegment: null, toSegment: "potentialLoyalist" } });
  const segment = await prisma.segment.create({ data: { shop, name: "Regulars", rules: "{}" } });
  await prisma.segmentMember.create({ data: { shop, segmentId: segment.id, customerId, enteredAt: now } });
}

describe("every table is covered", () => {
  test("every model has a shop column, so shop/redact reaches every table", () => {
    expect(MODELS_WITHOUT_SHOP).toEqual({});
    expect(shopScopedModels().sort()).toEqual(allModels().sort());
    for (const model of allModels()) expect(modelFields(model), model).toContain("shop");
  });

  test("every table in the database is a Prisma model, but for PostgreSQL's search copy (raw SQL's, kept by triggers from Customer)", async () => {
    const raw = database.provider === "postgres" ? POSTGRES_RAW_TABLES : [];
    expect(await catalogTables(prisma)).toEqual([...allModels(), ...raw].sort());
  });

  test("every model is claimed by exactly one personal data source or declared free of customer data", () => {
    const claims = new Map<ModelName, string[]>();
    for (const source of PERSONAL_DATA_SOURCES) for (const model of source.models) claims.set(model, [...(claims.get(model) ?? []), source.key]);
    for (const model of Object.keys(MODELS_WITHOUT_CUSTOMER_DATA) as ModelName[]) claims.set(model, [...(claims.get(model) ?? []), "none"]);
    const unclaimed = allModels().filter((model) => !claims.has(model));
    const twice = [...claims].filter(([, by]) => by.length > 1);
    expect(unclaimed, "add a personal data source for these models, or list them in MODELS_WITHOUT_CUSTOMER_DATA").toEqual([]);
    expect(twice).toEqual([]);
    expect(new Set(PERSONAL_DATA_SOURCES.map((source) => source.key)).size).toBe(PERSONAL_DATA_SOURCES.length);
  });
});

describe("shop/redact", () => {
  beforeEach(async () => {
    await database.reset();
    await seedEverything(shopA);
    await seedEverything(shopB);
  });

  test("leaves zero rows of the shop in every table and the other shop intact", async () => {
    // GIVEN both shops have rows in every table
    const before = await rowsPerTable(shopA);
    expect(Object.entries(before).filter(([, count]) => count === 0)).toEqual([]);
    const other = await rowsPerTable(shopB);

    // WHEN shop/redact arrives through the webhook pipeline
    const event = await createWebhookEvent(prisma, { shop: shopA, topic: "shop/redact", payload: { ...examplePayload("shop/redact"), shop_domain: shopA } });
    expect(await processWebhookEventById({ db: prisma, eventId: event.id })).toMatchObject({ status: "processed" });

    // THEN nothing of the shop is left anywhere (its own event included), and the other shop is as it was
    expect(Object.entries(await rowsPerTable(shopA)).filter(([, count]) => count > 0)).toEqual([]);
    expect(await rowsPerTable(shopB)).toEqual(other);
    // ... nor in SQLite's customer search index (migration 0013: kept by triggers, not a model), whose rows hold the shop
    if (database.provider === "sqlite") {
      const indexed = async (shop: string) => Number((await prisma.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT COUNT(*) AS n FROM "CustomerSearch" WHERE "shop" = ?`, shop))[0]!.n);
      expect(await indexed(shopA)).toBe(0);
      expect(await indexed(shopB)).toBe(await prisma.customer.count({ where: { shop: shopB, deletedAt: null } }));
    }
  });

  test("a repeat is harmless", async () => {
    await redactShop({ db: prisma, shop: shopA });
    const counts = await redactShop({ db: prisma, shop: shopA });
    expect(Object.values(counts).every((count) => count === 0)).toBe(true);
    expect(Object.values(await rowsPerTable(shopB)).every((count) => count > 0)).toBe(true);
  });
});

describe("app/uninstalled", () => {
  beforeEach(async () => {
    await database.reset();
    for (const shop of [shopA, shopB]) {
      await createShop(prisma, { shop });
      await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: "token", scope: "read_customers" } });
      await prisma.session.create({ data: { id: `${shop}_42`, shop, state: "", isOnline: true, accessToken: "online-token", userId: 42n, email: "staff@example.com" } });
    }
  });

  test("twice is harmless: sessions gone, uninstalled once, jobs cancelled each time", async () => {
    const cancelJobs = vi.fn(async () => 0);
    const first = await uninstallShop({ db: prisma, shop: shopA, cancelJobs });
    const { uninstalledAt } = await prisma.shop.findUniqueOrThrow({ where: { shop: shopA } });
    const second = await uninstallShop({ db: prisma, shop: shopA, cancelJobs });

    expect(first).toMatchObject({ sessionsDeleted: 2, firstDelivery: true });
    expect(second).toMatchObject({ sessionsDeleted: 0, firstDelivery: false });
    expect(await prisma.session.count({ where: { shop: shopA } })).toBe(0);
    expect(uninstalledAt).toBeInstanceOf(Date);
    expect((await prisma.shop.findUniqueOrThrow({ where: { shop: shopA } })).uninstalledAt).toEqual(uninstalledAt);
    expect(await prisma.auditLog.count({ where: { shop: shopA, action: "app.uninstalled" } })).toBe(1);
    expect(cancelJobs.mock.calls).toEqual([[shopA], [shopA]]);
    // The other shop keeps its sessions.
    expect(await prisma.session.count({ where: { shop: shopB } })).toBe(2);
  });

  test("cancels the shop's queued jobs in the real job queue, not the other shop's", async () => {
    const queue = createDatabaseQueue({ db: prisma, databaseUrl: database.url });
    await queue.enqueue("sync.reconcile", {}, { shop: shopA });
    await queue.enqueue("webhook.process", { eventId: "e1" }, { shop: shopA, uniqueKey: "webhook:e1" });
    await queue.enqueue("sync.reconcile", {}, { shop: shopB });

    const result = await uninstallShop({ db: prisma, shop: shopA, cancelJobs: (shop) => queue.cancelShop(shop) });

    expect(result.jobsCancelled).toBe(2);
    expect(await queue.counts(shopA)).toEqual({ cancelled: 2 });
    expect(await queue.counts(shopB)).toEqual({ queued: 1 });
  });

  test("after the session and even the shop are gone", async () => {
    await prisma.session.deleteMany({ where: { shop: shopA } });
    await prisma.shop.delete({ where: { shop: shopA } });
    const cancelJobs = vi.fn(async () => 0);
    await expect(uninstallShop({ db: prisma, shop: shopA, cancelJobs })).resolves.toMatchObject({ sessionsDeleted: 0, firstDelivery: false });
    expect(cancelJobs).toHaveBeenCalledWith(shopA);
  });
});
