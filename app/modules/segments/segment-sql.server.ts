// Custom segment rules as SQL: one WHERE fragment over a shop's customers (alias c) with their insight (i) and
// loyalty member (m), every value bound, for counting a segment and listing (or re-checking) its members.
import type { Prisma, PrismaClient } from "../../db.server";
import { encodeDate, placeholders, providerOf, selectRowsByIds, type SqlProvider } from "../db/provider.server";
import { toMinorUnits } from "../money/money";
import { eachCondition, isSegmentGroup, NONE_OPTION, SegmentRulesError, type SegmentCondition, type SegmentRules } from "./segment-rules";

type Db = PrismaClient | Prisma.TransactionClient;

const DAY_MS = 86_400_000;
// "Due" also takes customers whose expected order is up to this many days late: overdue, not yet long gone.
const DUE_GRACE_DAYS = 30;

const INSIGHT_JOIN = `LEFT JOIN "CustomerInsight" i ON i."shop" = c."shop" AND i."customerId" = c."shopifyId"`;
const MEMBER_JOIN = `LEFT JOIN "LoyaltyMember" m ON m."shop" = c."shop" AND m."customerId" = c."shopifyId"`;

/** The FROM text compileSegmentWhere's fragment is written against. Both joins are on a primary key: never more rows. */
export const SEGMENT_FROM = `"Customer" c ${INSIGHT_JOIN} ${MEMBER_JOIN}`;

export interface SegmentSqlContext {
  provider: SqlProvider;
  currencyCode: string;
  now: Date;
  /** Parameters bound before the fragment ($n numbering on PostgreSQL starts after them). */
  paramOffset?: number;
  /**
   * The shop the fragment's customers belong to. Pass it: the product, RFM segment and tier conditions then read sets of
   * ids built once per statement; without it they correlate on c."shop" (the same customers, one subquery per customer).
   */
  shop?: string;
}

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

// Fields read through the joins (RFM segment and tier are read as sets of ids, idSetSql; tier "none" through the join).
const INSIGHT_FIELDS = new Set<SegmentCondition["field"]>(["predictedValue", "churnRisk", "expectedNextOrder"]);
const MEMBER_FIELDS = new Set<SegmentCondition["field"]>(["points"]);

const dayStart = (date: string) => new Date(`${date}T00:00:00.000Z`);
const dayAfter = (date: string) => new Date(dayStart(date).getTime() + DAY_MS);
const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS);

/**
 * The rules as a WHERE fragment over SEGMENT_FROM, with positional parameters (`?` on SQLite, `$n` on PostgreSQL).
 * A condition on a value the customer does not have (no orders, no insight row) does not match, except "not in" and
 * "has none", which hold for an empty field. Amounts are read in `currencyCode`; one it cannot hold is a SegmentRulesError.
 */
export function compileSegmentWhere(rules: SegmentRules, ctx: SegmentSqlContext): SqlFragment {
  const params: unknown[] = [];
  const offset = ctx.paramOffset ?? 0;
  // SQLite binds `?` in order of appearance: every fragment is written left to right as its values are bound.
  const bind = (value: unknown) => {
    params.push(value);
    return placeholders(ctx.provider, 1, offset + params.length - 1)[0]!;
  };
  const paths = new Map<SegmentCondition, string>();
  for (const [condition, path] of eachCondition(rules)) paths.set(condition, path);
  const compile = (condition: SegmentCondition) => `(${conditionSql(condition, { ...ctx, bind, path: paths.get(condition) ?? "conditions" })})`;
  const join = (match: "all" | "any", terms: string[]) => `(${terms.join(match === "all" ? " AND " : " OR ")})`;
  const sql = join(
    rules.match,
    rules.conditions.map((item) => (isSegmentGroup(item) ? join(item.match, item.conditions.map(compile)) : compile(item))),
  );
  return { sql, params };
}

interface Compiler extends SegmentSqlContext {
  bind: (value: unknown) => string;
  path: string;
}

/** `low <= column <= high` for the bounds given (inclusive); either may be absent. */
function within(column: string, low: unknown, high: unknown, bind: Compiler["bind"]): string {
  const terms: string[] = [];
  if (low !== undefined) terms.push(`${column} >= ${bind(low)}`);
  if (high !== undefined) terms.push(`${column} <= ${bind(high)}`);
  return terms.join(" AND ");
}

/** [low, high] from an eq / gte / lte / between condition's value. */
function bounds<T>(operator: string, value: T | [T, T]): [T | undefined, T | undefined] {
  if (operator === "between") return value as [T, T];
  const single = value as T;
  if (operator === "eq") return [single, single];
  return operator === "gte" ? [single, undefined] : [undefined, single];
}

function minorUnits(amount: string | undefined, { currencyCode, path }: Compiler): bigint | undefined {
  if (amount === undefined) return undefined;
  try {
    return toMinorUnits(amount, currencyCode);
  } catch {
    throw new SegmentRulesError({ [`${path}.value`]: `${amount} has more decimals than ${currencyCode} has` });
  }
}

function conditionSql(condition: SegmentCondition, compiler: Compiler): string {
  const { bind, provider, now } = compiler;
  const date = (value: Date) => bind(encodeDate(value, provider));
  switch (condition.field) {
    case "spent":
    case "predictedValue": {
      const column = condition.field === "spent" ? `c."amountSpentMinor"` : `i."predictedValueMinor"`;
      const [low, high] = bounds(condition.operator, condition.value);
      return within(column, minorUnits(low, compiler), minorUnits(high, compiler), bind);
    }
    case "averageOrder": {
      // spent / orders >= v is spent >= v * orders (for orders > 0): exact integers, no division. PostgreSQL multiplies
      // in numeric, where bigint * integer could overflow and fail the whole statement; SQLite falls back to a float.
      const [low, high] = bounds(condition.operator, condition.value).map((amount) => minorUnits(amount, compiler));
      const times = (amount: bigint) => (provider === "sqlite" ? `CAST(${bind(amount)} AS INTEGER)` : `CAST(${bind(amount)} AS numeric)`) + ` * c."numberOfOrders"`;
      const terms = [`c."numberOfOrders" > 0`];
      if (low !== undefined) terms.push(`c."amountSpentMinor" >= ${times(low)}`);
      if (high !== undefined) terms.push(`c."amountSpentMinor" <= ${times(high)}`);
      return terms.join(" AND ");
    }
    case "orders":
    case "points":
    case "churnRisk": {
      // A missing loyalty row is a balance of 0; churn risk is stored per mille and given in percent (one decimal).
      const column = condition.field === "orders" ? `c."numberOfOrders"` : condition.field === "points" ? `COALESCE(m."pointsBalance", 0)` : `i."churnRisk"`;
      const scale = (value: number | undefined) => (value === undefined ? undefined : condition.field === "churnRisk" ? Math.round(value * 10) : value);
      const [low, high] = bounds(condition.operator, condition.value);
      return within(column, scale(low), scale(high), bind);
    }
    case "daysSinceLastOrder": {
      // Whole days since the last order: at least N is "on or before now - N days", at most N is "after now - (N+1)
      // days". A customer without orders has no last order, so no comparison holds.
      const [low, high] = bounds(condition.operator, condition.value);
      const terms: string[] = [];
      if (low !== undefined) terms.push(`c."lastOrderAt" <= ${date(daysBefore(now, low))}`);
      if (high !== undefined) terms.push(`c."lastOrderAt" > ${date(daysBefore(now, high + 1))}`);
      return terms.join(" AND ");
    }
    case "firstOrderAt":
    case "lastOrderAt": {
      // Days are UTC days, as in the customers index; before and after leave the day itself out.
      const column = `c."${condition.field}"`;
      switch (condition.operator) {
        case "before":
          return `${column} < ${date(dayStart(condition.value))}`;
        case "after":
          return `${column} >= ${date(dayAfter(condition.value))}`;
        case "inLastDays":
          return `${column} >= ${date(daysBefore(now, condition.value))}`;
        case "notInLastDays":
          return `${column} < ${date(daysBefore(now, condition.value))}`;
      }
      break;
    }
    case "expectedNextOrder": {
      const column = `i."expectedNextOrderAt"`;
      if (condition.operator === "overdue") return `${column} < ${date(now)}`;
      return `${column} >= ${date(daysBefore(now, DUE_GRACE_DAYS))} AND ${column} <= ${date(daysBefore(now, -condition.value))}`;
    }
    case "owner":
    case "country": {
      const column = condition.field === "owner" ? `c."ownerId"` : `c."countryCode"`;
      return optionSql(column, condition.operator === "notIn", condition.value, condition.field === "owner", bind);
    }
    case "rfmSegment":
      return idSetSql(`"CustomerInsight"`, `"rfmSegment"`, condition.operator === "notIn", condition.value, compiler);
    case "tier":
      // "No tier" is most of a shop: read through the join, which costs a lookup per customer but builds no set of them.
      if (condition.value.includes(NONE_OPTION)) return optionSql(`m."tierKey"`, condition.operator === "notIn", condition.value, true, bind);
      return idSetSql(`"LoyaltyMember"`, `"tierKey"`, condition.operator === "notIn", condition.value, compiler);
    case "tag": {
      // Whole tags in any case: ", a, b, " holds ", a, " but not ", a-b, ". Both sides go through the database's own
      // lower() (SQLite's folds ASCII only, as its LIKE does in the customers index). instr / strpos: tags may hold % and _.
      const haystack = `', ' || lower(c."tags") || ', '`;
      const needle = (tag: string) => `', ' || lower(CAST(${bind(tag)} AS TEXT)) || ', '`;
      const found = (tag: string) => (provider === "sqlite" ? `instr(${haystack}, ${needle(tag)}) > 0` : `strpos(${haystack}, ${needle(tag)}) > 0`);
      const terms = condition.value.map(found);
      return condition.operator === "hasAny" ? terms.join(" OR ") : `NOT (${terms.join(" OR ")})`;
    }
    case "productBought":
    case "productType":
      return `c."shopifyId" ${condition.operator === "hasAny" ? "IN" : "NOT IN"} (${buyersSql(condition.field, condition.value, compiler)})`;
    case "emailSubscribed":
      return condition.value ? `c."emailMarketingState" = 'SUBSCRIBED'` : `(c."emailMarketingState" IS NULL OR c."emailMarketingState" <> 'SUBSCRIBED')`;
  }
  throw new SegmentRulesError({ [compiler.path]: `cannot compile ${JSON.stringify(condition)}` });
}

/** `column IN / NOT IN (values)`, where "none" (owner, tier) stands for an empty column. NOT IN holds for an empty column. */
function optionSql(column: string, negate: boolean, values: string[], hasNone: boolean, bind: Compiler["bind"]): string {
  const none = hasNone && values.includes(NONE_OPTION);
  const listed = values.filter((value) => !(hasNone && value === NONE_OPTION));
  const list = listed.length ? `${column} ${negate ? "NOT IN" : "IN"} (${listed.map(bind).join(", ")})` : "";
  if (!negate) return [list, none ? `${column} IS NULL` : ""].filter(Boolean).join(" OR ");
  if (none) return [`${column} IS NOT NULL`, list].filter(Boolean).join(" AND ");
  return `${column} IS NULL OR ${list}`;
}

/**
 * `column IN / NOT IN (values)` on a side table as a set of customer ids from its (shop, column) index, where no row is
 * an empty column. As a join, the planner walked every customer and looked up each one's row even when the set holds a
 * few thousand (vipAtRisk at 100,000 customers on SQLite: 400 ms joined, 50 ms as a set).
 */
function idSetSql(table: string, column: string, negate: boolean, values: string[], { bind, shop }: Compiler): string {
  // Without the shop (a few given customers): each customer's own row, by its key.
  const scope = shop === undefined ? `"shop" = c."shop" AND "customerId" = c."shopifyId"` : `"shop" = ${bind(shop)}`;
  return `c."shopifyId" ${negate ? "NOT IN" : "IN"} (SELECT "customerId" FROM ${table} WHERE ${scope} AND ${column} IN (${values.map(bind).join(", ")}))`;
}

/**
 * The ids of customers with a live order (not test, cancelled or deleted) holding one of the products or product
 * types. Uncorrelated when the shop is known: the database builds the (usually small) set of buyers once from the
 * OrderLine (shop, productId) index rather than probing every customer's orders, which at 100,000 customers is the
 * difference between reading a product's lines and reading the shop's.
 */
function buyersSql(field: "productBought" | "productType", values: string[], { bind, shop, provider }: Compiler): string {
  // Each use binds the shop again: SQLite's `?` take their values in order of appearance.
  const shopRef = () => (shop === undefined ? `c."shop"` : bind(shop));
  const live = `o."customerId" IS NOT NULL AND o."test" = FALSE AND o."cancelledAt" IS NULL AND o."deletedAt" IS NULL`;
  // Without the shop (a few given customers): from each customer's own orders, by the (shop, customerId) index.
  const lines =
    shop === undefined
      ? `SELECT o."customerId" FROM "Order" o JOIN "OrderLine" l ON l."shop" = o."shop" AND l."orderId" = o."shopifyId" WHERE o."shop" = c."shop" AND o."customerId" = c."shopifyId"`
      : `SELECT o."customerId" FROM "OrderLine" l JOIN "Order" o ON o."shop" = l."shop" AND o."shopifyId" = l."orderId" WHERE l."shop" = ${shopRef()}`;
  if (field === "productBought") return `${lines} AND l."productId" IN (${values.map(bind).join(", ")}) AND ${live}`;
  // The type's products first, as a set: joined instead, SQLite read every line of the shop (1.5 M) to find them (23 s).
  // PostgreSQL keeps no statistics on lower(productType), guessed 2 products where a type had 10 and looked up the order
  // of each of their 46,000 lines (2.3 s); as an ARRAY it hash-joins the lines with the orders (0.8 s).
  // The cast: PostgreSQL cannot tell lower(text) from lower(range) for an untyped parameter.
  const productShop = shopRef();
  const types = values.map((type) => `lower(CAST(${bind(type)} AS TEXT))`).join(", ");
  const products = `SELECT p."shopifyId" FROM "Product" p WHERE p."shop" = ${productShop} AND lower(p."productType") IN (${types})`;
  return `${lines} AND l."productId" ${provider === "sqlite" ? `IN (${products})` : `= ANY(ARRAY(${products}))`} AND ${live}`;
}

/** SEGMENT_FROM with only the joins the rules read: a join nobody reads still costs a lookup per customer. */
function fromFor(rules: SegmentRules): string {
  const conditions = [...eachCondition(rules)].map(([condition]) => condition);
  const readsMember = (condition: SegmentCondition) => MEMBER_FIELDS.has(condition.field) || (condition.field === "tier" && condition.value.includes(NONE_OPTION));
  const joins = [conditions.some((condition) => INSIGHT_FIELDS.has(condition.field)) ? INSIGHT_JOIN : "", conditions.some(readsMember) ? MEMBER_JOIN : ""];
  return [`"Customer" c`, ...joins].filter(Boolean).join(" ");
}

export interface SegmentQuery {
  shop: string;
  rules: SegmentRules;
  now: Date;
  currencyCode: string;
}

/** The shop's live customers matching `rules`, as FROM ... WHERE text and its parameters (the shop is the first). */
function segmentQuery(db: Db, { shop, rules, now, currencyCode }: SegmentQuery, { fewCustomers = false } = {}): SqlFragment {
  const provider = providerOf(db);
  const [shopMark] = placeholders(provider, 1);
  // For a few given customers, sets of ids built for the whole shop cost more than a lookup per customer.
  const where = compileSegmentWhere(rules, { provider, currencyCode, now, shop: fewCustomers ? undefined : shop, paramOffset: 1 });
  return {
    sql: `FROM ${fromFor(rules)} WHERE c."shop" = ${shopMark} AND c."deletedAt" IS NULL AND c."redactedAt" IS NULL AND ${where.sql}`,
    params: [shop, ...where.params],
  };
}

/** How many of the shop's live customers the rules select. */
export async function countSegment(db: Db, query: SegmentQuery): Promise<number> {
  const { sql, params } = segmentQuery(db, query);
  const [row] = await db.$queryRawUnsafe<Array<{ count: number | bigint }>>(`SELECT COUNT(*) AS "count" ${sql}`, ...params);
  return Number(row?.count ?? 0);
}

// Up to this many given customers are checked one lookup each rather than against shop-wide sets of ids.
const FEW_CUSTOMERS = 500;

/**
 * The ids of the shop's live customers the rules select, in id order. With `customerIds`, only those are checked
 * (a segment's incremental update after some customers changed). Read as one JSON value per statement (selectRows):
 * a whole shop is 100,000 rows.
 */
export async function selectSegmentCustomerIds(db: Db, query: SegmentQuery & { customerIds?: readonly string[] }): Promise<string[]> {
  const { sql, params } = segmentQuery(db, query, { fewCustomers: query.customerIds !== undefined && query.customerIds.length <= FEW_CUSTOMERS });
  const ids = query.customerIds ? [...new Set(query.customerIds)] : undefined;
  const rows = await selectRowsByIds(db, [["id", "text"]], ids, `c."shopifyId"`, (filter) => ({ sql: `SELECT c."shopifyId" AS "id" ${sql}${filter}`, params }));
  // Sorted here: the JSON aggregate keeps no order on PostgreSQL. Plain code-unit order, the same in every locale.
  return rows.map(([id]) => id as string).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
