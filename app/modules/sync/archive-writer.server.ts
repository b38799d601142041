// Writes Shopify records into the archive: upsert by (shop, shopifyId), newer wins. Webhook
// handlers and reconciliation call writeArchiveRows with a few rows through their Prisma client;
// the initial import writes millions through the driver (bulk-writer.server.ts) with the same SQL.
import type { Prisma, PrismaClient } from "../../db.server";
import { refreshOrderDates } from "../customers/customer-stats.server";
import { providerOf } from "../db/provider.server";
import { markDirty } from "../loyalty/evaluate.server";
import { markInsightsDirty } from "../segments/insights.server";
import { encodeValue, groupRows, insertColumns, valuesUpsertSql, type SqlProvider, type SqlValue, type TableSpec } from "./archive-sql";
import type { BulkRow } from "./bulk-rows";

type Db = PrismaClient | Prisma.TransactionClient;

// Bind-parameter limits: SQLite 32766 (3.32+), PostgreSQL 65535; rows per statement stay well under.
const MAX_PARAMS = { sqlite: 32_000, postgresql: 60_000 } as const;
const MAX_ROWS_PER_STATEMENT = 500;


/** The encoded values of `rows`, row after row, in insertColumns order. */
export function encodeRows(spec: TableSpec, rows: readonly Record<string, unknown>[], provider: SqlProvider, now: Date, bigintAsText: boolean): SqlValue[] {
  const stamp = encodeValue(now, "date", provider, bigintAsText);
  const stamps = spec.timestamps === "both" ? 2 : spec.timestamps === "created" ? 1 : 0;
  const values: SqlValue[] = [];
  for (const row of rows) {
    for (const [name, kind] of spec.columns) values.push(encodeValue(row[name], kind, provider, bigintAsText));
    for (let s = 0; s < stamps; s++) values.push(stamp);
  }
  return values;
}

/**
 * Upserts customers, products, variants, orders, order lines, refunds and refund lines.
 * - A stored row with a later shopifyUpdatedAt is kept (older payloads never overwrite newer data).
 * - A stored row that is soft-deleted (deletedAt) or redacted is never updated, so never resurrected.
 * - Rows without shopifyUpdatedAt (variants, lines, refunds) upsert unconditionally.
 * All statements run in one transaction (unless `db` is already a transaction client).
 */
export async function writeArchiveRows(db: Db, rows: BulkRow[]): Promise<void> {
  if (rows.length === 0) return;
  const provider = providerOf(db);
  const now = new Date();
  const statements: Array<{ sql: string; values: SqlValue[] }> = [];
  for (const { spec, rows: tableRows } of groupRows(rows)) {
    const columnCount = insertColumns(spec).length;
    const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMS[provider] / columnCount)));
    for (let start = 0; start < tableRows.length; start += perStatement) {
      const chunk = tableRows.slice(start, start + perStatement);
      statements.push({ sql: valuesUpsertSql(spec, provider, chunk.length), values: encodeRows(spec, chunk, provider, now, true) });
    }
  }
  // Orders change their customers' first/last order dates (derived columns, decision 009): the
  // customer an order names now, and the one it named before (an order moved to another customer).
  const customersByShop = new Map<string, string[]>();
  const addCustomer = (shop: string, customerId: string | null) => {
    if (customerId) customersByShop.set(shop, [...(customersByShop.get(shop) ?? []), customerId]);
  };
  const orders = rows.flatMap((entry) => (entry.table === "order" ? [entry.row] : []));
  for (const order of orders) addCustomer(order.shop, order.customerId);
  if (orders.length > 0) {
    const before = await db.order.findMany({
      where: { OR: orders.map((order) => ({ shop: order.shop, shopifyId: order.shopifyId })), customerId: { not: null } },
      select: { shop: true, customerId: true },
    });
    for (const order of before) addCustomer(order.shop, order.customerId);
  }
  // Loyalty (decision 010): the customers of changed orders and refunds are evaluated again, and
  // a changed customer may earn its sign-up bonus.
  const members = new Map<string, Set<string>>();
  const addMember = (shop: string, customerId: string | null) => {
    if (customerId) members.set(shop, (members.get(shop) ?? new Set()).add(customerId));
  };
  for (const [shop, customerIds] of customersByShop) for (const customerId of customerIds) addMember(shop, customerId);
  for (const entry of rows) if (entry.table === "customer") addMember(entry.row.shop, entry.row.shopifyId);
  const refunds = rows.flatMap((entry) => (entry.table === "refund" ? [entry.row] : []));
  if (refunds.length > 0) {
    const refunded = await db.order.findMany({ where: { OR: refunds.map((refund) => ({ shop: refund.shop, shopifyId: refund.orderId })), customerId: { not: null } }, select: { shop: true, customerId: true } });
    for (const order of refunded) addMember(order.shop, order.customerId);
  }
  const refresh = async (client: Db) => {
    for (const [shop, customerIds] of customersByShop) await refreshOrderDates(client, { shop, customerIds });
    for (const [shop, customerIds] of members) {
      await markDirty(client, shop, [...customerIds]);
      await markInsightsDirty(client, shop, [...customerIds]);
    }
  };
  if ("$transaction" in db && (statements.length > 1 || members.size > 0)) {
    await db.$transaction(async (tx) => {
      for (const { sql, values } of statements) await tx.$executeRawUnsafe(sql, ...values);
      await refresh(tx);
    });
    return;
  }
  for (const { sql, values } of statements) await db.$executeRawUnsafe(sql, ...values);
  await refresh(db);
}
