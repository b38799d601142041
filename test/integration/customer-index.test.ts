// The customers index (decision 009): search, each filter, each sort in both directions, keyset
// pagination over ties and nulls, query errors, and the shop scope - on the real database.
import { beforeAll, describe, expect, test } from "vitest";

import { bootApp } from "../support/app";
import { createCustomer, createShop } from "../support/factories";

const { prisma, database } = await bootApp();
const { listCustomers, parseCustomerQuery, QueryError, SEARCH_SCAN, SEGMENT_BY_IDS, selectCustomerIds, SORT_KEYS } = await import("~/modules/customers/customer-index.server");
type CustomerQuery = ReturnType<typeof parseCustomerQuery>;

const USD_SHOP = "index-usd.myshopify.com";
const JPY_SHOP = "index-jpy.myshopify.com";
const OTHER_SHOP = "index-other.myshopify.com";

const gid = (id: number) => `gid://shopify/Customer/${id}`;
const at = (iso: string) => new Date(iso);

interface Fixture {
  id: number;
  displayName: string | null;
  email: string | null;
  phone: string | null;
  tags: string;
  ownerId: string | null;
  spent: bigint; // minor units
  orders: number;
  lastOrderAt: Date | null;
  createdAt: Date;
}

// Ten customers of the USD shop, with ties in every sort key and null names and last orders.
// (Names differ in their first letter and share one case, so every collation sorts them alike.)
const CUSTOMERS: Fixture[] = [
  { id: 1001, displayName: "Alma Diaz", email: "alma@example.org", phone: "+15550100", tags: "vip", ownerId: "u1", spent: 25000n, orders: 5, lastOrderAt: at("2025-03-01T00:00:00.000Z"), createdAt: at("2020-01-01T00:00:00Z") },
  { id: 1002, displayName: "Boris Ng", email: "boris@shop.test", phone: "+15550101", tags: "vip, wholesale", ownerId: "u1", spent: 9999n, orders: 2, lastOrderAt: at("2025-03-31T23:59:59.999Z"), createdAt: at("2020-02-01T00:00:00Z") },
  { id: 1003, displayName: "Boris Ng", email: "boris.ng@example.org", phone: null, tags: "gold, vip", ownerId: "u2", spent: 10000n, orders: 2, lastOrderAt: at("2025-04-01T00:00:00.000Z"), createdAt: at("2020-03-01T00:00:00Z") },
  { id: 1004, displayName: null, email: null, phone: "+15550199", tags: "vip-gold", ownerId: null, spent: 0n, orders: 0, lastOrderAt: null, createdAt: at("2020-04-01T00:00:00Z") },
  { id: 1005, displayName: "Chen Li", email: "CHEN@EXAMPLE.ORG", phone: null, tags: "a, vip, b", ownerId: null, spent: 10000n, orders: 3, lastOrderAt: at("2025-02-28T23:59:59.000Z"), createdAt: at("2020-05-01T00:00:00Z") },
  { id: 1006, displayName: "Dara Okafor", email: "dara@shop.test", phone: null, tags: "ovip", ownerId: "u2", spent: 500000n, orders: 12, lastOrderAt: at("2025-01-15T10:00:00.000Z"), createdAt: at("2020-06-01T00:00:00Z") },
  { id: 1007, displayName: null, email: "nameless@shop.test", phone: null, tags: "", ownerId: null, spent: 0n, orders: 0, lastOrderAt: null, createdAt: at("2020-07-01T00:00:00Z") },
  { id: 1008, displayName: "Eve Wholesale", email: "eve@shop.test", phone: null, tags: "", ownerId: "u1", spent: 7550n, orders: 1, lastOrderAt: at("2025-03-15T12:00:00.000Z"), createdAt: at("2020-08-01T00:00:00Z") },
  { id: 1009, displayName: "Finn Berg", email: "finn@shop.test", phone: null, tags: "", ownerId: "u3", spent: 25000n, orders: 5, lastOrderAt: at("2025-03-01T00:00:00.000Z"), createdAt: at("2020-01-01T00:00:00Z") },
  { id: 1010, displayName: "Gus Hale", email: "gus@shop.test", phone: "+1 555 0123", tags: "wholesale", ownerId: "u3", spent: 120050n, orders: 7, lastOrderAt: at("2024-12-31T23:59:59.999Z"), createdAt: at("2020-10-01T00:00:00Z") },
];
const ALL = CUSTOMERS.map((customer) => customer.id);

function customerData(shop: string, fixture: Fixture, currencyCode = "USD") {
  return {
    shop,
    shopifyId: gid(fixture.id),
    displayName: fixture.displayName,
    firstName: fixture.displayName?.split(" ")[0] ?? null,
    lastName: fixture.displayName?.split(" ")[1] ?? null,
    email: fixture.email,
    phone: fixture.phone,
    tags: fixture.tags,
    ownerId: fixture.ownerId,
    amountSpentMinor: fixture.spent,
    numberOfOrders: fixture.orders,
    currencyCode,
    lastOrderAt: fixture.lastOrderAt,
    firstOrderAt: fixture.lastOrderAt,
    shopifyCreatedAt: fixture.createdAt,
    shopifyUpdatedAt: fixture.createdAt,
  };
}

// The JPY shop: yen have no minor unit, so ¥1000 is stored as 1000.
const YEN = [
  { id: 3001, spent: 999n },
  { id: 3002, spent: 1000n },
  { id: 3003, spent: 25000n },
];

beforeAll(async () => {
  await database.reset();
  await createShop(prisma, { shop: USD_SHOP, currencyCode: "USD" });
  await createShop(prisma, { shop: JPY_SHOP, currencyCode: "JPY" });
  await createShop(prisma, { shop: OTHER_SHOP, currencyCode: "USD" });
  for (const fixture of CUSTOMERS) {
    await createCustomer(prisma, customerData(USD_SHOP, fixture));
    // Another shop holds the same ids with the same figures: any leak shows up as an extra row.
    await createCustomer(prisma, { ...customerData(OTHER_SHOP, fixture), email: `other-${fixture.id}@other.test` });
  }
  // A deleted customer that every filter below would otherwise select.
  await createCustomer(prisma, {
    ...customerData(USD_SHOP, { ...CUSTOMERS[0]!, id: 1011, displayName: "Alma Diaz-Deleted", email: "alma.deleted@example.org", tags: "vip, wholesale, gold", spent: 30000n }),
    deletedAt: at("2025-05-01T00:00:00Z"),
  });
  // Tiers, RFM segments and a custom segment, in their own tables. The other shop's copies are all
  // gold champions in a segment of theirs: a filter that forgot the shop would select them.
  const tiers: Record<number, string | null> = { 1001: "gold", 1006: "gold", 1002: "silver", 1003: null, 1011: "gold" };
  const rfm: Record<number, string> = { 1001: "champions", 1009: "champions", 1010: "atRisk", 1011: "champions" };
  await prisma.segment.create({ data: { id: "seg-big-spenders", shop: USD_SHOP, name: "Big spenders", rules: "{}" } });
  for (const fixture of CUSTOMERS) {
    await prisma.loyaltyMember.create({ data: { shop: OTHER_SHOP, customerId: gid(fixture.id), tierKey: "gold" } });
    await prisma.customerInsight.create({ data: { shop: OTHER_SHOP, customerId: gid(fixture.id), rfmSegment: "champions" } });
    await prisma.segmentMember.create({ data: { shop: OTHER_SHOP, segmentId: "seg-other-shop", customerId: gid(fixture.id), enteredAt: at("2025-01-01T00:00:00Z") } });
  }
  for (const [id, tierKey] of Object.entries(tiers)) await prisma.loyaltyMember.create({ data: { shop: USD_SHOP, customerId: gid(Number(id)), tierKey } });
  for (const [id, rfmSegment] of Object.entries(rfm)) await prisma.customerInsight.create({ data: { shop: USD_SHOP, customerId: gid(Number(id)), rfmSegment } });
  for (const id of [1006, 1010, 1011]) await prisma.segmentMember.create({ data: { shop: USD_SHOP, segmentId: "seg-big-spenders", customerId: gid(id), enteredAt: at("2025-01-01T00:00:00Z") } });
  for (const { id, spent } of YEN) {
    await createCustomer(prisma, { shop: JPY_SHOP, shopifyId: gid(id), amountSpentMinor: spent, numberOfOrders: 1, currencyCode: "JPY", tags: "vip" });
  }
});

const shopCurrency = async (shop: string) => (await prisma.shop.findUniqueOrThrow({ where: { shop } })).currencyCode;

/** Every page of the query as the index walks it, `take` customers at a time. */
async function walk(shop: string, query: CustomerQuery, take: number) {
  const currencyCode = await shopCurrency(shop);
  const pages = [];
  let cursor: string | null = null;
  do {
    const page = await listCustomers({ shop, query, currencyCode, cursor, take });
    pages.push(page);
    cursor = page.nextCursor;
    if (pages.length > 50) throw new Error("the cursor never ends");
  } while (cursor);
  return pages;
}

const idsOf = (customers: Array<{ shopifyId: string }>) => customers.map((customer) => Number(customer.shopifyId.split("/").pop()));
const sortedIds = (ids: number[]) => [...ids].sort((a, b) => a - b);

/** Params as a URL carries them (fields a table row leaves out are absent). */
const urlParams = (params: Record<string, string | undefined>) => new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));

async function select(shop: string, params: Record<string, string | undefined>) {
  const pages = await walk(shop, parseCustomerQuery(urlParams(params)), 100);
  expect(pages).toHaveLength(1);
  return { ids: sortedIds(idsOf(pages[0]!.customers)), total: pages[0]!.total };
}

describe("filters", () => {
  test.each([
    { title: "no filter: every live customer of the shop", params: {}, expected: ALL },
    { title: "q on the name, any case", params: { q: "ALMA" }, expected: [1001] },
    { title: "q on the full name", params: { q: "alma diaz" }, expected: [1001] },
    { title: "q on the email, any case", params: { q: "Example.ORG" }, expected: [1001, 1003, 1005] },
    { title: "q on the phone", params: { q: "5550199" }, expected: [1004] },
    { title: "q on a tag or the name", params: { q: "WHOLESALE" }, expected: [1002, 1008, 1010] },
    { title: "q as a substring of tags", params: { q: "vip" }, expected: [1001, 1002, 1003, 1004, 1005, 1006] },
    { title: "q with surrounding spaces", params: { q: "  gus  " }, expected: [1010] },
    { title: "q that matches nothing", params: { q: "zzz" }, expected: [] },
    { title: "tag: the only, first, last or a middle tag, never a substring", params: { tag: "vip" }, expected: [1001, 1002, 1003, 1005] },
    { title: "tag: a last or only tag", params: { tag: "wholesale" }, expected: [1002, 1010] },
    { title: "tag: a first tag, not a tag containing it", params: { tag: "gold" }, expected: [1003] },
    { title: "tag: a tag with a hyphen", params: { tag: "vip-gold" }, expected: [1004] },
    { title: "tag: in any case, as Shopify's tags are (the only, first, last or a middle tag)", params: { tag: "VIP" }, expected: [1001, 1002, 1003, 1005] },
    { title: "owner: a staff member", params: { owner: "u1" }, expected: [1001, 1002, 1008] },
    { title: "owner: none", params: { owner: "none" }, expected: [1004, 1005, 1007] },
    { title: "owner: someone who owns nobody", params: { owner: "u9" }, expected: [] },
    { title: "spentMin in dollars (inclusive)", params: { spentMin: "100" }, expected: [1001, 1003, 1005, 1006, 1009, 1010] },
    { title: "spentMin 1000 dollars is 100000 cents", params: { spentMin: "1000" }, expected: [1006, 1010] },
    { title: "spentMax with cents (inclusive)", params: { spentMax: "99.99" }, expected: [1002, 1004, 1007, 1008] },
    { title: "spentMin and spentMax", params: { spentMin: "100", spentMax: "250" }, expected: [1001, 1003, 1005, 1009] },
    { title: "spentMin with extra decimals rounds down to the cent", params: { spentMin: "99.995" }, expected: [1001, 1002, 1003, 1005, 1006, 1009, 1010] },
    { title: "spentMax of a single cent value", params: { spentMax: "1200.5", spentMin: "1200.50" }, expected: [1010] },
    { title: "ordersMin (inclusive)", params: { ordersMin: "5" }, expected: [1001, 1006, 1009, 1010] },
    { title: "ordersMax (inclusive)", params: { ordersMax: "2" }, expected: [1002, 1003, 1004, 1007, 1008] },
    { title: "ordersMax 0", params: { ordersMax: "0" }, expected: [1004, 1007] },
    { title: "ordersMin and ordersMax", params: { ordersMin: "2", ordersMax: "3" }, expected: [1002, 1003, 1005] },
    { title: "lastOrderFrom includes the whole day from midnight", params: { lastOrderFrom: "2025-03-01" }, expected: [1001, 1002, 1003, 1008, 1009] },
    { title: "lastOrderTo includes the whole day to its last millisecond", params: { lastOrderTo: "2025-03-31" }, expected: [1001, 1002, 1005, 1006, 1008, 1009, 1010] },
    { title: "lastOrderFrom and lastOrderTo", params: { lastOrderFrom: "2025-03-01", lastOrderTo: "2025-03-31" }, expected: [1001, 1002, 1008, 1009] },
    { title: "lastOrderFrom and lastOrderTo on one day", params: { lastOrderFrom: "2025-03-01", lastOrderTo: "2025-03-01" }, expected: [1001, 1009] },
    { title: "lastOrderTo excludes the next day's midnight", params: { lastOrderTo: "2024-12-31" }, expected: [1010] },
    { title: "tier: a tier key", params: { tier: "gold" }, expected: [1001, 1006] },
    { title: "tier: none - no member row, or a member in no tier", params: { tier: "none" }, expected: [1003, 1004, 1005, 1007, 1008, 1009, 1010] },
    { title: "tier: one nobody is in", params: { tier: "platinum" }, expected: [] },
    { title: "rfm: an RFM segment", params: { rfm: "champions" }, expected: [1001, 1009] },
    { title: "segment: a custom segment's members", params: { segment: "seg-big-spenders" }, expected: [1006, 1010] },
    { title: "segment: one that does not exist", params: { segment: "seg-gone" }, expected: [] },
    { title: "segment: another shop's", params: { segment: "seg-other-shop" }, expected: [] },
    { title: "tier, segment and spend combine", params: { tier: "gold", segment: "seg-big-spenders", spentMin: "1000" }, expected: [1006] },
    { title: "filters combine", params: { q: "example", owner: "u2", ordersMin: "2" }, expected: [1003] },
    { title: "empty fields are no filter", params: { q: "", tag: " ", owner: "", spentMin: "" }, expected: ALL },
  ])("$title", async ({ params, expected }) => {
    // GIVEN the USD shop's customers (and another shop's copies, and a deleted customer)
    // WHEN the index is filtered
    const { ids, total } = await select(USD_SHOP, params);
    // THEN exactly the expected customers are selected and counted
    expect(ids).toEqual(expected);
    expect(total).toBe(expected.length);
  });

  test.each([
    { title: "spentMin 1000 yen", params: { spentMin: "1000" }, expected: [3002, 3003] },
    { title: "spentMax 999 yen", params: { spentMax: "999" }, expected: [3001] },
    { title: "spentMin with decimals a yen does not have rounds down", params: { spentMin: "1000.9" }, expected: [3002, 3003] },
    { title: "spentMin 250 yen", params: { spentMin: "250" }, expected: [3001, 3002, 3003] },
    { title: "spentMin and spentMax around one customer", params: { spentMin: "1000", spentMax: "1000" }, expected: [3002] },
  ])("a JPY shop (no decimals): $title", async ({ params, expected }) => {
    // GIVEN a shop whose currency has no minor unit
    // WHEN the index is filtered by amount spent in yen
    // THEN amounts are read in the shop's currency
    expect((await select(JPY_SHOP, params)).ids).toEqual(expected);
  });
});

describe("sorting and keyset pagination", () => {
  const valueOf: Record<(typeof SORT_KEYS)[number], (customer: Fixture) => string | number | bigint | null> = {
    name: (customer) => customer.displayName,
    spent: (customer) => customer.spent,
    orders: (customer) => customer.orders,
    lastOrder: (customer) => customer.lastOrderAt?.getTime() ?? null,
    created: (customer) => customer.createdAt.getTime(),
  };

  /** The expected order: by the sort value (nulls last either way), then by shopifyId in the same direction. */
  function expectedOrder(fixtures: Fixture[], sort: (typeof SORT_KEYS)[number], direction: "asc" | "desc") {
    const sign = direction === "asc" ? 1 : -1;
    const compare = (a: string | number | bigint, b: string | number | bigint) => (a < b ? -1 : a > b ? 1 : 0);
    return [...fixtures]
      .sort((a, b) => {
        const [x, y] = [valueOf[sort](a), valueOf[sort](b)];
        if (x === null || y === null) {
          if (x !== y) return x === null ? 1 : -1;
        } else if (compare(x, y) !== 0) return sign * compare(x, y);
        return sign * compare(gid(a.id), gid(b.id));
      })
      .map((customer) => customer.id);
  }

  const combinations = SORT_KEYS.flatMap((sort) => (["asc", "desc"] as const).map((direction) => ({ title: `${sort} ${direction}`, sort, direction })));

  test.each(combinations)("one page sorted by $title equals the expected order", async ({ sort, direction }) => {
    // WHEN the whole index is read in one page
    const [page] = await walk(USD_SHOP, { sort, direction }, 100);
    // THEN it is in sort order, nulls last, ties broken by id in the same direction
    expect(idsOf(page!.customers)).toEqual(expectedOrder(CUSTOMERS, sort, direction));
    expect(page).toMatchObject({ sort, direction, total: 10, nextCursor: null });
  });

  test.each(combinations)("pages of 3 sorted by $title add up to the full list, no duplicates, no gaps", async ({ sort, direction }) => {
    // WHEN the index is walked three customers at a time
    const pages = await walk(USD_SHOP, { sort, direction }, 3);
    // THEN the pages concatenate to the full sorted list; every page knows the total
    const walked = pages.flatMap((page) => idsOf(page.customers));
    expect(walked).toEqual(expectedOrder(CUSTOMERS, sort, direction));
    expect(new Set(walked).size).toBe(walked.length);
    expect(pages.map((page) => page.customers.length)).toEqual([3, 3, 3, 1]);
    expect(pages.map((page) => page.total)).toEqual([10, 10, 10, 10]);
  });

  test.each(combinations)("a search's pages of 2 sorted by $title follow the same order (SQLite: sorted in memory)", async ({ sort, direction }) => {
    // GIVEN a search whose matches include a customer without a name and without orders
    const query = { q: "o", sort, direction };
    const { ids } = await select(USD_SHOP, query);
    expect(ids).toEqual(expect.arrayContaining([1004, 1007]));
    // WHEN they are walked two at a time
    const pages = await walk(USD_SHOP, query, 2);
    // THEN the walk is the expected order (nulls last, ties by id), every page knowing the total
    expect(pages.flatMap((page) => idsOf(page.customers))).toEqual(expectedOrder(CUSTOMERS.filter((customer) => ids.includes(customer.id)), sort, direction));
    expect(new Set(pages.map((page) => page.total))).toEqual(new Set([ids.length]));
    expect(pages.at(-1)!.nextCursor).toBeNull();
  });

  test.each([
    { title: "a tag filter sorted by last order", query: { tag: "vip", sort: "lastOrder", direction: "desc" } as const, take: 1 },
    { title: "owner none sorted by name", query: { owner: "none", sort: "name", direction: "asc" } as const, take: 2 },
    { title: "a search sorted by spent", query: { q: "o", sort: "spent", direction: "asc" } as const, take: 2 },
  ])("pagination keeps the filter: $title", async ({ query, take }) => {
    // GIVEN the customers the filter selects, in the expected order
    const { ids } = await select(USD_SHOP, query);
    const expected = expectedOrder(
      CUSTOMERS.filter((customer) => ids.includes(customer.id)),
      query.sort,
      query.direction,
    );
    // WHEN they are walked page by page
    const walked = (await walk(USD_SHOP, query, take)).flatMap((page) => idsOf(page.customers));
    // THEN the walk returns exactly them, in order
    expect(ids.length).toBeGreaterThan(take);
    expect(walked).toEqual(expected);
  });

  test.each([
    { title: "spent, descending (no sort given)", params: {}, sort: "spent", direction: "desc" },
    { title: "name ascending when only the name is asked for", params: { sort: "name" }, sort: "name", direction: "asc" },
    { title: "orders descending when only orders are asked for", params: { sort: "orders" }, sort: "orders", direction: "desc" },
  ])("the default order is $title", async ({ params, sort, direction }) => {
    const [page] = await walk(USD_SHOP, parseCustomerQuery(urlParams(params)), 100);
    expect(page).toMatchObject({ sort, direction });
    expect(idsOf(page!.customers)).toEqual(expectedOrder(CUSTOMERS, sort as (typeof SORT_KEYS)[number], direction as "asc" | "desc"));
  });

  test.each([
    { title: "two pages of 5", take: 5, sizes: [5, 5] },
    { title: "one page of 10", take: 10, sizes: [10] },
  ])("when the last page is full ($title) there is no empty page after it", async ({ take, sizes }) => {
    // WHEN ten customers are walked in pages that divide them exactly
    const pages = await walk(USD_SHOP, { sort: "name", direction: "desc" }, take);
    // THEN the last full page has no next cursor
    expect(pages.map((page) => page.customers.length)).toEqual(sizes);
    expect(pages.flatMap((page) => idsOf(page.customers))).toEqual(expectedOrder(CUSTOMERS, "name", "desc"));
  });

  test("a cursor that is not one starts from the first page", async () => {
    const currencyCode = await shopCurrency(USD_SHOP);
    const first = await listCustomers({ shop: USD_SHOP, query: {}, currencyCode, take: 3 });
    const garbled = await listCustomers({ shop: USD_SHOP, query: {}, currencyCode, take: 3, cursor: "not-a-cursor" });
    expect(idsOf(garbled.customers)).toEqual(idsOf(first.customers));
  });
});

describe("query errors", () => {
  test.each([
    { title: "an amount with a comma", field: "spentMin", value: "12,50" },
    { title: "a negative amount", field: "spentMax", value: "-5" },
    { title: "a word for a count", field: "ordersMin", value: "two" },
    { title: "a fractional count", field: "ordersMax", value: "1.5" },
    { title: "a date with slashes", field: "lastOrderFrom", value: "2025/03/01" },
    { title: "a date in words", field: "lastOrderTo", value: "yesterday" },
    { title: "a month that does not exist", field: "lastOrderFrom", value: "2025-13-01" },
    { title: "a day the month does not have", field: "lastOrderTo", value: "2025-02-30" },
    { title: "an unknown sort key", field: "sort", value: "email" },
    { title: "an unknown direction", field: "direction", value: "up" },
    { title: "a search longer than 200 characters", field: "q", value: "x".repeat(201) },
    { title: "an RFM segment that is not one", field: "rfm", value: "vips" },
  ])("$title is a QueryError naming $field", async ({ field, value }) => {
    // WHEN a query with one malformed field is parsed
    const parse = () => parseCustomerQuery(new URLSearchParams({ q: "ok", [field]: value }));
    // THEN it is refused, naming only that field
    expect(parse).toThrow(QueryError);
    let error: InstanceType<typeof QueryError> | undefined;
    try {
      parse();
    } catch (thrown) {
      error = thrown as InstanceType<typeof QueryError>;
    }
    expect(Object.keys(error!.fieldErrors)).toEqual([field]);
    expect(error!.message).toContain(field);
  });

  test("a saved view's JSON is parsed with the same rules", () => {
    expect(parseCustomerQuery({ q: " Alma ", ordersMin: "3", sort: "name" })).toEqual({ q: "Alma", ordersMin: 3, sort: "name" });
    expect(() => parseCustomerQuery({ ordersMin: "3x" })).toThrow(QueryError);
  });
});

describe("custom segments, small and large", () => {
  test("a segment too large to read by ids (read through the relation) selects like a small one (read by ids)", async () => {
    const { SEGMENT_BY_IDS } = await import("~/modules/customers/customer-index.server");
    const shop = "index-segments.myshopify.com";
    await createShop(prisma, { shop, currencyCode: "USD" });
    const customers = 2 * SEGMENT_BY_IDS + 200;
    const DELETED = 20;
    const at0 = at("2024-01-01T00:00:00Z");
    await prisma.customer.createMany({ data: Array.from({ length: customers }, (_, index) => ({ shop, shopifyId: gid(50_000 + index), currencyCode: "USD", amountSpentMinor: BigInt(index), shopifyCreatedAt: at0, shopifyUpdatedAt: at0, deletedAt: index === DELETED ? at0 : null })) });
    await prisma.segment.createMany({ data: [{ id: "seg-large", shop, name: "Large", rules: "{}" }, { id: "seg-small", shop, name: "Small", rules: "{}" }] });
    // Every even customer in the large segment, every tenth in the small one; the deleted customer is
    // in both, and so is a customer the archive does not hold (a membership may outlive its customer).
    const members = (every: number) => Array.from({ length: customers }, (_, index) => index).filter((index) => index % every === 0);
    const large = members(2);
    const small = members(10);
    expect(large.length).toBeGreaterThan(SEGMENT_BY_IDS);
    expect(small.length).toBeLessThanOrEqual(SEGMENT_BY_IDS);
    const rows = (segmentId: string, indexes: number[]) => [...indexes, 9_999].map((index) => ({ shop, segmentId, customerId: gid(50_000 + index), enteredAt: at0 }));
    await prisma.segmentMember.createMany({ data: [...rows("seg-large", large), ...rows("seg-small", small)] });
    for (const [segment, indexes] of [["seg-large", large], ["seg-small", small]] as const) {
      const expected = indexes.filter((index) => index !== DELETED).map((index) => 50_000 + index);
      const pages = await walk(shop, parseCustomerQuery(urlParams({ segment })), 500);
      const ids = pages.flatMap((page) => idsOf(page.customers));
      expect(sortedIds(ids)).toEqual(expected);
      expect(pages[0]!.total).toBe(expected.length);
      // Sorted by amount spent, highest first, across pages.
      expect(ids).toEqual([...expected].reverse());
      // Combined with another filter.
      expect((await select(shop, { segment, spentMax: "0.50" })).ids).toEqual(expected.filter((id) => id < 50_051));
    }
  });
});

describe("text search, few and many matches", () => {
  test("a search or tag with more matches than are sorted in memory (SQLite) and one with fewer both select exactly, in order", async () => {
    const shop = "index-search.myshopify.com";
    await createShop(prisma, { shop, currencyCode: "USD" });
    const at0 = at("2024-01-01T00:00:00Z");
    const n = SEARCH_SCAN + 100;
    await prisma.customer.createMany({ data: Array.from({ length: n }, (_, index) => ({ shop, shopifyId: gid(70_000 + index), displayName: `Bulk Buyer ${index}`, tags: index % 100 === 0 ? "bulk, rare" : "bulk", currencyCode: "USD", amountSpentMinor: BigInt((index * 7919) % n), shopifyCreatedAt: at0, shopifyUpdatedAt: at0 })) });
    const expectedOrder = (indexes: number[]) => indexes.sort((a, b) => (b * 7919) % n - (a * 7919) % n || b - a).map((index) => 70_000 + index);
    const all = Array.from({ length: n }, (_, index) => index);
    const cases: Array<[Record<string, string>, number[]]> = [
      [{ q: "bulk" }, all],
      [{ q: "buyer 10" }, all.filter((index) => String(index).startsWith("10"))],
      [{ tag: "bulk" }, all],
      [{ tag: "rare" }, all.filter((index) => index % 100 === 0)],
    ];
    for (const [params, indexes] of cases) {
      const pages = await walk(shop, parseCustomerQuery(urlParams(params)), 1_000);
      expect(pages[0]!.total).toBe(indexes.length);
      expect(pages.flatMap((page) => idsOf(page.customers))).toEqual(expectedOrder([...indexes]));
    }
  });

  test("a search with exactly as many matches as are sorted in memory, a segment with as many members as are filtered by id, and both, beside other filters, list them all", async () => {
    // Every id is a bound value on SQLite: the most ids a path takes, plus the filters' and the
    // search's own values, must stay under the database's limit.
    const shop = "index-search-edge.myshopify.com";
    await createShop(prisma, { shop, currencyCode: "USD" });
    const at0 = at("2024-01-01T00:00:00Z");
    await prisma.customer.createMany({ data: Array.from({ length: SEARCH_SCAN + 20 }, (_, index) => ({ shop, shopifyId: gid(80_000 + index), displayName: index < SEARCH_SCAN ? `Edge Case ${index}` : `Someone ${index}`, tags: "edge", ownerId: "u1", currencyCode: "USD", amountSpentMinor: BigInt(index), numberOfOrders: 2, shopifyCreatedAt: at0, shopifyUpdatedAt: at0 })) });
    // A segment of exactly as many members as are filtered by id: its ids are bound too.
    await prisma.segment.create({ data: { id: "seg-edge", shop, name: "Edge", rules: "{}" } });
    await prisma.segmentMember.createMany({ data: Array.from({ length: SEGMENT_BY_IDS }, (_, index) => ({ shop, segmentId: "seg-edge", customerId: gid(80_000 + index), enteredAt: at0 })) });
    const both = Math.min(SEARCH_SCAN, SEGMENT_BY_IDS);
    for (const [params, expected] of [
      [{ q: "edge case", tag: "edge", owner: "u1", ordersMin: "1", spentMin: "0" }, SEARCH_SCAN],
      [{ segment: "seg-edge", tag: "edge", owner: "u1", ordersMin: "1", spentMin: "0" }, SEGMENT_BY_IDS],
      [{ q: "edge case", segment: "seg-edge", tag: "edge", owner: "u1" }, both],
    ] as const) {
      const pages = await walk(shop, parseCustomerQuery(urlParams(params)), 200);
      expect(pages[0]!.total, JSON.stringify(params)).toBe(expected);
      expect(new Set(pages.flatMap((page) => idsOf(page.customers))).size).toBe(expected);
    }
  });
});

describe("the search follows every write to the customer", () => {
  test("a renamed, re-tagged or redacted customer is found by what it holds now, never by what it held", async () => {
    // GIVEN a customer found by name, email, phone and tag - names beyond ASCII and in Chinese
    const shop = "index-rename.myshopify.com";
    await createShop(prisma, { shop, currencyCode: "USD" });
    const at0 = at("2024-01-01T00:00:00Z");
    await createCustomer(prisma, { shop, shopifyId: gid(81_001), displayName: "Zoë Ólafsdóttir", email: "zoe@fjord.is", phone: "+3545550101", tags: "Nordic, vip", currencyCode: "USD", shopifyCreatedAt: at0, shopifyUpdatedAt: at0 });
    await createCustomer(prisma, { shop, shopifyId: gid(81_002), displayName: "王伟", email: "wei@example.cn", tags: "", currencyCode: "USD", shopifyCreatedAt: at0, shopifyUpdatedAt: at0 });
    const ids = async (params: Record<string, string>) => (await select(shop, params)).ids;
    expect(await ids({ q: "dóttir" })).toEqual([81_001]);
    expect(await ids({ q: "伟" })).toEqual([81_002]);
    expect(await ids({ tag: "nordic" })).toEqual([81_001]);
    // A term matches within one field (the tags as they are written), never across two.
    expect(await ids({ q: "nordic, vip" })).toEqual([81_001]);
    expect(await ids({ q: "is+354" })).toEqual([]);

    // WHEN the customer is renamed and re-tagged (any writer: PostgreSQL regenerates searchText with the row)
    await prisma.customer.update({ where: { shop_shopifyId: { shop, shopifyId: gid(81_001) } }, data: { displayName: "Zoë Berg", tags: "vip" } });
    // THEN the new name and tags find it, the old ones do not
    expect(await ids({ q: "berg" })).toEqual([81_001]);
    expect(await ids({ q: "dóttir" })).toEqual([]);
    expect(await ids({ tag: "nordic" })).toEqual([]);
    expect(await ids({ tag: "VIP" })).toEqual([81_001]);

    // WHEN its personal data is erased, as customers/redact does
    await prisma.customer.update({ where: { shop_shopifyId: { shop, shopifyId: gid(81_001) } }, data: { displayName: null, firstName: null, lastName: null, email: null, phone: null } });
    // THEN nothing it held finds it
    for (const q of ["zoë", "berg", "zoe@fjord", "5550101"]) expect(await ids({ q })).toEqual([]);

    // WHEN a customer is deleted outright (shop/redact) and another arrives in a bulk insert
    await prisma.customer.delete({ where: { shop_shopifyId: { shop, shopifyId: gid(81_002) } } });
    await prisma.customer.createMany({ data: [{ shop, shopifyId: gid(81_003), displayName: "王伟", email: "wang.wei@example.com", tags: "", currencyCode: "USD", shopifyCreatedAt: at0, shopifyUpdatedAt: at0 }] });
    // THEN only the newcomer is found, by a short term and a long one
    expect(await ids({ q: "伟" })).toEqual([81_003]);
    expect(await ids({ q: "example.cn" })).toEqual([]);
    expect(await ids({ q: "wang.wei@" })).toEqual([81_003]);
  });
});

describe("the page and bulk actions select the same customers", () => {
  test("every term and tag - beyond ASCII in any case, with quotes, LIKE's wildcards, one or two characters - finds on the page exactly what an export selects", async () => {
    // SQLite looks a term of three characters or more up in its trigram index (migration 0013) and
    // reads LIKE for a shorter one, as exports and bulk actions (customerPages) always do: the index
    // must fold case as LIKE does (ASCII only) and take every character literally.
    const shop = "index-same.myshopify.com";
    await createShop(prisma, { shop, currencyCode: "USD" });
    const at0 = at("2024-01-01T00:00:00Z");
    const people: Array<[string | null, string | null, string]> = [
      ["Ágnes O'Brien", "agnes_obrien@example.com", "50% off, VIP"],
      ["ZOË Quinn", "zoe.q@example.com", "vip"],
      ["Zoë Quist", "ZOE.QUIST@EXAMPLE.COM", ""],
      ['Sam "Ace" Sxon', "samxon@example.com", "50 off"],
      ["李小龙", null, "功夫, vip"],
      [null, "nobody@example.com", "s_o"],
    ];
    for (const [index, [displayName, email, tags]] of people.entries()) await createCustomer(prisma, { shop, shopifyId: gid(82_000 + index), displayName, email, tags, currencyCode: "USD", shopifyCreatedAt: at0, shopifyUpdatedAt: at0 });
    const currencyCode = await shopCurrency(shop);
    const terms = ["o'brien", "O'BRIEN", "zoë", "ZOË", "Zoë", "ë q", "_o", "s_o", "50%", "% o", "0%", '"ace"', '"', "x", "ox", "李小", "小龙", "功夫", "VIP", "ip", "example.com", "@EXAMPLE", "agnes_", "Sam \\"];
    const tags = ["VIP", "50% OFF", "50_off", "s_o", "功夫", "a", "off"];
    for (const params of [...terms.map((q) => ({ q })), ...tags.map((tag) => ({ tag })), { q: "sam", tag: "50 off" }, { q: "xo", tag: "50 off" }]) {
      const q = JSON.stringify(params);
      const query = parseCustomerQuery(urlParams(params));
      const page = await listCustomers({ shop, query, currencyCode, take: 50 });
      const exported: string[] = [];
      for await (const ids of selectCustomerIds({ shop, query, currencyCode })) exported.push(...ids);
      expect(sortedIds(idsOf(page.customers)), q).toEqual(sortedIds(idsOf(exported.map((shopifyId) => ({ shopifyId })))));
      expect(page.total, q).toBe(exported.length);
    }
    // And the terms find what a person would expect (the wildcards and quotes as plain characters).
    const found = async (q: string) => sortedIds(idsOf((await listCustomers({ shop, query: parseCustomerQuery(urlParams({ q })), currencyCode })).customers)).map((id) => id - 82_000);
    expect(await found("O'BRIEN")).toEqual([0]);
    expect(await found("50%")).toEqual([0]);
    expect(await found("s_o")).toEqual([0, 5]); // not "Sxon"
    expect(await found('"ace"')).toEqual([3]);
    // Case: SQLite folds ASCII letters only (as its LIKE and lower() do), PostgreSQL every letter.
    expect(await found("zoë")).toEqual(database.provider === "sqlite" ? [2] : [1, 2]);
    expect(await found("小龙")).toEqual([4]);
    const tagged = async (tag: string) => sortedIds(idsOf((await listCustomers({ shop, query: parseCustomerQuery(urlParams({ tag })), currencyCode })).customers)).map((id) => id - 82_000);
    expect(await tagged("50% OFF")).toEqual([0]);
    expect(await tagged("s_o")).toEqual([5]);
    expect(await tagged("VIP")).toEqual([0, 1, 4]);

    // An export of a term with a wildcard and more matches than one query binds ids (SQLite) lists them all.
    const many = "index-same-many.myshopify.com";
    await prisma.customer.createMany({ data: Array.from({ length: 1_234 }, (_, index) => ({ shop: many, shopifyId: gid(83_000 + index), email: `buyer_${index}@example.com`, tags: "", currencyCode: "USD", shopifyCreatedAt: at0, shopifyUpdatedAt: at0 })) });
    const exported: string[] = [];
    for await (const ids of selectCustomerIds({ shop: many, query: parseCustomerQuery(urlParams({ q: "r_" })), currencyCode })) exported.push(...ids);
    expect(exported).toEqual(Array.from({ length: 1_234 }, (_, index) => gid(83_000 + index)).sort());
  });
});

describe("selecting ids for bulk actions", () => {
  test("selectCustomerIds yields the ids the query selects, of this shop only, in id order", async () => {
    const currencyCode = await shopCurrency(USD_SHOP);
    const pages = [];
    for await (const page of selectCustomerIds({ shop: USD_SHOP, query: { tag: "vip" }, currencyCode })) pages.push(page);
    expect(pages).toEqual([[1001, 1002, 1003, 1005].map(gid)]);
  });

  test("selectCustomerIds pages through more than a thousand customers without losing one", async () => {
    // GIVEN a shop with 2,345 customers
    const shop = "index-many.myshopify.com";
    const ids = Array.from({ length: 2345 }, (_, index) => gid(100_000 + index));
    await prisma.customer.createMany({
      data: ids.map((shopifyId) => ({ shop, shopifyId, currencyCode: "USD", shopifyCreatedAt: at("2020-01-01T00:00:00Z"), shopifyUpdatedAt: at("2020-01-01T00:00:00Z") })),
    });
    // WHEN all are selected
    const pages = [];
    for await (const page of selectCustomerIds({ shop, query: {}, currencyCode: "USD" })) pages.push(page);
    // THEN they arrive in pages of at most 1000, each id once
    expect(pages.map((page) => page.length)).toEqual([1000, 1000, 345]);
    expect(pages.flat()).toEqual([...ids].sort());
  });
});
