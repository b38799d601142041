// Customer columns derived from the archived orders (first and last order), refreshed whenever a
// customer's orders change: by the archive writer for webhooks and reconciliation, and for the whole
// shop when an import ends (decision 009). Test orders and deleted orders do not count.
import type { Prisma, PrismaClient } from "../../db.server";
import { placeholders, providerOf } from "../db/provider.server";

type Db = PrismaClient | Prisma.TransactionClient;

const orderDate = (aggregate: "MIN" | "MAX") =>
  `(SELECT ${aggregate}(o."processedAt") FROM "Order" o WHERE o."shop" = "Customer"."shop" AND o."customerId" = "Customer"."shopifyId" AND o."test" = FALSE AND o."deletedAt" IS NULL)`;
const SET_DATES = `UPDATE "Customer" SET "firstOrderAt" = ${orderDate("MIN")}, "lastOrderAt" = ${orderDate("MAX")}`;

// Keeps the IN list far below both databases' bind-parameter limits.
const CHUNK = 500;

/** Recomputes first/last order dates of these customers of `shop`, or of all its customers. */
export async function refreshOrderDates(db: Db, { shop, customerIds }: { shop: string; customerIds?: readonly string[] }): Promise<void> {
  const provider = providerOf(db);
  const [shopParam] = placeholders(provider, 1);
  if (!customerIds) {
    await db.$executeRawUnsafe(`${SET_DATES} WHERE "shop" = ${shopParam}`, shop);
    return;
  }
  const unique = [...new Set(customerIds)];
  for (let start = 0; start < unique.length; start += CHUNK) {
    const ids = unique.slice(start, start + CHUNK);
    const idParams = placeholders(provider, ids.length, 1).join(", ");
    await db.$executeRawUnsafe(`${SET_DATES} WHERE "shop" = ${shopParam} AND "shopifyId" IN (${idParams})`, shop, ...ids);
  }
}

/**
 * Refreshes the planner's statistics of the archive after a bulk load. SQLite keeps none until
 * ANALYZE runs, and without them picks poor plans for the customers index (decision 009);
 * PostgreSQL's autovacuum would get there, later. analysis_limit keeps SQLite's pass to a sample.
 */
export async function analyzeArchive(db: Db): Promise<void> {
  if (providerOf(db) === "sqlite") {
    await db.$queryRawUnsafe("PRAGMA analysis_limit = 1000");
    await db.$executeRawUnsafe("ANALYZE");
  } else {
    await db.$executeRawUnsafe('ANALYZE "Customer", "Order", "OrderLine", "Product", "ProductVariant", "Refund", "RefundLine"');
  }
}
