// RFM as pure functions: each customer's recency, frequency and monetary score 1-5 against the shop's own distribution,
// and the named segment those scores fall in. No database and no clock; the segments module feeds it facts.

/** What RFM needs to know about one customer. A customer with no orders (or no last order) has no RFM. */
export interface RfmFacts {
  lastOrderAt: Date | null;
  orders: number;
  spentMinor: bigint;
}

/**
 * The shop's customers-with-orders, one sorted (ascending) array per dimension.
 * - `lastOrderDays`: the last order's time as fractional epoch days (ms / 86_400_000). An absolute time rather than
 *   "days ago", so a stored distribution and the scores taken from it do not drift as time passes.
 * - `spent`: net spend in minor units as a `number`. `Number(bigint)` is exact up to 2^53 minor units (90 trillion dollars);
 *   beyond that it rounds, which could only tie two customers whose spend differs in the sixteenth digit.
 */
export interface RfmDistribution {
  lastOrderDays: number[];
  orders: number[];
  spent: number[];
}

/** Each 1 (worst) to 5 (best): higher is a more recent last order, more orders, more spend. */
export interface RfmScores {
  recency: number;
  frequency: number;
  monetary: number;
}

const DAY_MS = 86_400_000;

function hasOrders(facts: RfmFacts): facts is RfmFacts & { lastOrderAt: Date } {
  return facts.orders > 0 && facts.lastOrderAt !== null;
}

function point(facts: RfmFacts & { lastOrderAt: Date }) {
  return { lastOrderDays: facts.lastOrderAt.getTime() / DAY_MS, orders: facts.orders, spent: Number(facts.spentMinor) };
}

const ascending = (a: number, b: number) => a - b;

export function rfmDistribution(facts: Iterable<RfmFacts>): RfmDistribution {
  const distribution: RfmDistribution = { lastOrderDays: [], orders: [], spent: [] };
  for (const customer of facts) {
    if (!hasOrders(customer)) continue;
    const p = point(customer);
    distribution.lastOrderDays.push(p.lastOrderDays);
    distribution.orders.push(p.orders);
    distribution.spent.push(p.spent);
  }
  distribution.lastOrderDays.sort(ascending);
  distribution.orders.sort(ascending);
  distribution.spent.sort(ascending);
  return distribution;
}

/** First index whose value is >= `value`: binary search, since the distribution can be 100k long. */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index from `from` on whose value is > `value`. Gallops first: most values are unique (O(1)), order counts tie in long runs (O(log run)). */
function upperBound(sorted: readonly number[], value: number, from: number): number {
  let lo = from;
  let hi = from;
  for (let step = 1; hi < sorted.length && sorted[hi]! <= value; step *= 2) {
    lo = hi + 1;
    hi = lo + step;
  }
  hi = Math.min(hi, sorted.length);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Mid-rank percentile score: p = (countLess + countEqual / 2) / n, score = min(5, 1 + floor(5p)).
 * Equal values share a score, and small shops still spread out (one customer -> 3; two distinct -> 2 and 4).
 * A value missing from the distribution (a new customer scored incrementally) is placed against it without being counted.
 */
function quintileScore(sorted: readonly number[], value: number): number {
  if (sorted.length === 0) return quintileScore([value], value);
  const less = lowerBound(sorted, value);
  const equal = upperBound(sorted, value, less) - less;
  // 5p in integers, so 0.6 * 5 can't come out as 2.999... and drop a score.
  return Math.min(5, 1 + Math.floor((10 * less + 5 * equal) / (2 * sorted.length)));
}

export function scoreRfm(facts: RfmFacts, distribution: RfmDistribution): RfmScores | null {
  if (!hasOrders(facts)) return null;
  const p = point(facts);
  return {
    recency: quintileScore(distribution.lastOrderDays, p.lastOrderDays),
    frequency: quintileScore(distribution.orders, p.orders),
    monetary: quintileScore(distribution.spent, p.spent),
  };
}

/**
 * The segments in display order.
 * - champions: bought recently, often and much.
 * - loyal: buy often and spend well, and not long ago.
 * - potentialLoyalist: bought recently, a few orders and middling spend so far.
 * - new: bought very recently, but once or little.
 * - promising: bought fairly recently, but little so far.
 * - needAttention: middling on all three; may slip without a nudge.
 * - aboutToSleep: middling recency, few orders and low spend; drifting away.
 * - atRisk: bought often or spent well, but not for a while.
 * - cantLose: among the biggest and most frequent buyers, but gone quiet.
 * - hibernating: last order long ago, few orders, low spend.
 * - lost: lowest on all counts.
 */
export const RFM_SEGMENTS = ["champions", "loyal", "potentialLoyalist", "new", "promising", "needAttention", "aboutToSleep", "atRisk", "cantLose", "hibernating", "lost"] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

/** Segments whose move to atRisk the analytics page reports. */
export const VALUABLE_SEGMENTS: readonly RfmSegment[] = ["champions", "loyal"];

/** The segment grid: rows are R = 5 down to 1, columns FM = 1 to 5, where FM = round((F + M) / 2). */
export const RFM_GRID = [
  ["new", "potentialLoyalist", "potentialLoyalist", "champions", "champions"],
  ["promising", "potentialLoyalist", "potentialLoyalist", "loyal", "champions"],
  ["aboutToSleep", "aboutToSleep", "needAttention", "loyal", "loyal"],
  ["hibernating", "hibernating", "atRisk", "atRisk", "cantLose"],
  ["lost", "lost", "hibernating", "atRisk", "cantLose"],
] as const satisfies readonly (readonly RfmSegment[])[];

const isScore = (score: number) => Number.isInteger(score) && score >= 1 && score <= 5;

/** Frequency and monetary fold into one FM (x.5 rounds up), then the grid names the segment. */
export function rfmSegment(scores: RfmScores): RfmSegment {
  // Scores only come from scoreRfm, so anything else is a caller's bug rather than data to tolerate.
  if (![scores.recency, scores.frequency, scores.monetary].every(isScore)) throw new RangeError(`RFM scores must be whole numbers 1-5: ${JSON.stringify(scores)}`);
  const fm = Math.round((scores.frequency + scores.monetary) / 2);
  return RFM_GRID[5 - scores.recency]![fm - 1]!;
}
