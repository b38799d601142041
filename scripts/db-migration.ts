// `npm run db:migration -- <name>`: creates the next migration for both databases from the change
// to prisma/schema.prisma since the last migration, offline (decision 002). Each migration directory
// keeps a snapshot of the datamodel it leads to (schema.prisma); the next migration is the Prisma
// diff from that snapshot to the current schema, so no database or shadow database is needed.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { derivePostgresSchema, generateClients, POSTGRES_SCHEMA, runPrisma, SQLITE_SCHEMA } from "./db-schemas";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PROVIDERS = ["sqlite", "postgres"] as const;
export type MigrationProvider = (typeof PROVIDERS)[number];

export const migrationsDir = (provider: MigrationProvider) => path.join(root, "prisma/migrations", provider);
export const SNAPSHOT = "schema.prisma";
const EMPTY = "-- This is an empty migration.";

/** Migration directory names (NNNN_name) in the order they apply. */
export function listMigrations(provider: MigrationProvider): string[] {
  const dir = migrationsDir(provider);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d{4}_[a-z0-9_]+$/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

/** SQL that takes the last migration's datamodel to `schemaFile`'s; "" when nothing changed. */
export function pendingMigrationSql(provider: MigrationProvider, schemaFile = provider === "sqlite" ? SQLITE_SCHEMA : POSTGRES_SCHEMA): string {
  const last = listMigrations(provider).at(-1);
  const from = last ? ["--from-schema-datamodel", path.join(migrationsDir(provider), last, SNAPSHOT)] : ["--from-empty"];
  // An in-memory SQLite adapter is enough for a datamodel-to-datamodel diff of either provider;
  // the PostgreSQL adapter would insist on connecting and add a `CREATE SCHEMA "public"`.
  const sql = runPrisma(["migrate", "diff", ...from, "--to-schema-datamodel", schemaFile, "--script"], { DATABASE_URL: "file::memory:" });
  return sql.trim() === EMPTY ? "" : sql;
}

export function createMigration(rawName: string): string[] {
  const name = rawName.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");
  if (!name) throw new Error("usage: npm run db:migration -- <name>   (e.g. add_customer_notes)");

  // The postgres schema is always derived first so the two migrations describe the same change.
  const sqliteSchema = readFileSync(SQLITE_SCHEMA, "utf8");
  mkdirSync(path.dirname(POSTGRES_SCHEMA), { recursive: true });
  writeFileSync(POSTGRES_SCHEMA, derivePostgresSchema(sqliteSchema));

  const counts = PROVIDERS.map((provider) => listMigrations(provider).length);
  if (counts[0] !== counts[1]) throw new Error(`prisma/migrations/sqlite has ${counts[0]} migrations but postgres has ${counts[1]}; they must move together`);
  const sql = Object.fromEntries(PROVIDERS.map((provider) => [provider, pendingMigrationSql(provider)])) as Record<MigrationProvider, string>;
  if (!sql.sqlite && !sql.postgres) {
    console.log("prisma/schema.prisma has no changes since the last migration; nothing to create.");
    return [];
  }

  const dirName = `${String(counts[0]! + 1).padStart(4, "0")}_${name}`;
  return PROVIDERS.map((provider) => {
    const dir = path.join(migrationsDir(provider), dirName);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "migration.sql"), sql[provider] || `${EMPTY}\n`);
    writeFileSync(path.join(dir, SNAPSHOT), readFileSync(provider === "sqlite" ? SQLITE_SCHEMA : POSTGRES_SCHEMA, "utf8"));
    const created = path.relative(root, dir);
    console.log(`created ${created}/migration.sql - review it before committing (renames show up as drop + add)`);
    return created;
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    if (createMigration(process.argv.slice(2).join("_")).length > 0) generateClients();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
