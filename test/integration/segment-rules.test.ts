// Custom segment rules: every field with every operator, groups, shop scope and money in two currencies on the real
// database (compileSegmentWhere, countSegment, selectSegmentCustomerIds), and the parser's messages (no database).
import { beforeAll, describe, expect, test } from "vitest";

import type { Operator, SegmentCondition, SegmentRules } from "~/modules/segments/segment-rules";

import { bootApp } from "../support/app";
import { createCustomer, createOrder, createOrderLine, createShop } from "../support/factories";
import { createInsight, createLoyaltyMember, createProduct } from "../support/segment-factories";

const { prisma, database } = await bootApp();
const { compileSegmentWhere, countSegment, SEGMENT_FROM, selectSegmentCustomerIds } = await import("~/modules/segments/segment-sql.server");
const { MAX_CONDITIONS, parseSegmentRules, SEGMENT_FIELDS, SEGMENT_TEMPLATES, SegmentRulesError } = await import("~/modules/segments/segment-rules");
const { providerOf } = await import("~/modules/db/provider.server");

const SHOP = "rules-usd.myshopify.com";
const OTHER_SHOP = "rules-other.myshopify.com";
const JPY_SHOP = "rules-jpy.myshopify.com";
const BIG_SHOP = "rules-big.myshopify.com";

const NOW = new Date("2026-06-15T12:00:00.000Z");
const at = (iso: string) => new Date(iso);
const gid = (id: number) => `gid://shopify/Customer/${id}`;
const product = (id: number) => `gid://shopify/Product/${id}`;

interface Fixture {
  id: number;
  tags: string;
  country: string | null;
  email: string | null; // emailMarketingState
  orders: number;
  spent: bigint; // cents
  first: string | null;
  last: string | null;
  owner: string | null;
}

// Twelve customers of the USD shop, NOW being 2026-06-15 12:00 UTC. Boundaries sit exactly on the days the cases name.
const CUSTOMERS: Fixture[] = [
  { id: 1, tags: "vip", country: "US", email: "SUBSCRIBED", orders: 5, spent: 50000n, first: "2024-01-10T10:00:00Z", last: "2026-06-10T12:00:00Z", owner: "u1" },
  { id: 2, tags: "VIP, wholesale", country: "US", email: "NOT_SUBSCRIBED", orders: 2, spent: 9950n, first: "2025-03-01T10:00:00Z", last: "2026-03-17T12:00:00Z", owner: "u1" },
  { id: 3, tags: "vip-gold", country: "DE", email: "SUBSCRIBED", orders: 1, spent: 12000n, first: "2026-04-01T00:00:00Z", last: "2026-04-01T00:00:00Z", owner: "u2" },
  { id: 4, tags: "", country: null, email: null, orders: 0, spent: 0n, first: null, last: null, owner: null },
  { id: 5, tags: "wholesale, Vip", country: "FR", email: "SUBSCRIBED", orders: 12, spent: 600000n, first: "2020-05-05T10:00:00Z", last: "2025-12-31T23:59:59.999Z", owner: "u2" },
  { id: 6, tags: "a, vip, b", country: "US", email: "UNSUBSCRIBED", orders: 3, spent: 30000n, first: "2025-06-15T12:00:00Z", last: "2026-06-01T00:00:00Z", owner: null },
  { id: 7, tags: "ovip", country: "GB", email: "SUBSCRIBED", orders: 1, spent: 2500n, first: "2026-01-01T00:00:00Z", last: "2026-01-01T00:00:00Z", owner: "u3" },
  { id: 8, tags: "VIP_Gold%", country: "JP", email: "PENDING", orders: 2, spent: 20000n, first: "2023-02-28T10:00:00Z", last: "2024-02-29T10:00:00Z", owner: "u3" },
  { id: 9, tags: "", country: "US", email: "SUBSCRIBED", orders: 4, spent: 40001n, first: "2025-01-01T10:00:00Z", last: "2026-06-15T00:00:00Z", owner: null },
  { id: 10, tags: "", country: "CA", email: "UNSUBSCRIBED", orders: 1, spent: 1000n, first: "2025-09-09T10:00:00Z", last: "2025-09-09T10:00:00Z", owner: "u1" },
  { id: 11, tags: "gift", country: "US", email: "SUBSCRIBED", orders: 6, spent: 60000n, first: "2024-06-15T10:00:00Z", last: "2026-05-16T12:00:00Z", owner: "u2" },
  { id: 12, tags: "Vip-Gold, VIPS", country: "AU", email: "NOT_SUBSCRIBED", orders: 2, spent: 2000n, first: "2026-06-01T10:00:00Z", last: "2026-06-14T23:59:59.999Z", owner: null },
];

// Loyalty rows: a tier, or null for a row without one. Customers 4, 7 and 10 have no row (0 points, no tier).
const MEMBERS = new Map<number, { tier: string | null; points: number }>([
  [1, { tier: "gold", points: 1200 }],
  [2, { tier: "silver", points: 300 }],
  [3, { tier: null, points: 0 }],
  [5, { tier: "gold", points: 5000 }],
  [6, { tier: "bronze", points: 50 }],
  [8, { tier: "silver", points: -20 }],
  [9, { tier: "gold", points: 700 }],
  [11, { tier: "platinum", points: 2500 }],
  [12, { tier: null, points: 10 }],
]);

// Insights: RFM segment, churn risk per mille, predicted value in cents, expected next order. Customer 7 has none.
const INSIGHTS = new Map<number, { rfm: string | null; churn: number; predicted: bigint; expected: string | null }>([
  [1, { rfm: "champions", churn: 100, predicted: 80000n, expected: "2026-06-20T12:00:00Z" }],
  [2, { rfm: "atRisk", churn: 700, predicted: 12000n, expected: "2026-05-16T12:00:00Z" }],
  [3, { rfm: "new", churn: 705, predicted: 5000n, expected: "2026-06-10T12:00:00Z" }],
  [4, { rfm: null, churn: 0, predicted: 0n, expected: null }],
  [5, { rfm: "cantLose", churn: 900, predicted: 20000n, expected: "2026-01-15T10:00:00Z" }],
  [6, { rfm: "loyal", churn: 250, predicted: 40000n, expected: "2026-06-22T12:00:00Z" }],
  [8, { rfm: "lost", churn: 1000, predicted: 0n, expected: null }],
  [9, { rfm: "potentialLoyalist", churn: 50, predicted: 100000n, expected: "2026-07-01T00:00:00Z" }],
  [10, { rfm: "hibernating", churn: 800, predicted: 1000n, expected: "2025-10-01T00:00:00Z" }],
  [11, { rfm: "champions", churn: 120, predicted: 90000n, expected: "2026-06-16T12:00:00Z" }],
  [12, { rfm: "promising", churn: 400, predicted: 3000n, expected: "2026-06-15T11:59:59.999Z" }],
]);
const ALL = CUSTOMERS.map((customer) => customer.id);

// Products 101 "Tea", 102 "Teapot", 103 "Mug", 104 no type, 105 "tea". Orders: [customer, products, state].
const PRODUCT_TYPES: Array<[number, string | null]> = [
  [101, "Tea"],
  [102, "Teapot"],
  [103, "Mug"],
  [104, null],
  [105, "tea"],
];
type OrderState = "live" | "cancelled" | "test" | "deleted";
const ORDERS: Array<[customer: number | null, products: number[], state: OrderState]> = [
  [1, [101, 102], "live"],
  [2, [101], "live"],
  [3, [103], "live"],
  [5, [102], "live"],
  [6, [101], "cancelled"],
  [6, [104], "live"],
  [7, [101], "test"],
  [8, [101], "deleted"],
  [9, [105], "live"],
  [10, [102], "cancelled"],
  [10, [103], "test"],
  [12, [103], "live"],
  // A guest order: a NULL among NOT IN's ids would make "has none" select nobody.
  [null, [101], "live"],
];

async function createFixture(shop: string, fixture: Fixture, extra: { deletedAt?: Date; redactedAt?: Date; id?: number } = {}) {
  const customerId = gid(extra.id ?? fixture.id);
  await createCustomer(prisma, {
    shop,
    shopifyId: customerId,
    tags: fixture.tags,
    countryCode: fixture.country,
    emailMarketingState: fixture.email,
    numberOfOrders: fixture.orders,
    amountSpentMinor: fixture.spent,
    firstOrderAt: fixture.first ? at(fixture.first) : null,
    lastOrderAt: fixture.last ? at(fixture.last) : null,
    ownerId: fixture.owner,
    deletedAt: extra.deletedAt ?? null,
    redactedAt: extra.redactedAt ?? null,
  });
  const member = MEMBERS.get(fixture.id);
  if (member) await createLoyaltyMember(prisma, { shop, customerId, tierKey: member.tier, pointsBalance: member.points });
  const insight = INSIGHTS.get(fixture.id);
  if (insight) {
    await createInsight(prisma, {
      shop,
      customerId,
      rfmSegment: insight.rfm,
      churnRisk: insight.churn,
      predictedValueMinor: insight.predicted,
      expectedNextOrderAt: insight.expected ? at(insight.expected) : null,
    });
  }
}

async function createOrders(shop: string, orders: typeof ORDERS, firstId: number) {
  for (const [index, [customer, products, state]] of orders.entries()) {
    const orderId = `gid://shopify/Order/${firstId + index}`;
    await createOrder(prisma, {
      shop,
      shopifyId: orderId,
      customerId: customer === null ? null : gid(customer),
      test: state === "test",
      cancelledAt: state === "cancelled" ? at("2026-01-02T00:00:00Z") : null,
      deletedAt: state === "deleted" ? at("2026-01-02T00:00:00Z") : null,
    });
    for (const productId of products) {
      await createOrderLine(prisma, { shop, shopifyId: `gid://shopify/LineItem/${firstId + index}${productId}`, orderId, productId: product(productId) });
    }
  }
}

beforeAll(async () => {
  await database.reset();
  await createShop(prisma, { shop: SHOP, currencyCode: "USD" });
  await createShop(prisma, { shop: OTHER_SHOP, currencyCode: "USD" });
  await createShop(prisma, { shop: JPY_SHOP, currencyCode: "JPY" });
  await createShop(prisma, { shop: BIG_SHOP, currencyCode: "USD" });
  for (const shop of [SHOP, OTHER_SHOP]) {
    for (const [id, productType] of PRODUCT_TYPES) await createProduct(prisma, { shop, shopifyId: product(id), productType });
    // The other shop holds the same customers with the same figures: any leak shows up as an extra id.
    for (const fixture of CUSTOMERS) await createFixture(shop, fixture);
  }
  await createOrders(SHOP, ORDERS, 1000);
  // ...and its customers 4 and 11 bought tea there: only a product subquery without the shop would see it.
  await createOrders(OTHER_SHOP, [...ORDERS, [4, [101], "live"], [11, [101, 105], "live"]], 2000);
  // Customer 1 again, deleted and redacted: every rule that selects customer 1 would select them.
  await createFixture(SHOP, CUSTOMERS[0]!, { id: 13, deletedAt: at("2026-02-01T00:00:00Z") });
  await createFixture(SHOP, CUSTOMERS[0]!, { id: 14, redactedAt: at("2026-02-01T00:00:00Z") });
  await createOrders(SHOP, [[13, [101], "live"], [14, [101], "live"]], 3000);

  // Yen have no minor unit: 1000 is ¥1000.
  await createCustomer(prisma, { shop: JPY_SHOP, shopifyId: gid(31), numberOfOrders: 1, amountSpentMinor: 999n, currencyCode: "JPY" });
  await createCustomer(prisma, { shop: JPY_SHOP, shopifyId: gid(32), numberOfOrders: 2, amountSpentMinor: 1000n, currencyCode: "JPY" });
  await createCustomer(prisma, { shop: JPY_SHOP, shopifyId: gid(33), numberOfOrders: 5, amountSpentMinor: 25000n, currencyCode: "JPY" });
  await createInsight(prisma, { shop: JPY_SHOP, customerId: gid(31), predictedValueMinor: 1500n });
  await createInsight(prisma, { shop: JPY_SHOP, customerId: gid(32), predictedValueMinor: 1499n });
  // 2^53 + 1 and 2^53 cents: a float cannot tell them apart.
  await createCustomer(prisma, { shop: BIG_SHOP, shopifyId: gid(41), numberOfOrders: 1, amountSpentMinor: 9007199254740993n });
  await createCustomer(prisma, { shop: BIG_SHOP, shopifyId: gid(42), numberOfOrders: 1, amountSpentMinor: 9007199254740992n });
});

const idsOf = (gids: string[]) => gids.map((id) => Number(id.split("/").pop())).sort((a, b) => a - b);
const one = (condition: SegmentCondition): SegmentRules => ({ match: "all", conditions: [condition] });

/** The ids the rules select in `shop`, checking that the count agrees and that the rules survive the parser unchanged. */
async function matching(rules: SegmentRules, { shop = SHOP, currencyCode = "USD" } = {}) {
  const parsed = parseSegmentRules(JSON.stringify(rules), { currencyCode });
  const ids = idsOf(await selectSegmentCustomerIds(prisma, { shop, rules: parsed, now: NOW, currencyCode }));
  expect(await countSegment(prisma, { shop, rules: parsed, now: NOW, currencyCode })).toBe(ids.length);
  return ids;
}

type Case = { title: string; condition: SegmentCondition; expected: number[] };
const c = (title: string, condition: SegmentCondition, expected: number[]): Case => ({ title, condition, expected });

// Every field with every operator (a test below checks none is missing).
const CASES: Case[] = [
  c("spent gte $500 (inclusive)", { field: "spent", operator: "gte", value: "500" }, [1, 5, 11]),
  c("spent lte $99.50 (inclusive, cents)", { field: "spent", operator: "lte", value: "99.50" }, [2, 4, 7, 10, 12]),
  c("spent between $120 and $400.01", { field: "spent", operator: "between", value: ["120", "400.01"] }, [3, 6, 8, 9]),
  c("averageOrder gte $100: exact, no orders never", { field: "averageOrder", operator: "gte", value: "100" }, [1, 3, 5, 6, 8, 9, 11]),
  c("averageOrder lte $100 ($100.0025 is above)", { field: "averageOrder", operator: "lte", value: "100" }, [1, 2, 6, 7, 8, 10, 11, 12]),
  c("averageOrder between $49.75 and $100", { field: "averageOrder", operator: "between", value: ["49.75", "100"] }, [1, 2, 6, 8, 11]),
  c("predictedValue gte $800 (no insight never)", { field: "predictedValue", operator: "gte", value: "800" }, [1, 9, 11]),
  c("predictedValue lte $50", { field: "predictedValue", operator: "lte", value: "50" }, [3, 4, 8, 10, 12]),
  c("predictedValue between $120 and $400", { field: "predictedValue", operator: "between", value: ["120", "400"] }, [2, 5, 6]),
  c("orders eq 2", { field: "orders", operator: "eq", value: 2 }, [2, 8, 12]),
  c("orders gte 5", { field: "orders", operator: "gte", value: 5 }, [1, 5, 11]),
  c("orders lte 1", { field: "orders", operator: "lte", value: 1 }, [3, 4, 7, 10]),
  c("orders between 2 and 4", { field: "orders", operator: "between", value: [2, 4] }, [2, 6, 8, 9, 12]),
  c("points eq 0: no loyalty row is 0", { field: "points", operator: "eq", value: 0 }, [3, 4, 7, 10]),
  c("points gte 1000", { field: "points", operator: "gte", value: 1000 }, [1, 5, 11]),
  c("points lte 0 (a negative balance too)", { field: "points", operator: "lte", value: 0 }, [3, 4, 7, 8, 10]),
  c("points between 10 and 700", { field: "points", operator: "between", value: [10, 700] }, [2, 6, 9, 12]),
  c("daysSinceLastOrder eq 0: today and half a day ago", { field: "daysSinceLastOrder", operator: "eq", value: 0 }, [9, 12]),
  c("daysSinceLastOrder gte 90: exactly 90 days ago counts", { field: "daysSinceLastOrder", operator: "gte", value: 90 }, [2, 5, 7, 8, 10]),
  c("daysSinceLastOrder lte 30: exactly 30 days ago counts, no orders never", { field: "daysSinceLastOrder", operator: "lte", value: 30 }, [1, 6, 9, 11, 12]),
  c("daysSinceLastOrder between 5 and 75", { field: "daysSinceLastOrder", operator: "between", value: [5, 75] }, [1, 3, 6, 11]),
  c("churnRisk eq 70% is 700 per mille, not 705", { field: "churnRisk", operator: "eq", value: 70 }, [2]),
  c("churnRisk eq 70.5%", { field: "churnRisk", operator: "eq", value: 70.5 }, [3]),
  c("churnRisk gte 70%", { field: "churnRisk", operator: "gte", value: 70 }, [2, 3, 5, 8, 10]),
  c("churnRisk lte 12% (no insight never)", { field: "churnRisk", operator: "lte", value: 12 }, [1, 4, 9, 11]),
  c("churnRisk between 25% and 70%", { field: "churnRisk", operator: "between", value: [25, 70] }, [2, 6, 12]),
  c("firstOrderAt before a day leaves that day out", { field: "firstOrderAt", operator: "before", value: "2025-01-01" }, [1, 5, 8, 11]),
  c("firstOrderAt after a day starts at the next midnight", { field: "firstOrderAt", operator: "after", value: "2025-12-31" }, [3, 7, 12]),
  c("firstOrderAt inLastDays 365 (exactly 365 days ago counts)", { field: "firstOrderAt", operator: "inLastDays", value: 365 }, [3, 6, 7, 10, 12]),
  c("firstOrderAt notInLastDays 365 (no orders never)", { field: "firstOrderAt", operator: "notInLastDays", value: 365 }, [1, 2, 5, 8, 9, 11]),
  c("lastOrderAt before 2026-01-01 (its last millisecond before, not its midnight)", { field: "lastOrderAt", operator: "before", value: "2026-01-01" }, [5, 8, 10]),
  c("lastOrderAt after 2026-06-14 (not its last millisecond)", { field: "lastOrderAt", operator: "after", value: "2026-06-14" }, [9]),
  c("lastOrderAt inLastDays 30", { field: "lastOrderAt", operator: "inLastDays", value: 30 }, [1, 6, 9, 11, 12]),
  c("lastOrderAt notInLastDays 90 (exactly 90 days ago is in them)", { field: "lastOrderAt", operator: "notInLastDays", value: 90 }, [5, 7, 8, 10]),
  c("expectedNextOrder dueWithinDays 7: from 30 days late to 7 days ahead, inclusive", { field: "expectedNextOrder", operator: "dueWithinDays", value: 7 }, [1, 2, 3, 6, 11, 12]),
  c("expectedNextOrder dueWithinDays 0: due by now", { field: "expectedNextOrder", operator: "dueWithinDays", value: 0 }, [2, 3, 12]),
  c("expectedNextOrder overdue, however long", { field: "expectedNextOrder", operator: "overdue" }, [2, 3, 5, 10, 12]),
  c("tier in gold", { field: "tier", operator: "in", value: ["gold"] }, [1, 5, 9]),
  c("tier in silver or none (no row, or a row without a tier)", { field: "tier", operator: "in", value: ["silver", "none"] }, [2, 3, 4, 7, 8, 10, 12]),
  c("tier in none", { field: "tier", operator: "in", value: ["none"] }, [3, 4, 7, 10, 12]),
  c("tier notIn none", { field: "tier", operator: "notIn", value: ["none"] }, [1, 2, 5, 6, 8, 9, 11]),
  c("tier notIn gold, silver (customers without a tier too)", { field: "tier", operator: "notIn", value: ["gold", "silver"] }, [3, 4, 6, 7, 10, 11, 12]),
  c("tier notIn none, gold", { field: "tier", operator: "notIn", value: ["none", "gold"] }, [2, 6, 8, 11]),
  c("rfmSegment in atRisk, cantLose", { field: "rfmSegment", operator: "in", value: ["atRisk", "cantLose"] }, [2, 5]),
  c("rfmSegment notIn champions, loyal, lost (no segment too)", { field: "rfmSegment", operator: "notIn", value: ["champions", "loyal", "lost"] }, [2, 3, 4, 5, 7, 9, 10, 12]),
  c("country in us (read as US)", { field: "country", operator: "in", value: ["us"] }, [1, 2, 6, 9, 11]),
  c("country notIn US, DE (no country too)", { field: "country", operator: "notIn", value: ["US", "DE"] }, [4, 5, 7, 8, 10, 12]),
  c("owner in u1", { field: "owner", operator: "in", value: ["u1"] }, [1, 2, 10]),
  c("owner in u3 or none", { field: "owner", operator: "in", value: ["u3", "none"] }, [4, 6, 7, 8, 9, 12]),
  c("owner notIn u1 (no owner too)", { field: "owner", operator: "notIn", value: ["u1"] }, [3, 4, 5, 6, 7, 8, 9, 11, 12]),
  c("owner notIn u1, none", { field: "owner", operator: "notIn", value: ["u1", "none"] }, [3, 5, 7, 8, 11]),
  c("tag hasAny vip: the only, first, last or a middle tag in any case; not vip-gold, ovip, VIPS", { field: "tag", operator: "hasAny", value: ["vip"] }, [1, 2, 5, 6]),
  c("tag hasAny VIP-GOLD in any case", { field: "tag", operator: "hasAny", value: ["VIP-GOLD"] }, [3, 12]),
  c("tag hasAny with LIKE wildcards taken literally", { field: "tag", operator: "hasAny", value: ["vip_gold%"] }, [8]),
  c("tag hasAny of two", { field: "tag", operator: "hasAny", value: ["gift", "wholesale"] }, [2, 5, 11]),
  c("tag hasNone vip", { field: "tag", operator: "hasNone", value: ["vip"] }, [3, 4, 7, 8, 9, 10, 11, 12]),
  c("tag hasNone of two", { field: "tag", operator: "hasNone", value: ["vip", "vip-gold"] }, [4, 7, 8, 9, 10, 11]),
  c("productBought hasAny: cancelled, test, deleted orders and other shops' do not count", { field: "productBought", operator: "hasAny", value: [product(101)] }, [1, 2]),
  c("productBought hasAny of two", { field: "productBought", operator: "hasAny", value: [product(102), product(103)] }, [1, 3, 5, 12]),
  c("productBought hasNone (a guest order holds it too)", { field: "productBought", operator: "hasNone", value: [product(101)] }, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
  c("productBought hasNone of two", { field: "productBought", operator: "hasNone", value: [product(101), product(102)] }, [3, 4, 6, 7, 8, 9, 10, 11, 12]),
  c("productType hasAny TEA: any case, whole type (not Teapot)", { field: "productType", operator: "hasAny", value: ["TEA"] }, [1, 2, 9]),
  c("productType hasAny of two", { field: "productType", operator: "hasAny", value: ["teapot", "Mug"] }, [1, 3, 5, 12]),
  c("productType hasNone tea", { field: "productType", operator: "hasNone", value: ["tea"] }, [3, 4, 5, 6, 7, 8, 10, 11, 12]),
  c("emailSubscribed is true", { field: "emailSubscribed", operator: "is", value: true }, [1, 3, 5, 7, 9, 11]),
  c("emailSubscribed is false (no state too)", { field: "emailSubscribed", operator: "is", value: false }, [2, 4, 6, 8, 10, 12]),
];

describe("each field and operator", () => {
  test("the cases cover every operator of every field", () => {
    const covered = new Set(CASES.map(({ condition }) => `${condition.field}.${condition.operator}`));
    const all = Object.entries(SEGMENT_FIELDS).flatMap(([field, { operators }]) => operators.map((operator: Operator) => `${field}.${operator}`));
    expect(all.filter((key) => !covered.has(key))).toEqual([]);
  });

  test.each(CASES)("$title", async ({ condition, expected }) => {
    // GIVEN the USD shop (and another shop with the same customers, and deleted and redacted copies of customer 1)
    // WHEN the segment of this one condition is listed and counted
    // THEN exactly the expected customers are in it
    expect(await matching(one(condition))).toEqual(expected);
  });
});

describe("groups", () => {
  test.each([
    {
      title: "all: every condition",
      rules: { match: "all", conditions: [{ field: "tag", operator: "hasAny", value: ["vip"] }, { field: "orders", operator: "gte", value: 3 }] },
      expected: [1, 5, 6],
    },
    {
      title: "any: one condition is enough",
      rules: { match: "any", conditions: [{ field: "country", operator: "in", value: ["DE"] }, { field: "points", operator: "gte", value: 2500 }] },
      expected: [3, 5, 11],
    },
    {
      title: "all with an any group inside",
      rules: {
        match: "all",
        conditions: [
          { field: "emailSubscribed", operator: "is", value: true },
          { match: "any", conditions: [{ field: "rfmSegment", operator: "in", value: ["champions"] }, { field: "churnRisk", operator: "gte", value: 80 }] },
        ],
      },
      expected: [1, 5, 11],
    },
    {
      title: "any with an all group inside (and joins read by one branch only)",
      rules: {
        match: "any",
        conditions: [
          { field: "owner", operator: "in", value: ["none"] },
          { match: "all", conditions: [{ field: "tier", operator: "in", value: ["gold"] }, { field: "orders", operator: "gte", value: 5 }] },
        ],
      },
      expected: [1, 4, 5, 6, 9, 12],
    },
    {
      title: "a condition on every table at once",
      rules: {
        match: "all",
        conditions: [
          { field: "productBought", operator: "hasAny", value: [product(101), product(102)] },
          { field: "tier", operator: "in", value: ["gold"] },
          { field: "rfmSegment", operator: "notIn", value: ["lost"] },
          { field: "tag", operator: "hasAny", value: ["VIP"] },
        ],
      },
      expected: [1, 5],
    },
  ] as Array<{ title: string; rules: SegmentRules; expected: number[] }>)("$title", async ({ rules, expected }) => {
    expect(await matching(rules)).toEqual(expected);
  });

  test.each([
    { key: "vipAtRisk", expected: [2, 5] },
    { key: "oneTimeBuyers", expected: [3] },
    { key: "replenishmentDue", expected: [1, 2, 6, 11, 12] },
    { key: "championsNotSubscribed", expected: [6] },
  ])("the $key template parses and selects its customers", async ({ key, expected }) => {
    const template = SEGMENT_TEMPLATES.find((candidate) => candidate.key === key)!;
    expect(parseSegmentRules(template.rules)).toEqual(template.rules);
    expect(await matching(template.rules)).toEqual(expected);
  });

  test("every template is listed above", () => {
    expect(SEGMENT_TEMPLATES.map((template) => template.key).sort()).toEqual(["championsNotSubscribed", "oneTimeBuyers", "replenishmentDue", "vipAtRisk"]);
  });
});

describe("money in the shop's currency", () => {
  test.each([
    { title: "JPY spent gte ¥1000", rules: one({ field: "spent", operator: "gte", value: "1000" }), expected: [32, 33] },
    { title: "JPY averageOrder lte ¥500", rules: one({ field: "averageOrder", operator: "lte", value: "500" }), expected: [32] },
    { title: "JPY predictedValue gte ¥1500", rules: one({ field: "predictedValue", operator: "gte", value: "1500" }), expected: [31] },
  ])("$title", async ({ rules, expected }) => {
    expect(await matching(rules, { shop: JPY_SHOP, currencyCode: "JPY" })).toEqual(expected);
  });

  test.each([
    { title: "spent gte 2^53 + 1 cents", rules: one({ field: "spent", operator: "gte", value: "90071992547409.93" }), expected: [41] },
    { title: "spent lte 2^53 cents", rules: one({ field: "spent", operator: "lte", value: "90071992547409.92" }), expected: [42] },
    { title: "averageOrder gte 2^53 + 1 cents", rules: one({ field: "averageOrder", operator: "gte", value: "90071992547409.93" }), expected: [41] },
  ])("bigint amounts beyond 2^53 stay exact: $title", async ({ rules, expected }) => {
    expect(await matching(rules, { shop: BIG_SHOP })).toEqual(expected);
  });

  test("an amount the currency cannot hold is an error naming the condition, when parsed and when compiled", () => {
    const rules: SegmentRules = {
      match: "any",
      conditions: [{ field: "orders", operator: "eq", value: 1 }, { match: "all", conditions: [{ field: "spent", operator: "gte", value: "99.50" }] }],
    };
    expect(() => parseSegmentRules(rules, { currencyCode: "JPY" })).toThrow(new SegmentRulesError({ "conditions.1.conditions.0.value": "99.50 has more decimals than JPY has" }));
    expect(() => compileSegmentWhere(rules, { provider: providerOf(prisma), currencyCode: "JPY", now: NOW })).toThrow(SegmentRulesError);
    expect(parseSegmentRules(rules, { currencyCode: "USD" })).toEqual(rules);
  });
});

describe("compiling and selecting", () => {
  test.each<Case>([
    { title: "bought", condition: { field: "productBought", operator: "hasAny", value: [product(101)] }, expected: [1, 2] },
    { title: "not bought", condition: { field: "productBought", operator: "hasNone", value: [product(101)] }, expected: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12] },
    { title: "type", condition: { field: "productType", operator: "hasAny", value: ["tea"] }, expected: [1, 2, 9] },
    { title: "RFM segment", condition: { field: "rfmSegment", operator: "notIn", value: ["champions", "loyal", "lost"] }, expected: [2, 3, 4, 5, 7, 9, 10, 12] },
    { title: "tier", condition: { field: "tier", operator: "in", value: ["gold"] }, expected: [1, 5, 9] },
  ])("without a shop in the context, subqueries correlate on the customer's shop: $title", async ({ condition, expected }) => {
    // GIVEN the fragment compiled as another query would embed it, after one parameter of its own
    const provider = providerOf(prisma);
    const where = compileSegmentWhere(one(condition), { provider, currencyCode: "USD", now: NOW, paramOffset: 1 });
    const shopMark = provider === "sqlite" ? "?" : "$1";
    // WHEN it runs over SEGMENT_FROM
    const rows = await prisma.$queryRawUnsafe<Array<{ id: string }>>(
      `SELECT c."shopifyId" AS "id" FROM ${SEGMENT_FROM} WHERE c."shop" = ${shopMark} AND c."deletedAt" IS NULL AND c."redactedAt" IS NULL AND ${where.sql}`,
      SHOP,
      ...where.params,
    );
    // THEN it selects what the shop-bound form selects
    expect(idsOf(rows.map((row) => row.id))).toEqual(expected);
  });

  test("with every field at once, each placeholder has its parameter, in order", async () => {
    // GIVEN one condition of each case above, in one rule set
    const rules: SegmentRules = { match: "any", conditions: CASES.map(({ condition }) => condition) };
    for (const provider of ["sqlite", "postgresql"] as const) {
      // WHEN it is compiled after two parameters of the caller's, with and without the shop
      for (const shop of [SHOP, undefined]) {
        const { sql, params } = compileSegmentWhere(rules, { provider, currencyCode: "USD", now: NOW, paramOffset: 2, shop });
        // THEN SQLite has one ? per parameter; PostgreSQL numbers them 3, 4, ... in order of appearance
        const marks = provider === "sqlite" ? (sql.match(/\?/g) ?? []) : (sql.match(/\$\d+/g) ?? []);
        expect(marks).toEqual(provider === "sqlite" ? params.map(() => "?") : params.map((_, index) => `$${index + 3}`));
      }
    }
    // AND the whole set runs on this database, selecting each case's customers (more conditions than a saved segment may hold)
    const union = [...new Set(CASES.flatMap(({ expected }) => expected))].sort((a, b) => a - b);
    expect(idsOf(await selectSegmentCustomerIds(prisma, { shop: SHOP, rules, now: NOW, currencyCode: "USD" }))).toEqual(union);
  });

  test("PostgreSQL placeholders are numbered after the offset, in order", () => {
    const rules: SegmentRules = { match: "all", conditions: [{ field: "orders", operator: "between", value: [1, 2] }, { field: "tag", operator: "hasAny", value: ["a", "b"] }] };
    const { sql, params } = compileSegmentWhere(rules, { provider: "postgresql", currencyCode: "USD", now: NOW, paramOffset: 3 });
    expect(sql.match(/\$\d+/g)).toEqual(["$4", "$5", "$6", "$7"]);
    expect(params).toEqual([1, 2, "a", "b"]);
    expect(compileSegmentWhere(rules, { provider: "sqlite", currencyCode: "USD", now: NOW }).sql.match(/\?/g)).toHaveLength(4);
  });

  test("selecting among given customers: only those, live and in the shop, over several chunks", async () => {
    const rules = one({ field: "tag", operator: "hasAny", value: ["vip"] });
    // GIVEN customers that changed: some match, one does not exist, 13 is deleted, and padding crosses chunk boundaries
    const changed = [gid(1), gid(2), gid(3), gid(13), gid(999), ...Array.from({ length: 1200 }, (_, index) => gid(5000 + index)), gid(6), gid(2)];
    // WHEN only they are re-checked
    const ids = await selectSegmentCustomerIds(prisma, { shop: SHOP, rules, now: NOW, currencyCode: "USD", customerIds: changed });
    // THEN the matching ones among them come back, once each, in id order
    expect(ids).toEqual([gid(1), gid(2), gid(6)]);
    expect(await selectSegmentCustomerIds(prisma, { shop: SHOP, rules, now: NOW, currencyCode: "USD", customerIds: [] })).toEqual([]);
  });

  test("no rule reaches another shop's customers, deleted or redacted customers", async () => {
    const everyone: SegmentRules = { match: "any", conditions: [{ field: "orders", operator: "gte", value: 0 }] };
    expect(await matching(everyone)).toEqual(ALL);
    expect(await matching(everyone, { shop: OTHER_SHOP })).toEqual(ALL);
    expect(await matching(everyone, { shop: "rules-nobody.myshopify.com" })).toEqual([]);
  });
});

describe("validation (no database)", () => {
  const rulesWith = (...conditions: unknown[]) => ({ match: "all", conditions });
  const errorsOf = (json: unknown) => {
    try {
      parseSegmentRules(json);
    } catch (error) {
      if (error instanceof SegmentRulesError) return error.fieldErrors;
      throw error;
    }
    return {};
  };

  // One condition whose value is wrong: the message is at conditions.0.value.
  test.each([
    { title: "an amount with a comma", condition: { field: "spent", operator: "gte", value: "12,50" }, message: "must be an amount such as 120 or 99.50" },
    { title: "an amount as a number", condition: { field: "spent", operator: "gte", value: 12 }, message: "must be an amount such as 120 or 99.50" },
    { title: "a negative amount", condition: { field: "spent", operator: "lte", value: "-1" }, message: "must be an amount such as 120 or 99.50" },
    { title: "an amount range upside down", condition: { field: "spent", operator: "between", value: ["100", "99.99"] }, message: "the minimum must not be above the maximum" },
    { title: "a range of one", condition: { field: "orders", operator: "between", value: [1] }, message: "must be a range [min, max]" },
    { title: "a number range upside down", condition: { field: "orders", operator: "between", value: [3, 2] }, message: "the minimum must not be above the maximum" },
    { title: "a fractional order count", condition: { field: "orders", operator: "eq", value: 2.5 }, message: "must be a whole number" },
    { title: "a count as text", condition: { field: "orders", operator: "eq", value: "1" }, message: "must be a whole number" },
    { title: "a percent over 100", condition: { field: "churnRisk", operator: "gte", value: 101 }, message: "must be between 0 and 100" },
    { title: "a percent with two decimals", condition: { field: "churnRisk", operator: "gte", value: 70.55 }, message: "must be a number with at most 1 decimal" },
    { title: "days beyond a century", condition: { field: "lastOrderAt", operator: "inLastDays", value: 36501 }, message: "must be between 0 and 36500" },
    { title: "negative days", condition: { field: "daysSinceLastOrder", operator: "lte", value: -1 }, message: "must be between 0 and 36500" },
    { title: "a day that does not exist", condition: { field: "firstOrderAt", operator: "before", value: "2025-02-30" }, message: "must be a date (YYYY-MM-DD)" },
    { title: "a month that does not exist", condition: { field: "lastOrderAt", operator: "after", value: "2025-13-01" }, message: "must be a date (YYYY-MM-DD)" },
    { title: "overdue with a value", condition: { field: "expectedNextOrder", operator: "overdue", value: 3 }, message: "takes no value" },
    { title: "an empty list", condition: { field: "tier", operator: "in", value: [] }, message: "must list at least one value" },
    { title: "a list of 101", condition: { field: "owner", operator: "in", value: Array.from({ length: 101 }, (_, index) => `u${index}`) }, message: "must list at most 100 values" },
    { title: "a list with a blank", condition: { field: "tag", operator: "hasAny", value: ["a", " "] }, message: "must list non-empty texts" },
    { title: "an unknown RFM segment", condition: { field: "rfmSegment", operator: "in", value: ["vip"] }, message: "vip is not an RFM segment" },
    { title: "a three-letter country", condition: { field: "country", operator: "in", value: ["USA"] }, message: "USA is not a two-letter country code" },
    { title: "a tag with a comma", condition: { field: "tag", operator: "hasNone", value: ["a, b"] }, message: "a tag cannot contain a comma" },
    { title: "a product that is not a GID", condition: { field: "productBought", operator: "hasAny", value: ["123"] }, message: "123 is not a product id (gid://shopify/Product/...)" },
    { title: "a boolean as text", condition: { field: "emailSubscribed", operator: "is", value: "true" }, message: "must be true or false" },
  ])("a wrong value: $title", ({ condition, message }) => {
    expect(errorsOf(rulesWith(condition))).toEqual({ "conditions.0.value": message });
  });

  const orders = (value: unknown) => ({ field: "orders", operator: "eq", value });
  test.each([
    { title: "not JSON", json: "{match", errors: { rules: "is not JSON" } },
    { title: "not an object", json: 42, errors: { rules: expect.any(String) } },
    { title: "a wrong match", json: { match: "some", conditions: [orders(1)] }, errors: { match: 'must be "all" or "any"' } },
    { title: "no conditions", json: rulesWith(), errors: { conditions: "must hold at least one condition" } },
    { title: "an unknown field", json: rulesWith({ field: "birthday", operator: "eq", value: 1 }), errors: { "conditions.0.field": "is not a segment field" } },
    {
      title: "an operator the field does not take",
      json: rulesWith({ field: "tag", operator: "gte", value: ["a"] }),
      errors: { "conditions.0.operator": "tag takes hasAny, hasNone, not gte" },
    },
    {
      title: "every wrong condition at once, in groups too",
      json: rulesWith(orders(1), orders("1"), { match: "any", conditions: [orders(2), { field: "points", operator: "between", value: [5, 1] }] }),
      errors: { "conditions.1.value": "must be a whole number", "conditions.2.conditions.1.value": "the minimum must not be above the maximum" },
    },
    { title: "an empty group", json: rulesWith({ match: "any", conditions: [] }), errors: { "conditions.0.conditions": "must hold at least one condition" } },
    {
      title: "a group in a group",
      json: rulesWith({ match: "any", conditions: [{ match: "all", conditions: [orders(1)] }] }),
      errors: { "conditions.0.conditions.0": "groups nest one level only" },
    },
    {
      title: `more than ${MAX_CONDITIONS} conditions in all`,
      json: rulesWith(...Array.from({ length: 26 }, () => ({ match: "any", conditions: [orders(1), orders(2)] }))),
      errors: { conditions: `must hold at most ${MAX_CONDITIONS} conditions in all` },
    },
  ])("$title", ({ json, errors }) => {
    expect(errorsOf(json)).toEqual(errors);
  });

  test("the error message lists each path", () => {
    expect(() => parseSegmentRules(rulesWith({ field: "orders", operator: "eq", value: -1 }))).toThrow("conditions.0.value: must be between 0 and 1000000000");
  });

  test("values are normalised: trimmed, country upper-case, duplicates dropped (tags and types in any case), overdue without a value", () => {
    const parsed = parseSegmentRules(
      JSON.stringify(
        rulesWith(
          { field: "country", operator: "in", value: [" us", "US", "de"] },
          { field: "tag", operator: "hasAny", value: ["VIP ", "vip", "Gold"] },
          { field: "tier", operator: "in", value: ["Gold", "gold"] },
          { field: "spent", operator: "between", value: [" 1.5", "2"] },
          { field: "expectedNextOrder", operator: "overdue", value: null },
          { field: "lastOrderAt", operator: "before", value: "2026-01-01", id: "a key the builder keeps" },
        ),
      ),
    );
    expect(parsed.conditions).toEqual([
      { field: "country", operator: "in", value: ["US", "DE"] },
      { field: "tag", operator: "hasAny", value: ["VIP", "Gold"] },
      { field: "tier", operator: "in", value: ["Gold", "gold"] },
      { field: "spent", operator: "between", value: ["1.5", "2"] },
      { field: "expectedNextOrder", operator: "overdue" },
      { field: "lastOrderAt", operator: "before", value: "2026-01-01" },
    ]);
  });

  test("at most 50 conditions in all is fine", () => {
    const json = rulesWith(...Array.from({ length: 25 }, () => ({ match: "any", conditions: [orders(1), orders(2)] })));
    expect(parseSegmentRules(json).conditions).toHaveLength(25);
  });
});
