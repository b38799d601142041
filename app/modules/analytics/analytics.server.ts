// The analytics page's figures (one read of the shop): customers and net spend per RFM segment and loyalty tier,
// new vs returning customers per month, monthly cohort retention, and the valuable customers who slipped to At risk.
import { prisma, type PrismaClient } from "../../db.server";
import { encodeDate, placeholders, providerOf, selectRows, type SqlProvider } from "../db/provider.server";
import { currentProgram, shopTerms } from "../loyalty/program.server";
import { RFM_SEGMENTS, VALUABLE_SEGMENTS, type RfmSegment } from "../segments/rfm";
import { zoneOffsetMs, zoneParts } from "../time/zone";

export interface SegmentFigure {
  key: RfmSegment;
  customers: number;
  netSpentMinor: bigint;
}

export interface TierFigure {
  /** A tier of the current program, or null for customers in none. */
  key: string | null;
  name: string | null;
  color: string | null;
  customers: number;
  netSpentMinor: bigint;
}

export interface MonthFigure {
  /** `YYYY-MM`, the calendar month in the shop's time zone. */
  month: string;
  newCustomers: number;
  returningCustomers: number;
}

export interface CohortRow {
  /** `YYYY-MM`: the month of the cohort's first order (shop time zone). */
  month: string;
  size: number;
  /** For k = 0..months-1: customers of the cohort who ordered in month k after their first; null where month k has not begun. */
  retained: Array<number | null>;
  /** retained / size (k = 0 is 1); null where retained is null or the cohort is empty. */
  share: Array<number | null>;
}

export interface AtRiskCustomer {
  customerId: string;
  name: string | null;
  netSpentMinor: bigint;
}

export interface ShopAnalytics {
  timeZone: string;
  /** Whether the shop has any order that counts (not test, cancelled or deleted, with a customer). */
  hasOrders: boolean;
  /** Every RFM segment in RFM_SEGMENTS order (0 when empty). */
  segments: SegmentFigure[];
  /** Customers with an insight but no orders (no segment). */
  noOrders: number;
  /** The current program's tiers in order, then the customers in no tier (key null). */
  tiers: TierFigure[];
  months: MonthFigure[];
  cohorts: CohortRow[];
  atRisk: {
    /** RfmChange rows this month from a valuable segment to atRisk. */
    moves: number;
    /** Distinct live customers among them. */
    customers: number;
    /** Up to 10 of them, biggest net spend first. */
    list: AtRiskCustomer[];
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Calendar months in a time zone. The boundaries are computed here (Intl knows every zone's DST rules) and the database
// only compares timestamps against them, so SQLite and PostgreSQL bucket alike without time-zone support in SQL and a
// month that starts in summer time and ends in winter time still ends at its own midnight.

/** The instant month `month` (0-based; may overflow either way) of `year` begins in `timeZone`. */
export function monthStart(year: number, month: number, timeZone: string): Date {
  const wall = Date.UTC(year, month, 1);
  // Twice: the offset at the first guess may be the other side of a DST change.
  const first = wall - zoneOffsetMs(new Date(wall), timeZone);
  return new Date(wall - zoneOffsetMs(new Date(first), timeZone));
}

const monthKey = (year: number, month: number) => {
  const date = new Date(Date.UTC(year, month, 1));
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, "0")}`;
};

/** The last `count` calendar months up to and including the one `now` is in: keys, and count + 1 boundaries (the last is when the current month ends). */
export function monthWindow(now: Date, timeZone: string, count: number): { keys: string[]; starts: Date[] } {
  const today = zoneParts(now, timeZone);
  const first = today.month - (count - 1);
  const keys = Array.from({ length: count }, (_, index) => monthKey(today.year, first + index));
  const starts = Array.from({ length: count + 1 }, (_, index) => monthStart(today.year, first + index, timeZone));
  return { keys, starts };
}

// ---------------------------------------------------------------------------------------------------------------------

/** Binds values as it writes SQL: `?` on SQLite (in order of appearance), `$n` on PostgreSQL. */
function binder(provider: SqlProvider) {
  const params: unknown[] = [];
  const bind = (value: unknown, cast = "") => {
    params.push(value);
    return provider === "sqlite" ? "?" : `${placeholders(provider, 1, params.length - 1)[0]}${cast}`;
  };
  const date = (value: Date) => bind(encodeDate(value, provider), "::timestamp(3)");
  return { params, bind, date };
}

/**
 * `select`'s text and integer columns as one flat JSON array each: for the long reads below, where JSON.parse of 150k
 * small arrays (selectRows' shape) costs ~5 times what two flat arrays of the same values do.
 */
async function selectColumns(db: PrismaClient, names: readonly string[], select: string, params: readonly unknown[]): Promise<unknown[][]> {
  const provider = providerOf(db);
  const list = names.map((name) => (provider === "sqlite" ? `json_group_array(t."${name}") AS "${name}"` : `COALESCE(json_agg(t."${name}"), '[]'::json)::text AS "${name}"`)).join(", ");
  const [row] = await db.$queryRawUnsafe<Array<Record<string, string | null>>>(`SELECT ${list} FROM (${select}) AS t`, ...params);
  return names.map((name) => JSON.parse(row?.[name] ?? "[]") as unknown[]);
}

// Orders that count, as for the insights: the customer's, not test, not cancelled, not deleted.
const COUNTING = (alias: string) => `${alias}."customerId" IS NOT NULL AND NOT ${alias}."test" AND ${alias}."cancelledAt" IS NULL AND ${alias}."deletedAt" IS NULL`;

/** Customers and net spend per (segment, tier) from the insights of live customers; unscored markers (computedAt null) are left out. */
async function segmentTierRows(db: PrismaClient, shop: string) {
  const { params, bind } = binder(providerOf(db));
  const sql = `SELECT i."rfmSegment" AS "segment", m."tierKey" AS "tierKey", COUNT(*) AS "customers", SUM(i."netSpentMinor") AS "net"
    FROM "CustomerInsight" i
    JOIN "Customer" c ON c."shop" = i."shop" AND c."shopifyId" = i."customerId"
    LEFT JOIN "LoyaltyMember" m ON m."shop" = i."shop" AND m."customerId" = i."customerId"
    WHERE i."shop" = ${bind(shop)} AND i."computedAt" IS NOT NULL AND c."deletedAt" IS NULL AND c."redactedAt" IS NULL
    GROUP BY i."rfmSegment", m."tierKey"`;
  const rows = await selectRows(
    db,
    [
      ["segment", "text"],
      ["tierKey", "text"],
      ["customers", "int"],
      ["net", "bigint"],
    ],
    sql,
    params,
  );
  return rows.map(([segment, tierKey, customers, net]) => ({ segment: segment as string | null, tierKey: tierKey as string | null, customers: Number(customers), net: (net as bigint | null) ?? 0n }));
}

/** SQL for the index of the window month `column` falls in (rows are already within the window): a binary search, so ~log2(months) comparisons a row rather than up to months - 1. */
function monthBucket(column: string, starts: Date[], date: (value: Date) => string, lo = 0, hi = starts.length - 2): string {
  if (lo >= hi) return String(lo);
  const mid = Math.ceil((lo + hi) / 2);
  return `CASE WHEN ${column} >= ${date(starts[mid]!)} THEN ${monthBucket(column, starts, date, mid, hi)} ELSE ${monthBucket(column, starts, date, lo, mid - 1)} END`;
}

/**
 * Who ordered in which window month: one row (customer, month index) per counting order in the window. Grouping these
 * by (customer, month) in SQL would barely shrink them (few customers order twice in a month) but costs SQLite a sort of
 * every row, more than shipping them as two flat arrays does, so the months are deduplicated here, per customer in a bit
 * mask.
 */
async function windowOrders(db: PrismaClient, shop: string, starts: Date[]): Promise<Map<string, number>> {
  const { params, bind, date } = binder(providerOf(db));
  const months = starts.length - 1;
  // Boundaries are bound in order of appearance: the bucket (in the SELECT list) before the WHERE clause.
  const bucket = monthBucket(`o."processedAt"`, starts, date);
  const sql = `SELECT o."customerId" AS "customerId", ${bucket} AS "month" FROM "Order" o
    WHERE o."shop" = ${bind(shop)} AND ${COUNTING("o")} AND o."processedAt" >= ${date(starts[0]!)} AND o."processedAt" < ${date(starts[months]!)}`;
  const [customerIds, monthIndexes] = (await selectColumns(db, ["customerId", "month"], sql, params)) as [string[], number[]];
  const masks = new Map<string, number>();
  customerIds.forEach((customerId, index) => masks.set(customerId, (masks.get(customerId) ?? 0) | (1 << monthIndexes[index]!)));
  return masks;
}

/**
 * The window month of each customer's first order, for the customers whose first order is in the window - from
 * CustomerInsight.firstOrderAt (the first order that counts, kept by the insights jobs) rather than a look back through
 * every customer's older orders, which cost ~500 ms at 100k customers. A customer the jobs have not scored since their
 * first order (marked dirty, no firstOrderAt yet) maps to null: their first month in the window is their first. Either
 * way a new customer is known from the moment their order is archived, and later orders never move a first order.
 */
async function firstOrderMonths(db: PrismaClient, shop: string, starts: Date[]): Promise<Map<string, number | null>> {
  const { params, bind, date } = binder(providerOf(db));
  const months = starts.length - 1;
  const bucket = monthBucket(`i."firstOrderAt"`, starts, date);
  const sql = `SELECT i."customerId" AS "customerId", CASE WHEN i."firstOrderAt" IS NULL THEN NULL ELSE ${bucket} END AS "month" FROM "CustomerInsight" i
    WHERE i."shop" = ${bind(shop)} AND ((i."firstOrderAt" >= ${date(starts[0]!)} AND i."firstOrderAt" < ${date(starts[months]!)}) OR (i."dirty" AND i."firstOrderAt" IS NULL))`;
  const [customerIds, monthIndexes] = (await selectColumns(db, ["customerId", "month"], sql, params)) as [string[], Array<number | null>];
  return new Map(customerIds.map((customerId, index) => [customerId, monthIndexes[index] ?? null]));
}

/** This month's moves from a valuable segment to atRisk, with the customer's name and net spend. */
async function atRiskRows(db: PrismaClient, shop: string, from: Date, to: Date) {
  const { params, bind, date } = binder(providerOf(db));
  const sql = `SELECT r."customerId" AS "customerId", c."displayName" AS "name", i."netSpentMinor" AS "net", c."shopifyId" IS NOT NULL AND c."deletedAt" IS NULL AND c."redactedAt" IS NULL AS "live"
    FROM "RfmChange" r
    LEFT JOIN "Customer" c ON c."shop" = r."shop" AND c."shopifyId" = r."customerId"
    LEFT JOIN "CustomerInsight" i ON i."shop" = r."shop" AND i."customerId" = r."customerId"
    WHERE r."shop" = ${bind(shop)} AND r."createdAt" >= ${date(from)} AND r."createdAt" < ${date(to)}
      AND r."fromSegment" IN (${VALUABLE_SEGMENTS.map((segment) => bind(segment)).join(", ")}) AND r."toSegment" = ${bind("atRisk" satisfies RfmSegment)}`;
  const rows = await selectRows(
    db,
    [
      ["customerId", "text"],
      ["name", "text"],
      ["net", "bigint"],
      ["live", "bool"],
    ],
    sql,
    params,
  );
  return rows.map(([customerId, name, net, live]) => ({ customerId: customerId as string, name: name as string | null, net: (net as bigint | null) ?? 0n, live: live as boolean }));
}

const AT_RISK_LIST = 10;

/** Everything the analytics page shows, for one shop. `months`: how many calendar months (and cohorts) back, this one included. */
export async function shopAnalytics({ shop, db = prisma, now = new Date(), months = 12 }: { shop: string; db?: PrismaClient; now?: Date; months?: number }): Promise<ShopAnalytics> {
  // A customer's months are one bit each of a 32-bit mask.
  if (!Number.isInteger(months) || months < 1 || months > 24) throw new RangeError(`months must be a whole number 1-24, not ${months}`);
  const { timeZone } = await shopTerms(db, shop);
  const window = monthWindow(now, timeZone, months);
  const thisMonth = window.starts[months - 1]!;
  const nextMonth = window.starts[months]!;
  const [{ program }, insightRows, masks, firsts, moves, anyOrder] = await Promise.all([
    currentProgram(db, shop, now),
    segmentTierRows(db, shop),
    windowOrders(db, shop, window.starts),
    firstOrderMonths(db, shop, window.starts),
    atRiskRows(db, shop, thisMonth, nextMonth),
    db.order.findFirst({ where: { shop, customerId: { not: null }, test: false, cancelledAt: null, deletedAt: null }, select: { shopifyId: true } }),
  ]);

  const segments = RFM_SEGMENTS.map((key) => ({ key, customers: 0, netSpentMinor: 0n }));
  // A tier key the current program no longer has (a member not yet moved after an edit) counts as no tier.
  const tiers: TierFigure[] = [...program.tiers.map((tier) => ({ key: tier.key, name: tier.name, color: tier.color, customers: 0, netSpentMinor: 0n })), { key: null, name: null, color: null, customers: 0, netSpentMinor: 0n }];
  let noOrders = 0;
  for (const row of insightRows) {
    const segment = segments.find((candidate) => candidate.key === row.segment);
    if (segment) {
      segment.customers += row.customers;
      segment.netSpentMinor += row.net;
    } else noOrders += row.customers;
    const tier = tiers.find((candidate) => candidate.key === row.tierKey) ?? tiers[tiers.length - 1]!;
    tier.customers += row.customers;
    tier.netSpentMinor += row.net;
  }

  // active[m]: customers who ordered in month m; newcomers[c][m]: of those, the ones whose first order was in month c.
  const active = Array<number>(months).fill(0);
  const newcomers = Array.from({ length: months }, () => Array<number>(months).fill(0));
  for (const [customerId, mask] of masks) {
    const known = firsts.get(customerId);
    // Not scored since their first order (null), or that order no longer counts (cancelled or deleted since): their
    // first month here, the mask's lowest bit, is their first.
    const first = known === undefined ? -1 : known !== null && mask & (1 << known) ? known : 31 - Math.clz32(mask & -mask);
    for (let month = 0; month < months; month++) {
      if (!(mask & (1 << month))) continue;
      active[month]! += 1;
      if (first >= 0 && month >= first) newcomers[first]![month]! += 1;
    }
  }
  const monthFigures = window.keys.map((month, index) => ({ month, newCustomers: newcomers[index]![index]!, returningCustomers: active[index]! - newcomers[index]![index]! }));
  const cohorts = window.keys.map((month, cohort) => {
    const size = newcomers[cohort]![cohort]!;
    const retained = Array.from({ length: months }, (_, k) => (cohort + k < months ? newcomers[cohort]![cohort + k]! : null));
    return { month, size, retained, share: retained.map((value) => (value === null || size === 0 ? null : value / size)) };
  });

  const byCustomer = new Map<string, AtRiskCustomer>();
  for (const move of moves) if (move.live) byCustomer.set(move.customerId, { customerId: move.customerId, name: move.name, netSpentMinor: move.net });
  const list = [...byCustomer.values()].sort((a, b) => (a.netSpentMinor === b.netSpentMinor ? a.customerId.localeCompare(b.customerId) : a.netSpentMinor > b.netSpentMinor ? -1 : 1));

  return {
    timeZone,
    hasOrders: anyOrder !== null,
    segments,
    noOrders,
    tiers,
    months: monthFigures,
    cohorts,
    atRisk: { moves: moves.length, customers: list.length, list: list.slice(0, AT_RISK_LIST) },
  };
}
