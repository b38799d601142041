// Initial import: one bulk operation per resource, its JSONL streamed line by line (memory stays
// flat whatever the file size) into the database through the driver in batches. Each batch commits
// together with the SyncRun's resume state, so a stopped import resumes where it stopped.
import { DEFAULT_DATABASE_URL, type PrismaClient } from "../../db.server";
import { analyzeArchive, refreshOrderDates } from "../customers/customer-stats.server";
import { adminGraphql, AdminApiError, assertNoUserErrors, type AdminGraphql, type UserError } from "../shopify/admin-graphql.server";
import { BULK_OPERATION_STATUS, CUSTOMERS_BULK_QUERY, ORDERS_BULK_QUERY, PRODUCTS_BULK_QUERY, RUN_BULK_QUERY } from "./bulk-documents";
import { openBulkWriter, type BulkWriter, type RunProgress } from "./bulk-writer.server";
import { importFileInThread, importThreadAvailable } from "./import-file-thread.server";
import { BulkDownloadError, importBulkFile } from "./import-file.server";

export const IMPORT_RESOURCES = [
  { resource: "products", query: PRODUCTS_BULK_QUERY },
  { resource: "customers", query: CUSTOMERS_BULK_QUERY },
  { resource: "orders", query: ORDERS_BULK_QUERY },
] as const;

// Rows per transaction. With indexes maintained row by row, larger batches write far less (SQLite:
// 5,000 rows 26k rows/s, 25,000 rows 47k rows/s); an import into an archive of its own defers the
// secondary indexes, and then 10,000 rows measured as fast as 20,000 on SQLite with ~80 MB less
// peak RSS on PostgreSQL (two batches live at a time: one written, the next parsed).
export const DEFAULT_BATCH_SIZE = 10_000;

// A file this large is imported on a thread with a bounded heap (import-file-thread.server.ts); a
// smaller one is not worth starting it for.
const THREAD_MIN_OBJECTS = 50_000;

interface BulkOperation {
  id: string;
  status: string;
  errorCode: string | null;
  objectCount: string;
  url: string | null;
}

export interface ImportProgress extends RunProgress {
  batches: number;
}

export interface ImportOptions {
  shop: string;
  admin: AdminGraphql;
  db: PrismaClient;
  currencyCode: string;
  pollIntervalMs?: number;
  /** The database `db` points at, for the driver connection; default DATABASE_URL. */
  databaseUrl?: string;
  /** Resume this SyncRun where it stopped instead of starting a new one. */
  runId?: string;
  batchSize?: number;
  /** Import each resource's file on an import thread. Default: for a file of 50,000 objects or more. */
  thread?: boolean;
  /** Called after each batch has committed (tests stop an import half-way here). */
  onBatchCommitted?: (progress: ImportProgress) => void | Promise<void>;
  /** Called as each phase ends, with its duration (bench:import's "where the time goes"). */
  onPhase?: (phase: ImportPhase, seconds: number) => void;
}

export type ImportPhase = (typeof IMPORT_RESOURCES)[number]["resource"] | "orderDates" | "indexes" | "analyze";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The database the import writes to: the option, else the app's. */
const databaseUrlOf = (options: ImportOptions) => options.databaseUrl ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;

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

/**
 * Polls until the operation completes, reporting its growing objectCount. Returns null when it
 * can no longer be used (gone, failed, cancelled, expired) and `orNull` is set; throws otherwise.
 */
async function waitForBulkOperation(options: ImportOptions, id: string, pollIntervalMs: number, onCount: (count: number) => Promise<void>, orNull = false): Promise<BulkOperation | null> {
  let reported = -1;
  for (;;) {
    const { node } = await adminGraphql<{ node: BulkOperation | null }>({ shop: options.shop, admin: options.admin }, BULK_OPERATION_STATUS, { id });
    if (!node) {
      if (orNull) return null;
      throw new AdminApiError(`Bulk operation ${id} not found`, "NOT_FOUND");
    }
    const count = Number(node.objectCount);
    if (count !== reported) await onCount((reported = count));
    if (node.status === "COMPLETED") return node;
    if (["FAILED", "CANCELED", "EXPIRED"].includes(node.status)) {
      if (orNull) return null;
      throw new AdminApiError(`Bulk operation ${id} ended ${node.status} (${node.errorCode ?? "no error code"})`, node.status);
    }
    await sleep(pollIntervalMs);
  }
}

interface RunState extends RunProgress {
  done: Set<string>;
  batches: number;
  /** The archive's secondary indexes are dropped for this import (writer.deferIndexes). */
  indexesDeferred: boolean;
}

/**
 * The import's writer on this side (deferring and restoring the indexes, small files): opened when
 * needed and let go while a file is imported on an import thread, which writes through a writer of
 * its own. Kept open, the idle SQLite writer thread and its connection's cache added ~10-15 MB to
 * bench:import's peak RSS.
 */
interface WriterSlot {
  get(): Promise<BulkWriter>;
  release(): Promise<void>;
}

/** `indexesMaintained`: whether the archive's secondary indexes are known to be kept (the connection then caches more). */
function writerSlot(url: string, indexesMaintained: () => boolean): WriterSlot {
  let writer: Promise<BulkWriter> | null = null;
  return {
    get: () => (writer ??= openBulkWriter(url, { workerThread: true, indexesMaintained: indexesMaintained() })),
    async release() {
      const open = writer;
      writer = null;
      await (await open)?.close();
    },
  };
}

/**
 * Imports one resource's file of `objectCount` objects, skipping the first `skip` lines (committed
 * by an earlier attempt): a large one on an import thread, a small one here.
 */
async function importFile(options: ImportOptions, writer: WriterSlot, state: RunState, url: string, skip: number, objectCount: number) {
  const { shop, currencyCode, batchSize = DEFAULT_BATCH_SIZE } = options;
  const before: RunProgress = {
    runId: state.runId,
    resource: state.resource,
    bulkOperationId: state.bulkOperationId,
    linesProcessed: 0,
    objectsImported: state.objectsImported - state.linesProcessed, // the objects of the resources already done
    resourcesDone: [...state.done].join(","),
  };
  const onCommitted = async (progress: RunProgress) => {
    state.linesProcessed = progress.linesProcessed;
    state.objectsImported = progress.objectsImported;
    state.batches += 1;
    await options.onBatchCommitted?.({ ...progress, batches: state.batches });
  };
  const file = { url, shop, currencyCode, batchSize, skip, before, onCommitted };
  if (options.thread ?? (objectCount >= THREAD_MIN_OBJECTS && importThreadAvailable())) {
    await writer.release();
    await importFileInThread(databaseUrlOf(options), !state.indexesDeferred, file);
    return;
  }
  await importBulkFile(await writer.get(), file);
}

async function importResource(options: ImportOptions, writer: WriterSlot, state: RunState, resource: string, query: string) {
  const { db, pollIntervalMs = 1000 } = options;
  const runId = state.runId;
  const reportCount = (count: number) =>
    db.syncRun.update({ where: { id: runId }, data: { objectsTotal: state.objectsImported - state.linesProcessed + count, heartbeatAt: new Date() } }).then(() => undefined);

  // Resuming this resource: its bulk operation may still be usable.
  if (state.resource === resource && state.bulkOperationId) {
    const operation = await waitForBulkOperation(options, state.bulkOperationId, pollIntervalMs, reportCount, true);
    if (operation && !operation.url) return; // completed with nothing in it
    if (operation?.url) {
      try {
        await importFile(options, writer, state, operation.url, state.linesProcessed, Number(operation.objectCount));
        return;
      } catch (error) {
        if (!(error instanceof BulkDownloadError)) throw error;
      }
    }
  }

  // A fresh bulk operation: forget this resource's partial count (its rows are upserted again).
  state.objectsImported -= state.resource === resource ? state.linesProcessed : 0;
  state.linesProcessed = 0;
  state.resource = resource;
  state.bulkOperationId = null;
  const operationId = await startBulkQuery(options, query, pollIntervalMs);
  state.bulkOperationId = operationId;
  await db.syncRun.update({
    where: { id: runId },
    data: { resource, bulkOperationId: operationId, linesProcessed: 0, objectsImported: state.objectsImported, heartbeatAt: new Date() },
  });
  const operation = (await waitForBulkOperation(options, operationId, pollIntervalMs, reportCount))!;
  if (operation.url) await importFile(options, writer, state, operation.url, 0, Number(operation.objectCount));
}

/**
 * Imports the shop's products, customers and orders (with their lines and refunds), or resumes
 * `options.runId` where it stopped. Returns the SyncRun id. Re-running is idempotent.
 */
export async function runInitialImport(options: ImportOptions): Promise<string> {
  const { shop, db } = options;
  const run = options.runId
    ? await db.syncRun.findFirstOrThrow({ where: { id: options.runId, shop, kind: "initial" } })
    : await db.syncRun.create({ data: { shop, kind: "initial", status: "running", heartbeatAt: new Date() } });
  if (run.status === "completed") return run.id;
  if (options.runId) await db.syncRun.update({ where: { id: run.id }, data: { status: "running", error: null, finishedAt: null, heartbeatAt: new Date() } });

  const state: RunState = {
    runId: run.id,
    resource: run.resource,
    bulkOperationId: run.bulkOperationId,
    linesProcessed: run.linesProcessed,
    objectsImported: run.objectsImported,
    resourcesDone: run.resourcesDone,
    done: new Set(run.resourcesDone.split(",").filter(Boolean)),
    batches: 0,
    indexesDeferred: false,
  };
  let indexesChecked = false;
  const writer = writerSlot(databaseUrlOf(options), () => indexesChecked && !state.indexesDeferred);
  try {
    // An archive holding only this shop (a first install, or this import resumed) loads without
    // its secondary indexes and builds them once at the end; else they are kept (and repaired).
    state.indexesDeferred = await (await writer.get()).deferIndexes(shop);
    indexesChecked = true;
    let phaseStarted = performance.now();
    const phaseEnded = (phase: ImportPhase) => {
      const now = performance.now();
      options.onPhase?.(phase, (now - phaseStarted) / 1000);
      phaseStarted = now;
    };
    for (const { resource, query } of IMPORT_RESOURCES) {
      if (state.done.has(resource)) continue;
      await importResource(options, writer, state, resource, query);
      phaseEnded(resource);
      state.done.add(resource);
      state.resource = null;
      state.bulkOperationId = null;
      state.linesProcessed = 0;
      await db.syncRun.update({
        where: { id: run.id },
        data: { resourcesDone: [...state.done].join(","), resource: null, bulkOperationId: null, linesProcessed: 0, objectsImported: state.objectsImported, heartbeatAt: new Date() },
      });
    }
    // The customers' order dates first, while the secondary indexes are still dropped: updating
    // 100,000 customers under their eleven indexes (four of them trigram GIN) took 10 s on PostgreSQL.
    await refreshOrderDates(db, { shop });
    phaseEnded("orderDates");
    // Before "completed": a run killed while building them is resumed, and builds them again.
    await (await writer.get()).restoreIndexes();
    phaseEnded("indexes");
    await analyzeArchive(db);
    phaseEnded("analyze");
    const finishedAt = new Date();
    await db.syncRun.update({ where: { id: run.id }, data: { status: "completed", finishedAt, heartbeatAt: finishedAt } });
    await db.shop.updateMany({ where: { shop }, data: { lastSyncedAt: finishedAt } });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db.syncRun.update({ where: { id: run.id }, data: { status: "failed", error: message, finishedAt: new Date() } }).catch(() => undefined);
    throw error;
  } finally {
    // Success or failure, the indexes are back before the writer lets go: only a killed process
    // leaves them dropped, and the next import (its resume, or any shop's) rebuilds them.
    await writer
      .get()
      .then((open) => open.restoreIndexes())
      .finally(() => writer.release());
  }
  return run.id;
}
