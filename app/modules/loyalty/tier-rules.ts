// The tier and points rules as pure functions (decision 010): no database, no clock of their own.
// The evaluation module feeds them the figures; tests feed them tables.
import { zoneOffsetMs, zoneParts } from "../time/zone";
import type { Basis, PointsRules, Program, Tier, WindowKind } from "./program";

// ---------------------------------------------------------------------------------------------
// Windows

/** The instant 1 January `year` begins in `timeZone`. */
function yearStart(year: number, timeZone: string): Date {
  const guess = Date.UTC(year, 0, 1);
  const first = guess - zoneOffsetMs(new Date(guess), timeZone);
  return new Date(guess - zoneOffsetMs(new Date(first), timeZone));
}

const yearIn = (at: Date, timeZone: string): number => zoneParts(at, timeZone).year;

export interface WindowRange {
  /** Orders and points from here count; null: all of them. */
  start: Date | null;
  /** Calendar year only: last year's start. A tier earned last year is kept through this year. */
  previousStart: Date | null;
}

export function windowRange(window: { kind: WindowKind; months: number }, now: Date, timeZone = "UTC"): WindowRange {
  switch (window.kind) {
    case "lifetime":
      return { start: null, previousStart: null };
    case "calendarYear": {
      const year = yearIn(now, timeZone);
      return { start: yearStart(year, timeZone), previousStart: yearStart(year - 1, timeZone) };
    }
    case "rollingMonths": {
      const start = new Date(now);
      start.setUTCMonth(start.getUTCMonth() - window.months);
      return { start, previousStart: null };
    }
  }
}

/** What a customer's orders or points add up to: in the window, and (calendar year) in last year's. */
export interface Figures {
  current: bigint;
  previous: bigint;
}

/** The figure tiers are judged on: this window's, or for a calendar year the better of this year and last. */
export function qualifyingMetric(window: { kind: WindowKind }, figures: Figures): bigint {
  return window.kind === "calendarYear" && figures.previous > figures.current ? figures.previous : figures.current;
}

// ---------------------------------------------------------------------------------------------
// Tiers

/** The highest tier whose threshold the metric reaches, or null below the lowest. */
export function qualifiedTier(tiers: readonly Tier[], metric: bigint): Tier | null {
  let result: Tier | null = null;
  for (const tier of tiers) if (metric >= BigInt(tier.threshold)) result = tier;
  return result;
}

export type TierChangeReason = "joined" | "promoted" | "downgraded" | "grace-ended" | "tier-removed" | "override" | "override-removed";

export interface MemberTierState {
  tierKey: string | null;
  downgradeDueAt: Date | null;
  overrideKey: string | null;
}

export interface Movement {
  tierKey: string | null;
  downgradeDueAt: Date | null;
  /** Set when the tier changes. */
  change: { from: string | null; to: string | null; reason: TierChangeReason } | null;
}

const DAY_MS = 86_400_000;

/**
 * Where a member goes given the tier their figures qualify for. Promotion is immediate; a
 * downgrade waits `graceDays` from the first evaluation that found it (0: immediate), and
 * qualifying again cancels it. An override holds the tier until it is removed. A tier the
 * program no longer has moves its members to what they qualify for at once.
 */
export function decideMovement(state: MemberTierState, qualifiedKey: string | null, program: Pick<Program, "tiers" | "graceDays">, now: Date): Movement {
  const rank = (key: string | null) => (key === null ? -1 : program.tiers.findIndex((tier) => tier.key === key));
  const move = (reason: TierChangeReason): Movement => ({ tierKey: qualifiedKey, downgradeDueAt: null, change: { from: state.tierKey, to: qualifiedKey, reason } });

  if (state.overrideKey !== null && rank(state.overrideKey) >= 0) {
    return { tierKey: state.overrideKey, downgradeDueAt: null, change: state.tierKey === state.overrideKey ? null : { from: state.tierKey, to: state.overrideKey, reason: "override" } };
  }
  const current = rank(state.tierKey);
  const qualified = rank(qualifiedKey);
  if (state.tierKey !== null && current < 0) return qualifiedKey === state.tierKey ? { ...move("tier-removed"), change: null } : move("tier-removed");
  if (qualified > current) return move(state.tierKey === null ? "joined" : "promoted");
  if (qualified === current) return { tierKey: state.tierKey, downgradeDueAt: null, change: null };
  if (program.graceDays === 0) return move("downgraded");
  if (state.downgradeDueAt === null) return { tierKey: state.tierKey, downgradeDueAt: new Date(now.getTime() + program.graceDays * DAY_MS), change: null };
  if (now.getTime() >= state.downgradeDueAt.getTime()) return move("grace-ended");
  return { tierKey: state.tierKey, downgradeDueAt: state.downgradeDueAt, change: null };
}

export interface Progress {
  next: Tier | null;
  /** What is missing to reach `next`, in the basis's unit (minor units, orders, points); 0 at the top. */
  remaining: bigint;
  /** 0..1 of the way from the current tier's threshold to the next one's; 1 at the top. */
  ratio: number;
}

/** How far a member is from the tier above `tierKey`, measured on this window's figure. */
export function progressToNext(tiers: readonly Tier[], tierKey: string | null, metric: bigint): Progress {
  const index = tierKey === null ? -1 : tiers.findIndex((tier) => tier.key === tierKey);
  const next = tiers[index + 1] ?? null;
  if (!next) return { next: null, remaining: 0n, ratio: 1 };
  const floor = index >= 0 ? BigInt(tiers[index]!.threshold) : 0n;
  const target = BigInt(next.threshold);
  const remaining = target > metric ? target - metric : 0n;
  const span = target - floor;
  const done = metric > floor ? metric - floor : 0n;
  const ratio = span <= 0n ? 1 : Math.min(1, Number((done * 1000n) / span) / 1000);
  return { next, remaining, ratio };
}

// ---------------------------------------------------------------------------------------------
// Points

export interface OrderForPoints {
  subtotalMinor: bigint;
  refundedMinor: bigint;
  cancelled: boolean;
  test: boolean;
  processedAt: Date;
}

/** The points an order is worth now: its subtotal net of refunds, per whole currency unit; 0 when cancelled, a test, or before the program earns. */
export function orderPointsTarget(order: OrderForPoints, rules: Pick<PointsRules, "enabled" | "perUnit" | "from">, currencyExponent: number): number {
  if (!rules.enabled || order.cancelled || order.test || order.processedAt.getTime() < Date.parse(rules.from)) return 0;
  const net = order.subtotalMinor - order.refundedMinor;
  if (net <= 0n) return 0;
  return Number((net * BigInt(rules.perUnit)) / 10n ** BigInt(currencyExponent));
}

/**
 * A ledger movement for an order whose award goes from `awarded` to `target`: a debit never takes
 * the balance below 0 (`points` then differs from `delta`, and the ledger shows both).
 */
export function orderMovement(awarded: number, target: number, balance: number): { delta: number; points: number } | null {
  const delta = target - awarded;
  if (delta === 0) return null;
  return { delta, points: delta > 0 ? delta : -Math.min(-delta, balance) };
}

/** Whether points have expired: none earned for `expiryMonths` since the last activity. */
export function pointsExpired(lastActivityAt: Date | null, expiryMonths: number, now: Date): boolean {
  if (expiryMonths === 0 || lastActivityAt === null) return false;
  const due = new Date(lastActivityAt);
  due.setUTCMonth(due.getUTCMonth() + expiryMonths);
  return now.getTime() >= due.getTime();
}

/** The unit a basis counts, for texts ("spend $42 more", "2 more orders", "300 more points"). */
export function basisUnit(basis: Basis): "money" | "orders" | "points" {
  return basis === "spend" ? "money" : basis;
}
