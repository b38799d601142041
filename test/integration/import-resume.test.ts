// An import stopped half-way resumes where its SyncRun says it stopped and ends with exactly the
// store's data: no duplicates, nothing missing; with its bulk operation gone it starts that
// resource again; a re-run changes nothing.
import { rmSync } from "node:fs";

import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import type { Emulator } from "../../dev/emulator/index";
import type { AdminGraphql } from "~/modules/shopify/admin-graphql.server";
import { runImportJob } from "~/modules/sync/import-job.server";
import { estimateRemaining } from "~/modules/sync/import-progress";
import { runInitialImport, type ImportProgress } from "~/modules/sync/initial-import.server";
import { getTestDatabase } from "../support/db";
import { emulatorAdmin, startEmulatedShops } from "../support/emulated-shop";

const SHOP = "resume-shop.myshopify.com";
const { prisma, reset, url } = await getTestDatabase();
let emulator: Emulator;
let admin: AdminGraphql;

class Interrupted extends Error {}

beforeAll(async () => {
  emulator = await startEmulatedShops([{ domain: SHOP, customers: 80, orders: 300, products: 15, seed: 5 }]);
  admin = emulatorAdmin(emulator, SHOP);
});

beforeEach(async () => {
  await reset();
  await prisma.shop.create({ data: { shop: SHOP, name: "Resume Shop", currencyCode: "USD", installedAt: new Date() } });
});

afterAll(async () => {
  await emulator?.close();
});

const BATCH = 40;
const baseOptions = { shop: SHOP, db: prisma, databaseUrl: url, currencyCode: "USD", pollIntervalMs: 10, batchSize: BATCH };

/** Stops the import (throws) once `resource` has committed `batches` batches. */
const stopAfter = (resource: string, batches: number) => {
  let seen = 0;
  return (progress: ImportProgress) => {
    if (progress.resource === resource && ++seen >= batches) throw new Interrupted(`stopped in ${resource}`);
  };
};

/** THEN the archive holds exactly the store: every customer and order field compared, lines and refunds counted. */
async function expectArchiveMatchesStore() {
  const store = emulator.store(SHOP);
  const customers = await prisma.customer.findMany({ where: { shop: SHOP } });
  expect(customers).toHaveLength(store.customerCount);
  const byId = new Map(customers.map((row) => [row.shopifyId, row]));
  for (let index = 0; index < store.customerCount; index++) {
    const expected = store.getCustomer(index)!;
    const row = byId.get(`gid://shopify/Customer/${expected.id}`);
    expect(row, `customer ${index}`).toMatchObject({ email: expected.email, amountSpentMinor: BigInt(expected.amountSpentCents), numberOfOrders: expected.numberOfOrders, shopifyUpdatedAt: new Date(expected.updatedAt) });
  }
  const orders = new Map((await prisma.order.findMany({ where: { shop: SHOP } })).map((row) => [row.shopifyId, row]));
  expect(orders.size).toBe(store.orderCount);
  let lines = 0;
  let refunds = 0;
  for (let index = 0; index < store.orderCount; index++) {
    const expected = store.getOrder(index)!;
    lines += expected.lines.length;
    refunds += expected.refunds.length;
    expect(orders.get(`gid://shopify/Order/${expected.id}`), `order ${index}`).toMatchObject({ totalPriceMinor: BigInt(expected.totalCents), totalRefundedMinor: BigInt(expected.refundedCents), name: `#${expected.number}` });
  }
  expect(await prisma.orderLine.count({ where: { shop: SHOP } })).toBe(lines);
  expect(await prisma.refund.count({ where: { shop: SHOP } })).toBe(refunds);
  expect(await prisma.product.count({ where: { shop: SHOP } })).toBe(15);
}

const bulkQueriesRun = () => emulator.requests.filter((request) => request.query.includes("RunBulkQuery")).length;

// Large files are imported on an import thread (import-file-thread.server.ts), small ones on the
// calling thread: both paths, forced, on the same small store.
describe.each([
  { where: "on the calling thread", thread: false },
  { where: "on an import thread", thread: true },
])("resuming an interrupted import $where", ({ thread }) => {
  const options = { ...baseOptions, thread };

  test("GIVEN an import stopped half-way through orders, WHEN the job runs, THEN it continues from the committed line", async () => {
    await expect(runInitialImport({ ...options, admin, onBatchCommitted: stopAfter("orders", 5) })).rejects.toThrow(Interrupted);
    const stopped = await prisma.syncRun.findFirstOrThrow({ where: { shop: SHOP } });
    expect(stopped).toMatchObject({ status: "failed", resource: "orders", resourcesDone: "products,customers" });
    expect(stopped.linesProcessed).toBeGreaterThan(0);
    expect(stopped.objectsImported).toBeLessThan(stopped.objectsTotal);
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBeLessThan(emulator.store(SHOP).orderCount);

    const queriesBefore = bulkQueriesRun();
    const resumedFrom: number[] = [];
    const runId = await runImportJob({ shop: SHOP, payload: {} }, { db: prisma, admin, databaseUrl: url, pollIntervalMs: 10, batchSize: BATCH, thread, onBatchCommitted: (progress) => void resumedFrom.push(progress.linesProcessed) });

    expect(runId).toBe(stopped.id);
    expect(bulkQueriesRun()).toBe(queriesBefore); // the finished orders file was reused
    expect(resumedFrom[0]).toBeGreaterThan(stopped.linesProcessed);
    expect(resumedFrom[0]! - stopped.linesProcessed).toBeLessThanOrEqual(BATCH + 10);
    const run = await prisma.syncRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ status: "completed", resourcesDone: "products,customers,orders", error: null });
    expect(run.objectsImported).toBe(run.objectsTotal);
    await expectArchiveMatchesStore();
  });

  test("GIVEN the stopped run's bulk operation is gone, WHEN resumed, THEN that resource is queried again and the result is the same", async () => {
    await expect(runInitialImport({ ...options, admin, onBatchCommitted: stopAfter("customers", 1) })).rejects.toThrow(Interrupted);
    const stopped = await prisma.syncRun.findFirstOrThrow({ where: { shop: SHOP } });
    expect(stopped.resource).toBe("customers");
    // The emulator forgets the operation, as Shopify does once its result expires.
    emulator.bulk.operations.delete(Number(/\d+$/.exec(stopped.bulkOperationId!)![0]));

    const queriesBefore = bulkQueriesRun();
    await runInitialImport({ ...options, admin, runId: stopped.id });
    expect(bulkQueriesRun()).toBe(queriesBefore + 2); // customers again, then orders
    const run = await prisma.syncRun.findUniqueOrThrow({ where: { id: stopped.id } });
    expect(run.status).toBe("completed");
    expect(run.objectsImported).toBe(run.objectsTotal);
    await expectArchiveMatchesStore();
  });

  test("GIVEN the stopped run's bulk result can no longer be downloaded, WHEN resumed, THEN that resource is queried again", async () => {
    await expect(runInitialImport({ ...options, admin, onBatchCommitted: stopAfter("orders", 2) })).rejects.toThrow(Interrupted);
    const stopped = await prisma.syncRun.findFirstOrThrow({ where: { shop: SHOP } });
    expect(stopped.resource).toBe("orders");
    // The operation is still there, its file is not: the download answers 404, as an expired URL does.
    rmSync(emulator.bulk.operations.get(Number(/\d+$/.exec(stopped.bulkOperationId!)![0]))!.file);

    const queriesBefore = bulkQueriesRun();
    await runInitialImport({ ...options, admin, runId: stopped.id });
    expect(bulkQueriesRun()).toBe(queriesBefore + 1); // orders again
    const run = await prisma.syncRun.findUniqueOrThrow({ where: { id: stopped.id } });
    expect(run).toMatchObject({ status: "completed", error: null });
    expect(run.objectsImported).toBe(run.objectsTotal);
    await expectArchiveMatchesStore();
  });

  test("GIVEN a complete archive, WHEN imported again, THEN nothing changes and nothing is duplicated", async () => {
    await runInitialImport({ ...options, admin });
    const snapshot = async () => ({
      customers: await prisma.customer.findMany({ where: { shop: SHOP }, orderBy: { shopifyId: "asc" }, omit: { updatedAt: true } }),
      orders: await prisma.order.findMany({ where: { shop: SHOP }, orderBy: { shopifyId: "asc" }, omit: { updatedAt: true } }),
      lines: await prisma.orderLine.count({ where: { shop: SHOP } }),
      refunds: await prisma.refund.count({ where: { shop: SHOP } }),
    });
    const before = await snapshot();
    await runInitialImport({ ...options, admin });
    expect(await snapshot()).toEqual(before);
    await expectArchiveMatchesStore();
  });

  test("a completed run is not run again by the job", async () => {
    const runId = await runInitialImport({ ...options, admin });
    const queriesBefore = bulkQueriesRun();
    expect(await runImportJob({ shop: SHOP, payload: { runId } }, { db: prisma, admin, databaseUrl: url })).toBe(runId);
    expect(bulkQueriesRun()).toBe(queriesBefore);
  });
});

describe("estimateRemaining", () => {
  const startedAt = new Date("2026-11-22T10:00:00Z");
  test.each([
    { title: "half done after 10 s", run: { status: "running", objectsTotal: 1000, objectsImported: 500, startedAt }, seconds: 10, expected: 10 },
    { title: "nothing imported yet", run: { status: "running", objectsTotal: 1000, objectsImported: 0, startedAt }, seconds: 10, expected: null },
    { title: "total unknown", run: { status: "running", objectsTotal: 0, objectsImported: 0, startedAt }, seconds: 10, expected: null },
    { title: "finished", run: { status: "completed", objectsTotal: 1000, objectsImported: 1000, startedAt }, seconds: 10, expected: null },
    { title: "all imported, still running", run: { status: "running", objectsTotal: 1000, objectsImported: 1000, startedAt }, seconds: 10, expected: 0 },
  ])("$title", ({ run, seconds, expected }) => {
    expect(estimateRemaining(run, new Date(startedAt.getTime() + seconds * 1000))).toBe(expected);
  });
});
