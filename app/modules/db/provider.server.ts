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

export type ColumnKind = "text" | "int" | "bigint" | "bool" | "date";

// Parameters per statement: under SQLite's historic limit of 999 (and PostgreSQL's 65,535).
const MAX_PARAMS = 900;

/**
 * Inserts `rows` (values in `columns` order) in multi-row statements; `conflict` is appended as
 * is (`ON CONFLICT (...) DO UPDATE SET ...`). For the few bulk writes Prisma's model API is too
 * slow for (createMany manages a few thousand rows/s; decision 007).
 */
export async function insertMany(db: Db, table: string, columns: ReadonlyArray<readonly [string, ColumnKind]>, rows: ReadonlyArray<readonly unknown[]>, conflict = ""): Promise<void> {
  const provider = providerOf(db);
  const perStatement = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const head = `INSERT INTO "${table}" (${columns.map(([name]) => `"${name}"`).join(", ")}) VALUES `;
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const values: unknown[] = [];
    const tuples = chunk.map((row) => {
      const marks = placeholders(provider, columns.length, values.length);
      columns.forEach(([, kind], index) => values.push(encodeColumn(row[index], kind, provider)));
      return `(${marks.join(", ")})`;
    });
    await db.$executeRawUnsafe(`${head}${tuples.join(", ")} ${conflict}`, ...values);
  }
}

/** A value as Prisma's raw queries bind it for a column of this kind (dates as Prisma stores them). */
export function encodeColumn(value: unknown, kind: ColumnKind, provider: SqlProvider): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case "date":
      return encodeDate(value as Date, provider);
    case "bool":
      return provider === "sqlite" ? (value ? 1 : 0) : Boolean(value);
    case "bigint":
      return (value as bigint).toString();
    default:
      return value;
  }
}

/** How Prisma stores a DateTime: SQLite text `2026-01-02T03:04:05.678+00:00`; PostgreSQL timestamp(3) in UTC. */
export function encodeDate(date: Date, provider: SqlProvider): string {
  const iso = date.toISOString(); // throws on an invalid date: bad data fails loudly
  return provider === "sqlite" ? `${iso.slice(0, -1)}+00:00` : iso;
}
