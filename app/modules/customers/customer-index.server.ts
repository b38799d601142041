// The customers index: search, filters, sort and keyset pagination over a shop's archive
// (decision 009). A query is plain data (parsed from the URL or a saved view), so the page, the
// CSV export, bulk actions and handover all select exactly the same customers.
import { z } from "zod";

import { dbProvider, prisma, type Prisma, type PrismaClient } from "../../db.server";
import { getEnv } from "../../env.server";
import { toMinorUnits } from "../money/money";

export const SORT_KEYS = ["name", "spent", "orders", "lastOrder", "created"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const COLUMN: Record<SortKey, "displayName" | "amountSpentMinor" | "numberOfOrders" | "lastOrderAt" | "shopifyCreatedAt"> = {
  name: "displayName",
  spent: "amountSpentMinor",
  orders: "numberOfOrders",
  lastOrder: "lastOrderAt",
  created: "shopifyCreatedAt",
};
// Columns that may be null sort their nulls last in both directions.
const NULLABLE = new Set<SortKey>(["name", "lastOrder"]);

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((value) => value || undefined);
const optionalDecimal = optionalText.refine((value) => value === undefined || /^\d+(\.\d+)?$/.test(value), "must be an amount such as 120 or 99.50");
const optionalCount = optionalText.refine((value) => value === undefined || /^\d{1,9}$/.test(value), "must be a whole number").transform((value) => (value === undefined ? undefined : Number(value)));
const optionalDate = optionalText.refine((value) => value === undefined || /^\d{4}-\d{2}-\d{2}$/.test(value), "must be a date (YYYY-MM-DD)");

/** A customers-index query as the URL carries it: every field optional, all text. */
export const customerQuerySchema = z.object({
  q: optionalText,
  tag: optionalText,
  owner: optionalText, // a staff user id, or "none"
  spentMin: optionalDecimal,
  spentMax: optionalDecimal,
  ordersMin: optionalCount,
  ordersMax: optionalCount,
  lastOrderFrom: optionalDate,
  lastOrderTo: optionalDate,
  sort: z.enum(SORT_KEYS).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
});
export type CustomerQuery = z.infer<typeof customerQuerySchema>;
export const QUERY_FIELDS = Object.keys(customerQuerySchema.shape) as Array<keyof CustomerQuery>;

export class QueryError extends Error {
  constructor(readonly fieldErrors: Record<string, string>) {
    super(Object.entries(fieldErrors).map(([field, message]) => `${field}: ${message}`).join("; "));
    this.name = "QueryError";
  }
}

/** Reads a query from URL search params (or a saved view's JSON); a malformed field is a QueryError naming it. */
export function parseCustomerQuery(params: URLSearchParams | Record<string, unknown>): CustomerQuery {
  const raw = params instanceof URLSearchParams ? Object.fromEntries(QUERY_FIELDS.map((field) => [field, params.get(field) ?? undefined])) : params;
  const parsed = customerQuerySchema.safeParse(raw);
  if (!parsed.success) {
    throw new QueryError(Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0] ?? "query"), issue.message])));
  }
  return parsed.data;
}

/** The query as URL search params, without empty fields (for links, saved views and the export). */
export function customerQueryParams(query: CustomerQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const field of QUERY_FIELDS) {
    const value = query[field];
    if (value !== undefined && value !== "") params.set(field, String(value));
  }
  return params;
}

const dayStart = (date: string) => new Date(`${date}T00:00:00.000Z`);
const dayAfter = (date: string) => new Date(dayStart(date).getTime() + 86_400_000);

/** The filter part of a query as a Prisma where, always scoped to the shop and to customers not deleted. */
export function customerWhere(shop: string, query: CustomerQuery, currencyCode: string): Prisma.CustomerWhereInput {
  const and: Prisma.CustomerWhereInput[] = [{ shop, deletedAt: null }];
  if (query.q) {
    // Case-insensitive substring: SQLite's LIKE already is for ASCII; PostgreSQL needs ILIKE (mode).
    const contains = { contains: query.q, ...(isPostgres() ? { mode: "insensitive" as const } : {}) };
    and.push({ OR: [{ displayName: contains }, { email: contains }, { phone: contains }, { tags: contains }] });
  }
  if (query.tag) {
    const tag = query.tag;
    and.push({ OR: [{ tags: tag }, { tags: { startsWith: `${tag}, ` } }, { tags: { endsWith: `, ${tag}` } }, { tags: { contains: `, ${tag}, ` } }] });
  }
  if (query.owner === "none") and.push({ ownerId: null });
  else if (query.owner) and.push({ ownerId: query.owner });
  if (query.spentMin !== undefined) and.push({ amountSpentMinor: { gte: toMinorUnitsLenient(query.spentMin, currencyCode) } });
  if (query.spentMax !== undefined) and.push({ amountSpentMinor: { lte: toMinorUnitsLenient(query.spentMax, currencyCode) } });
  if (query.ordersMin !== undefined) and.push({ numberOfOrders: { gte: query.ordersMin } });
  if (query.ordersMax !== undefined) and.push({ numberOfOrders: { lte: query.ordersMax } });
  if (query.lastOrderFrom) and.push({ lastOrderAt: { gte: dayStart(query.lastOrderFrom) } });
  if (query.lastOrderTo) and.push({ lastOrderAt: { lt: dayAfter(query.lastOrderTo) } });
  return { AND: and };
}

/** An amount typed by staff: extra decimals beyond the currency's are rounded down, not refused. */
function toMinorUnitsLenient(amount: string, currencyCode: string): bigint {
  const [whole, fraction = ""] = amount.split(".");
  for (let digits = fraction.length; digits >= 0; digits--) {
    try {
      return toMinorUnits(digits === 0 ? whole! : `${whole}.${fraction.slice(0, digits)}`, currencyCode);
    } catch {
      // too precise for the currency: drop a digit
    }
  }
  throw new QueryError({ spent: `${amount} is not an amount in ${currencyCode}` });
}

const isPostgres = () => dbProvider(getEnv().DATABASE_URL) === "postgresql";

// --- Keyset pagination -------------------------------------------------------------------------

type SortValue = string | number | null;
interface Cursor {
  value: SortValue;
  id: string;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id])).toString("base64url");
}

function decodeCursor(text: string | null | undefined): Cursor | null {
  if (!text) return null;
  try {
    const [value, id] = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as [unknown, unknown];
    if (typeof id !== "string" || !(value === null || typeof value === "string" || typeof value === "number")) return null;
    return { value, id };
  } catch {
    return null;
  }
}

type CustomerRow = Prisma.CustomerGetPayload<{ select: typeof CUSTOMER_SELECT }>;

const sortValueOf = (customer: CustomerRow, key: SortKey): SortValue => {
  const value = customer[COLUMN[key]];
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  return value;
};

function columnValue(key: SortKey, value: Exclude<SortValue, null>): string | number | bigint | Date {
  if (key === "spent") return BigInt(value);
  if (key === "lastOrder" || key === "created") return new Date(String(value));
  return value;
}

/** Rows strictly after the cursor in (sort column, shopifyId) order, nulls last. */
function afterCursor(key: SortKey, direction: "asc" | "desc", cursor: Cursor): Prisma.CustomerWhereInput {
  const column = COLUMN[key];
  const idAfter = { shopifyId: direction === "asc" ? { gt: cursor.id } : { lt: cursor.id } };
  if (cursor.value === null) return { AND: [{ [column]: null }, idAfter] };
  const value = columnValue(key, cursor.value);
  const beyond: Prisma.CustomerWhereInput[] = [{ [column]: direction === "asc" ? { gt: value } : { lt: value } }, { AND: [{ [column]: value }, idAfter] }];
  if (NULLABLE.has(key)) beyond.push({ [column]: null });
  return { OR: beyond };
}

export const CUSTOMER_SELECT = {
  shopifyId: true,
  displayName: true,
  firstName: true,
  lastName: true,
  email: true,
  phone: true,
  tags: true,
  numberOfOrders: true,
  amountSpentMinor: true,
  currencyCode: true,
  lastOrderAt: true,
  firstOrderAt: true,
  shopifyCreatedAt: true,
  ownerId: true,
  emailMarketingState: true,
  countryCode: true,
  city: true,
} satisfies Prisma.CustomerSelect;

export const PAGE_SIZE = 50;

export interface CustomerPage {
  customers: CustomerRow[];
  total: number;
  nextCursor: string | null;
  sort: SortKey;
  direction: "asc" | "desc";
}

/** One page of the index. `cursor` is the previous page's nextCursor. */
export async function listCustomers({
  shop,
  query,
  currencyCode,
  cursor,
  take = PAGE_SIZE,
  withTotal = true,
  db = prisma,
}: {
  shop: string;
  query: CustomerQuery;
  currencyCode: string;
  cursor?: string | null;
  take?: number;
  withTotal?: boolean;
  db?: PrismaClient;
}): Promise<CustomerPage> {
  const sort = query.sort ?? "spent";
  const direction = query.direction ?? (sort === "name" ? "asc" : "desc");
  const where = customerWhere(shop, query, currencyCode);
  const after = decodeCursor(cursor);
  const column = COLUMN[sort];
  const [rows, total] = await Promise.all([
    db.customer.findMany({
      where: after ? { AND: [where, afterCursor(sort, direction, after)] } : where,
      orderBy: [NULLABLE.has(sort) ? { [column]: { sort: direction, nulls: "last" } } : { [column]: direction }, { shopifyId: direction }],
      take: take + 1,
      select: CUSTOMER_SELECT,
    }),
    withTotal ? db.customer.count({ where }) : Promise.resolve(-1),
  ]);
  const customers = rows.slice(0, take);
  const last = customers.at(-1);
  const nextCursor = rows.length > take && last ? encodeCursor({ value: sortValueOf(last, sort), id: last.shopifyId }) : null;
  return { customers, total, nextCursor, sort, direction };
}

/** Every customer id the query selects (bulk actions, handover), in pages so memory stays flat. */
export async function* selectCustomerIds({ shop, query, currencyCode, db = prisma }: { shop: string; query: CustomerQuery; currencyCode: string; db?: PrismaClient }) {
  const where = customerWhere(shop, query, currencyCode);
  let after: string | undefined;
  for (;;) {
    const page = await db.customer.findMany({ where: after ? { AND: [where, { shopifyId: { gt: after } }] } : where, orderBy: { shopifyId: "asc" }, take: 1000, select: { shopifyId: true } });
    if (page.length === 0) return;
    yield page.map((row) => row.shopifyId);
    after = page.at(-1)!.shopifyId;
  }
}
