// The archive tables as the upserts see them: columns, value encoding per database, and the SQL of
// the newer-wins upsert. Shared by the Prisma path (webhooks, reconciliation: a few rows) and the
// driver path (the initial import: millions of rows), so both apply exactly the same rule.
import { encodeColumn, encodeDate, type ColumnKind, type SqlProvider } from "../db/encode";
import type { BulkRow, BulkTable } from "./bulk-rows";

export type { SqlProvider };

export interface TableSpec {
  table: BulkTable;
  /** Prisma's table name (decision 002: no @@map). */
  name: string;
  /** Columns read from the row, in order; starts with shop, shopifyId (the key). */
  columns: ReadonlyArray<readonly [string, ColumnKind]>;
  /** An existing row with a later shopifyUpdatedAt wins (rows without that column upsert unconditionally). */
  newerWins: boolean;
  /** A stored row with any of these set (soft-deleted, redacted) is never updated. */
  frozenWhen: readonly string[];
  /** Prisma-managed timestamps the writer fills: createdAt on insert, updatedAt on every write. */
  timestamps: "both" | "created" | "none";
}

const T = "text" as const;
const I = "int" as const;
const B = "bigint" as const;
const Q = "bool" as const;
const D = "date" as const;

// Write order within one batch: parents before children (no foreign keys, but readers see a
// consistent order), matching the order of the bulk files.
export const TABLES: readonly TableSpec[] = [
  {
    table: "customer",
    name: "Customer",
    columns: [
      ["shop", T], ["shopifyId", T], ["firstName", T], ["lastName", T], ["displayName", T], ["email", T], ["phone", T],
      ["emailMarketingState", T], ["smsMarketingState", T], ["locale", T], ["state", T], ["tags", T], ["note", T],
      ["verifiedEmail", Q], ["countryCode", T], ["province", T], ["city", T], ["numberOfOrders", I], ["amountSpentMinor", B],
      ["currencyCode", T], ["shopifyCreatedAt", D], ["shopifyUpdatedAt", D],
    ],
    newerWins: true,
    frozenWhen: ["deletedAt", "redactedAt"],
    timestamps: "both",
  },
  {
    table: "product",
    name: "Product",
    columns: [
      ["shop", T], ["shopifyId", T], ["title", T], ["handle", T], ["productType", T], ["vendor", T], ["tags", T], ["status", T],
      ["isGiftCard", Q], ["imageUrl", T], ["shopifyCreatedAt", D], ["shopifyUpdatedAt", D],
    ],
    newerWins: true,
    frozenWhen: ["deletedAt"],
    timestamps: "both",
  },
  {
    table: "variant",
    name: "ProductVariant",
    columns: [["shop", T], ["shopifyId", T], ["productId", T], ["title", T], ["sku", T], ["priceMinor", B]],
    newerWins: false,
    frozenWhen: [],
    timestamps: "both",
  },
  {
    table: "order",
    name: "Order",
    columns: [
      ["shop", T], ["shopifyId", T], ["customerId", T], ["name", T], ["email", T], ["test", Q], ["currencyCode", T],
      ["financialStatus", T], ["fulfillmentStatus", T], ["totalPriceMinor", B], ["subtotalPriceMinor", B], ["totalDiscountsMinor", B],
      ["totalRefundedMinor", B], ["processedAt", D], ["cancelledAt", D], ["shopifyCreatedAt", D], ["shopifyUpdatedAt", D],
    ],
    newerWins: true,
    frozenWhen: ["deletedAt"],
    timestamps: "both",
  },
  {
    table: "orderLine",
    name: "OrderLine",
    columns: [
      ["shop", T], ["shopifyId", T], ["orderId", T], ["productId", T], ["variantId", T], ["title", T], ["variantTitle", T], ["sku", T],
      ["quantity", I], ["currentQuantity", I], ["unitPriceMinor", B], ["totalMinor", B],
    ],
    newerWins: false,
    frozenWhen: [],
    timestamps: "both",
  },
  {
    table: "refund",
    name: "Refund",
    columns: [["shop", T], ["shopifyId", T], ["orderId", T], ["note", T], ["totalMinor", B], ["currencyCode", T], ["shopifyCreatedAt", D]],
    newerWins: false,
    frozenWhen: [],
    timestamps: "created",
  },
  {
    table: "refundLine",
    name: "RefundLine",
    columns: [["shop", T], ["shopifyId", T], ["refundId", T], ["orderLineId", T], ["quantity", I], ["subtotalMinor", B], ["restockType", T]],
    newerWins: false,
    frozenWhen: [],
    timestamps: "none",
  },
];

export const TABLE_BY_NAME = new Map(TABLES.map((spec) => [spec.table, spec]));

/** Every column the INSERT names: the row's, then the timestamps. */
export function insertColumns(spec: TableSpec): string[] {
  const names = spec.columns.map(([name]) => name);
  if (spec.timestamps === "both") names.push("createdAt", "updatedAt");
  if (spec.timestamps === "created") names.push("createdAt");
  return names;
}

const q = (name: string) => `"${name}"`;

/** `ON CONFLICT ... DO UPDATE ... WHERE`: the one place the newer-wins rule is written. */
export function conflictClause(spec: TableSpec): string {
  const updated = spec.columns.map(([name]) => name).filter((name) => name !== "shop" && name !== "shopifyId");
  if (spec.timestamps === "both") updated.push("updatedAt");
  const set = updated.map((name) => `${q(name)} = excluded.${q(name)}`).join(", ");
  const conditions = [
    ...(spec.newerWins ? [`excluded."shopifyUpdatedAt" >= ${q(spec.name)}."shopifyUpdatedAt"`] : []),
    ...spec.frozenWhen.map((name) => `${q(spec.name)}.${q(name)} IS NULL`),
  ];
  return `ON CONFLICT ("shop", "shopifyId") DO UPDATE SET ${set}${conditions.length ? ` WHERE ${conditions.join(" AND ")}` : ""}`;
}

/** Multi-row `INSERT ... VALUES` for `rowCount` rows (`?` on SQLite, `$n` on PostgreSQL). */
export function valuesUpsertSql(spec: TableSpec, provider: SqlProvider, rowCount: number): string {
  const columns = insertColumns(spec);
  let n = 0;
  const placeholder = provider === "sqlite" ? () => "?" : () => `$${++n}`;
  const tuples: string[] = [];
  for (let r = 0; r < rowCount; r++) tuples.push(`(${columns.map(placeholder).join(", ")})`);
  return `INSERT INTO ${q(spec.name)} (${columns.map(q).join(", ")}) VALUES ${tuples.join(", ")} ${conflictClause(spec)}`;
}

// PostgreSQL's type of each kind of column, as Prisma's migrations create it.
const PG_TYPE: Record<ColumnKind, string> = { text: "text", int: "integer", bigint: "bigint", bool: "boolean", date: "timestamp(3)" };

/**
 * PostgreSQL: `COPY ... FROM STDIN` (text format) into the table's insert columns - a plain insert,
 * no conflict clause: the caller falls back to the staged upsert when a key already exists. Into
 * `into` instead: the table's staging table (stagingTableSql).
 */
export function copySql(spec: TableSpec, into = q(spec.name)): string {
  return `COPY ${into} (${insertColumns(spec).map(q).join(", ")}) FROM STDIN`;
}

/** PostgreSQL: the name of `spec`'s staging table (a temporary table, one per connection). */
export const stagingTable = (spec: TableSpec) => q(`archive_stage_${spec.table}`);

/**
 * PostgreSQL: this connection's staging table for `spec` - its insert columns and `n`, the rows'
 * order in the COPY - emptied at each commit. Created when first needed (a COPY met a stored key),
 * so a first import never creates one.
 */
export function stagingTableSql(spec: TableSpec): string {
  const kinds = new Map<string, ColumnKind>(spec.columns.map(([name, kind]) => [name, kind]));
  // Columns beyond the row's are the timestamps (createdAt, updatedAt).
  const columns = insertColumns(spec).map((name) => `${q(name)} ${PG_TYPE[kinds.get(name) ?? "date"]}`);
  return `CREATE TEMP TABLE IF NOT EXISTS ${stagingTable(spec)} (${columns.join(", ")}, "n" bigserial) ON COMMIT DELETE ROWS`;
}

/**
 * PostgreSQL: the newer-wins upsert of the rows staged for `spec`, one per key - the newest, on a
 * tie the last staged (as groupRows picks; PostgreSQL refuses to update a row twice in one statement).
 */
export function stagedUpsertSql(spec: TableSpec): string {
  const columns = insertColumns(spec).map(q).join(", ");
  const newest = spec.columns.some(([name]) => name === "shopifyUpdatedAt") ? `"shopifyUpdatedAt" DESC, ` : "";
  return (
    `INSERT INTO ${q(spec.name)} (${columns}) SELECT ${columns} FROM (SELECT DISTINCT ON ("shop", "shopifyId") * FROM ${stagingTable(spec)} ` +
    `ORDER BY "shop", "shopifyId", ${newest}"n" DESC) AS staged ${conflictClause(spec)}`
  );
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };
const copyEscape = (text: string) => (COPY_SPECIAL.test(text) ? text.replace(/[\\\t\n\r]/g, (char) => COPY_ESCAPES[char]!) : text);

export type CopyRowEncoder = (row: Record<string, unknown>, stamp: string) => string;

/**
 * One row of `spec` as a line of COPY's text format: tab-separated columns, `\N` for null,
 * backslash, tab and line breaks escaped; dates as UTC ISO text (timestamp(3) keeps the wall time),
 * money as decimal text (exact), booleans t/f; `stamp` fills the timestamps columns. Compiled per
 * table, each column read by its own name (as the SQLite encoder: a loop reading them by computed
 * key cost the import's thread more).
 */
export function copyRowEncoder(spec: TableSpec): CopyRowEncoder {
  const parts = spec.columns.map(([name, kind], index) => {
    const read = `v = row[${JSON.stringify(name)}]; ${index > 0 ? 'line += "\\t"; ' : ""}`;
    const text = kind === "text" ? "escape(v)" : kind === "date" ? "v.toISOString()" : kind === "bool" ? '(v ? "t" : "f")' : "String(v)";
    return `${read}line += v === null || v === undefined ? "\\\\N" : ${text};`;
  });
  const tail = spec.timestamps === "both" ? '"\\t" + stamp + "\\t" + stamp + "\\n"' : spec.timestamps === "created" ? '"\\t" + stamp + "\\n"' : '"\\n"';
  return new Function("escape", `return function encode(row, stamp) { let v; let line = ""; ${parts.join(" ")} return line + ${tail}; };`)(copyEscape) as CopyRowEncoder;
}

export { encodeDate };

export type SqlValue = string | number | bigint | boolean | null;

/**
 * A column value as the driver binds it. bigint stays bigint for better-sqlite3 (`bigintAsText`
 * false) and becomes decimal text for pg and for Prisma's raw queries: exact either way.
 */
export function encodeValue(value: unknown, kind: ColumnKind, provider: SqlProvider, bigintAsText: boolean): SqlValue {
  if (kind === "bigint" && !bigintAsText && value !== null && value !== undefined) return value as bigint;
  return encodeColumn(value, kind, provider) as SqlValue;
}

type AnyRow = Record<string, unknown> & { shopifyId: string; shopifyUpdatedAt?: Date };

/** Rows grouped per table in write order, at most one per key (the newest; on a tie the last). */
export function groupRows(rows: readonly BulkRow[]): Array<{ spec: TableSpec; rows: AnyRow[] }> {
  const byTable = new Map<BulkTable, Map<string, AnyRow>>();
  for (const { table, row } of rows) {
    let keyed = byTable.get(table);
    if (!keyed) byTable.set(table, (keyed = new Map()));
    const candidate = row as unknown as AnyRow;
    const key = `${(row as { shop: string }).shop}\u0000${candidate.shopifyId}`;
    const existing = keyed.get(key);
    if (existing?.shopifyUpdatedAt && candidate.shopifyUpdatedAt && existing.shopifyUpdatedAt > candidate.shopifyUpdatedAt) continue;
    keyed.set(key, candidate);
  }
  return TABLES.filter((spec) => byTable.has(spec.table)).map((spec) => ({ spec, rows: [...byTable.get(spec.table)!.values()] }));
}

/** A secondary (non-unique) index the migrations define on an archive table. */
export interface ArchiveIndex {
  name: string;
  table: string;
  /** `CREATE INDEX IF NOT EXISTS ...`: recreating it is idempotent. */
  createSql: string;
}

const STATEMENT = /CREATE\s+INDEX\s+"([^"]+)"\s+ON\s+"([^"]+)"\s*((?:USING\s+\w+\s*)?\([^;]*\)(?:\s+WHERE\s+[^;]*)?)|DROP\s+INDEX\s+(?:IF\s+EXISTS\s+)?(?:"[^"]+"\.)?"([^"]+)"|DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:"[^"]+"\.)?"([^"]+)"/gi;

/**
 * The non-unique indexes of `tables` as the migrations (in order) leave them: the definitions the
 * import drops for an empty archive and recreates afterwards - also after a crash, when the
 * database no longer holds them. Unique indexes are never dropped (the upsert's conflict target).
 */
export function archiveIndexes(migrationSql: readonly string[], tables: readonly string[] = TABLES.map((spec) => spec.name)): ArchiveIndex[] {
  const indexes = new Map<string, ArchiveIndex>();
  for (const sql of migrationSql) {
    for (const [, name, table, columns, droppedIndex, droppedTable] of sql.replace(/--[^\n]*/g, "").matchAll(STATEMENT)) {
      if (name && table && columns) {
        if (tables.includes(table)) indexes.set(name, { name, table, createSql: `CREATE INDEX IF NOT EXISTS ${q(name)} ON ${q(table)}${/^USING/i.test(columns) ? " " : ""}${columns.trim()}` });
      } else if (droppedIndex) indexes.delete(droppedIndex);
      else if (droppedTable) for (const index of [...indexes.values()]) if (index.table === droppedTable) indexes.delete(index.name);
    }
  }
  return [...indexes.values()];
}

/** SQLite's customer search index (migration 0013): how the import defers it and restores it. */
export interface SearchIndexSql {
  /** Drops the triggers that keep the index and empties it (an archive holding no other shop). */
  drop: string[];
  /** Idempotent: when a trigger is missing, refills the index from Customer and recreates them, in one savepoint. */
  restore: string[];
}

const SEARCH_TRIGGER = /CREATE\s+TRIGGER\s+"(Customer_search_\w+)"[\s\S]*?\bEND;|DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?"(Customer_search_\w+)"/gi;
const SEARCH_FILL = /(INSERT\s+INTO\s+"CustomerSearch"\s*\([^)]*\))\s+(SELECT\s[^;]*)/gi;

/**
 * The statements that defer and restore SQLite's customer search index, from the migrations (in
 * order): its triggers (`Customer_search_*`) as they leave them, and the statement that fills it
 * from Customer (outside the triggers). A trigger indexes one customer at a time (1.6 s of a
 * 100,000-customer import); the fill indexes them all in one statement (~0.7 s). Null when the
 * migrations define none.
 */
export function searchIndexSql(migrationSql: readonly string[]): SearchIndexSql | null {
  const triggers = new Map<string, string>();
  let fill: string | undefined;
  for (const sql of migrationSql) {
    const code = sql.replace(/--[^\n]*/g, "");
    for (const [statement, created, dropped] of code.matchAll(SEARCH_TRIGGER)) {
      if (created) triggers.set(created, statement.replace(/^CREATE\s+TRIGGER\s+/i, "CREATE TRIGGER IF NOT EXISTS "));
      else if (dropped) triggers.delete(dropped);
    }
    for (const [, into, select] of code.replace(SEARCH_TRIGGER, "").matchAll(SEARCH_FILL)) fill = `${into} SELECT * FROM (${select!.trim()})`;
  }
  if (!fill || triggers.size === 0) return null;
  const names = [...triggers.keys()];
  const missing = `(SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (${names.map((name) => `'${name}'`).join(", ")})) < ${names.length}`;
  return {
    drop: [...names.map((name) => `DROP TRIGGER IF EXISTS ${q(name)}`), `DELETE FROM "CustomerSearch"`],
    restore: ["SAVEPOINT customer_search", `DELETE FROM "CustomerSearch" WHERE ${missing}`, `${fill} WHERE ${missing}`, ...triggers.values(), "RELEASE customer_search"],
  };
}
