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
export type Columns = ReadonlyArray<readonly [string, ColumnKind]>;

// Rows per statement: the whole chunk travels as one JSON parameter. Rows go in in their order, so
// autoincrement ids follow it.
const ROWS_PER_STATEMENT = 20_000;
const PG_TYPE: Record<ColumnKind, string> = { text: "text", int: "integer", bigint: "bigint", bool: "boolean", date: "timestamp(3)" };

/**
 * Inserts `rows` (values in `columns` order); `constants` are columns with one value for every row
 * (bound once); `conflict` is appended as is (`ON CONFLICT (...) DO UPDATE SET ...`). Each chunk of
 * rows is one JSON parameter that the database unpacks itself (SQLite json_each, PostgreSQL
 * json_array_elements): Prisma's raw queries spend microseconds on every bound value, which at a
 * few hundred thousand rows is seconds (decision 010).
 */
export async function insertMany(
  db: Db,
  table: string,
  columns: Columns,
  rows: ReadonlyArray<readonly unknown[]>,
  { conflict = "", constants = [] }: { conflict?: string; constants?: ReadonlyArray<readonly [string, ColumnKind, unknown]> } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const provider = providerOf(db);
  const names = [...columns, ...constants].map(([name]) => `"${name}"`).join(", ");
  // The JSON is the first parameter, the constants follow.
  const constantMarks = constants.map(([, kind], index) => (provider === "sqlite" ? "?" : `$${index + 2}::${PG_TYPE[kind]}`));
  const values =
    provider === "sqlite"
      ? `SELECT ${[...columns.map(([, kind], index) => (kind === "bigint" ? `CAST(value ->> ${index} AS INTEGER)` : `value ->> ${index}`)), ...constantMarks].join(", ")} FROM json_each(?) WHERE true ORDER BY key`
      : `SELECT ${[...columns.map(([, kind], index) => `(r ->> ${index})::${PG_TYPE[kind]}`), ...constantMarks].join(", ")} FROM json_array_elements($1::json) WITH ORDINALITY AS e(r, n) ORDER BY n`;
  const sql = `INSERT INTO "${table}" (${names}) ${values} ${conflict}`;
  const constantValues = constants.map(([, kind, value]) => encodeColumn(value, kind, provider));
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT).map((row) => columns.map(([, kind], index) => encodeColumn(row[index], kind, provider)));
    // SQLite binds "?" in order of appearance: the constants come before json_each's "?".
    const params = provider === "sqlite" ? [...constantValues, JSON.stringify(chunk)] : [JSON.stringify(chunk), ...constantValues];
    await db.$executeRawUnsafe(sql, ...params);
  }
}

/**
 * The rows of `select` (whose result has `columns`) as arrays of JS values - dates as Date, bigint
 * as bigint, booleans as boolean - read as one JSON text the database builds (json_group_array /
 * json_agg): the same saving as insertMany, for reads of a whole shop.
 */
export async function selectRows(db: Db, columns: Columns, select: string, params: readonly unknown[]): Promise<unknown[][]> {
  const provider = providerOf(db);
  const list = columns
    .map(([name, kind]) => {
      const column = `t."${name}"`;
      if (kind === "bigint") return provider === "sqlite" ? `CAST(${column} AS TEXT)` : `${column}::text`;
      // timestamp(3) has no zone: say it is UTC so the JSON text carries its offset.
      if (kind === "date" && provider === "postgresql") return `(${column} AT TIME ZONE 'UTC')`;
      return column;
    })
    .join(", ");
  const sql = provider === "sqlite" ? `SELECT json_group_array(json_array(${list})) AS "rows" FROM (${select}) AS t` : `SELECT COALESCE(json_agg(json_build_array(${list})), '[]'::json)::text AS "rows" FROM (${select}) AS t`;
  const [result] = await db.$queryRawUnsafe<Array<{ rows: string }>>(sql, ...params);
  const rows = JSON.parse(result?.rows ?? "[]") as unknown[][];
  for (const row of rows) {
    columns.forEach(([, kind], index) => {
      const value = row[index];
      if (value === null || value === undefined) row[index] = null;
      else if (kind === "date") row[index] = new Date(value as string);
      else if (kind === "bigint") row[index] = BigInt(value as string);
      else if (kind === "bool") row[index] = value === true || value === 1;
    });
  }
  return rows;
}

// Keeps `IN (...)` lists far below both databases' bind-parameter limits.
const ID_CHUNK = 500;

/**
 * Runs a SELECT (with `columns`) for the whole shop when `ids` is absent, or once per chunk of
 * `ids` with `AND <column> IN (...)` where `build` puts `filter`; rows come back as arrays.
 */
export async function selectRowsByIds(db: Db, columns: Columns, ids: readonly string[] | undefined, column: string, build: (filter: string) => { sql: string; params: unknown[] }): Promise<unknown[][]> {
  if (!ids) {
    const { sql, params } = build("");
    return selectRows(db, columns, sql, params);
  }
  const provider = providerOf(db);
  const rows: unknown[][] = [];
  const fixed = build("").params.length;
  for (let start = 0; start < ids.length; start += ID_CHUNK) {
    const chunk = ids.slice(start, start + ID_CHUNK);
    const { sql, params } = build(` AND ${column} IN (${placeholders(provider, chunk.length, fixed).join(", ")})`);
    for (const row of await selectRows(db, columns, sql, [...params, ...chunk])) rows.push(row);
  }
  return rows;
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
