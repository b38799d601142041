// RFM scores and segments, table by table.
import { afterEach, describe, expect, test, vi } from "vitest";

import { RFM_GRID, RFM_SEGMENTS, VALUABLE_SEGMENTS, rfmDistribution, rfmSegment, scoreRfm, type RfmFacts, type RfmScores, type RfmSegment } from "./rfm";

const DAY_MS = 86_400_000;
const T0 = Date.parse("2026-01-01T00:00:00Z");
const customer = ({ day = 0, orders = 1, spent = 1000n }: { day?: number; orders?: number; spent?: bigint } = {}): RfmFacts => ({
  lastOrderAt: new Date(T0 + day * DAY_MS),
  orders,
  spentMinor: spent,
});
// One value on all three dimensions, so each table row checks R, F and M at once.
const uniform = (value: number) => customer({ day: value, orders: value, spent: BigInt(value) * 100n });
const scoresOf = (facts: RfmFacts[]) => {
  const distribution = rfmDistribution(facts);
  return facts.map((f) => scoreRfm(f, distribution));
};
const same = (score: number): RfmScores => ({ recency: score, frequency: score, monetary: score });

describe("scoreRfm", () => {
  test.each([
    { title: "one customer sits in the middle", values: [7], scores: [3] },
    { title: "two distinct customers", values: [1, 2], scores: [2, 4] },
    { title: "two equal customers", values: [5, 5], scores: [3, 3] },
    { title: "three customers", values: [1, 2, 3], scores: [1, 3, 5] },
    { title: "four customers (fewer than five)", values: [1, 2, 3, 4], scores: [1, 2, 4, 5] },
    { title: "five distinct customers are the five quintiles", values: [1, 2, 3, 4, 5], scores: [1, 2, 3, 4, 5] },
    { title: "ten distinct customers, two per quintile", values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], scores: [1, 1, 2, 2, 3, 3, 4, 4, 5, 5] },
    { title: "input order does not matter", values: [4, 1, 5, 3, 2], scores: [4, 1, 5, 3, 2] },
    { title: "everyone equal: everyone in the middle", values: [2, 2, 2, 2, 2, 2], scores: [3, 3, 3, 3, 3, 3] },
  ])("$title: $values -> $scores", ({ values, scores }) => {
    expect(scoresOf(values.map(uniform))).toEqual(scores.map(same));
  });

  test.each([
    { title: "60% with one order share a score", orders: 1, frequency: 2 },
    { title: "the 40% with two orders share a higher one", orders: 2, frequency: 5 },
  ])("ties: $title", ({ orders, frequency }) => {
    const shop = [...Array(6).fill(1), ...Array(4).fill(2)].map((n: number) => customer({ orders: n }));
    expect(scoreRfm(customer({ orders }), rfmDistribution(shop))?.frequency).toBe(frequency);
  });

  test.each([
    { title: "below everyone", spent: 50n, monetary: 1 },
    { title: "between the 2nd and 3rd", spent: 250n, monetary: 3 },
    { title: "equal to an existing customer scores as that customer", spent: 400n, monetary: 4 },
    { title: "above everyone", spent: 1_000n, monetary: 5 },
  ])("a new customer not in the distribution ranks against it: $title", ({ spent, monetary }) => {
    const distribution = rfmDistribution([100n, 200n, 300n, 400n, 500n].map((s) => customer({ spent: s })));
    expect(scoreRfm(customer({ spent }), distribution)?.monetary).toBe(monetary);
  });

  test("a new customer's order, later than anyone's, is the most recent", () => {
    const distribution = rfmDistribution([0, 1, 2, 3, 4].map((day) => customer({ day })));
    expect(scoreRfm(customer({ day: 4.5 }), distribution)?.recency).toBe(5);
  });

  test.each([
    { title: "an earlier last order", day: 0, recency: 2 },
    { title: "a later last order", day: 30, recency: 4 },
    { title: "the same day but an hour later is still later", day: 30 + 1 / 24, recency: 5 },
  ])("recency ranks by time: $title -> $recency", ({ day, recency }) => {
    const distribution = rfmDistribution([customer({ day: 0 }), customer({ day: 30 })]);
    expect(scoreRfm(customer({ day }), distribution)?.recency).toBe(recency);
  });

  describe("no clock", () => {
    afterEach(() => vi.useRealTimers());

    test("a day passing changes no score: recency is ranked by order time, not days ago", () => {
      const shop = [0, 10, 20, 30, 40].map((day) => customer({ day }));
      vi.useFakeTimers({ now: T0 + 41 * DAY_MS });
      const before = scoresOf(shop);
      vi.setSystemTime(T0 + 42 * DAY_MS);
      expect(scoresOf(shop)).toEqual(before);
    });
  });

  test.each([
    { title: "no orders", facts: { lastOrderAt: new Date(T0), orders: 0, spentMinor: 0n } },
    { title: "no last order", facts: { lastOrderAt: null, orders: 2, spentMinor: 500n } },
    { title: "neither", facts: { lastOrderAt: null, orders: 0, spentMinor: 0n } },
  ])("$title: no RFM", ({ facts }) => {
    expect(scoreRfm(facts, rfmDistribution([uniform(1), uniform(2)]))).toBeNull();
  });

  test.each([
    { title: "an empty shop", shop: [] },
    { title: "a shop whose customers have no orders", shop: [{ lastOrderAt: null, orders: 0, spentMinor: 0n }] },
  ])("a customer with orders against $title scores as the only customer: 3/3/3", ({ shop }) => {
    expect(scoreRfm(customer({ day: 3, orders: 4, spent: 9_999n }), rfmDistribution(shop))).toEqual(same(3));
  });

  test("bigint spend beyond 2^53 minor units still ranks", () => {
    const spends = [1n, 10n ** 15n, 2n ** 53n + 2n, 10n ** 18n, 10n ** 21n];
    const shop = spends.map((spent) => customer({ spent }));
    expect(rfmDistribution(shop).spent).toEqual([1, 1e15, 2 ** 53 + 2, 1e18, 1e21]);
    expect(scoresOf(shop).map((s) => s?.monetary)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("rfmDistribution", () => {
  test("holds only customers with orders, each dimension sorted ascending, time as fractional epoch days", () => {
    const distribution = rfmDistribution([
      customer({ day: 2.5, orders: 1, spent: 300n }),
      { lastOrderAt: null, orders: 0, spentMinor: 0n },
      customer({ day: 0, orders: 3, spent: 100n }),
      { lastOrderAt: new Date(T0), orders: 0, spentMinor: 0n },
      customer({ day: 1, orders: 2, spent: 200n }),
    ]);
    const day0 = T0 / DAY_MS;
    expect(distribution).toEqual({ lastOrderDays: [day0, day0 + 1, day0 + 2.5], orders: [1, 2, 3], spent: [100, 200, 300] });
  });

  test("takes any iterable, such as a generator streaming rows", () => {
    function* rows() {
      yield uniform(2);
      yield uniform(1);
    }
    expect(rfmDistribution(rows()).orders).toEqual([1, 2]);
  });
});

describe("rfmSegment", () => {
  // The documented grid, typed out again so the test checks RFM_GRID rather than reading it.
  const grid: Record<number, RfmSegment[]> = {
    5: ["new", "potentialLoyalist", "potentialLoyalist", "champions", "champions"],
    4: ["promising", "potentialLoyalist", "potentialLoyalist", "loyal", "champions"],
    3: ["aboutToSleep", "aboutToSleep", "needAttention", "loyal", "loyal"],
    2: ["hibernating", "hibernating", "atRisk", "atRisk", "cantLose"],
    1: ["lost", "lost", "hibernating", "atRisk", "cantLose"],
  };
  const cells = [5, 4, 3, 2, 1].flatMap((recency) => [1, 2, 3, 4, 5].map((fm) => ({ title: `R${recency} FM${fm}`, recency, fm, segment: grid[recency]![fm - 1]! })));

  test.each(cells)("$title -> $segment", ({ recency, fm, segment }) => {
    expect(rfmSegment({ recency, frequency: fm, monetary: fm })).toBe(segment);
  });

  test("RFM_GRID is the documented grid, rows R5 to R1", () => {
    expect(RFM_GRID).toEqual([5, 4, 3, 2, 1].map((r) => grid[r]));
  });

  const everyScore = [1, 2, 3, 4, 5].flatMap((recency) => [1, 2, 3, 4, 5].flatMap((frequency) => [1, 2, 3, 4, 5].map((monetary) => ({ recency, frequency, monetary }))));
  test.each(RFM_SEGMENTS)("%s is reachable", (segment) => {
    expect(everyScore.some((scores) => rfmSegment(scores) === segment)).toBe(true);
  });

  test.each([
    { title: "F1 M2 rounds up to FM2", scores: { recency: 5, frequency: 1, monetary: 2 }, segment: "potentialLoyalist" },
    { title: "F2 M1 rounds up to FM2 too", scores: { recency: 4, frequency: 2, monetary: 1 }, segment: "potentialLoyalist" },
    { title: "F1 M1 is FM1", scores: { recency: 4, frequency: 1, monetary: 1 }, segment: "promising" },
    { title: "F3 M4 rounds up to FM4", scores: { recency: 3, frequency: 3, monetary: 4 }, segment: "loyal" },
    { title: "F4 M5 rounds up to FM5", scores: { recency: 4, frequency: 4, monetary: 5 }, segment: "champions" },
    { title: "F1 M5 is FM3", scores: { recency: 2, frequency: 1, monetary: 5 }, segment: "atRisk" },
  ])("FM rounding: $title -> $segment", ({ scores, segment }) => {
    expect(rfmSegment(scores)).toBe(segment);
  });

  test.each([
    { title: "zero", scores: { recency: 0, frequency: 3, monetary: 3 } },
    { title: "six", scores: { recency: 3, frequency: 6, monetary: 3 } },
    { title: "a fraction", scores: { recency: 3, frequency: 3, monetary: 2.5 } },
    { title: "NaN", scores: { recency: Number.NaN, frequency: 3, monetary: 3 } },
  ])("refuses a score that is not 1-5: $title", ({ scores }) => {
    expect(() => rfmSegment(scores)).toThrow(RangeError);
  });

  test("valuable segments are champions and loyal", () => {
    expect(VALUABLE_SEGMENTS).toEqual(["champions", "loyal"]);
  });

  test("from facts to segment: the shop's best and worst customers", () => {
    const shop = [1, 2, 3, 4, 5].map(uniform);
    const distribution = rfmDistribution(shop);
    const segments = shop.map((facts) => rfmSegment(scoreRfm(facts, distribution)!));
    expect(segments).toEqual(["lost", "hibernating", "needAttention", "loyal", "champions"]);
  });
});
