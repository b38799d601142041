// Initial import: one bulk operation per resource, its JSONL streamed line by line into the
// database in batches, progress recorded on a SyncRun the home page reads.
import { createInterface } from "node:readline";
import { Readable } from "node:stream";

import type { PrismaClient } from "../../db.server";
import { adminGraphql, AdminApiError, assertNoUserErrors, type AdminGraphql, type UserError } from "../shopify/admin-graphql.server";
import { BULK_OPERATION_STATUS, CUSTOMERS_BULK_QUERY, ORDERS_BULK_QUERY, PRODUCTS_BULK_QUERY, RUN_BULK_QUERY } from "./bulk-documents";
import { toBulkRow, type BulkRow } from "./bulk-rows";

const RESOURCES = [
  { resource: "products", query: PRODUCTS_BULK_QUERY },
  { resource: "customers", query: CUSTOMERS_BULK_QUERY },
  { resource: "orders", query: ORDERS_BULK_QUERY },
] as const;

const BATCH_SIZE = 500;

interface BulkOperation {
  id: string;
  status: string;
  errorCode: string | null;
  objectCount: string;
  url: string | null;
}

export interface ImportOptions {
  shop: string;
  admin: AdminGraphql;
  db: PrismaClient;
  currencyCode: string;
  pollIntervalMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function startBulkQuery({ shop, admin }: ImportOptions, query: string, pollIntervalMs: number): Promise<string> {
  for (;;) {
    const data = await adminGraphql<{
      bulkOperationRunQuery: { bulkOperation: { id: string } | null; userErrors: (UserError & { code?: string })[] };
    }>({ shop, admin }, RUN_BULK_QUERY, { query });
    const payload = data.bulkOperationRunQuery;
    // Before API 2026-01 only one bulk query runs per shop: wait for the other one to finish.
    if (payload.userErrors.some((error) => error.code === "OPERATION_IN_PROGRESS")) {
      await sleep(pollIntervalMs);
      continue;
    }
    assertNoUserErrors("bulkOperationRunQuery", payload);
    if (!payload.bulkOperation) throw new AdminApiError("bulkOperationRunQuery returned no operation", "NO_DATA");
    return payload.bulkOperation.id;
  }
}

async function waitForBulkOperation({ shop, admin }: ImportOptions, id: string, pollIntervalMs: number): Promise<BulkOperation> {
  for (;;) {
    const { node } = await adminGraphql<{ node: BulkOperation | null }>({ shop, admin }, BULK_OPERATION_STATUS, { id });
    if (!node) throw new AdminApiError(`Bulk operation ${id} not found`, "NOT_FOUND");
    if (node.status === "COMPLETED") return node;
    if (["FAILED", "CANCELED", "EXPIRED"].includes(node.status)) {
      throw new AdminApiError(`Bulk operation ${id} ended ${node.status} (${node.errorCode ?? "no error code"})`, node.status);
    }
    await sleep(pollIntervalMs);
  }
}

/** Streams JSONL from a URL without holding the file in memory. */
export async function* readJsonLines(url: string): AsyncGenerator<Record<string, unknown>> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`Could not download bulk result (${response.status})`);
  const lines = createInterface({ input: Readable.fromWeb(response.body as never), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim()) yield JSON.parse(line) as Record<string, unknown>;
  }
}

type Batches = { [K in BulkRow["table"]]: Extract<BulkRow, { table: K }>["row"][] };

const emptyBatches = (): Batches => ({ customer: [], product: [], variant: [], order: [], orderLine: [] });

/** Replaces each batch's rows in one transaction, so a re-run converges on the store's data. */
async function writeBatches(db: PrismaClient, shop: string, batches: Batches) {
  const ids = (rows: { shopifyId: string }[]) => rows.map((row) => row.shopifyId);
  await db.$transaction([
    db.customer.deleteMany({ where: { shop, shopifyId: { in: ids(batches.customer) } } }),
    db.customer.createMany({ data: batches.customer }),
    db.product.deleteMany({ where: { shop, shopifyId: { in: ids(batches.product) } } }),
    db.product.createMany({ data: batches.product }),
    db.productVariant.deleteMany({ where: { shop, shopifyId: { in: ids(batches.variant) } } }),
    db.productVariant.createMany({ data: batches.variant }),
    db.order.deleteMany({ where: { shop, shopifyId: { in: ids(batches.order) } } }),
    db.order.createMany({ data: batches.order }),
    db.orderLine.deleteMany({ where: { shop, shopifyId: { in: ids(batches.orderLine) } } }),
    db.orderLine.createMany({ data: batches.orderLine }),
  ]);
}

export async function runInitialImport(options: ImportOptions): Promise<string> {
  const { shop, db, currencyCode, pollIntervalMs = 1000 } = options;
  const run = await db.syncRun.create({ data: { shop, kind: "initial", status: "running" } });
  try {
    let imported = 0;
    for (const { resource, query } of RESOURCES) {
      const operationId = await startBulkQuery(options, query, pollIntervalMs);
      await db.syncRun.update({ where: { id: run.id }, data: { bulkOperationId: operationId, resource } });
      const operation = await waitForBulkOperation(options, operationId, pollIntervalMs);
      await db.syncRun.update({ where: { id: run.id }, data: { objectsTotal: { increment: Number(operation.objectCount) } } });
      if (!operation.url) continue; // an empty store has no file

      let batches = emptyBatches();
      let pending = 0;
      const flush = async () => {
        await writeBatches(db, shop, batches);
        imported += pending;
        await db.syncRun.update({ where: { id: run.id }, data: { objectsImported: imported } });
        batches = emptyBatches();
        pending = 0;
      };
      for await (const object of readJsonLines(operation.url)) {
        const mapped = toBulkRow(shop, object, currencyCode);
        if (!mapped) continue;
        (batches[mapped.table] as unknown[]).push(mapped.row);
        if (++pending >= BATCH_SIZE) await flush();
      }
      await flush();
    }
    await db.syncRun.update({ where: { id: run.id }, data: { status: "completed", finishedAt: new Date() } });
    await db.shop.update({ where: { shop }, data: { lastSyncedAt: new Date() } });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db.syncRun.update({ where: { id: run.id }, data: { status: "failed", error: message, finishedAt: new Date() } });
    throw error;
  }
  return run.id;
}
