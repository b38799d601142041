// The analytics figures on the real database: customers and net spend per RFM segment and loyalty tier, new vs
// returning customers per month and cohort retention in the shop's time zone (Asia/Shanghai, UTC+8), the valuable
// customers who moved to At risk this month - and none of another shop's rows, which reuse the same customer ids.
import { beforeAll, describe, expect, test } from "vitest";

import { bootApp } from "../support/app";
import { createCustomer, createOrder, createShop } from "../support/factories";

const { prisma, database } = await bootApp();
const { monthStart, monthWindow, shopAnalytics } = await import("~/modules/analytics/analytics.server");
const { RFM_SEGMENTS } = await import("~/modules/segments/rfm");

const SHOP = "analytics.myshopify.com";
const OTHER = "analytics-other.myshopify.com";
const EMPTY = "analytics-empty.myshopify.com";
const NOW = new Date("2026-04-15T12:00:00Z");
const gid = (id: number) => `gid://shopify/Customer/${id}`;
const at = (iso: string) => new Date(iso);

let orderNumber = 0;
const order = (shop: string, customer: number | null, processedAt: string, extra: { test?: boolean; cancelledAt?: Date; deletedAt?: Date } = {}) =>
  createOrder(prisma, { shop, shopifyId: `gid://shopify/Order/${++orderNumber}`, customerId: customer === null ? null : gid(customer), processedAt: at(processedAt), ...extra });

const insight = (shop: string, customer: number, rfmSegment: string | null, netSpentMinor: bigint, firstOrderAt: string | null, { marker = false } = {}) =>
  prisma.customerInsight.create({
    data: { shop, customerId: gid(customer), rfmSegment, netSpentMinor, orders: rfmSegment ? 1 : 0, firstOrderAt: firstOrderAt ? at(firstOrderAt) : null, computedAt: marker ? null : NOW, dirty: marker },
  });

const member = (shop: string, customer: number, tierKey: string | null) => prisma.loyaltyMember.create({ data: { shop, customerId: gid(customer), tierKey, evaluatedAt: NOW } });

const move = (shop: string, customer: number, fromSegment: string | null, toSegment: string | null, createdAt: string) => prisma.rfmChange.create({ data: { shop, customerId: gid(customer), fromSegment, toSegment, createdAt: at(createdAt) } });

beforeAll(async () => {
  await database.reset();
  for (const shop of [SHOP, OTHER, EMPTY]) {
    await createShop(prisma, { shop });
    await prisma.shop.update({ where: { shop }, data: { ianaTimezone: "Asia/Shanghai" } });
  }
  const names = ["Ada One", "Bo Two", "Cy Three", "Di Four", "Ed Five", "Flo Six", "Gus Seven", "Hal Eight", "Ivy Nine", "Jo Ten", "Kai Eleven"];
  for (const [index, displayName] of names.entries()) {
    const id = index + 1;
    await createCustomer(prisma, { shop: SHOP, shopifyId: gid(id), displayName, deletedAt: id === 9 ? at("2026-04-01T00:00:00Z") : null });
    await createCustomer(prisma, { shop: OTHER, shopifyId: gid(id), displayName: `Other ${displayName}` });
  }

  // Orders. The window is May 2025 - April 2026 in Shanghai: 2025-04-30T16:00Z to 2026-04-30T16:00Z.
  await order(SHOP, 1, "2025-01-10T00:00:00Z"); // before the window: 1 is returning
  await order(SHOP, 1, "2026-02-10T00:00:00Z");
  await order(SHOP, 1, "2026-04-02T00:00:00Z");
  await order(SHOP, 2, "2026-01-05T00:00:00Z"); // cohort January 2026
  await order(SHOP, 2, "2026-02-20T00:00:00Z");
  await order(SHOP, 2, "2026-04-10T00:00:00Z");
  await order(SHOP, 3, "2026-02-01T00:00:00Z", { test: true }); // a test order does not count
  await order(SHOP, 3, "2026-03-10T00:00:00Z", { cancelledAt: at("2026-03-11T00:00:00Z") }); // nor a cancelled one
  await order(SHOP, 3, "2026-03-31T20:00:00Z"); // 1 April 04:00 in Shanghai: cohort April 2026
  await order(SHOP, 4, "2026-01-20T00:00:00Z"); // cohort January 2026, twice in the month
  await order(SHOP, 4, "2026-01-25T00:00:00Z");
  await order(SHOP, 4, "2026-03-03T00:00:00Z");
  await order(SHOP, 5, "2025-05-01T10:00:00Z"); // cohort May 2025
  await order(SHOP, 5, "2025-06-15T00:00:00Z");
  await order(SHOP, 6, "2025-04-30T15:00:00Z"); // 30 April 23:00 in Shanghai: before the window, so 6 returns in May
  await order(SHOP, 6, "2025-05-02T00:00:00Z");
  await order(SHOP, 8, "2026-02-14T00:00:00Z", { deletedAt: at("2026-02-15T00:00:00Z") }); // a deleted order does not count
  await order(SHOP, 8, "2026-03-20T00:00:00Z"); // so 8's first order is March's, though its insight still says February
  await order(SHOP, null, "2026-02-14T00:00:00Z"); // a guest is not a customer
  await order(SHOP, 1, "2026-04-30T16:00:00Z"); // May in Shanghai: after the window (and the month is not over)
  await order(SHOP, 10, "2026-03-05T00:00:00Z"); // 10's first orders: not scored yet (a dirty marker without firstOrderAt)
  await order(SHOP, 10, "2026-04-05T00:00:00Z");
  // The other shop: the same customer ids, with an order before the window for 2 and 3 (a leak would make them returning).
  await order(OTHER, 2, "2025-03-01T00:00:00Z");
  await order(OTHER, 3, "2025-03-01T00:00:00Z");
  await order(OTHER, 7, "2026-02-01T00:00:00Z");
  await order(OTHER, 7, "2026-04-01T00:00:00Z");

  // Insights (firstOrderAt: the first order that counts): 9 is deleted, 10 is an unscored marker, 11 has none.
  await insight(SHOP, 1, "champions", 50_000n, "2025-01-10T00:00:00Z");
  await insight(SHOP, 2, "champions", 30_000n, "2026-01-05T00:00:00Z");
  await insight(SHOP, 3, "new", 1_000n, "2026-03-31T20:00:00Z");
  await insight(SHOP, 4, "loyal", 20_000n, "2026-01-20T00:00:00Z");
  await insight(SHOP, 5, "atRisk", 7_000n, "2025-05-01T10:00:00Z");
  await insight(SHOP, 6, "lost", 2_000n, "2025-04-30T15:00:00Z");
  await insight(SHOP, 7, null, 0n, null);
  await insight(SHOP, 8, "hibernating", 500n, "2026-02-14T00:00:00Z");
  await insight(SHOP, 9, "champions", 90_000n, "2026-02-01T00:00:00Z");
  await insight(SHOP, 10, null, 0n, null, { marker: true });
  // The other shop's insights for the same ids: a leak would make 2 and 3 returning customers.
  for (const [id, first] of [[1, null], [2, "2025-03-01T00:00:00Z"], [3, "2025-03-01T00:00:00Z"], [7, "2026-02-01T00:00:00Z"]] as const) await insight(OTHER, id, "cantLose", 1_000_000n, first);

  // Members of the default program (member, silver, gold): 3 has no row, 6 no tier, 8 a tier the program no longer has.
  await member(SHOP, 1, "gold");
  await member(SHOP, 2, "silver");
  await member(SHOP, 4, "silver");
  await member(SHOP, 5, "member");
  await member(SHOP, 6, null);
  await member(SHOP, 7, "member");
  await member(SHOP, 8, "platinum");
  await member(SHOP, 9, "gold");
  await member(OTHER, 3, "gold");

  // Moves. This month in Shanghai began at 2026-03-31T16:00Z.
  await move(SHOP, 1, "champions", "atRisk", "2026-04-03T00:00:00Z");
  await move(SHOP, 4, "loyal", "atRisk", "2026-03-31T17:00:00Z"); // 1 April 01:00 in Shanghai
  await move(SHOP, 4, "atRisk", "loyal", "2026-04-05T00:00:00Z");
  await move(SHOP, 4, "loyal", "atRisk", "2026-04-10T00:00:00Z"); // a second move of the same customer
  await move(SHOP, 2, "champions", "atRisk", "2026-03-31T15:00:00Z"); // 31 March 23:00 in Shanghai: last month
  await move(SHOP, 5, "needAttention", "atRisk", "2026-04-04T00:00:00Z"); // not from a valuable segment
  await move(SHOP, 6, "champions", "lost", "2026-04-04T00:00:00Z"); // not to atRisk
  await move(SHOP, 3, null, "new", "2026-04-04T00:00:00Z");
  await move(SHOP, 9, "champions", "atRisk", "2026-04-04T00:00:00Z"); // a deleted customer: a move, but no link
  await move(OTHER, 2, "champions", "atRisk", "2026-04-04T00:00:00Z");
  await move(OTHER, 7, "loyal", "atRisk", "2026-04-04T00:00:00Z");
});

const MONTHS = ["2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04"];

describe("shopAnalytics", () => {
  test("customers and net spend per RFM segment: every segment in order, live scored customers only", async () => {
    // GIVEN the shop's insights (a deleted customer's and an unscored marker among them)
    // WHEN the figures are read
    const analytics = await shopAnalytics({ shop: SHOP, now: NOW });
    // THEN each segment counts its live scored customers and sums their net spend
    const expected: Record<string, [number, bigint]> = { champions: [2, 80_000n], loyal: [1, 20_000n], new: [1, 1_000n], atRisk: [1, 7_000n], hibernating: [1, 500n], lost: [1, 2_000n] };
    expect(analytics.segments).toEqual(RFM_SEGMENTS.map((key) => ({ key, customers: expected[key]?.[0] ?? 0, netSpentMinor: expected[key]?.[1] ?? 0n })));
    expect(analytics.noOrders).toBe(1);
    expect(analytics.hasOrders).toBe(true);
    expect(analytics.timeZone).toBe("Asia/Shanghai");
  });

  test("customers and net spend per loyalty tier: the program's tiers in order, then no tier (no row, no tier, a retired tier)", async () => {
    const analytics = await shopAnalytics({ shop: SHOP, now: NOW });
    expect(analytics.tiers.map(({ key, name, customers, netSpentMinor }) => ({ key, name, customers, netSpentMinor }))).toEqual([
      { key: "member", name: "Member", customers: 2, netSpentMinor: 7_000n },
      { key: "silver", name: "Silver", customers: 2, netSpentMinor: 50_000n },
      { key: "gold", name: "Gold", customers: 1, netSpentMinor: 50_000n },
      { key: null, name: null, customers: 3, netSpentMinor: 3_500n },
    ]);
  });

  test("new vs returning customers per month in the shop's time zone, distinct customers, counting orders only", async () => {
    const analytics = await shopAnalytics({ shop: SHOP, now: NOW });
    // 10 and 8 are new in March by their orders (10's insight does not know its first order yet, 8's is out of date).
    const expected: Record<string, [number, number]> = { "2025-05": [1, 1], "2025-06": [0, 1], "2026-01": [2, 0], "2026-02": [0, 2], "2026-03": [2, 1], "2026-04": [1, 3] };
    expect(analytics.months).toEqual(MONTHS.map((month) => ({ month, newCustomers: expected[month]?.[0] ?? 0, returningCustomers: expected[month]?.[1] ?? 0 })));
  });

  test("cohort retention: the month of the first order, and who ordered k months later", async () => {
    const analytics = await shopAnalytics({ shop: SHOP, now: NOW });
    expect(analytics.cohorts.map((cohort) => cohort.month)).toEqual(MONTHS);
    const cohort = (month: string) => analytics.cohorts.find((row) => row.month === month)!;
    const future = (observed: number) => Array<null>(12 - observed).fill(null);
    expect(cohort("2025-05")).toEqual({ month: "2025-05", size: 1, retained: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], share: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
    expect(cohort("2026-01")).toEqual({ month: "2026-01", size: 2, retained: [2, 1, 1, 1, ...future(4)], share: [1, 0.5, 0.5, 0.5, ...future(4)] });
    expect(cohort("2026-03")).toEqual({ month: "2026-03", size: 2, retained: [2, 1, ...future(2)], share: [1, 0.5, ...future(2)] });
    expect(cohort("2026-04")).toEqual({ month: "2026-04", size: 1, retained: [1, ...future(1)], share: [1, ...future(1)] });
    // An empty cohort: nobody retained where the month has begun, no share.
    expect(cohort("2025-09")).toEqual({ month: "2025-09", size: 0, retained: [0, 0, 0, 0, 0, 0, 0, 0, ...future(8)], share: Array(12).fill(null) });
    expect(analytics.cohorts.reduce((sum, row) => sum + row.size, 0)).toBe(6);
  });

  test("valuable customers who moved to At risk this month (shop time zone), biggest spend first, live customers linked", async () => {
    const analytics = await shopAnalytics({ shop: SHOP, now: NOW });
    expect(analytics.atRisk).toEqual({
      moves: 4,
      customers: 2,
      list: [
        { customerId: gid(1), name: "Ada One", netSpentMinor: 50_000n },
        { customerId: gid(4), name: "Di Four", netSpentMinor: 20_000n },
      ],
    });
  });

  test("the time-zone boundary: in UTC the order at 2026-03-31T20:00Z is March's, and so is the move at 17:00Z that day", async () => {
    await prisma.shop.update({ where: { shop: SHOP }, data: { ianaTimezone: null } });
    try {
      const analytics = await shopAnalytics({ shop: SHOP, now: NOW });
      expect(analytics.timeZone).toBe("UTC");
      const figure = (month: string) => analytics.months.find((row) => row.month === month);
      // 3's first order is now March's; 6's 15:00Z order is April 2025's (outside the window), so 6 is still returning.
      expect(figure("2026-03")).toEqual({ month: "2026-03", newCustomers: 3, returningCustomers: 1 });
      expect(figure("2026-04")).toEqual({ month: "2026-04", newCustomers: 0, returningCustomers: 3 });
      expect(figure("2025-05")).toEqual({ month: "2025-05", newCustomers: 1, returningCustomers: 1 });
      expect(analytics.cohorts.find((row) => row.month === "2026-03")).toMatchObject({ size: 3, retained: [3, 1, null, null, null, null, null, null, null, null, null, null] });
      // 4's move at 17:00Z on 31 March is March's now (its move on 10 April still counts).
      expect(analytics.atRisk.moves).toBe(3);
      expect(analytics.atRisk.list.map((row) => row.customerId)).toEqual([gid(1), gid(4)]);
    } finally {
      await prisma.shop.update({ where: { shop: SHOP }, data: { ianaTimezone: "Asia/Shanghai" } });
    }
  });

  test("fewer months: the window and the grid shrink together", async () => {
    const analytics = await shopAnalytics({ shop: SHOP, now: NOW, months: 3 });
    expect(analytics.months).toEqual([
      { month: "2026-02", newCustomers: 0, returningCustomers: 2 },
      { month: "2026-03", newCustomers: 2, returningCustomers: 1 },
      { month: "2026-04", newCustomers: 1, returningCustomers: 3 },
    ]);
    // 2 and 4 first ordered in January, before this window: no cohort holds them.
    expect(analytics.cohorts).toEqual([
      { month: "2026-02", size: 0, retained: [0, 0, 0], share: [null, null, null] },
      { month: "2026-03", size: 2, retained: [2, 1, null], share: [1, 0.5, null] },
      { month: "2026-04", size: 1, retained: [1, null, null], share: [1, null, null] },
    ]);
  });

  test("another shop sees only its own rows", async () => {
    const analytics = await shopAnalytics({ shop: OTHER, now: NOW });
    expect(analytics.segments.find((segment) => segment.key === "cantLose")).toEqual({ key: "cantLose", customers: 4, netSpentMinor: 4_000_000n });
    expect(analytics.segments.reduce((sum, segment) => sum + segment.customers, 0)).toBe(4);
    expect(analytics.tiers.map((tier) => tier.customers)).toEqual([0, 0, 1, 3]);
    expect(analytics.months.filter((month) => month.newCustomers + month.returningCustomers > 0)).toEqual([
      { month: "2026-02", newCustomers: 1, returningCustomers: 0 },
      { month: "2026-04", newCustomers: 0, returningCustomers: 1 },
    ]);
    expect(analytics.atRisk).toEqual({ moves: 2, customers: 2, list: [{ customerId: gid(7), name: "Other Gus Seven", netSpentMinor: 1_000_000n }, { customerId: gid(2), name: "Other Bo Two", netSpentMinor: 1_000_000n }].sort((a, b) => a.customerId.localeCompare(b.customerId)) });
  });

  test("months is a whole number 1-24 (a customer's months are bits of one mask)", async () => {
    await expect(shopAnalytics({ shop: SHOP, now: NOW, months: 25 })).rejects.toThrow(RangeError);
    await expect(shopAnalytics({ shop: SHOP, now: NOW, months: 0 })).rejects.toThrow(RangeError);
    const longest = await shopAnalytics({ shop: SHOP, now: NOW, months: 24 });
    expect(longest.months[0]).toEqual({ month: "2024-05", newCustomers: 0, returningCustomers: 0 });
    expect(longest.months.find((month) => month.month === "2025-01")).toEqual({ month: "2025-01", newCustomers: 1, returningCustomers: 0 });
    expect(longest.cohorts.find((cohort) => cohort.month === "2025-01")!.retained.slice(0, 14)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  test("a shop with no orders: zeros everywhere, and hasOrders false", async () => {
    const analytics = await shopAnalytics({ shop: EMPTY, now: NOW });
    expect(analytics.hasOrders).toBe(false);
    expect(analytics.segments.every((segment) => segment.customers === 0 && segment.netSpentMinor === 0n)).toBe(true);
    expect(analytics.noOrders).toBe(0);
    expect(analytics.tiers.map((tier) => tier.customers)).toEqual([0, 0, 0, 0]);
    expect(analytics.months.every((month) => month.newCustomers === 0 && month.returningCustomers === 0)).toBe(true);
    expect(analytics.cohorts.every((cohort) => cohort.size === 0)).toBe(true);
    expect(analytics.atRisk).toEqual({ moves: 0, customers: 0, list: [] });
  });
});

describe("calendar months in a time zone", () => {
  test.each([
    { title: "UTC", zone: "UTC", year: 2026, month: 3, expected: "2026-04-01T00:00:00.000Z" },
    { title: "Shanghai (UTC+8)", zone: "Asia/Shanghai", year: 2026, month: 3, expected: "2026-03-31T16:00:00.000Z" },
    { title: "New York in winter time (UTC-5)", zone: "America/New_York", year: 2026, month: 2, expected: "2026-03-01T05:00:00.000Z" },
    { title: "New York in summer time (UTC-4)", zone: "America/New_York", year: 2026, month: 3, expected: "2026-04-01T04:00:00.000Z" },
    { title: "month 12 is next January", zone: "UTC", year: 2025, month: 12, expected: "2026-01-01T00:00:00.000Z" },
    { title: "month -1 is last December", zone: "Asia/Kolkata", year: 2026, month: -1, expected: "2025-11-30T18:30:00.000Z" },
  ])("$title", ({ zone, year, month, expected }) => {
    expect(monthStart(year, month, zone).toISOString()).toBe(expected);
  });

  test("the window: this month and the ones before it, across a year", () => {
    const window = monthWindow(new Date("2026-01-31T17:00:00Z"), "Asia/Shanghai", 3); // 1 February in Shanghai
    expect(window.keys).toEqual(["2025-12", "2026-01", "2026-02"]);
    expect(window.starts.map((date) => date.toISOString())).toEqual(["2025-11-30T16:00:00.000Z", "2025-12-31T16:00:00.000Z", "2026-01-31T16:00:00.000Z", "2026-02-28T16:00:00.000Z"]);
  });
});
