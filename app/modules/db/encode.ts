// How Prisma stores each kind of column, for SQL written by hand (provider.server, the archive's
// bulk writers). No database or Prisma behind it: the import's thread loads it alone.
export type SqlProvider = "sqlite" | "postgresql";
export type ColumnKind = "text" | "int" | "bigint" | "bool" | "date";
export type Columns = ReadonlyArray<readonly [string, ColumnKind]>;

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
  const time = date.getTime();
  // Bulk writes repeat one date (now) in many rows: the last one is kept.
  if (time === lastEncoded.time && provider === lastEncoded.provider) return lastEncoded.text;
  const iso = date.toISOString(); // throws on an invalid date: bad data fails loudly
  const text = provider === "sqlite" ? `${iso.slice(0, -1)}+00:00` : iso;
  lastEncoded = { time, provider, text };
  return text;
}
let lastEncoded: { time: number; provider: SqlProvider | null; text: string } = { time: NaN, provider: null, text: "" };
