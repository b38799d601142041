// Repurchase cycles and anniversaries on one customer's dated orders, where the answer is known.
import { describe, expect, test } from "vitest";

import type { Purchase } from "./model";
import { anniversaries, isComing, isDue, monthIn, repurchaseCycles } from "./timing";

const DAY = 86_400_000;
const start = Date.UTC(2025, 0, 1, 10);
const at = (day: number) => new Date(start + day * DAY);
const utcMonth = (date: Date) => ({ year: date.getUTCFullYear(), month: date.getUTCMonth() });

describe("repurchase cycles", () => {
  // Coffee every 30 days (once 28, once 32); a mug once; filters twice.
  const purchases: Purchase[] = [
    { items: ["coffee", "mug"], at: at(0) },
    { items: ["coffee", "filter"], at: at(30) },
    { items: ["coffee", "coffee"], at: at(58) },
    { items: ["coffee"], at: at(90) },
    { items: ["filter"], at: at(90) },
    { items: ["coffee"], at: at(90.2) },
  ];
  const cycles = repurchaseCycles(purchases);

  test("an item bought on three or more days has a cycle: the median gap, and its next date from the last purchase", () => {
    expect(cycles).toHaveLength(1);
    const coffee = cycles[0]!;
    expect(coffee).toMatchObject({ key: "coffee", purchases: 4, everyDays: 30 });
    expect(coffee.lastAt.toISOString()).toBe(at(90.2).toISOString());
    expect(coffee.dueAt.toISOString()).toBe(new Date(at(90.2).getTime() + 30 * DAY).toISOString());
  });

  test("is due from a week before its date until one more cycle has passed", () => {
    const coffee = cycles[0]!;
    expect(isDue(coffee, at(110))).toBe(false);
    expect(isDue(coffee, at(114))).toBe(true);
    expect(isDue(coffee, at(149))).toBe(true);
    expect(isDue(coffee, at(151))).toBe(false);
  });

  test("keys can be product types, and undated orders say nothing", () => {
    const type = (item: string) => (item === "coffee" || item === "filter" ? "Coffee" : null);
    expect(repurchaseCycles(purchases, type).map((cycle) => [cycle.key, cycle.purchases])).toEqual([["Coffee", 4]]);
    expect(repurchaseCycles(purchases.map(({ items }) => ({ items })))).toEqual([]);
  });
});

describe("anniversaries", () => {
  const purchases: Purchase[] = [
    { items: ["gift-box"], at: new Date(Date.UTC(2023, 4, 10)) },
    { items: ["gift-box", "card"], at: new Date(Date.UTC(2024, 4, 28)) },
    { items: ["card"], at: new Date(Date.UTC(2024, 4, 2)) },
    { items: ["gift-box"], at: new Date(Date.UTC(2025, 4, 1)) },
    { items: ["candle"], at: new Date(Date.UTC(2024, 11, 20)) },
    { items: ["candle"], at: new Date(Date.UTC(2025, 0, 3)) },
  ];

  test("an item bought in the same month in two or more years, with those years; twice in one May is not an anniversary", () => {
    expect(anniversaries(purchases, utcMonth)).toEqual([{ key: "gift-box", month: 4, years: [2023, 2024, 2025] }]);
  });

  test("months are the shop's: late on 31 December in UTC is January in Shanghai", () => {
    const shanghai = (date: Date) => {
      const local = new Date(date.getTime() + 8 * 3_600_000);
      return { year: local.getUTCFullYear(), month: local.getUTCMonth() };
    };
    const newYear: Purchase[] = [
      { items: ["lantern"], at: new Date(Date.UTC(2023, 11, 31, 20)) },
      { items: ["lantern"], at: new Date(Date.UTC(2025, 0, 15)) },
    ];
    expect(anniversaries(newYear, utcMonth)).toEqual([]);
    expect(anniversaries(newYear, shanghai)).toEqual([{ key: "lantern", month: 0, years: [2024, 2025] }]);
  });

  test("comes up in its month and the month before", () => {
    const [giftBox] = anniversaries(purchases, utcMonth);
    expect(isComing(giftBox!, { month: 3 })).toBe(true);
    expect(isComing(giftBox!, { month: 4 })).toBe(true);
    expect(isComing(giftBox!, { month: 5 })).toBe(false);
    expect(isComing({ key: "x", month: 0, years: [2024, 2025] }, { month: 11 })).toBe(true);
  });
});

describe("the month in the shop's time zone", () => {
  test.each([
    ["Asia/Shanghai", "2023-12-31T20:00:00Z", { year: 2024, month: 0 }],
    ["Asia/Shanghai", "2024-05-15T20:00:00Z", { year: 2024, month: 4 }],
    ["America/Los_Angeles", "2024-06-01T03:00:00Z", { year: 2024, month: 4 }],
    ["America/Los_Angeles", "2024-06-02T03:00:00Z", { year: 2024, month: 5 }],
    ["Pacific/Kiritimati", "2024-02-28T11:00:00Z", { year: 2024, month: 1 }],
    ["Pacific/Kiritimati", "2024-02-29T11:00:00Z", { year: 2024, month: 2 }],
    ["UTC", "2024-01-31T23:59:59Z", { year: 2024, month: 0 }],
  ])("%s: %s is %o", (zone, iso, expected) => {
    expect(monthIn(zone)(new Date(iso))).toEqual(expected);
  });
});
