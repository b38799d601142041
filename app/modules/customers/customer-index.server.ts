// The customers index: search, filters, sort and keyset pagination over a shop's archive
// (decision 009). A query is plain data (parsed from the URL or a saved view), so the page, the
// CSV export, bulk actions and handover all select exactly the same customers.
import { prisma, Prisma, type PrismaClient } from "../../db.server";
import { providerOf, type SqlProvider } from "../db/provider.server";
import { toMinorUnits } from "../money/money";
import { QueryError, type CustomerQuery, type SortKey } from "./customer-query";
import { searchIndexLive } from "./customer-search.server";

export { customerQueryParams, customerQuerySchema, parseCustomerQuery, QUERY_FIELDS, QueryError, SORT_KEYS, type CustomerQuery, type SortKey } from "./customer-query";

const COLUMN: Record<SortKey, "displayName" | "amountSpentMinor" | "numberOfOrders" | "lastOrderAt" | "shopifyCreatedAt"> = {
  name: "displayName",
  spent: "amountSpentMinor",
  orders: "numberOfOrders",
  lastOrder: "lastOrderAt",
  created: "shopifyCreatedAt",
};
// Columns that may be null sort their nulls last in both directions.
const NULLABLE = new Set<SortKey>(["name", "lastOrder"]);

const dayStart = (date: string) => new Date(`${date}T00:00:00.000Z`);
const dayAfter = (date: string) => new Date(dayStart(date).getTime() + 86_400_000);

/**
 * Ids a query binds at most (a small segment's members): each id is one bound value, and Prisma
 * binds at most 999 on SQLite, the query's other values included. At 2,000 a segment of 1,000-2,000
 * members failed there (stop 17). (A search's matches are no longer bound: only a page's ids.)
 */
const MAX_IDS = 900;

/**
 * A custom segment this small is filtered by its members' ids (a key lookup each); a larger one
 * through the members relation. Walking the customers in sort order to probe a membership each
 * found an empty or rare segment's 51 rows last: 217 ms at 100,000 customers on SQLite.
 */
export const SEGMENT_BY_IDS = MAX_IDS;

/** The ids of a custom segment's members when it has at most SEGMENT_BY_IDS of them; null for a larger one. */
async function smallSegmentMembers(db: PrismaClient, shop: string, segmentId: string | undefined): Promise<string[] | null> {
  if (!segmentId) return null;
  // SQLite: read along the key (segmentId, customerId); the shop is checked on each row (`+` keeps
  // SQLite from choosing the (shop, customerId) index, which scanned every membership of the shop:
  // 9 ms for an empty segment, 0.01 along the key, at 40,000 memberships).
  const members =
    providerOf(db) === "sqlite"
      ? await db.$queryRaw<Array<{ customerId: string }>>`SELECT "customerId" FROM "SegmentMember" WHERE "segmentId" = ${segmentId} AND +"shop" = ${shop} LIMIT ${SEGMENT_BY_IDS + 1}`
      : await db.segmentMember.findMany({ where: { segmentId, shop }, select: { customerId: true }, take: SEGMENT_BY_IDS + 1 });
  return members.length > SEGMENT_BY_IDS ? null : members.map((member) => member.customerId);
}

/** Whether a query filters at all (its sort and direction aside). */
const filters = (query: CustomerQuery) => Object.entries(query).some(([field, value]) => value !== undefined && field !== "sort" && field !== "direction");

/** The single count a raw `SELECT COUNT(*) AS "n" ...` returns. */
async function countOf(db: PrismaClient, sql: Prisma.Sql): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ n: bigint | number }>>(sql);
  return Number(row?.n ?? 0);
}

/**
 * A shop's live customers, counted as one plain COUNT. Prisma counts from a subquery that selects
 * `shop, shopifyId`, which SQLite, once its statistics say every customer is live, read from the
 * table rows instead of the `(shop, deletedAt)` index (28 ms against 6-8 ms at 100,000 customers).
 */
const liveCustomers = (db: PrismaClient, shop: string) => countOf(db, Prisma.sql`SELECT COUNT(*) AS "n" FROM "Customer" WHERE "shop" = ${shop} AND "deletedAt" IS NULL`);

/**
 * SQLite: how many of a custom segment's members are live customers of the shop - the segment's
 * rows (its key's range), each customer looked up by key in a scalar subquery. The relation
 * filter's EXISTS walked every customer of the shop probing a membership each (72-76 / 86-98 ms
 * p50 / p95 for 7,000-21,000 members of 100,000 customers); this measured 41 / 58 ms. Not on
 * PostgreSQL, which joins the members to an index of the live customers' keys (migration 0012)
 * in less: the same subquery there was 80 ms, a key lookup 3 us each. The segment's rows are read
 * along its key: `+` keeps SQLite from the (shop, customerId) index, which its statistics (sampled
 * after an import) made look as selective, and which scanned every membership of the shop (6,705
 * members of 40,693 memberships: 24 -> 15 ms).
 */
const liveMembers = (db: PrismaClient, shop: string, segmentId: string) =>
  countOf(
    db,
    Prisma.sql`
    SELECT COUNT(*) AS "n" FROM "SegmentMember" m
    WHERE m."segmentId" = ${segmentId} AND +m."shop" = ${shop}
      AND (SELECT 1 FROM "Customer" c WHERE c."shop" = m."shop" AND c."shopifyId" = m."customerId" AND c."deletedAt" IS NULL) = 1`,
  );

/** The mark around each tag in Customer.searchText (migration 0008). */
const TAG_MARK = "\u001f";

/**
 * Characters LIKE reads as wildcards (and its escape). Prisma's `contains` passes them on as they
 * are: "50%" found "50 off" and "j_smith" "jasmith". PostgreSQL escapes them (its LIKE's escape is
 * a backslash); SQLite's LIKE has none unless the query names one, so there a search holding one
 * is matched through the search index only (searchMatches).
 */
const LIKE_SPECIAL = /[%_\\]/g;
const escapeLike = (term: string) => term.replace(LIKE_SPECIAL, (char) => `\\${char}`);
const hasLikeSpecial = (term: string | undefined) => term !== undefined && escapeLike(term) !== term;

/**
 * SQLite: the search and tag of a query as conditions on the search index (CustomerSearch, migration
 * 0013: each live customer's searchText and shop), or null when it has neither or one holds a
 * control character (the text's separators). The index holds text lowercased by lower() - ASCII
 * letters only, as LIKE folds case - so both are lowercased so. A term of three characters or more
 * is a phrase of its trigrams (consecutive: exactly the substring), looked up; a shorter one has no
 * trigram and is read by LIKE from the index's narrow rows. A tag is a phrase with its marks
 * (never shorter than three): a whole tag, looked up.
 */
function searchIndexQuery(shop: string, query: CustomerQuery): { where: Prisma.Sql; lookup: boolean } | null {
  const { q, tag } = query;
  // eslint-disable-next-line no-control-regex
  if ((!q && !tag) || [q, tag].some((text) => text !== undefined && /[\u0000-\u001f]/.test(text))) return null;
  const lower = (text: string) => text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  const phrase = (text: string) => `"${text.replaceAll('"', '""')}"`;
  const short = q !== undefined && [...q].length < 3; // no trigram
  const phrases = [...(q && !short ? [phrase(lower(q))] : []), ...(tag ? [phrase(`${TAG_MARK}${lower(tag)}${TAG_MARK}`)] : [])];
  const conditions = [...(phrases.length ? [Prisma.sql`s."text" MATCH ${phrases.join(" AND ")}`] : []), ...(q && short ? [Prisma.sql`s."text" LIKE ${`%${escapeLike(lower(q))}%`} ESCAPE '\\'`] : []), Prisma.sql`s."shop" = ${shop}`];
  return { where: Prisma.join(conditions, " AND "), lookup: phrases.length > 0 };
}

type SearchIndexQuery = NonNullable<ReturnType<typeof searchIndexQuery>>;

/** SQLite: up to `limit` (all when omitted) of the live customers a search finds, each with its `column` (CROSS JOIN keeps the index outermost). */
function searchMatches(db: PrismaClient, search: SearchIndexQuery, column: (typeof COLUMN)[SortKey], limit = -1): Promise<Array<{ shopifyId: string; value: string | number | bigint | Date | null }>> {
  return db.$queryRaw`SELECT c."shopifyId", ${Prisma.raw(`c."${column}"`)} AS "value" FROM "CustomerSearch" s CROSS JOIN "Customer" c ON c.rowid = s.rowid WHERE ${search.where} LIMIT ${limit}`;
}

/** SQLite: how many live customers a search finds. */
const searchCount = (db: PrismaClient, search: SearchIndexQuery) => countOf(db, Prisma.sql`SELECT COUNT(*) AS "n" FROM "CustomerSearch" s WHERE ${search.where}`);

/**
 * PostgreSQL: how many live customers a search alone finds when it is one or two characters - a
 * term without a trigram, which the trigram index cannot serve - or null for any other query.
 * Counted from the narrow copy of the searched text (CustomerSearch, migration 0014: 19-24 ms at
 * 100,000 customers, where the same LIKE over Customer's wide rows took 53-58). The page itself
 * walks the sort index and stops at 50 matches (1-6 ms).
 */
function shortSearchCount(db: PrismaClient, shop: string, query: CustomerQuery): Promise<number> | null {
  const term = query.q === undefined ? "" : searchTerm(query.q);
  if (providerOf(db) !== "postgresql" || !term || [...term].length > 2 || filters({ ...query, q: undefined })) return null;
  return countOf(db, Prisma.sql`SELECT COUNT(*) AS "n" FROM "CustomerSearch" WHERE "shop" = ${shop} AND "searchText" LIKE ${`%${escapeLike(term)}%`}`);
}

/** A term as Customer.searchText holds text: lowercased, without control characters (its separators). */
// eslint-disable-next-line no-control-regex
const searchTerm = (term: string) => term.toLowerCase().replace(/[\u0000-\u001f]/g, "");

/**
 * The filter part of a query as a Prisma where, always scoped to the shop and to customers not
 * deleted. `segmentMembers`: the custom segment's member ids when read ahead (customerFilter does).
 */
function customerWhere(shop: string, query: CustomerQuery, currencyCode: string, provider: SqlProvider, segmentMembers: string[] | null = null): Prisma.CustomerWhereInput {
  const isPostgres = () => provider === "postgresql";
  const and: Prisma.CustomerWhereInput[] = [{ shop, deletedAt: null }];
  if (query.q) {
    // Case-insensitive substring. SQLite: LIKE on the columns (case-insensitive for ASCII).
    // PostgreSQL: one LIKE on the lowercased copy the database keeps (Customer.searchText) - ILIKE
    // lowercased four columns per row scanned; control characters (its separators) are dropped.
    const term = query.q;
    and.push(isPostgres() ? { searchText: { contains: escapeLike(searchTerm(term)) } } : { OR: [{ displayName: { contains: term } }, { email: { contains: term } }, { phone: { contains: term } }, { tags: { contains: term } }] });
  }
  if (query.tag) {
    // Shopify's tags are case-insensitive. PostgreSQL: searchText holds each tag lowercased
    // between U+001F marks, so a whole tag is one substring. SQLite: `=` is case-sensitive but LIKE
    // is not, so a lone tag is "starts and ends with the tag, and holds no other".
    const tag = query.tag;
    if (isPostgres()) and.push({ searchText: { contains: `${TAG_MARK}${escapeLike(searchTerm(tag))}${TAG_MARK}` } });
    else
      and.push({
        OR: [{ AND: [{ tags: { startsWith: tag } }, { tags: { endsWith: tag } }, { NOT: { tags: { contains: ", " } } }] }, { tags: { startsWith: `${tag}, ` } }, { tags: { endsWith: `, ${tag}` } }, { tags: { contains: `, ${tag}, ` } }],
      });
  }
  if (query.owner === "none") and.push({ ownerId: null });
  else if (query.owner) and.push({ ownerId: query.owner });
  // Tier and RFM segment: the customer's copies of its member's and insight's (kept by triggers).
  if (query.tier === "none") and.push({ tierKey: null });
  else if (query.tier) and.push({ tierKey: query.tier });
  if (query.rfm) and.push({ rfmSegment: query.rfm });
  // A custom segment's members are another table: a small segment by their ids, a large one through
  // the schema's query-only relation (the shop repeated inside, so the subquery reads its index).
  if (query.segment) and.push(segmentMembers ? { shopifyId: { in: segmentMembers } } : { segmentMemberships: { some: { shop, segmentId: query.segment } } });
  if (query.spentMin !== undefined)
    and.push({
      amountSpentMinor: {
        gte: toMinorUnitsLenient(query.spentMin, currencyCode),
      },
    });
  if (query.spentMax !== undefined)
    and.push({
      amountSpentMinor: {
        lte: toMinorUnitsLenient(query.spentMax, currencyCode),
      },
    });
  if (query.ordersMin !== undefined) and.push({ numberOfOrders: { gte: query.ordersMin } });
  if (query.ordersMax !== undefined) and.push({ numberOfOrders: { lte: query.ordersMax } });
  if (query.lastOrderFrom) and.push({ lastOrderAt: { gte: dayStart(query.lastOrderFrom) } });
  if (query.lastOrderTo) and.push({ lastOrderAt: { lt: dayAfter(query.lastOrderTo) } });
  return { AND: and };
}

/** The filter part of a query as a Prisma where (customerWhere), a small custom segment's members read ahead. */
export async function customerFilter({ shop, query, currencyCode, db = prisma }: { shop: string; query: CustomerQuery; currencyCode: string; db?: PrismaClient }): Promise<Prisma.CustomerWhereInput> {
  return customerWhere(shop, query, currencyCode, providerOf(db), await smallSegmentMembers(db, shop, query.segment));
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
  throw new QueryError({
    spent: `${amount} is not an amount in ${currencyCode}`,
  });
}

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

type CustomerRow = Prisma.CustomerGetPayload<{
  select: typeof CUSTOMER_SELECT;
}>;

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

const idAfter = (direction: "asc" | "desc", id: string): Prisma.CustomerWhereInput => ({
  shopifyId: direction === "asc" ? { gt: id } : { lt: id },
});

/**
 * Rows strictly after the cursor in (sort column, shopifyId) order among the rows whose sort value
 * is not null. Written `col <= v AND (col < v OR id < cursor id)` (descending; mirrored ascending)
 * rather than `col < v OR (col = v AND ...)`: the bound on the column lets its index seek to the
 * cursor, so page 50 reads what page 1 reads.
 */
function afterValue(key: SortKey, direction: "asc" | "desc", cursor: Cursor): Prisma.CustomerWhereInput {
  const column = COLUMN[key];
  if (cursor.value === null) return { AND: [{ [column]: null }, idAfter(direction, cursor.id)] };
  const value = columnValue(key, cursor.value);
  return {
    AND: [
      { [column]: direction === "asc" ? { gte: value } : { lte: value } },
      {
        OR: [{ [column]: direction === "asc" ? { gt: value } : { lt: value } }, idAfter(direction, cursor.id)],
      },
    ],
  };
}

/**
 * Up to `limit` rows after the cursor in (sort column, shopifyId) order, nulls last. A nullable
 * sort column is read as two queries - the rows with a value, then (only once those run out) the
 * rows without one, by id - because no index serves `ORDER BY col NULLS LAST` on SQLite (Prisma
 * writes it `ORDER BY CASE WHEN col IS NULL ...`) nor descending on PostgreSQL: both sorted every
 * matching customer for each page.
 */
async function pageRows(db: PrismaClient, where: Prisma.CustomerWhereInput, sort: SortKey, direction: "asc" | "desc", after: Cursor | null, limit: number): Promise<CustomerRow[]> {
  const column = COLUMN[sort];
  const orderBy: Prisma.CustomerOrderByWithRelationInput[] = [{ [column]: direction }, { shopifyId: direction }];
  if (!NULLABLE.has(sort)) {
    return db.customer.findMany({
      where: after ? { AND: [where, afterValue(sort, direction, after)] } : where,
      orderBy,
      take: limit,
      select: CUSTOMER_SELECT,
    });
  }
  const valued =
    after?.value === null
      ? []
      : await db.customer.findMany({
          where: {
            AND: [where, { [column]: { not: null } }, ...(after ? [afterValue(sort, direction, after)] : [])],
          },
          orderBy,
          take: limit,
          select: CUSTOMER_SELECT,
        });
  if (valued.length >= limit) return valued;
  const nulls = await db.customer.findMany({
    where: {
      AND: [where, { [column]: null }, ...(after?.value === null ? [idAfter(direction, after.id)] : [])],
    },
    orderBy: { shopifyId: direction },
    take: limit - valued.length,
    select: CUSTOMER_SELECT,
  });
  return [...valued, ...nulls];
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
  tierKey: true,
  rfmSegment: true,
} satisfies Prisma.CustomerSelect;

export const PAGE_SIZE = 50;
/** A SQLite text search with at most this many matches is sorted and paged here (see listCustomers). */
export const SEARCH_SCAN = 5_000;

/**
 * A match's key and sort value, as the page is cut from them: text as UTF-8 bytes (SQLite's BINARY
 * collation), dates as times. Keys are ASCII GIDs, so JavaScript's string order is their byte order.
 */
interface Match {
  shopifyId: string;
  value: Buffer | number | bigint | null;
}

const comparable = (value: string | number | bigint | Date | null): Match["value"] => (value === null ? null : value instanceof Date ? value.getTime() : typeof value === "string" ? Buffer.from(value) : value);
const compare = (a: Exclude<Match["value"], null>, b: Exclude<Match["value"], null>) => (Buffer.isBuffer(a) && Buffer.isBuffer(b) ? Buffer.compare(a, b) : a < b ? -1 : a > b ? 1 : 0);

/**
 * The ids of up to `limit` matches after the cursor, in pageRows' order: by the sort value (nulls
 * last in both directions), ties by id in the same direction.
 */
function pageOfMatches(matches: Match[], sort: SortKey, direction: "asc" | "desc", after: Cursor | null, limit: number): string[] {
  const sign = direction === "asc" ? 1 : -1;
  const order = (a: Match, b: Match) => {
    if (a.value === null || b.value === null) {
      if (a.value !== b.value) return a.value === null ? 1 : -1;
    } else {
      const byValue = compare(a.value, b.value);
      if (byValue !== 0) return sign * byValue;
    }
    return sign * (a.shopifyId < b.shopifyId ? -1 : a.shopifyId > b.shopifyId ? 1 : 0);
  };
  matches.sort(order);
  let start = 0;
  if (after) {
    const cursor: Match = { shopifyId: after.id, value: after.value === null ? null : comparable(columnValue(sort, after.value)) };
    start = matches.findIndex((match) => order(match, cursor) > 0);
    if (start < 0) return [];
  }
  return matches.slice(start, start + limit).map((match) => match.shopifyId);
}

/**
 * The customers among `ids` (what a search - its term and tag - found) that the query's other filters select, with
 * `select`'s columns: MAX_IDS ids a query; a small segment's members, already read, as a set.
 */
async function amongIds<S extends Prisma.CustomerSelect>(db: PrismaClient, ids: string[], select: S, shop: string, query: CustomerQuery, currencyCode: string, segmentMembers: string[] | null) {
  const members = segmentMembers && new Set(segmentMembers);
  const candidates = members ? ids.filter((id) => members.has(id)) : ids;
  const others = customerWhere(shop, { ...query, q: undefined, tag: undefined, segment: members ? undefined : query.segment }, currencyCode, providerOf(db));
  const rows: Array<Prisma.CustomerGetPayload<{ select: S }>> = [];
  for (let start = 0; start < candidates.length; start += MAX_IDS) {
    rows.push(...((await db.customer.findMany({ where: { AND: [others, { shopifyId: { in: candidates.slice(start, start + MAX_IDS) } }] }, select })) as Array<Prisma.CustomerGetPayload<{ select: S }>>));
  }
  return rows;
}

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
  const provider = providerOf(db);
  const segmentMembers = await smallSegmentMembers(db, shop, query.segment);
  const filtered = customerWhere(shop, query, currencyCode, provider, segmentMembers);
  const after = decodeCursor(cursor);
  // SQLite, a search or a tag filter (searchIndexQuery): the matches are read first from the search
  // index of migration 0013 with their sort value, at most SEARCH_SCAN + 1 of them - a term of three
  // characters or more or a tag looked up in 1-15 ms, a shorter term read by LIKE from the index's
  // narrow rows in ~15-20 ms, at 100,000 customers. When that is all of them, they are the total,
  // the page is sorted and cut from them here and its rows read by id; with other filters, those
  // are applied to what was found, MAX_IDS ids a query (Prisma binds each: ~15 ms per 900). A
  // common one (more matches) takes the usual path: the sort index's walk, and a count - the
  // index's, taken first, when the search is alone. One holding a LIKE wildcard always takes the
  // first path, whatever its matches (Prisma's LIKE would not read it as written). (On PostgreSQL,
  // whose search reads a trigram index, reading the matches first made a search slower - 151 to
  // 220 ms p95 - and a tag filter no faster.)
  const column = COLUMN[sort];
  const select = { shopifyId: true, [column]: true } as Prisma.CustomerSelect;
  type Matched = { shopifyId: string } & Partial<Record<typeof column, string | number | bigint | Date | null>>;
  // (While an import has the index deferred, the usual path below: LIKE on the customers' rows.)
  const search = provider === "sqlite" && (query.q || query.tag) && (await searchIndexLive(db)) ? searchIndexQuery(shop, query) : null;
  const literal = hasLikeSpecial(query.q) || hasLikeSpecial(query.tag);
  const alone = !filters({ ...query, q: undefined, tag: undefined });
  let matches: Matched[] | null = null;
  let counted: number | undefined;
  if (search) {
    // A search alone that the index looks up is counted first (1-25 ms): a common one's matches are not read. (A short term's count would be a second pass.)
    if (alone && search.lookup && !literal) counted = await searchCount(db, search);
    if (literal || counted === undefined || counted <= SEARCH_SCAN) {
      const found = await searchMatches(db, search, column, literal || counted !== undefined ? undefined : SEARCH_SCAN + 1);
      // The search alone: what was found, with its sort value. With other filters: those of them they select.
      if (literal || found.length <= SEARCH_SCAN)
        matches = alone ? found.map((match) => ({ shopifyId: match.shopifyId, [column]: match.value }) as Matched) : await amongIds(db, found.map((match) => match.shopifyId), select, shop, query, currencyCode, segmentMembers);
    }
  }
  const segmentAlone = filters({ ...query, segment: undefined }) ? undefined : query.segment;
  const total = async (): Promise<number> => {
    if (!filters(query)) return liveCustomers(db, shop); // one plain COUNT
    if (counted !== undefined) return counted;
    if (search && alone) return searchCount(db, search); // SQLite: a search alone, from the index
    const short = shortSearchCount(db, shop, query); // PostgreSQL: a short search alone, from the search copy
    if (short) return short;
    if (segmentAlone && provider === "sqlite") return liveMembers(db, shop, segmentAlone); // a large custom segment alone, from its members
    return db.customer.count({ where: filtered });
  };
  let customers: CustomerRow[];
  let more: boolean;
  let count: number;
  if (matches) {
    const keyed = matches.map((match) => ({ shopifyId: match.shopifyId, value: comparable(match[column] ?? null) }));
    const ids = pageOfMatches(keyed, sort, direction, after, take + 1);
    const byId = new Map((await db.customer.findMany({ where: { shop, shopifyId: { in: ids.slice(0, take) } }, select: CUSTOMER_SELECT })).map((row) => [row.shopifyId, row]));
    customers = ids.slice(0, take).flatMap((id) => byId.get(id) ?? []);
    more = ids.length > take;
    count = withTotal ? matches.length : -1;
  } else {
    let rows: CustomerRow[];
    [rows, count] = await Promise.all([pageRows(db, filtered, sort, direction, after, take + 1), withTotal ? total() : Promise.resolve(-1)]);
    customers = rows.slice(0, take);
    more = rows.length > take;
  }
  const last = customers.at(-1);
  const nextCursor = more && last ? encodeCursor({ value: sortValueOf(last, sort), id: last.shopifyId }) : null;
  return { customers, total: count, nextCursor, sort, direction };
}

/** Every customer the query selects, whole, in pages of 1,000 in id order (exports, bulk actions): memory stays flat. */
export async function* customerPages({ shop, query, currencyCode, db = prisma }: { shop: string; query: CustomerQuery; currencyCode: string; db?: PrismaClient }) {
  // (While an import has the index deferred, Prisma's LIKE: its wildcards act as wildcards until the index is back.)
  const search = providerOf(db) === "sqlite" && (hasLikeSpecial(query.q) || hasLikeSpecial(query.tag)) && (await searchIndexLive(db)) ? searchIndexQuery(shop, query) : null;
  if (search) {
    // A search with LIKE's wildcards, as listCustomers finds it: the selected ids first (a few
    // strings each; the other filters applied only when there are any), then their rows, MAX_IDS
    // at a time.
    const found = (await searchMatches(db, search, "shopifyCreatedAt")).map((match) => match.shopifyId);
    const alone = !filters({ ...query, q: undefined, tag: undefined });
    const ids = (alone ? found : (await amongIds(db, found, { shopifyId: true }, shop, query, currencyCode, await smallSegmentMembers(db, shop, query.segment))).map((row) => row.shopifyId)).sort();
    for (let start = 0; start < ids.length; start += MAX_IDS) yield await db.customer.findMany({ where: { shop, shopifyId: { in: ids.slice(start, start + MAX_IDS) } }, orderBy: { shopifyId: "asc" }, omit: { searchText: true } });
    return;
  }
  const where = await customerFilter({ shop, query, currencyCode, db });
  let after: string | undefined;
  for (;;) {
    const page = await db.customer.findMany({ where: after ? { AND: [where, { shopifyId: { gt: after } }] } : where, orderBy: { shopifyId: "asc" }, take: 1000, omit: { searchText: true } });
    if (page.length === 0) return;
    yield page;
    after = page.at(-1)!.shopifyId;
  }
}

/** Every customer id the query selects, in pages. */
export async function* selectCustomerIds(options: { shop: string; query: CustomerQuery; currencyCode: string; db?: PrismaClient }) {
  for await (const page of customerPages(options)) yield page.map((customer) => customer.shopifyId);
}

/** Every customer id the query selects, as one list (a bulk action's or a handover's selection). */
export async function allCustomerIds(options: { shop: string; query: CustomerQuery; currencyCode: string; db?: PrismaClient }): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of selectCustomerIds(options)) ids.push(...page);
  return ids;
}
