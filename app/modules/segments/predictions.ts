// Customer predictions with reasons: BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way") for the
// number of future orders and P(alive), Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV") for order value.
// Pure maths: plain data in, plain data out. The time unit is the day; money is integer minor units outside this module.

import { sampleByHash } from "../maths/hash-sample";
import { median } from "../maths/median";

const DAY_MS = 86_400_000;

/** Below this many repeat customers (x >= 1) the four BG/NBD parameters, and Gamma-Gamma's three, are mostly noise: use the fallback. */
export const MIN_REPEAT_CUSTOMERS = 30;
/**
 * Likelihoods are fitted on a deterministic sample of about this many customers (by customer id hash): ~300 Nelder-Mead
 * steps × 20,000 customers keeps a 100,000-customer shop under a second on one core, at a precision far beyond the data's.
 */
export const FIT_SAMPLE_SIZE = 5_000;
/** Days ahead for the expected orders and the predicted value. */
export const HORIZON_DAYS = 365;
/** Churn risk (per mille) from which a repeat buyer's reason says "probably lapsed" rather than "overdue". */
export const LAPSED_CHURN_RISK = 700;

/**
 * Fallback when a shop has too little history: the published CDNOW estimates (Fader, Hardie & Lee 2005), a typical
 * retail pattern (most customers buy rarely; about a quarter drop out after each repeat order). CDNOW's alpha is in
 * weeks (4.414), so ×7 for days. Gamma-Gamma keeps CDNOW's shapes (p 6.25, q 3.74) and takes its scale v from the
 * shop's own mean order value, because CDNOW's 15.44 is in dollars and the shop's currency is not.
 */
export const FALLBACK_PARAMETERS = { r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426, p: 6.25, q: 3.74 } as const;

export interface PurchaseHistory {
  customerId: string;
  firstOrderAt: Date;
  lastOrderAt: Date;
  /** Distinct orders, >= 1. */
  orders: number;
  /** Net spend of all orders, in minor units. */
  spentMinor: bigint;
}

/**
 * A fitted (or fallback) model. `kind` is about the order model (r, alpha, a, b); the spend model (p, q, v) falls back
 * on its own when its fit fails, keeping a good BG/NBD fit. v is in minor units. medianRepeatGapDays is the median,
 * over repeat customers, of their mean days between orders (null when there are none).
 */
export interface ModelParameters {
  kind: "bgnbd" | "fallback";
  r: number;
  alpha: number;
  a: number;
  b: number;
  p: number;
  q: number;
  v: number;
  medianRepeatGapDays: number | null;
  customers: number;
  repeatCustomers: number;
}

/** Why the prediction is what it is, with integer parameters a UI can translate. */
export type PredictionReason =
  | { code: "regular"; everyDays: number; lastDaysAgo: number }
  | { code: "overdue"; everyDays: number; lastDaysAgo: number }
  | { code: "lapsed"; everyDays: number; lastDaysAgo: number }
  | { code: "oneTime"; similarDays: number | null; lastDaysAgo: number };

export interface Prediction {
  /** Last order + the customer's own mean gap (one-time buyers: + the shop's median gap); may be in the past. */
  expectedNextOrderAt: Date | null;
  /** 0..1000 per mille: round(1000 × P(no order in the next 365 days)). */
  churnRisk: number;
  /** Expected orders in the next 365 days × expected average order value, in minor units. */
  predictedValueMinor: bigint;
  expectedOrders12m: number;
  reason: PredictionReason;
}

interface OrderParameters {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

interface SpendParameters {
  p: number;
  q: number;
  v: number;
}

// --- Special functions ---------------------------------------------------------------------------------------------

// Lanczos (g = 7, n = 9), about 15 significant digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for real x (reflection below 0.5); NaN at the poles 0, -1, -2, ... */
export function lgamma(x: number): number {
  if (x < 0.5) {
    if (Number.isInteger(x)) return Number.NaN;
    const sine = Math.sin(Math.PI * x);
    return Math.log(Math.PI / Math.abs(sine)) - lgamma(1 - x);
  }
  const y = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) sum += LANCZOS[i]! / (y + i);
  const t = y + 7.5;
  return HALF_LOG_TWO_PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

const HYP2F1_MAX_TERMS = 200_000;

/** Gauss hypergeometric 2F1(a, b; c; z) by its power series, for |z| < 1. NaN when z is out of range or the series does not converge. */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(Math.abs(z) < 1)) return Number.NaN;
  // Only test convergence once every Pochhammer factor is positive, where the term ratio settles towards z.
  const settled = Math.max(Math.abs(a), Math.abs(b), Math.abs(c)) + 2;
  let term = 1;
  let sum = 1;
  for (let n = 0; n < HYP2F1_MAX_TERMS; n++) {
    const ratio = ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    term *= ratio;
    sum += term;
    if (term === 0) return sum; // a or b is a non-positive integer: a polynomial
    if (!Number.isFinite(sum)) return Number.NaN;
    if (n > settled) {
      const bound = Math.max(Math.abs(ratio), Math.abs(z)); // remainder is at most |term| × ρ / (1 - ρ)
      if (bound < 1 && (Math.abs(term) * bound) / (1 - bound) <= 1e-15 * Math.abs(sum)) return sum;
    }
  }
  return Number.NaN;
}

// --- BG/NBD per customer (x repeat orders, t_x day of the last, T days observed; all since the first order) ----------

/** ln L(r, alpha, a, b | x, t_x, T), Fader, Hardie & Lee (2005) eq. 6. */
export function bgnbdLogLikelihood(params: OrderParameters, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = params;
  const common = lgamma(r + x) - lgamma(r) + r * Math.log(alpha) + lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
  const stillAlive = -(r + x) * Math.log(alpha + T);
  if (x === 0) return common + stillAlive;
  const droppedOut = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
  return common + logAddExp(stillAlive, droppedOut);
}

/** P(alive at T | x, t_x, T). Exactly 1 when x = 0: in BG/NBD a customer can only drop out right after a repeat order. */
export function probabilityAlive(params: OrderParameters, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const { r, alpha, a, b } = params;
  return 1 / (1 + (a / (b + x - 1)) * Math.exp((r + x) * Math.log((alpha + T) / (alpha + tx))));
}

/**
 * E[orders in (T, T + t] | x, t_x, T], Fader, Hardie & Lee (2005) eq. 10. The 2F1 goes through Euler's transformation,
 * 2F1(r+x, b+x; c; z) = (1-z)^(c-r-b-2x) 2F1(c-r-x, c-b-x; c; z), whose terms shrink fast for frequent buyers instead of
 * growing like n^(r+x) (the direct series overflows for customers with a hundred orders).
 */
export function expectedTransactions(params: OrderParameters, x: number, tx: number, T: number, t: number): number {
  const { r, alpha, b } = params;
  // The formula divides by a - 1; its limit at a = 1 is finite, so step just off it.
  const a = Math.abs(params.a - 1) < 1e-7 ? params.a + 2e-7 : params.a;
  const c = a + b + x - 1;
  const z = t / (alpha + T + t);
  const series = hyp2f1(a + b - 1 - r, a - 1, c, z);
  const alive = probabilityAlive(params, x, tx, T);
  const expected = (c / (a - 1)) * (1 - Math.pow((alpha + T) / (alpha + T + t), a - 1) * series) * alive;
  if (Number.isFinite(expected) && expected >= 0) return expected;
  // Series did not converge (z very near 1): the posterior rate of a customer who stays alive, an upper bound.
  return (alive * (r + x) * t) / (alpha + T);
}

/** P(no order in (T, T + t] | x, t_x, T): dropped out, or alive with a posterior Gamma(r + x, alpha + T) rate and no arrival. */
export function probabilityNoOrder(params: OrderParameters, x: number, tx: number, T: number, t: number): number {
  const alive = probabilityAlive(params, x, tx, T);
  return 1 - alive + alive * Math.pow((params.alpha + T) / (params.alpha + T + t), params.r + x);
}

// --- Gamma-Gamma ---------------------------------------------------------------------------------------------------

/** ln f(mean value | n orders) under Gamma-Gamma: n × mean ~ Gamma(p n, ν), ν ~ Gamma(q, v). */
export function gammaGammaLogLikelihood(params: SpendParameters, orders: number, meanValue: number): number {
  const { p, q, v } = params;
  const pn = p * orders;
  return (
    lgamma(pn + q) - lgamma(pn) - lgamma(q) + q * Math.log(v) + (pn - 1) * Math.log(meanValue) + pn * Math.log(orders) - (pn + q) * Math.log(v + orders * meanValue)
  );
}

/** E[order value | n orders averaging meanValue] = p (v + n × mean) / (p n + q - 1): between the population mean p v / (q - 1) and the customer's own. */
export function expectedOrderValue(params: SpendParameters, orders: number, meanValue: number): number {
  const { p, q, v } = params;
  return (p * (v + orders * Math.max(0, meanValue))) / (p * orders + q - 1);
}

// --- Fitting -------------------------------------------------------------------------------------------------------

interface Optimum {
  point: Float64Array;
  value: number;
  converged: boolean;
}

/**
 * Minimises f by Nelder-Mead (reflection 1, expansion 2, contraction ½, shrink ½), restarted at the optimum until it
 * stops improving. Converged when the values agree to `tolerance` (relative) and the vertices to `pointTolerance`;
 * on log-parameters 1e-4 is a 0.01% difference, far inside any standard error, and each extra digit costs ~20% more steps.
 * `maxEvaluations` caps the work on a likelihood that never settles (a typical BG/NBD fit takes about 300).
 */
export function nelderMead(
  f: (point: Float64Array) => number,
  start: readonly number[],
  options: { step?: number; maxEvaluations?: number; tolerance?: number; pointTolerance?: number } = {},
): Optimum {
  const { step = 0.5, maxEvaluations = 1500, tolerance = 1e-10, pointTolerance = 1e-4 } = options;
  const n = start.length;
  const simplex = Array.from({ length: n + 1 }, () => new Float64Array(n));
  const values = new Float64Array(n + 1);
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Float64Array(n);
  const reflected = new Float64Array(n);
  const trial = new Float64Array(n);
  let evaluations = 0;
  const evaluate = (point: Float64Array) => {
    evaluations++;
    return f(point);
  };
  let best = Float64Array.from(start);
  let bestValue = evaluate(best);
  let converged = false;

  for (let restart = 0; restart < 4; restart++) {
    const restartStep = restart === 0 ? step : step / 5;
    for (let i = 0; i <= n; i++) {
      simplex[i]!.set(best);
      if (i > 0) simplex[i]![i - 1]! += restartStep;
      values[i] = i === 0 ? bestValue : evaluate(simplex[i]!);
    }
    converged = false;
    while (evaluations < maxEvaluations) {
      order.sort((i, j) => values[i]! - values[j]!);
      const low = order[0]!;
      const high = order[n]!;
      const nextHigh = order[n - 1]!;
      const spread = Math.abs(values[high]! - values[low]!);
      let size = 0;
      for (let i = 0; i <= n; i++) for (let k = 0; k < n; k++) size = Math.max(size, Math.abs(simplex[i]![k]! - simplex[low]![k]!));
      if (spread <= tolerance * (Math.abs(values[low]!) + 1e-12) && size <= pointTolerance) {
        converged = true;
        break;
      }
      centroid.fill(0);
      for (let i = 0; i <= n; i++) if (i !== high) for (let k = 0; k < n; k++) centroid[k]! += simplex[i]![k]! / n;
      for (let k = 0; k < n; k++) reflected[k] = centroid[k]! + (centroid[k]! - simplex[high]![k]!);
      const reflectedValue = evaluate(reflected);
      if (reflectedValue < values[low]!) {
        for (let k = 0; k < n; k++) trial[k] = centroid[k]! + 2 * (centroid[k]! - simplex[high]![k]!);
        const expandedValue = evaluate(trial);
        const better = expandedValue < reflectedValue;
        simplex[high]!.set(better ? trial : reflected);
        values[high] = better ? expandedValue : reflectedValue;
      } else if (reflectedValue < values[nextHigh]!) {
        simplex[high]!.set(reflected);
        values[high] = reflectedValue;
      } else {
        const outside = reflectedValue < values[high]!;
        for (let k = 0; k < n; k++) trial[k] = centroid[k]! + 0.5 * ((outside ? reflected[k]! : simplex[high]![k]!) - centroid[k]!);
        const contractedValue = evaluate(trial);
        if (contractedValue < Math.min(reflectedValue, values[high]!)) {
          simplex[high]!.set(trial);
          values[high] = contractedValue;
        } else {
          for (let i = 0; i <= n; i++) {
            if (i === low) continue;
            for (let k = 0; k < n; k++) simplex[i]![k] = simplex[low]![k]! + 0.5 * (simplex[i]![k]! - simplex[low]![k]!);
            values[i] = evaluate(simplex[i]!);
          }
        }
      }
    }
    let low = 0;
    for (let i = 1; i <= n; i++) if (values[i]! < values[low]!) low = i;
    const improvement = bestValue - values[low]!;
    best = Float64Array.from(simplex[low]!);
    bestValue = values[low]!;
    // A collapsed simplex can stall short of the optimum; a fresh one that finds nothing better confirms it.
    if (restart > 0 && converged && improvement <= tolerance * (Math.abs(bestValue) + 1e-12)) break;
  }
  return { point: best, value: bestValue, converged: converged && Number.isFinite(bestValue) };
}

// Log-parameters are kept in a box. A fit that ends at a wall has run a parameter to its limit (nobody drops out,
// everyone spends the same): the limit is still a usable model, so it is kept rather than replaced by the fallback.
const LOG_BOX = 15;
const outOfBox = (point: Float64Array) => point.some((value) => !(Math.abs(value) <= LOG_BOX));

/** FNV-1a: a sample that depends on who the customers are, not on the order they arrive in. */

interface Observation {
  x: number;
  tx: number;
  T: number;
}

function observe(history: PurchaseHistory, now: Date): Observation {
  const first = history.firstOrderAt.getTime();
  const T = Math.max(0, (now.getTime() - first) / DAY_MS);
  const tx = Math.min(T, Math.max(0, (history.lastOrderAt.getTime() - first) / DAY_MS));
  const x = Math.max(0, Math.round(history.orders) - 1);
  return { x, tx, T };
}

// Orders split on one day (a second order for a forgotten item) show no rhythm: they count as one visit for the gaps.
const hasRhythm = (observation: Observation) => observation.x >= 1 && observation.tx >= 1;

/** Repeat purchases grouped by count, so ln Γ is evaluated once per distinct count per step rather than per customer. */
function groupCounts(counts: Float64Array) {
  const index = new Map<number, number>();
  const slot = new Int32Array(counts.length);
  for (let i = 0; i < counts.length; i++) {
    let k = index.get(counts[i]!);
    if (k === undefined) index.set(counts[i]!, (k = index.size));
    slot[i] = k;
  }
  const distinct = new Float64Array(index.size);
  const multiplicity = new Float64Array(index.size);
  for (const [count, k] of index) distinct[k] = count;
  for (let i = 0; i < slot.length; i++) multiplicity[slot[i]!]! += 1;
  return { slot, distinct, multiplicity };
}

function fitOrders(sample: Observation[]): OrderParameters | null {
  // One-time buyers only need ln(alpha + T); repeaters also the dropout branch.
  const zeroT = Float64Array.from(sample.filter((o) => o.x === 0).map((o) => o.T));
  const repeaters = sample.filter((o) => o.x > 0);
  const x = Float64Array.from(repeaters.map((o) => o.x));
  const tx = Float64Array.from(repeaters.map((o) => o.tx));
  const T = Float64Array.from(repeaters.map((o) => o.T));
  const { slot, distinct, multiplicity } = groupCounts(x);
  const dropout = new Float64Array(distinct.length);

  const negativeLogLikelihood = (point: Float64Array) => {
    if (outOfBox(point)) return Number.POSITIVE_INFINITY;
    const [r, alpha, a, b] = [Math.exp(point[0]!), Math.exp(point[1]!), Math.exp(point[2]!), Math.exp(point[3]!)];
    const shared = -lgamma(r) + r * Math.log(alpha) + lgamma(a + b) - lgamma(b);
    let total = zeroT.length * r * Math.log(alpha); // x = 0: the gamma and beta terms cancel
    for (let i = 0; i < zeroT.length; i++) total -= r * Math.log(alpha + zeroT[i]!);
    for (let k = 0; k < distinct.length; k++) {
      const count = distinct[k]!;
      dropout[k] = Math.log(a) - Math.log(b + count - 1);
      total += multiplicity[k]! * (shared + lgamma(r + count) + lgamma(b + count) - lgamma(a + b + count));
    }
    // The hot loop (four transcendental calls per repeat customer): ln(e^alive + e^dropped), inlined.
    for (let i = 0; i < x.length; i++) {
      const rx = r + x[i]!;
      const logT = Math.log(alpha + T[i]!);
      const gap = dropout[slot[i]!]! + rx * (logT - Math.log(alpha + tx[i]!)); // dropped - alive
      total += -rx * logT + (gap > 0 ? gap + Math.log1p(Math.exp(-gap)) : Math.log1p(Math.exp(gap)));
    }
    return Number.isFinite(total) ? -total : Number.POSITIVE_INFINITY;
  };

  // Start where the mean purchase rate r / alpha matches the sample's repeat orders per day observed.
  let repeatOrders = 0;
  let observedDays = 0;
  for (const o of sample) {
    repeatOrders += o.x;
    observedDays += o.T;
  }
  const startAlpha = Math.max(1e-3, (0.5 * observedDays) / Math.max(1, repeatOrders));
  const optimum = nelderMead(negativeLogLikelihood, [Math.log(0.5), Math.log(startAlpha), 0, Math.log(3)]);
  if (!optimum.converged) return null;
  const [r, alpha, a, b] = Array.from(optimum.point, Math.exp) as [number, number, number, number];
  return { r, alpha, a, b };
}

function fitSpend(orders: Float64Array, spent: Float64Array): SpendParameters | null {
  const { distinct, multiplicity } = groupCounts(orders);
  // The ln(mean) and ln(n) sums do not depend on the parameters; precompute them.
  let sumLogMean = 0;
  let sumOrdersLogMean = 0;
  let sumSpent = 0;
  for (let i = 0; i < orders.length; i++) {
    const logMean = Math.log(spent[i]! / orders[i]!);
    sumLogMean += logMean;
    sumOrdersLogMean += orders[i]! * logMean;
    sumSpent += spent[i]!;
  }
  let sumOrders = 0;
  let sumOrdersLogOrders = 0;
  for (let k = 0; k < distinct.length; k++) {
    sumOrders += multiplicity[k]! * distinct[k]!;
    sumOrdersLogOrders += multiplicity[k]! * distinct[k]! * Math.log(distinct[k]!);
  }
  const customers = orders.length;
  const negativeLogLikelihood = (point: Float64Array) => {
    if (outOfBox(point)) return Number.POSITIVE_INFINITY;
    const [p, q, v] = [Math.exp(point[0]!), Math.exp(point[1]!), Math.exp(point[2]!)];
    let total = customers * (q * Math.log(v) - lgamma(q)) + p * sumOrdersLogMean - sumLogMean + p * sumOrdersLogOrders;
    for (let k = 0; k < distinct.length; k++) total += multiplicity[k]! * (lgamma(p * distinct[k]! + q) - lgamma(p * distinct[k]!));
    for (let i = 0; i < customers; i++) total -= (p * orders[i]! + q) * Math.log(v + spent[i]!);
    return Number.isFinite(total) ? -total : Number.POSITIVE_INFINITY;
  };
  const meanValue = sumSpent / sumOrders;
  const optimum = nelderMead(negativeLogLikelihood, [Math.log(2), Math.log(3), Math.log(meanValue)]);
  if (!optimum.converged) return null;
  const [p, q, v] = Array.from(optimum.point, Math.exp) as [number, number, number];
  // q <= 1 means an infinite population mean order value: not usable.
  return q > 1 ? { p, q, v } : null;
}

/**
 * Fits BG/NBD and Gamma-Gamma by maximum likelihood on the shop's histories as of `now`. Gamma-Gamma takes each repeat
 * customer's mean over all their orders (first included): the history holds only the total, not per-order values.
 * With more than FIT_SAMPLE_SIZE customers the likelihoods use a deterministic sample (by customer id hash); the counts
 * and the median gap always use everyone.
 */
export function fitModel(histories: PurchaseHistory[], now: Date, { sampleSize = FIT_SAMPLE_SIZE }: { sampleSize?: number } = {}): ModelParameters {
  const observations = histories.map((history) => observe(history, now));
  const gaps: number[] = [];
  let repeatCustomers = 0;
  let totalOrders = 0;
  let totalSpent = 0;
  for (let i = 0; i < observations.length; i++) {
    const observation = observations[i]!;
    if (observation.x >= 1) repeatCustomers++;
    if (hasRhythm(observation)) gaps.push(observation.tx / observation.x);
    totalOrders += observation.x + 1;
    totalSpent += Math.max(0, Number(histories[i]!.spentMinor));
  }
  const medianRepeatGapDays = gaps.length > 0 ? median(gaps) : null;
  const fallbackSpend: SpendParameters = {
    p: FALLBACK_PARAMETERS.p,
    q: FALLBACK_PARAMETERS.q,
    v: totalOrders > 0 ? ((totalSpent / totalOrders) * (FALLBACK_PARAMETERS.q - 1)) / FALLBACK_PARAMETERS.p : 0,
  };
  const fallbackOrders: OrderParameters = { r: FALLBACK_PARAMETERS.r, alpha: FALLBACK_PARAMETERS.alpha, a: FALLBACK_PARAMETERS.a, b: FALLBACK_PARAMETERS.b };
  const summary = { medianRepeatGapDays, customers: histories.length, repeatCustomers };
  if (repeatCustomers < MIN_REPEAT_CUSTOMERS) return { kind: "fallback", ...fallbackOrders, ...fallbackSpend, ...summary };

  // Summed in hash order too, so the same customers give bit-identical parameters whatever order they come in.
  const sample = sampleByHash(histories.map((history) => history.customerId), sampleSize);
  const orders = fitOrders(sample.map((i) => observations[i]!));

  // Gamma-Gamma needs a positive mean: customers refunded down to nothing say nothing about order value.
  const spenders = sample.filter((i) => observations[i]!.x >= 1 && histories[i]!.spentMinor > 0n);
  const spend =
    spenders.length >= MIN_REPEAT_CUSTOMERS
      ? fitSpend(Float64Array.from(spenders, (i) => observations[i]!.x + 1), Float64Array.from(spenders, (i) => Number(histories[i]!.spentMinor)))
      : null;
  return { kind: orders ? "bgnbd" : "fallback", ...(orders ?? fallbackOrders), ...(spend ?? fallbackSpend), ...summary };
}

// --- Prediction ----------------------------------------------------------------------------------------------------

/** One customer's expected next order, churn risk and 12-month value, with the reason in a form a UI can translate. */
export function predict(history: PurchaseHistory, model: ModelParameters, now: Date): Prediction {
  const observation = observe(history, now);
  const { x, tx, T } = observation;
  // P(no order in the next year) rather than 1 - P(alive): BG/NBD holds every one-time buyer alive,
  // so the latter calls a buyer from two years ago safe (held-out AUC 0.75 against 0.59, eval:predictions).
  const churnRisk = Math.min(1000, Math.max(0, Math.round(1000 * probabilityNoOrder(model, x, tx, T, HORIZON_DAYS))));
  const expectedOrders12m = expectedTransactions(model, x, tx, T, HORIZON_DAYS);
  const orders = x + 1;
  const orderValue = expectedOrderValue(model, orders, Number(history.spentMinor) / orders);
  const predictedValueMinor = BigInt(Math.max(0, Math.round(expectedOrders12m * orderValue)));

  const last = history.lastOrderAt.getTime();
  const lastDaysAgo = Math.max(0, Math.floor((now.getTime() - last) / DAY_MS));
  if (!hasRhythm(observation)) {
    const similar = model.medianRepeatGapDays;
    return {
      expectedNextOrderAt: similar === null ? null : new Date(last + similar * DAY_MS),
      churnRisk,
      predictedValueMinor,
      expectedOrders12m,
      reason: { code: "oneTime", similarDays: similar === null ? null : Math.max(1, Math.round(similar)), lastDaysAgo },
    };
  }
  const gapDays = tx / x;
  const expectedNextOrderAt = new Date(last + gapDays * DAY_MS);
  const everyDays = Math.max(1, Math.round(gapDays));
  const code = churnRisk >= LAPSED_CHURN_RISK ? "lapsed" : expectedNextOrderAt.getTime() < now.getTime() ? "overdue" : "regular";
  return { expectedNextOrderAt, churnRisk, predictedValueMinor, expectedOrders12m, reason: { code, everyDays, lastDaysAgo } };
}

/** P(no order in the next `days` days): a churn score that, unlike P(alive), also ranks customers with one order. */
export function probabilityNoOrderWithin(history: PurchaseHistory, model: ModelParameters, now: Date, days = HORIZON_DAYS): number {
  const { x, tx, T } = observe(history, now);
  return probabilityNoOrder(model, x, tx, T, days);
}

const daysAgo = (days: number) => (days === 0 ? "today" : days === 1 ? "1 day ago" : `${days} days ago`);
const every = (days: number) => (days === 1 ? "every day" : `every ${days} days`);

/** The reason as one English line ("usually orders every 31 days; last order 95 days ago"); the UI translates the codes itself. */
export function explainPrediction(reason: PredictionReason): string {
  switch (reason.code) {
    case "regular":
      return `usually orders ${every(reason.everyDays)}; last order ${daysAgo(reason.lastDaysAgo)}`;
    case "overdue":
      return `usually orders ${every(reason.everyDays)}; last order ${daysAgo(reason.lastDaysAgo)}, so the next one is overdue`;
    case "lapsed":
      return `used to order ${every(reason.everyDays)}; last order ${daysAgo(reason.lastDaysAgo)}, probably lapsed`;
    case "oneTime":
      return reason.similarDays === null
        ? `one order so far, ${daysAgo(reason.lastDaysAgo)}`
        : `one order so far, ${daysAgo(reason.lastDaysAgo)}; customers like this usually return after ${reason.similarDays} days`;
  }
}

// --- Helpers -------------------------------------------------------------------------------------------------------

function logAddExp(u: number, w: number): number {
  const high = Math.max(u, w);
  if (high === Number.NEGATIVE_INFINITY) return high;
  return high + Math.log1p(Math.exp(Math.min(u, w) - high));
}
