// The two schemas and the migrations describe one model: the derived PostgreSQL schema is current,
// no model change is waiting for a migration, and the migrated database has exactly the client's columns.
import Database from "better-sqlite3";
import { describe, expect, test } from "vitest";

import { Prisma } from "~/db.server";

import { schemasInSync } from "../../scripts/db-schemas";
import { pendingMigrationSql } from "../../scripts/db-migration";
import { getTestDatabase, POSTGRES_RAW_TABLES, SQLITE_TABLES } from "../support/db";
import { MIGRATIONS_TABLE } from "../../scripts/setup-db";

describe("schema drift", () => {
  test("prisma/postgres/schema.prisma is derived from the current prisma/schema.prisma", () => {
    expect(schemasInSync(), "run `npm run db:schemas`").toBe(true);
  });

  test.each(["sqlite", "postgres"] as const)("the last %s migration matches the schema (no migration missing)", (provider) => {
    expect(pendingMigrationSql(provider), "run `npm run db:migration -- <name>`").toBe("");
  });

  test("the migrated database has exactly the tables and columns the client expects", async () => {
    const { prisma, provider, url } = await getTestDatabase();
    const expected = Object.fromEntries(
      Object.values(Prisma.ModelName).map((model) => [model, Object.values((Prisma as unknown as Record<string, Record<string, string>>)[`${model}ScalarFieldEnum`]!).sort()]),
    );

    let actual: Record<string, string[]>;
    if (provider === "sqlite") {
      const db = new Database(url.replace(/^file:/, ""), { readonly: true });
      // table_xinfo: table_info leaves generated columns out (hidden 2 and 3; 1 is a virtual table's hidden column).
      const tables = (db.prepare(SQLITE_TABLES).all(MIGRATIONS_TABLE) as { name: string }[]).map((row) => row.name);
      actual = Object.fromEntries(tables.map((table) => [table, (db.pragma(`table_xinfo("${table}")`) as { name: string; hidden: number }[]).filter((column) => column.hidden !== 1).map((column) => column.name).sort()]));
      db.close();
    } else {
      const schema = new URL(url).searchParams.get("schema");
      // Less the tables only raw SQL knows, as SQLite's search index above: the customers search's narrow copy (migration 0014).
      const rows = await prisma.$queryRawUnsafe<{ table_name: string; column_name: string }[]>(
        `SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name NOT IN ('_app_migrations', ${POSTGRES_RAW_TABLES.map((table) => `'${table}'`).join(", ")})`,
        schema,
      );
      actual = {};
      for (const row of rows) (actual[row.table_name] ??= []).push(row.column_name);
      for (const columns of Object.values(actual)) columns.sort();
    }
    expect(actual).toEqual(expected);
  });
});
