// Which database a Prisma client talks to, for the few statements written as raw SQL.
import type { Prisma, PrismaClient } from "../../db.server";

export type SqlProvider = "sqlite" | "postgresql";
type Db = PrismaClient | Prisma.TransactionClient;

/** sqlite | postgresql, from the client itself (a transaction client inherits it). */
export function providerOf(db: Db): SqlProvider {
  const active = (db as unknown as { _activeProvider?: string })._activeProvider;
  if (active === "sqlite" || active === "postgresql") return active;
  return /^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? "") ? "postgresql" : "sqlite";
}

/** Bind placeholders for `count` values after `offset` others: `?` on SQLite, `$n` on PostgreSQL. */
export function placeholders(provider: SqlProvider, count: number, offset = 0): string[] {
  return Array.from({ length: count }, (_, index) => (provider === "sqlite" ? "?" : `$${offset + index + 1}`));
}
