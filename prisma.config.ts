// Prisma CLI configuration. The CLI runs offline: no native engines are downloaded, the
// WebAssembly schema engine talks to the database through the same driver adapters the app uses
// (decision 002). Run it with PRISMA_SCHEMA_ENGINE_BINARY and PRISMA_QUERY_ENGINE_LIBRARY pointing at
// any existing file (we use the node binary) so it does not try to fetch the native engines.
// PRISMA_SCHEMA selects the postgres schema (prisma/postgres/schema.prisma); DATABASE_URL the database.
import { mkdirSync } from "node:fs";
import path from "node:path";

import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

const url = process.env.DATABASE_URL ?? "file:./data/app.db";
const postgres = /^postgres(ql)?:\/\//.test(url);

function sqliteFile(fileUrl: string): string {
  const file = fileUrl.replace(/^file:/, "");
  if (file === ":memory:") return file; // schema-to-schema diffs need an adapter, not a database
  const resolved = path.resolve(import.meta.dirname, file);
  mkdirSync(path.dirname(resolved), { recursive: true });
  return resolved;
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: process.env.PRISMA_SCHEMA ?? (postgres ? "prisma/postgres/schema.prisma" : "prisma/schema.prisma"),
  migrations: { path: postgres ? "prisma/migrations/postgres" : "prisma/migrations/sqlite" },
  adapter: async () =>
    postgres
      ? new PrismaPg({ connectionString: url })
      : new PrismaBetterSQLite3({ url: sqliteFile(url) }),
});
