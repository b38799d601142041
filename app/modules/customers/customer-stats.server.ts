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
    await refreshShopOrderDates(db, shop);
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
 * The whole shop in two set-based statements (after an import): the dates of every customer with
 * orders from one grouped pass over the orders, then the customers whose orders are all gone. The
 * per-customer subqueries above, run for 100,000 customers, took 15 s on PostgreSQL.
 */
async function refreshShopOrderDates(db: Db, shop: string): Promise<void> {
  const provider = providerOf(db);
  const [first, second] = placeholders(provider, 2);
  const differs = (column: string, value: string) => (provider === "sqlite" ? `"Customer"."${column}" IS NOT ${value}` : `"Customer"."${column}" IS DISTINCT FROM ${value}`);
  await db.$executeRawUnsafe(
    `UPDATE "Customer" SET "firstOrderAt" = o."first", "lastOrderAt" = o."last" ` +
      `FROM (SELECT "customerId", MIN("processedAt") AS "first", MAX("processedAt") AS "last" FROM "Order" WHERE "shop" = ${first} AND "customerId" IS NOT NULL AND "test" = FALSE AND "deletedAt" IS NULL GROUP BY "customerId") AS o ` +
      `WHERE "Customer"."shop" = ${second} AND "Customer"."shopifyId" = o."customerId" AND (${differs("firstOrderAt", `o."first"`)} OR ${differs("lastOrderAt", `o."last"`)})`,
    shop,
    shop,
  );
  // NOT IN over the shop's live orders (a hashed set on both databases); a correlated NOT EXISTS
  // was planned as a loop over every order for every customer on PostgreSQL right after a load.
  await db.$executeRawUnsafe(
    `UPDATE "Customer" SET "firstOrderAt" = NULL, "lastOrderAt" = NULL WHERE "shop" = ${first} AND "firstOrderAt" IS NOT NULL ` +
      `AND "shopifyId" NOT IN (SELECT "customerId" FROM "Order" WHERE "shop" = ${second} AND "customerId" IS NOT NULL AND "test" = FALSE AND "deletedAt" IS NULL)`,
    shop,
    shop,
  );
}

/**
 * Refreshes the planner's statistics of the archive after a bulk load. SQLite keeps none until
 * ANALYZE runs, and without them picks poor plans for the customers index (decision 009);
 * PostgreSQL's autovacuum would get there, later. analysis_limit keeps SQLite's pass over the
 * large tables (orders and their lines) to a sample; Customer, whose indexes the customers index
 * chooses among, is read whole: a sample of 1,000 index entries reported ~1,000 rows for every
 * value (a tier of 57,853), and SQLite sorted a tier's 57,853 rows for a page it could walk.
 */
export async function analyzeArchive(db: Db): Promise<void> {
  if (providerOf(db) === "sqlite") {
    await db.$queryRawUnsafe("PRAGMA analysis_limit = 1000");
    await db.$executeRawUnsafe("ANALYZE");
    await db.$queryRawUnsafe("PRAGMA analysis_limit = 0");
    await db.$executeRawUnsafe('ANALYZE "Customer"');
  } else {
    await db.$executeRawUnsafe('ANALYZE "Customer", "Order", "OrderLine", "Product", "ProductVariant", "Refund", "RefundLine"');
  }
}
