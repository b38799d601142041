// Real databases for tests (no mocked Prisma). TEST_DB picks the provider:
// - sqlite (default): each test file gets a fresh file copied from a template migrated once per
//   migration set (Epic Stack style), so a test file never waits for migrations.
// - postgres: each vitest worker gets its own schema `test_w<pool id>` on TEST_POSTGRES_URL, migrated.
// reset() empties every table (not _app_migrations) in one statement/transaction.
import { createHash, randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import Database from "better-sqlite3";
import pg from "pg";

import { createPrismaClient, type PrismaClient } from "~/db.server";

import { applyMigrations, defaultMigrationsDir, MigrationError, MIGRATIONS_TABLE, readMigrations } from "../../scripts/setup-db";

export type TestProvider = "sqlite" | "postgres";

export interface TestDatabase {
  prisma: PrismaClient;
  url: string;
  provider: TestProvider;
  /** Deletes every row of every app table. */
  reset(): Promise<void>;
}

export const testPostgresUrl = () => process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";

export function testProvider(): TestProvider {
  const value = (process.env.TEST_DB ?? "sqlite").toLowerCase();
  if (value === "sqlite") return "sqlite";
  if (value === "postgres" || value === "postgresql") return "postgres";
  throw new Error(`TEST_DB must be "sqlite" or "postgres", not "${value}"`);
}

let available: Promise<boolean> | undefined;

/** Whether TEST_POSTGRES_URL accepts connections (checked once per process). */
export function postgresAvailable(): Promise<boolean> {
  available ??= (async () => {
    const client = new pg.Client({ connectionString: testPostgresUrl(), connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query("select 1");
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return available;
}

/** A postgres URL for `schema` on the test server. */
export function postgresSchemaUrl(schema: string): string {
  const url = new URL(testPostgresUrl());
  url.searchParams.set("schema", schema);
  return url.toString();
}

export async function dropPostgresSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl() });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

const workerId = () => process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? "1";
const scratchDir = () => path.join(os.tmpdir(), "crm-test-db");

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

// Vitest kills its workers rather than letting them exit, so each new database first removes the
// files of worker processes that are gone.
function removeFilesOfDeadWorkers() {
  for (const name of readdirSync(scratchDir())) {
    const pid = /^w[^-]+-(\d+)-/.exec(name)?.[1];
    if (pid && !processAlive(Number(pid))) rmSync(path.join(scratchDir(), name), { force: true });
  }
}

/** A migrated SQLite template for the current migrations, built once and shared by all workers. */
async function sqliteTemplate(): Promise<string> {
  const migrations = readMigrations(defaultMigrationsDir("file:template.db"));
  const hash = createHash("sha256").update(migrations.map((migration) => `${migration.name}:${migration.checksum}`).join("\n")).digest("hex").slice(0, 16);
  const template = path.join(scratchDir(), `template-${hash}.db`);
  if (existsSync(template)) return template;
  mkdirSync(scratchDir(), { recursive: true });
  // Built under a private name and renamed into place, so a parallel worker never copies half a file.
  const building = path.join(scratchDir(), `building-${process.pid}-${randomUUID()}.db`);
  await applyMigrations({ url: `file:${building}` });
  const db = new Database(building);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.pragma("journal_mode = DELETE"); // a single self-contained file; copies switch back to WAL
  db.close();
  renameSync(building, template);
  return template;
}

/** PostgreSQL tables that are no Prisma model: only raw SQL and triggers know them (migration 0014). */
export const POSTGRES_RAW_TABLES = ["CustomerSearch"];

/**
 * SQLite: the database's ordinary tables, the migrations' bookkeeping (bound: MIGRATIONS_TABLE)
 * left out. Not the customer search index (migration 0013): a virtual table and its shadow tables,
 * kept by triggers on Customer.
 */
export const SQLITE_TABLES = `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ?`;

async function sqliteDatabase(): Promise<TestDatabase> {
  const template = await sqliteTemplate();
  const file = path.join(scratchDir(), `w${workerId()}-${process.pid}-${randomUUID()}.db`);
  removeFilesOfDeadWorkers();
  copyFileSync(template, file);
  const setup = new Database(file);
  setup.pragma("journal_mode = WAL");
  const tables = (setup.prepare(SQLITE_TABLES).all(MIGRATIONS_TABLE) as { name: string }[]).map(
    (row) => row.name,
  );
  setup.close();
  const url = `file:${file}`;
  const prisma = createPrismaClient(url);
  return {
    prisma,
    url,
    provider: "sqlite",
    async reset() {
      await prisma.$transaction(tables.map((table) => prisma.$executeRawUnsafe(`DELETE FROM "${table}"`)));
    },
  };
}

async function postgresDatabase(schema = `test_w${workerId()}`): Promise<TestDatabase> {
  if (!(await postgresAvailable())) throw new Error(`TEST_DB=postgres but no PostgreSQL answers at ${testPostgresUrl()}`);
  const url = postgresSchemaUrl(schema);
  try {
    await applyMigrations({ url });
  } catch (error) {
    // A test schema left behind by other migrations (e.g. a migration edited before commit): start over.
    if (!(error instanceof MigrationError)) throw error;
    await dropPostgresSchema(schema);
    await applyMigrations({ url });
  }
  const prisma = createPrismaClient(url);
  const rows = await prisma.$queryRawUnsafe<{ tablename: string }[]>(`SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> $2`, schema, MIGRATIONS_TABLE);
  const truncate = `TRUNCATE TABLE ${rows.map((row) => `"${schema}"."${row.tablename}"`).join(", ")} RESTART IDENTITY CASCADE`;
  const database: TestDatabase = {
    prisma,
    url,
    provider: "postgres",
    async reset() {
      await prisma.$executeRawUnsafe(truncate);
    },
  };
  await database.reset(); // the worker's schema may hold the previous test file's rows
  return database;
}

let current: Promise<TestDatabase> | undefined;

/** This test file's database for TEST_DB (one per file on SQLite, one schema per worker on PostgreSQL). */
export function getTestDatabase(): Promise<TestDatabase> {
  current ??= testProvider() === "postgres" ? postgresDatabase() : sqliteDatabase();
  return current;
}

/** A separate, freshly migrated database (own file / own schema), for tests that need isolation from the worker's. */
export async function createIsolatedTestDatabase(name: string): Promise<TestDatabase> {
  if (testProvider() === "postgres") {
    const schema = `test_w${workerId()}_${name.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}`;
    await dropPostgresSchema(schema);
    return postgresDatabase(schema);
  }
  return sqliteDatabase();
}
