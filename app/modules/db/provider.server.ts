// Which database a Prisma client talks to, for the few statements written as raw SQL.
import { postgresConnectionOf, sqliteConnectionOf, type Prisma, type PrismaClient } from "../../db.server";
import { encodeColumn, encodeDate, type ColumnKind, type Columns, type SqlProvider } from "./encode";

export { encodeColumn, encodeDate, type ColumnKind, type Columns, type SqlProvider } from "./encode";

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

// PostgreSQL rows per statement: the whole chunk travels as one JSON parameter.
const ROWS_PER_STATEMENT = 20_000;
const PG_TYPE: Record<ColumnKind, string> = { text: "text", int: "integer", bigint: "bigint", bool: "boolean", date: "timestamp(3)" };

/**
 * Inserts `rows` (values in `columns` order, in that order: autoincrement ids follow it);
 * `constants` are columns with one value for every row; `conflict` is appended as is
 * (`ON CONFLICT (...) DO UPDATE SET ...`). Prisma's raw queries spend microseconds on every bound
 * value, which at a few hundred thousand rows is seconds (decision 010), so neither database gets
 * the rows through them value by value: on SQLite one prepared statement runs per row on the
 * driver's connection (inside the caller's transaction, decision 012); on PostgreSQL each chunk of
 * rows is one JSON parameter the database unpacks itself (json_array_elements).
 */
export async function insertMany(
  db: Db,
  table: string,
  columns: Columns,
  rows: ReadonlyArray<readonly unknown[]>,
  { conflict = "", constants = [] }: { conflict?: string; constants?: ReadonlyArray<readonly [string, ColumnKind, unknown]> } = {}
): Promise<void> {
  if (rows.length === 0) return;
  const provider = providerOf(db);
  const names = [...columns, ...constants].map(([name]) => `"${name}"`).join(", ");
  const constantValues = constants.map(([, kind, value]) => encodeColumn(value, kind, provider));
  const connection = await sqliteConnectionOf(db);
  if (connection) {
    const statement = connection.prepare(`INSERT INTO "${table}" (${names}) VALUES (${placeholders(provider, columns.length + constants.length).join(", ")}) ${conflict}`);
    const values: unknown[] = new Array(columns.length + constants.length);
    constantValues.forEach((value, index) => (values[columns.length + index] = value));
    for (const row of rows) {
      for (let index = 0; index < columns.length; index++) values[index] = encodeColumn(row[index], columns[index]![1], provider);
      statement.run(values);
    }
    return;
  }
  // The JSON is the first parameter, the constants follow.
  const constantMarks = constants.map(([, kind], index) => `$${index + 2}::${PG_TYPE[kind]}`);
  const values = `SELECT ${[...columns.map(([, kind], index) => `(r ->> ${index})::${PG_TYPE[kind]}`), ...constantMarks].join(", ")} FROM json_array_elements($1::json) WITH ORDINALITY AS e(r, n) ORDER BY n`;
  const sql = `INSERT INTO "${table}" (${names}) ${values} ${conflict}`;
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT).map((row) => columns.map(([, kind], index) => encodeColumn(row[index], kind, provider)));
    await db.$executeRawUnsafe(sql, JSON.stringify(chunk), ...constantValues);
  }
}

/**
 * The rows of `select` (whose result has `columns`) as arrays of JS values - dates as Date, bigint
 * as bigint, booleans as boolean: on SQLite straight from the driver's connection, on PostgreSQL as
 * one JSON text the database builds (json_agg) - the same saving as insertMany, for reads of a
 * whole shop.
 */
export async function selectRows(db: Db, columns: Columns, select: string, params: readonly unknown[]): Promise<unknown[][]> {
  const connection = await sqliteConnectionOf(db);
  if (connection) {
    // The driver's own rows (integers as bigint: the adapter turns safe integers on for the connection).
    const rows = connection.prepare(select).raw().all(params.map(sqliteParam)) as unknown[][];
    for (const row of rows) decodeRow(row, columns);
    return rows;
  }
  const [result] = await db.$queryRawUnsafe<Array<{ rows: string }>>(`SELECT COALESCE(json_agg(${jsonRow(columns)}), '[]'::json)::text AS "rows" FROM (${select}) AS t`, ...params);
  const rows = JSON.parse(result?.rows ?? "[]") as unknown[][];
  for (const row of rows) decodeRow(row, columns);
  return rows;
}

/** PostgreSQL: a row of `SELECT ... FROM (select) AS t` as one JSON array (timestamp(3) has no zone: said to be UTC, the text carries its offset). */
function jsonRow(columns: Columns): string {
  return `json_build_array(${columns.map(([name, kind]) => (kind === "bigint" ? `t."${name}"::text` : kind === "date" ? `(t."${name}" AT TIME ZONE 'UTC')` : `t."${name}"`)).join(", ")})`;
}

// PostgreSQL rows fetched from a cursor at a time.
const CURSOR_ROWS = 10_000;

/**
 * Calls `onRow` with each row of `select` (decoded as selectRows decodes them) without holding them
 * all - for reads of a whole shop: on SQLite the driver steps through the result; on PostgreSQL a
 * cursor on a connection of its own hands them over CURSOR_ROWS at a time (one answer for 1.5
 * million order lines was half a gigabyte); in a PostgreSQL transaction, as selectRows reads them.
 */
export async function forEachRow(db: Db, columns: Columns, select: string, params: readonly unknown[], onRow: (row: unknown[]) => void): Promise<void> {
  const connection = await sqliteConnectionOf(db);
  if (!connection) {
    const postgres = await postgresConnectionOf(db);
    if (!postgres) {
      for (const row of await selectRows(db, columns, select, params)) onRow(row);
      return;
    }
    try {
      await postgres.query("BEGIN READ ONLY");
      await postgres.query(`DECLARE shop_rows NO SCROLL CURSOR FOR SELECT ${jsonRow(columns)}::text FROM (${select}) AS t`, [...params]);
      for (;;) {
        const { rows } = await postgres.query<[string]>({ text: `FETCH ${CURSOR_ROWS} FROM shop_rows`, rowMode: "array" });
        for (const [text] of rows) {
          const row = JSON.parse(text) as unknown[];
          decodeRow(row, columns);
          onRow(row);
        }
        if (rows.length < CURSOR_ROWS) break;
      }
      await postgres.query("COMMIT");
    } finally {
      await postgres.end();
    }
    return;
  }
  for (const row of connection.prepare(select).raw().iterate(params.map(sqliteParam)) as IterableIterator<unknown[]>) {
    decodeRow(row, columns);
    onRow(row);
  }
}

/** A bound value as SQLite stores it (what Prisma binds for these types). */
function sqliteParam(value: unknown): unknown {
  if (value instanceof Date) return encodeDate(value, "sqlite");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

/** JS values for a row from the driver or from JSON: dates as Date, bigint as bigint, booleans as boolean, other numbers as number. */
function decodeRow(row: unknown[], columns: Columns) {
  columns.forEach(([, kind], index) => {
    const value = row[index];
    if (value === null || value === undefined) row[index] = null;
    else if (kind === "date") row[index] = typeof value === "bigint" ? new Date(Number(value)) : new Date(value as string);
    else if (kind === "bigint") row[index] = BigInt(value as string | bigint);
    else if (kind === "bool") row[index] = value === true || value === 1 || value === 1n;
    else if (typeof value === "bigint") row[index] = Number(value);
  });
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
