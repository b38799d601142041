// SQLite's customer search index (migration 0013, decision 009): what the privacy requests do to it.
import { Prisma, type PrismaClient } from "../../db.server";
import { providerOf } from "../db/provider.server";

/**
 * Leaves nothing of a removed or changed customer's text in the search index. A changed or deleted
 * row's trigrams stay in the index's older segments until a merge; "optimize" merges them all into
 * one, which drops them (~0.25 s at 100,000 customers, so only after a redaction). FTS5's
 * secure-delete would drop them at every write instead: tried, it cost 0.66 ms per changed name
 * (10,000 updates 0.4 -> 6.6 s) and 20 s to delete a shop of 100,000. PostgreSQL: nothing to do
 * (its index is of the row itself).
 */
export async function purgeSearchIndex(db: PrismaClient | Prisma.TransactionClient): Promise<void> {
  if (providerOf(db) === "sqlite") await db.$executeRaw`INSERT INTO "CustomerSearch"("CustomerSearch") VALUES ('optimize')`;
}

/** The triggers that keep the search index (migration 0013); an import drops them while it defers the index. */
const SEARCH_TRIGGERS = ["Customer_search_insert", "Customer_search_update", "Customer_search_delete"];

/**
 * SQLite: whether the search index is complete. An import that defers the secondary indexes drops
 * its triggers and empties it, and refills it with them at the end (archive-sql.ts, both in one
 * transaction): meanwhile a search must read the customers' rows (LIKE) instead, or it would find
 * nobody for the import's duration.
 */
export async function searchIndexLive(db: PrismaClient): Promise<boolean> {
  const [row] = await db.$queryRaw<Array<{ n: bigint | number }>>`SELECT COUNT(*) AS "n" FROM sqlite_master WHERE type = 'trigger' AND name IN (${Prisma.join(SEARCH_TRIGGERS)})`;
  return Number(row?.n ?? 0) === SEARCH_TRIGGERS.length;
}
