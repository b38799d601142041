// `npm run setup`: brings the database at DATABASE_URL up to date by applying the pending
// migrations of prisma/migrations/<sqlite|postgres> through the driver itself (decision 002):
// in order, each in its own transaction, recorded in _app_migrations with a checksum. An applied
// migration whose file has since changed is refused - write a new migration instead.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import Database from "better-sqlite3";
import pg from "pg";

import { dbProvider, DEFAULT_DATABASE_URL, postgresConnection, repoRoot, sqliteFilePath } from "../app/db.server";

export const MIGRATIONS_TABLE = "_app_migrations";

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface ApplyOptions {
  url: string;
  /** Folder of NNNN_name/migration.sql; defaults to prisma/migrations/<provider>. */
  migrationsDir?: string;
  log?: (message: string) => void;
}

export interface ApplyResult {
  provider: "sqlite" | "postgresql";
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}

// Line endings are normalised so a Windows checkout does not change every checksum.
export const checksumOf = (sql: string) => createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");

export function defaultMigrationsDir(url: string): string {
  return path.join(repoRoot(), "prisma/migrations", dbProvider(url) === "postgresql" ? "postgres" : "sqlite");
}

export function readMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) throw new MigrationError(`No migrations folder at ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: checksumOf(sql) };
    });
}

/** Checks what the database has applied against the files; returns the migrations still to apply. */
function pendingAgainst(migrations: Migration[], applied: Map<string, string>): Migration[] {
  const known = new Map(migrations.map((migration) => [migration.name, migration]));
  for (const [name, checksum] of applied) {
    const migration = known.get(name);
    if (!migration) {
      throw new MigrationError(`The database has migration ${name} applied, which is not in the migrations folder: is this code older than the database?`);
    }
    if (migration.checksum !== checksum) {
      throw new MigrationError(
        `Migration ${name} was changed after it was applied (checksum ${checksum.slice(0, 12)} in the database, ${migration.checksum.slice(0, 12)} on disk). Restore it and add a new migration instead.`,
      );
    }
  }
  return migrations.filter((migration) => !applied.has(migration.name));
}

function applySqlite(file: string, migrations: Migration[], log: (message: string) => void): Omit<ApplyResult, "provider"> {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 15_000 });
  try {
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    const readApplied = () =>
      new Map((db.prepare(`SELECT name, checksum FROM "${MIGRATIONS_TABLE}"`).all() as { name: string; checksum: string }[]).map((row) => [row.name, row.checksum]));
    const alreadyApplied = [...readApplied().keys()];
    const applied: string[] = [];
    for (const migration of pendingAgainst(migrations, readApplied())) {
      // IMMEDIATE takes the write lock first, so a concurrent runner waits and then sees it applied.
      const ran = db
        .transaction(() => {
          if (pendingAgainst(migrations, readApplied()).every((pending) => pending.name !== migration.name)) return false;
          db.exec(migration.sql);
          db.prepare(`INSERT INTO "${MIGRATIONS_TABLE}" (name, checksum, applied_at) VALUES (?, ?, ?)`).run(migration.name, migration.checksum, new Date().toISOString());
          return true;
        })
        .immediate();
      if (ran) {
        applied.push(migration.name);
        log(`applied ${migration.name}`);
      }
    }
    return { applied, alreadyApplied };
  } finally {
    db.close();
  }
}

async function applyPostgres(url: string, migrations: Migration[], log: (message: string) => void): Promise<Omit<ApplyResult, "provider">> {
  const { connectionString, schema } = postgresConnection(url);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    // One runner per schema at a time; the others wait here and then find nothing pending.
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [`app_migrations:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`SET search_path TO "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "${MIGRATIONS_TABLE}"`);
    const appliedBefore = new Map(rows.map((row) => [row.name, row.checksum]));
    const applied: string[] = [];
    for (const migration of pendingAgainst(migrations, appliedBefore)) {
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(`INSERT INTO "${MIGRATIONS_TABLE}" (name, checksum) VALUES ($1, $2)`, [migration.name, migration.checksum]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${error instanceof Error ? error.message : String(error)}`);
      }
      applied.push(migration.name);
      log(`applied ${migration.name}`);
    }
    return { applied, alreadyApplied: [...appliedBefore.keys()] };
  } finally {
    await client.query("SELECT pg_advisory_unlock_all()").catch(() => undefined);
    await client.end();
  }
}

export async function applyMigrations({ url, migrationsDir = defaultMigrationsDir(url), log = () => undefined }: ApplyOptions): Promise<ApplyResult> {
  const migrations = readMigrations(migrationsDir);
  const provider = dbProvider(url);
  const result = provider === "postgresql" ? await applyPostgres(url, migrations, log) : applySqlite(sqliteFilePath(url), migrations, log);
  return { provider, ...result };
}

async function main() {
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  const where = dbProvider(url) === "postgresql" ? url.replace(/\/\/[^@/]*@/, "//***@") : sqliteFilePath(url);
  const result = await applyMigrations({ url, log: (message) => console.log(`[setup] ${message}`) });
  console.log(`[setup] ${result.provider} at ${where}: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`[setup] ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
