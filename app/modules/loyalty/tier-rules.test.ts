// The tier and points rules, table by table (decision 010).
import { describe, expect, test } from "vitest";

import { programSchema, type Program, type Tier } from "./program";
import { decideMovement, orderMovement, orderPointsTarget, pointsExpired, progressToNext, qualifiedTier, qualifyingMetric, windowRange, type MemberTierState } from "./tier-rules";

const tiers: Tier[] = [
  { key: "member", name: "Member", color: "#8c9196", threshold: 0, perks: "" },
  { key: "silver", name: "Silver", color: "#6d7175", threshold: 20_000, perks: "" },
  { key: "gold", name: "Gold", color: "#b98900", threshold: 100_000, perks: "Free shipping" },
];
const program = (graceDays: number): Pick<Program, "tiers" | "graceDays"> => ({ tiers, graceDays });
const NOW = new Date("2026-06-15T12:00:00Z");
const daysFromNow = (days: number) => new Date(NOW.getTime() + days * 86_400_000);
const state = (tierKey: string | null, extra: Partial<MemberTierState> = {}): MemberTierState => ({ tierKey, downgradeDueAt: null, overrideKey: null, ...extra });

describe("qualifiedTier", () => {
  test.each([
    [0n, "member"],
    [19_999n, "member"],
    [20_000n, "silver"],
    [99_999n, "silver"],
    [100_000n, "gold"],
    [10_000_000n, "gold"],
  ])("metric %s qualifies for %s", (metric, key) => {
    expect(qualifiedTier(tiers, metric)?.key).toBe(key);
  });

  test("below the lowest threshold is no tier", () => {
    expect(qualifiedTier(tiers.slice(1), 100n)).toBeNull();
  });
});

describe("windows", () => {
  test("lifetime counts everything", () => {
    expect(windowRange({ kind: "lifetime", months: 12 }, NOW)).toEqual({ start: null, previousStart: null });
  });

  test("rolling months go back from now", () => {
    expect(windowRange({ kind: "rollingMonths", months: 6 }, NOW).start?.toISOString()).toBe("2025-12-15T12:00:00.000Z");
  });

  test.each([
    ["UTC", "2026-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"],
    ["Asia/Shanghai", "2025-12-31T16:00:00.000Z", "2024-12-31T16:00:00.000Z"],
    ["America/New_York", "2026-01-01T05:00:00.000Z", "2025-01-01T05:00:00.000Z"],
  ])("a calendar year starts at midnight on 1 January in the shop's zone (%s)", (zone, start, previous) => {
    const range = windowRange({ kind: "calendarYear", months: 12 }, NOW, zone);
    expect(range.start?.toISOString()).toBe(start);
    expect(range.previousStart?.toISOString()).toBe(previous);
  });

  test("in Shanghai, the first hours of 1 January (UTC still 31 December) are already the new year", () => {
    const range = windowRange({ kind: "calendarYear", months: 12 }, new Date("2026-12-31T17:00:00Z"), "Asia/Shanghai");
    expect(range.start?.toISOString()).toBe("2026-12-31T16:00:00.000Z");
  });

  test.each([
    ["lifetime", 500n, 900n, 500n],
    ["rollingMonths", 500n, 900n, 500n],
    ["calendarYear", 500n, 900n, 900n],
    ["calendarYear", 1200n, 900n, 1200n],
  ] as const)("%s: this window %s, last year %s -> judged on %s", (kind, current, previous, expected) => {
    expect(qualifyingMetric({ kind }, { current, previous })).toBe(expected);
  });
});

describe("decideMovement", () => {
  test.each([
    // [name, state, qualified, grace, expected tier, expected due, change reason]
    ["a new member joins the tier they qualify for", state(null), "silver", 30, "silver", null, "joined"],
    ["promotion is immediate", state("silver"), "gold", 30, "gold", null, "promoted"],
    ["promotion clears a pending downgrade", state("silver", { downgradeDueAt: daysFromNow(3) }), "gold", 30, "gold", null, "promoted"],
    ["same tier: nothing changes", state("silver"), "silver", 30, "silver", null, null],
    ["qualifying again cancels a pending downgrade", state("silver", { downgradeDueAt: daysFromNow(3) }), "silver", 30, "silver", null, null],
    ["a downgrade starts the grace period", state("gold"), "silver", 30, "gold", daysFromNow(30), null],
    ["during grace the tier holds", state("gold", { downgradeDueAt: daysFromNow(1) }), "silver", 30, "gold", daysFromNow(1), null],
    ["when grace ends the member moves down", state("gold", { downgradeDueAt: daysFromNow(0) }), "silver", 30, "silver", null, "grace-ended"],
    ["grace ends at the tier they qualify for now", state("gold", { downgradeDueAt: daysFromNow(-1) }), "member", 30, "member", null, "grace-ended"],
    ["without grace a downgrade is immediate", state("gold"), "member", 0, "member", null, "downgraded"],
    ["an override holds against lower figures", state("gold", { overrideKey: "gold" }), "member", 0, "gold", null, null],
    ["an override holds against higher figures", state("silver", { overrideKey: "silver" }), "gold", 30, "silver", null, null],
    ["a new override moves the member", state("member", { overrideKey: "gold" }), "member", 30, "gold", null, "override"],
    ["a removed tier moves its members at once", state("platinum"), "silver", 30, "silver", null, "tier-removed"],
    ["below every tier: no tier", state(null), null, 30, null, null, null],
  ] as const)("%s", (_name, current, qualified, grace, tier, due, reason) => {
    const movement = decideMovement(current, qualified, program(grace), NOW);
    expect(movement.tierKey).toBe(tier);
    expect(movement.downgradeDueAt?.toISOString() ?? null).toBe(due?.toISOString() ?? null);
    expect(movement.change?.reason ?? null).toBe(reason);
  });
});

describe("progressToNext", () => {
  test.each([
    ["member", 5_000n, "silver", 15_000n, 0.25],
    ["silver", 60_000n, "gold", 40_000n, 0.5],
    ["silver", 20_000n, "gold", 80_000n, 0],
    [null, 0n, "member", 0n, 1],
  ] as const)("from %s at %s: next %s, %s missing, ratio %s", (key, metric, next, remaining, ratio) => {
    const progress = progressToNext(tiers, key, metric);
    expect(progress.next?.key).toBe(next);
    expect(progress.remaining).toBe(remaining);
    expect(progress.ratio).toBeCloseTo(ratio, 3);
  });

  test("at the top tier nothing is missing", () => {
    expect(progressToNext(tiers, "gold", 150_000n)).toEqual({ next: null, remaining: 0n, ratio: 1 });
  });
});

describe("points", () => {
  const rules = { enabled: true, perUnit: 2, from: "2026-01-01T00:00:00.000Z" };
  const order = { subtotalMinor: 12_345n, refundedMinor: 0n, cancelled: false, test: false, processedAt: new Date("2026-03-01T00:00:00Z") };

  test.each([
    ["a $123.45 subtotal at 2 points per dollar", order, 2, 246],
    ["a partial refund earns on what is left", { ...order, refundedMinor: 2_345n }, 2, 200],
    ["a refund of everything earns nothing", { ...order, refundedMinor: 20_000n }, 2, 0],
    ["a cancelled order earns nothing", { ...order, cancelled: true }, 2, 0],
    ["a test order earns nothing", { ...order, test: true }, 2, 0],
    ["an order before the program earns nothing", { ...order, processedAt: new Date("2025-12-31T23:59:59Z") }, 2, 0],
    ["yen have no minor unit", { ...order, subtotalMinor: 1_234n }, 0, 2_468],
  ] as const)("%s", (_name, candidate, exponent, points) => {
    expect(orderPointsTarget(candidate, rules, exponent)).toBe(points);
  });

  test("a disabled program earns nothing", () => {
    expect(orderPointsTarget(order, { ...rules, enabled: false }, 2)).toBe(0);
  });

  test.each([
    ["first earn", 0, 246, 0, { delta: 246, points: 246 }],
    ["a repeated webhook changes nothing", 246, 246, 500, null],
    ["a refund reverses the difference", 246, 200, 500, { delta: -46, points: -46 }],
    ["a reversal never takes the balance below 0", 246, 0, 100, { delta: -246, points: -100 }],
    ["with nothing left, the reversal takes nothing", 246, 0, 0, { delta: -246, points: -0 }],
  ] as const)("%s", (_name, awarded, target, balance, expected) => {
    const movement = orderMovement(awarded, target, balance);
    expect(movement === null ? null : { delta: movement.delta, points: movement.points + 0 }).toEqual(expected === null ? null : { delta: expected.delta, points: expected.points + 0 });
  });

  test.each([
    [null, 6, false],
    [new Date("2026-01-15T12:00:00Z"), 6, false],
    [new Date("2025-12-15T12:00:00Z"), 6, true],
    [new Date("2020-01-01T00:00:00Z"), 0, false],
  ] as const)("last activity %s, expiry after %s months: expired %s", (last, months, expired) => {
    expect(pointsExpired(last, months, NOW)).toBe(expired);
  });
});

describe("programSchema", () => {
  const valid = { basis: "spend", window: { kind: "lifetime", months: 12 }, graceDays: 30, tiers, points: { enabled: true, perUnit: 1, signupBonus: 0, firstOrderBonus: 0, expiryMonths: 0, from: NOW.toISOString() } };

  test("accepts a program with ascending thresholds", () => {
    expect(programSchema.safeParse(valid).success).toBe(true);
  });

  test.each([
    ["thresholds that do not ascend", { tiers: [tiers[0], { ...tiers[1]!, threshold: 0 }] }, "ascending"],
    ["two tiers with one name", { tiers: [tiers[0], { ...tiers[1]!, name: "member" }] }, "duplicate"],
    ["no tiers", { tiers: [] }, "at least 1"],
  ])("refuses %s", (_name, change, message) => {
    const result = programSchema.safeParse({ ...valid, ...change });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain(message);
  });
});
