// Reconciliation: pulls the customers, orders and products Shopify changed since the last sync
// (an updated_at search) and writes those the archive holds an older version of, or none - what
// missed webhooks left stale. Each run is a SyncRun (kind "reconcile") that counts what it repaired.
import { prisma as defaultDb, type PrismaClient } from "../../db.server";
import type { Job, JobQueue } from "../jobs/types";
import { adminGraphql, type AdminGraphql } from "../shopify/admin-graphql.server";
import { writeArchiveRows } from "./archive-writer.server";
import { toBulkRows, type BulkRow } from "./bulk-rows";
import { adminForShop } from "./import-job.server";
import {
  RECONCILE_CUSTOMERS,
  RECONCILE_ORDER_LINES_PAGE,
  RECONCILE_ORDERS,
  RECONCILE_PAGE_SIZES,
  RECONCILE_PRODUCT_VARIANTS_PAGE,
  RECONCILE_PRODUCTS,
} from "./reconcile-documents";

/** Changes this close before the last sync started are fetched again: clocks and commits are not instant. */
export const RECONCILE_OVERLAP_MS = 5 * 60 * 1000;

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- GraphQL nodes, mapped field by field in bulk-rows.ts

interface Connection {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Node[];
}

type Resource = "customers" | "orders" | "products";
type RecordTable = "customer" | "order" | "product";

/** One Shopify record of a page with its rows (an order's lines and refunds, a product's variants). */
interface FetchedRecord {
  table: RecordTable;
  node: Node;
  updatedAt: Date;
}

export interface ReconcileOptions {
  shop: string;
  admin: AdminGraphql;
  db: PrismaClient;
  /** Fetch what changed after this; default: the start of the last completed sync minus RECONCILE_OVERLAP_MS. */
  since?: Date;
}

export interface ReconcileResult {
  runId: string;
  /** Records Shopify reported changed since `since`. */
  checked: number;
  /** Of those, records the archive did not hold or held an older version of (now written). */
  repaired: number;
  since: Date;
}

export class NothingToReconcileError extends Error {
  constructor(shop: string) {
    super(`${shop} has no completed sync to reconcile from: the initial import brings everything`);
    this.name = "NothingToReconcileError";
  }
}

/**
 * Where the next run starts: the last completed sync's start (not its end: a change made while a
 * long import or reconciliation ran may be in neither its data nor a webhook), minus the overlap.
 * Null when the shop has never completed a sync.
 */
export async function reconcileSince({ db, shop, overlapMs = RECONCILE_OVERLAP_MS }: { db: PrismaClient; shop: string; overlapMs?: number }): Promise<Date | null> {
  const last = await db.syncRun.findFirst({
    where: { shop, kind: { in: ["initial", "reconcile"] }, status: "completed" },
    orderBy: { startedAt: "desc" },
    select: { startedAt: true },
  });
  return last ? new Date(last.startedAt.getTime() - overlapMs) : null;
}

/** Shopify search syntax; seconds precision, because that is what updated_at has. */
export function updatedSinceQuery(since: Date): string {
  return `updated_at:>'${since.toISOString().replace(/\.\d{3}Z$/, "Z")}'`;
}

/** Pages of one resource, oldest change first. */
async function* changedRecords(options: ReconcileOptions, resource: Resource, since: Date): AsyncGenerator<FetchedRecord[]> {
  const { shop, admin } = options;
  const query = updatedSinceQuery(since);
  const sizes = RECONCILE_PAGE_SIZES;
  for (let after: string | null = null; ; ) {
    let connection: Connection;
    let table: RecordTable;
    if (resource === "customers") {
      table = "customer";
      connection = (await adminGraphql<{ customers: Connection }>({ shop, admin, allowPartialData: true }, RECONCILE_CUSTOMERS, { query, first: sizes.customers, after })).customers;
    } else if (resource === "orders") {
      table = "order";
      connection = (await adminGraphql<{ orders: Connection }>({ shop, admin, allowPartialData: true }, RECONCILE_ORDERS, { query, first: sizes.orders, after, lines: sizes.orderLines })).orders;
    } else {
      table = "product";
      connection = (await adminGraphql<{ products: Connection }>({ shop, admin }, RECONCILE_PRODUCTS, { query, first: sizes.products, after, variants: sizes.productVariants })).products;
    }
    yield connection.nodes.map((node) => ({ table, node, updatedAt: new Date(node.updatedAt as string) }));
    if (!connection.pageInfo.hasNextPage || !connection.pageInfo.endCursor) return;
    after = connection.pageInfo.endCursor;
  }
}

/** The rest of a nested connection (an order's lines, a product's variants) beyond its first page. */
async function remainingChildren(options: ReconcileOptions, record: FetchedRecord): Promise<Node[]> {
  const { shop, admin } = options;
  const field = record.table === "order" ? "lineItems" : "variants";
  const nested = record.node[field] as Connection | undefined;
  const children: Node[] = [];
  for (let page = nested; page?.pageInfo.hasNextPage && page.pageInfo.endCursor; ) {
    const after: string = page.pageInfo.endCursor;
    if (record.table === "order") {
      const data = await adminGraphql<{ order: { lineItems: Connection } | null }>({ shop, admin }, RECONCILE_ORDER_LINES_PAGE, { id: record.node.id, first: RECONCILE_PAGE_SIZES.orderLinesPage, after });
      page = data.order?.lineItems;
    } else {
      const data = await adminGraphql<{ product: { variants: Connection } | null }>({ shop, admin }, RECONCILE_PRODUCT_VARIANTS_PAGE, { id: record.node.id, first: RECONCILE_PAGE_SIZES.productVariantsPage, after });
      page = data.product?.variants;
    }
    children.push(...(page?.nodes ?? []));
  }
  return children;
}

/** Rows of a record, children included, in the bulk file's shapes (children carry __parentId). */
function rowsOf(shop: string, record: FetchedRecord, extraChildren: Node[], currencyCode: string): BulkRow[] {
  const { node } = record;
  const field = record.table === "order" ? "lineItems" : record.table === "product" ? "variants" : null;
  const rows = toBulkRows(shop, node, currencyCode);
  if (!field) return rows;
  const children = [...((node[field] as Connection | undefined)?.nodes ?? []), ...extraChildren];
  for (const child of children) rows.push(...toBulkRows(shop, { ...child, __parentId: node.id }, currencyCode));
  return rows;
}

interface StoredVersion {
  shopifyId: string;
  shopifyUpdatedAt: Date;
  frozen: boolean;
}

async function storedVersions(db: PrismaClient, shop: string, table: RecordTable, ids: string[]): Promise<Map<string, StoredVersion>> {
  const where = { shop, shopifyId: { in: ids } };
  let rows: StoredVersion[];
  if (table === "customer") {
    const found = await db.customer.findMany({ where, select: { shopifyId: true, shopifyUpdatedAt: true, deletedAt: true, redactedAt: true } });
    rows = found.map((row) => ({ shopifyId: row.shopifyId, shopifyUpdatedAt: row.shopifyUpdatedAt, frozen: row.deletedAt !== null || row.redactedAt !== null }));
  } else if (table === "order") {
    const found = await db.order.findMany({ where, select: { shopifyId: true, shopifyUpdatedAt: true, deletedAt: true } });
    rows = found.map((row) => ({ shopifyId: row.shopifyId, shopifyUpdatedAt: row.shopifyUpdatedAt, frozen: row.deletedAt !== null }));
  } else {
    const found = await db.product.findMany({ where, select: { shopifyId: true, shopifyUpdatedAt: true, deletedAt: true } });
    rows = found.map((row) => ({ shopifyId: row.shopifyId, shopifyUpdatedAt: row.shopifyUpdatedAt, frozen: row.deletedAt !== null }));
  }
  return new Map(rows.map((row) => [row.shopifyId, row]));
}

/**
 * Writes the records of a page that are stale: missing from the archive, or stored with an older
 * updatedAt. Records the archive holds at the same or a newer version (a webhook got there first),
 * or holds deleted or redacted, are left alone, children included. Returns how many it wrote.
 */
async function repairPage(options: ReconcileOptions, records: FetchedRecord[], currencyCode: string): Promise<number> {
  if (records.length === 0) return 0;
  const { db, shop } = options;
  const table = records[0]!.table;
  const ids = records.map((record) => record.node.id as string);
  const stored = await storedVersions(db, shop, table, ids);
  // A deletion applied before the record ever reached the archive (decision 008) keeps it out.
  const missing = ids.filter((id) => !stored.has(id));
  const deleted = missing.length
    ? new Set((await db.appliedVersion.findMany({ where: { shop, subjectId: { in: missing }, aspect: "deleted" }, select: { subjectId: true } })).map((row) => row.subjectId))
    : new Set<string>();
  const stale = records.filter((record) => {
    const version = stored.get(record.node.id as string);
    if (!version) return !deleted.has(record.node.id as string);
    return !version.frozen && version.shopifyUpdatedAt.getTime() < record.updatedAt.getTime();
  });
  const rows: BulkRow[] = [];
  for (const record of stale) rows.push(...rowsOf(shop, record, table === "customer" ? [] : await remainingChildren(options, record), currencyCode));
  // The writer's own newer-wins rule still guards a webhook that lands between the read and the write.
  await writeArchiveRows(db, rows);
  return stale.length;
}

/** Repairs what changed in Shopify since `since` (default: see reconcileSince) and records the run. */
export async function reconcileShop(options: ReconcileOptions): Promise<ReconcileResult> {
  const { shop, db } = options;
  const shopRecord = await db.shop.findUnique({ where: { shop }, select: { currencyCode: true } });
  if (!shopRecord) throw new Error(`reconcile: unknown shop ${shop}`);
  const since = options.since ?? (await reconcileSince({ db, shop }));
  if (!since) throw new NothingToReconcileError(shop);

  const run = await db.syncRun.create({ data: { shop, kind: "reconcile", status: "running", since, heartbeatAt: new Date() } });
  let checked = 0;
  let repaired = 0;
  const done: string[] = [];
  try {
    for (const resource of ["products", "customers", "orders"] as const) {
      await db.syncRun.update({ where: { id: run.id }, data: { resource, heartbeatAt: new Date() } });
      for await (const page of changedRecords(options, resource, since)) {
        repaired += await repairPage(options, page, shopRecord.currencyCode);
        checked += page.length;
        await db.syncRun.update({ where: { id: run.id }, data: { objectsTotal: checked, objectsImported: checked, repaired, heartbeatAt: new Date() } });
      }
      done.push(resource);
      await db.syncRun.update({ where: { id: run.id }, data: { resourcesDone: done.join(","), resource: null } });
    }
    const finishedAt = new Date();
    await db.syncRun.update({ where: { id: run.id }, data: { status: "completed", finishedAt, heartbeatAt: finishedAt, objectsTotal: checked, objectsImported: checked, repaired } });
    await db.shop.updateMany({ where: { shop }, data: { lastSyncedAt: finishedAt } });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db.syncRun.update({ where: { id: run.id }, data: { status: "failed", error: message, finishedAt: new Date(), repaired } }).catch(() => undefined);
    throw error;
  }
  return { runId: run.id, checked, repaired, since };
}

export interface ReconcileJobDeps {
  db?: PrismaClient;
  admin?: AdminGraphql;
}

/**
 * The "sync.reconcile" job. Skips (returns null) a shop that is gone, uninstalled, or has no
 * completed sync yet - its import brings everything. Rerunning is harmless: a run writes only what is stale.
 */
export async function runReconcileJob(job: Pick<Job<"sync.reconcile">, "shop" | "payload">, deps: ReconcileJobDeps = {}): Promise<ReconcileResult | null> {
  const shop = job.shop;
  if (!shop) throw new Error("sync.reconcile needs the job's shop");
  const db = deps.db ?? defaultDb;
  const shopRecord = await db.shop.findUnique({ where: { shop }, select: { uninstalledAt: true } });
  if (!shopRecord || shopRecord.uninstalledAt) return null;
  const since = job.payload.since ? new Date(job.payload.since) : await reconcileSince({ db, shop });
  if (!since || Number.isNaN(since.getTime())) return null;
  return reconcileShop({ shop, db, since, admin: deps.admin ?? (await adminForShop(shop)) });
}

/**
 * Installed shops whose last reconciliation started at least `everyMs` ago (or never ran), among
 * those with a completed sync to start from.
 */
export async function shopsDueForReconciliation({ db, everyMs, now = new Date() }: { db: PrismaClient; everyMs: number; now?: Date }): Promise<string[]> {
  const [installed, synced, reconciled] = await Promise.all([
    db.shop.findMany({ where: { uninstalledAt: null }, select: { shop: true }, orderBy: { shop: "asc" } }),
    db.syncRun.groupBy({ by: ["shop"], where: { kind: { in: ["initial", "reconcile"] }, status: "completed" } }),
    db.syncRun.groupBy({ by: ["shop"], where: { kind: "reconcile" }, _max: { startedAt: true } }),
  ]);
  const hasSynced = new Set(synced.map((row) => row.shop));
  const lastStarted = new Map(reconciled.map((row) => [row.shop, row._max.startedAt]));
  const dueBefore = now.getTime() - everyMs;
  return installed
    .map((row) => row.shop)
    .filter((shop) => {
      if (!hasSynced.has(shop)) return false;
      const last = lastStarted.get(shop);
      return !last || last.getTime() <= dueBefore;
    });
}

/**
 * Queues a reconciliation for every due shop (one queued-or-running job per shop, key
 * `reconcile:<shop>`); returns the shops it queued. Meant to run every minute or so.
 */
export async function scheduleReconciliation({ queue, db, everyMs, now }: { queue: Pick<JobQueue, "enqueue">; db: PrismaClient; everyMs: number; now?: Date }): Promise<string[]> {
  const queued: string[] = [];
  for (const shop of await shopsDueForReconciliation({ db, everyMs, now })) {
    const id = await queue.enqueue("sync.reconcile", {}, { shop, uniqueKey: `reconcile:${shop}`, maxAttempts: 3 });
    if (id) queued.push(shop);
  }
  return queued;
}
