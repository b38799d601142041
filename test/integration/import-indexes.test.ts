// The import loads an archive that holds no other shop without its secondary indexes and builds
// them afterwards. GIVEN an empty or a shared archive, WHEN an import starts, ends, fails or is
// killed, THEN every index the migrations define is there again - never lost, never invented.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import type { Emulator } from "../../dev/emulator/index";
import type { AdminGraphql } from "~/modules/shopify/admin-graphql.server";
import { archiveIndexes, searchIndexSql } from "~/modules/sync/archive-sql";
import { openBulkWriter } from "~/modules/sync/bulk-writer.server";
import { runInitialImport } from "~/modules/sync/initial-import.server";
import { listCustomers } from "~/modules/customers/customer-index.server";
import { searchIndexLive } from "~/modules/customers/customer-search.server";
import { getTestDatabase } from "../support/db";
import { emulatorAdmin, startEmulatedShops } from "../support/emulated-shop";

const SHOP = "index-shop.myshopify.com";
const OTHER = "index-other.myshopify.com";
const IMPORT_TABLES = ["Customer", "Product", "ProductVariant", "Order", "OrderLine", "Refund"];
const { prisma, reset, url, provider } = await getTestDatabase();
let emulator: Emulator;
let admin: AdminGraphql;

/** The secondary indexes of the import's tables as the database has them: name and definition. */
async function secondaryIndexes(): Promise<string[]> {
  const tables = IMPORT_TABLES.map((table) => `'${table}'`).join(", ");
  const rows =
    provider === "sqlite"
      ? await prisma.$queryRawUnsafe<{ name: string; definition: string }[]>(
          `SELECT m.name AS name, m.tbl_name || '(' || (SELECT group_concat(i.name, ',') FROM pragma_index_info(m.name) i) || ')' AS definition
           FROM sqlite_master m WHERE m.type = 'index' AND m.sql IS NOT NULL AND m.sql NOT LIKE 'CREATE UNIQUE%' AND m.tbl_name IN (${tables})`,
        )
      : await prisma.$queryRawUnsafe<{ name: string; definition: string }[]>(
          `SELECT indexname::text AS name, indexdef AS definition FROM pg_indexes
           WHERE schemaname = current_schema() AND tablename IN (${tables}) AND indexdef NOT LIKE 'CREATE UNIQUE%'`,
        );
  // SQLite's customer search index (migration 0013) is deferred with them: its triggers stand for it.
  const triggers = provider === "sqlite" ? await prisma.$queryRawUnsafe<{ name: string; definition: string }[]>(`SELECT name, sql AS definition FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'Customer\\_search\\_%' ESCAPE '\\'`) : [];
  return [...rows, ...triggers].map((row) => `${row.name}: ${row.definition}`).sort();
}

/**
 * SQLite: whether the search index finds exactly what LIKE finds among live customers, for every
 * customer's email and name - none missing, none twice, none left over from before the import.
 */
async function searchIndexAgrees() {
  if (provider !== "sqlite") return;
  const customers = await prisma.customer.findMany({ where: { shop: SHOP }, select: { email: true, displayName: true } });
  const terms = [...new Set(customers.flatMap((customer) => [customer.email, customer.displayName]).filter((text): text is string => !!text && text.length >= 3).map((text) => text.toLowerCase()))];
  expect(terms.length).toBeGreaterThan(10);
  for (const term of terms) {
    const phrase = `"${term.replaceAll('"', '""')}"`;
    const [indexed] = await prisma.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT COUNT(*) AS n FROM "CustomerSearch" WHERE "CustomerSearch" MATCH ?`, phrase);
    const [scanned] = await prisma.$queryRawUnsafe<Array<{ n: bigint }>>(`SELECT COUNT(*) AS n FROM "Customer" WHERE "deletedAt" IS NULL AND ("displayName" LIKE ? OR "email" LIKE ? OR "phone" LIKE ? OR "tags" LIKE ?)`, ...Array<string>(4).fill(`%${term}%`));
    expect(Number(indexed!.n), term).toBe(Number(scanned!.n));
  }
}

let migrated: string[];

beforeAll(async () => {
  await reset();
  migrated = await secondaryIndexes();
  emulator = await startEmulatedShops([{ domain: SHOP, customers: 30, orders: 60, products: 8, seed: 3 }]);
  admin = emulatorAdmin(emulator, SHOP);
});

beforeEach(async () => {
  // Whatever a test did, the next starts from the migrated schema and an empty archive.
  const writer = await openBulkWriter(url);
  await writer.restoreIndexes();
  await writer.close();
  await reset();
  await prisma.shop.create({ data: { shop: SHOP, name: "Index Shop", currencyCode: "USD", installedAt: new Date() } });
});

afterAll(async () => {
  await emulator?.close();
});

const importShop = (extra: { onBatchCommitted?: () => void } = {}) =>
  runInitialImport({ shop: SHOP, admin, db: prisma, databaseUrl: url, currencyCode: "USD", pollIntervalMs: 10, batchSize: 50, ...extra });

const otherShopCustomer = () =>
  prisma.customer.create({
    data: { shop: OTHER, shopifyId: "gid://shopify/Customer/1", currencyCode: "USD", amountSpentMinor: 0n, shopifyCreatedAt: new Date(), shopifyUpdatedAt: new Date() },
  });

describe("archiveIndexes: the migrations' secondary indexes, in migration order", () => {
  test("keeps non-unique indexes of the given tables; later DROP INDEX / DROP TABLE remove them", () => {
    const migrations = [
      `CREATE INDEX "Order_a_idx" ON "Order"("shop", "a");\nCREATE UNIQUE INDEX "Order_key" ON "Order"("shop", "b");\nCREATE INDEX "Job_idx" ON "Job"("x");\n-- CREATE INDEX "Order_comment_idx" ON "Order"("c");`,
      `CREATE INDEX "Order_b_idx" ON "Order"("shop", "b");\nDROP INDEX "Order_a_idx";\nCREATE INDEX "Refund_idx" ON "Refund"("shop");\nDROP TABLE "Refund";`,
    ];
    expect(archiveIndexes(migrations, ["Order", "Refund"])).toEqual([
      { name: "Order_b_idx", table: "Order", createSql: 'CREATE INDEX IF NOT EXISTS "Order_b_idx" ON "Order"("shop", "b")' },
    ]);
  });

  test("recognises an index with an access method (PostgreSQL's trigram indexes for search)", () => {
    const migrations = [`CREATE INDEX "Order_name_trgm_idx" ON "Order" USING gin ("name" public.gin_trgm_ops);`];
    expect(archiveIndexes(migrations, ["Order"])).toEqual([
      { name: "Order_name_trgm_idx", table: "Order", createSql: 'CREATE INDEX IF NOT EXISTS "Order_name_trgm_idx" ON "Order" USING gin ("name" public.gin_trgm_ops)' },
    ]);
  });

  test("keeps a partial index's condition, with or without parentheses (PostgreSQL's indexes of live customers, migration 0012)", () => {
    const migrations = [`CREATE INDEX "Order_live_idx" ON "Order"("shop", "a") WHERE ("deletedAt" IS NULL);\nCREATE INDEX "Order_open_idx" ON "Order"("shop") WHERE "closedAt" IS NULL;`];
    expect(archiveIndexes(migrations, ["Order"])).toEqual([
      { name: "Order_live_idx", table: "Order", createSql: 'CREATE INDEX IF NOT EXISTS "Order_live_idx" ON "Order"("shop", "a") WHERE ("deletedAt" IS NULL)' },
      { name: "Order_open_idx", table: "Order", createSql: 'CREATE INDEX IF NOT EXISTS "Order_open_idx" ON "Order"("shop") WHERE "closedAt" IS NULL' },
    ]);
  });
});

describe("searchIndexSql: SQLite's customer search index, deferred with the indexes", () => {
  const fill = `INSERT INTO "CustomerSearch"(rowid, "text") SELECT rowid, lower("email") FROM "Customer" WHERE "deletedAt" IS NULL`;
  const trigger = (name: string, body: string) => `CREATE TRIGGER "${name}" AFTER INSERT ON "Customer" BEGIN\n  ${body};\nEND;`;
  test("drops the triggers and empties the index; restores by refilling it and recreating the triggers only when one is missing", () => {
    const migrations = [
      `-- CREATE TRIGGER "Customer_search_commented" ...\nCREATE VIRTUAL TABLE "CustomerSearch" USING fts5("text");\n${fill};\n${trigger("Customer_search_insert", `INSERT INTO "CustomerSearch"(rowid, "text") SELECT NEW.rowid, lower(NEW."email") WHERE NEW."deletedAt" IS NULL`)}\n${trigger("Customer_search_old", "SELECT 1")}\n${trigger("LoyaltyMember_tier_copy_insert", "SELECT 2")}`,
      `DROP TRIGGER "Customer_search_old";`,
    ];
    const sql = searchIndexSql(migrations)!;
    expect(sql.drop).toEqual(['DROP TRIGGER IF EXISTS "Customer_search_insert"', 'DELETE FROM "CustomerSearch"']);
    const missing = `(SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ('Customer_search_insert')) < 1`;
    expect(sql.restore).toEqual([
      "SAVEPOINT customer_search",
      `DELETE FROM "CustomerSearch" WHERE ${missing}`,
      `INSERT INTO "CustomerSearch"(rowid, "text") SELECT * FROM (SELECT rowid, lower("email") FROM "Customer" WHERE "deletedAt" IS NULL) WHERE ${missing}`,
      `CREATE TRIGGER IF NOT EXISTS "Customer_search_insert" AFTER INSERT ON "Customer" BEGIN\n  INSERT INTO "CustomerSearch"(rowid, "text") SELECT NEW.rowid, lower(NEW."email") WHERE NEW."deletedAt" IS NULL;\nEND;`,
      "RELEASE customer_search",
    ]);
  });

  test("none without the index (PostgreSQL's migrations)", () => {
    expect(searchIndexSql([`CREATE INDEX "Order_a_idx" ON "Order"("shop", "a");`])).toBeNull();
  });
});

describe("secondary indexes around the import", () => {
  test("the migrated schema has secondary indexes on the import's tables", () => {
    expect(migrated.length).toBeGreaterThanOrEqual(10);
  });

  test("GIVEN an archive holding no other shop, WHEN the import starts, THEN it drops exactly the migrations' secondary indexes, and restores the same ones", async () => {
    const writer = await openBulkWriter(url);
    try {
      expect(await writer.deferIndexes(SHOP)).toBe(true);
      expect(await secondaryIndexes()).toEqual([]);
      await writer.restoreIndexes();
      expect(await secondaryIndexes()).toEqual(migrated);
    } finally {
      await writer.close();
    }
  });

  test("GIVEN another shop's rows, WHEN the import starts, THEN the indexes stay", async () => {
    await otherShopCustomer();
    const writer = await openBulkWriter(url);
    try {
      expect(await writer.deferIndexes(SHOP)).toBe(false);
      expect(await secondaryIndexes()).toEqual(migrated);
    } finally {
      await writer.close();
    }
  });

  test("WHEN an import completes, THEN every index is back and the data is there", async () => {
    await importShop();
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(emulator.store(SHOP).orderCount);
    expect(await secondaryIndexes()).toEqual(migrated);
    await searchIndexAgrees();
    // Restoring again (a later import's end) leaves the index whole (the unit test above: it refills nothing).
    const writer = await openBulkWriter(url);
    await writer.restoreIndexes();
    await writer.close();
    await searchIndexAgrees();
  });

  test("GIVEN an import that has deferred the indexes, WHEN staff search the customers, THEN they find the same customers as with the indexes", async () => {
    await importShop();
    const customers = await prisma.customer.findMany({ where: { shop: SHOP }, select: { email: true, displayName: true, tags: true } });
    const tag = customers.flatMap((customer) => customer.tags.split(", ")).find(Boolean);
    const queries = [
      ...customers.slice(0, 6).flatMap((customer) => [customer.email?.slice(0, 5), customer.displayName?.slice(1, 4), customer.displayName?.slice(0, 1)]).filter((q): q is string => !!q).map((q) => ({ q })),
      ...(tag ? [{ tag }, { q: tag.slice(0, 3).toUpperCase() }] : []),
    ];
    expect(queries.length).toBeGreaterThan(10);
    const found = async () => {
      const pages = [];
      for (const query of queries) {
        const page = await listCustomers({ shop: SHOP, query, currencyCode: "USD", take: 500, db: prisma });
        pages.push({ query, total: page.total, ids: page.customers.map((customer) => customer.shopifyId).sort() });
      }
      return pages;
    };
    const indexed = await found();
    expect(indexed.every((page) => page.total > 0 && page.ids.length === page.total)).toBe(true);

    const writer = await openBulkWriter(url);
    try {
      expect(await writer.deferIndexes(SHOP)).toBe(true);
      if (provider === "sqlite") expect(await searchIndexLive(prisma)).toBe(false);
      expect(await found()).toEqual(indexed);
      await writer.restoreIndexes();
      if (provider === "sqlite") expect(await searchIndexLive(prisma)).toBe(true);
      expect(await found()).toEqual(indexed);
    } finally {
      await writer.close();
    }
  });

  test("GIVEN another shop's rows, WHEN an import completes, THEN the search index, kept row by row by its triggers, finds every customer", async () => {
    await otherShopCustomer();
    await importShop();
    expect(await prisma.customer.count({ where: { shop: SHOP } })).toBe(emulator.store(SHOP).customerCount);
    await searchIndexAgrees();
  });

  test("WHEN an import fails half-way, THEN every index is back before it gives up", async () => {
    let batches = 0;
    const stop = () => {
      if (++batches === 3) throw new Error("stopped");
    };
    await expect(importShop({ onBatchCommitted: stop })).rejects.toThrow("stopped");
    expect(await secondaryIndexes()).toEqual(migrated);
  });

  test("GIVEN an import killed while its indexes were dropped, WHEN another shop's import starts, THEN it rebuilds them at once", async () => {
    await prisma.customer.create({
      data: { shop: SHOP, shopifyId: "gid://shopify/Customer/1", currencyCode: "USD", amountSpentMinor: 0n, shopifyCreatedAt: new Date(), shopifyUpdatedAt: new Date() },
    });
    const killed = await openBulkWriter(url);
    expect(await killed.deferIndexes(SHOP)).toBe(true);
    await killed.close(); // the process died: no restoreIndexes
    expect(await secondaryIndexes()).toEqual([]);

    const other = await openBulkWriter(url);
    try {
      expect(await other.deferIndexes(OTHER)).toBe(false);
      expect(await secondaryIndexes()).toEqual(migrated);
    } finally {
      await other.close();
    }
  });

  test("GIVEN an import killed while its indexes were dropped, WHEN it is run again, THEN it completes with every index", async () => {
    const killed = await openBulkWriter(url);
    expect(await killed.deferIndexes(SHOP)).toBe(true);
    await killed.close();

    await importShop();
    expect(await prisma.customer.count({ where: { shop: SHOP } })).toBe(emulator.store(SHOP).customerCount);
    expect(await secondaryIndexes()).toEqual(migrated);
    await searchIndexAgrees();
  });
});
