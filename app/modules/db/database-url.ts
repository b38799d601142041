// What a DATABASE_URL names - the provider, the SQLite file, the PostgreSQL connection and schema -
// as plain functions with no Prisma behind them: db.server re-exports them, and the import's
// thread (import-thread.ts) loads this module alone.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const DEFAULT_DATABASE_URL = "file:./data/app.db";
export type DbProvider = "sqlite" | "postgresql";

export function dbProvider(url: string): DbProvider {
  return /^postgres(ql)?:\/\//i.test(url) ? "postgresql" : "sqlite";
}

let root: string | undefined;

/** The repository root: the nearest folder with a package.json above this module (app/ or build/server/). */
export function repoRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  root = existsSync(path.join(dir, "package.json")) ? dir : process.cwd();
  return root;
}

/** The file a SQLite URL points at: `file:./data/app.db` is relative to the repository root. */
export function sqliteFilePath(url: string): string {
  const file = url.replace(/^file:/, "").replace(/\?.*$/, "");
  if (file === ":memory:") return file;
  return path.resolve(repoRoot(), file);
}

/** A PostgreSQL URL's connection string (without `schema`) and its schema (`?schema=xyz`, default public). */
export function postgresConnection(url: string): { connectionString: string; schema: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema") || "public";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) throw new Error(`DATABASE_URL: schema "${schema}" must be a plain identifier`);
  parsed.searchParams.delete("schema");
  return { connectionString: parsed.toString(), schema };
}
