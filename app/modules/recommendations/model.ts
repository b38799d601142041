// Personalised recommendations (decision 013). Pure: purchase histories in, a model and ranked
// suggestions with reasons out. Items are opaque ids (the app's product ids, the Ta-Feng item ids
// of `npm run eval:recs`: the same code for both).
//
// What a customer buys next is either something they bought before or something new. Both are
// scored as a probability learned from the shop's own history, by holding out every customer's
// latest purchase ("what came next" for the history before it):
// - again: a logistic regression over how often and how recently the customer bought the item,
//   how often its buyers come back for it (smoothed per item), its popularity and the customer's
//   history length;
// - new: how often the item is a first purchase, multiplied by a lift for how close it is to what
//   the customer bought (summed co-purchase cosine, so best-sellers do not swamp it), the lift
//   fitted by Poisson likelihood.
// One ranked list then compares the two kinds on the same scale. Popularity is only what is left
// for a customer with no history.
import { sampleByHash } from "../maths/hash-sample";

/** One order: the distinct items in it (duplicates are ignored). `at` when known (Ta-Feng has none). */
export interface Purchase {
  items: readonly string[];
  at?: Date;
}

export interface ModelOptions {
  /** Customers whose held-out purchase trains the two regressions (a deterministic sample by id). */
  trainingCustomers?: number;
  /** Neighbours kept per item. */
  neighbours?: number;
  /** Candidates of the "new" kind scored per customer: the most frequent first purchases, and the closest neighbours. */
  newCandidates?: number;
}

export const MODEL_DEFAULTS: Required<ModelOptions> = { trainingCustomers: 20_000, neighbours: 20, newCandidates: 50 };

/** Orders with more distinct items than this are left out of co-purchase counting (a reseller's bulk order is not "bought together"). */
export const MAX_BASKET_FOR_PAIRS = 50;
/** Pseudo-observations that pull an item's repeat rate towards the shop's while it has few buyers. */
const REPEAT_PRIOR = 5;

export interface RecommendationModel {
  version: 1;
  /** Item ids; everything else refers to items by index. */
  items: string[];
  /** Orders holding the item. */
  orders: number[];
  /** Customers who bought the item. */
  buyers: number[];
  /** Smoothed share of the item's buyers who bought it again in their next order. */
  repeatRate: number[];
  /** Share of customers whose next order held the item for the first time. */
  newRate: number[];
  /** Per item: [neighbour index, cosine, orders holding both], closest first. */
  neighbours: Array<Array<[number, number, number]>>;
  /** Item indexes by newRate, then orders: the cold-start list and the "new" candidates. */
  popular: number[];
  again: Regression;
  /** How much closeness to the customer's items multiplies an item's first-purchase rate. */
  closenessLift: Lift;
  customers: number;
  purchases: number;
}

/** Logistic regression on standardised features. */
export interface Regression {
  weights: number[];
  mean: number[];
  scale: number[];
}

/** p = rate x exp(base + slope x log(1 + closeness)): closeness (summed co-purchase cosine) multiplies an item's first-purchase rate. */
export interface Lift {
  base: number;
  slope: number;
}

export type SuggestionReason =
  | { code: "again"; times: number; ordersAgo: number }
  | { code: "boughtWith"; item: string; orders: number }
  | { code: "popular"; customers: number };

export interface Suggestion {
  item: string;
  /** Estimated probability that the next order holds it (0-1). */
  score: number;
  reason: SuggestionReason;
}

// ---------------------------------------------------------------------------------------------
// Features

/** What one customer's history says about the items in it: times bought and orders since the last time. */
function historyOf(purchases: readonly Purchase[], index: ReadonlyMap<string, number>) {
  const times = new Map<number, number>();
  const lastAt = new Map<number, number>();
  purchases.forEach((purchase, position) => {
    for (const item of new Set(purchase.items)) {
      const i = index.get(item);
      if (i === undefined) continue;
      times.set(i, (times.get(i) ?? 0) + 1);
      lastAt.set(i, position);
    }
  });
  return { times, lastAt, length: purchases.length };
}

type History = ReturnType<typeof historyOf>;

function againFeatures(history: History, item: number, repeatRate: number, orders: number): number[] {
  const times = history.times.get(item)!;
  const ordersAgo = history.length - 1 - history.lastAt.get(item)!;
  return [Math.log1p(times), times / history.length, 1 / (1 + ordersAgo), Math.log(repeatRate), Math.log(orders), ordersAgo === 0 ? 1 : 0, Math.log(history.length)];
}

/** The chance that an item the customer never bought is in their next order. */
function freshScore(model: Pick<RecommendationModel, "closenessLift">, newRate: number, closeness: number): number {
  return newRate * Math.exp(model.closenessLift.base + model.closenessLift.slope * Math.log1p(closeness));
}

/**
 * Fits the lift by maximum Poisson likelihood (Newton's method on two parameters) over the
 * held-out candidates, given flat as triplets (outcome, first-purchase rate, closeness): a
 * million small arrays cost a build 80 MB. The rate is an offset (its coefficient stays 1), so
 * the most bought-first items keep their order among equals.
 */
export function fitLift(rows: ArrayLike<number>): Lift {
  let base = 0;
  let slope = 0;
  for (let iteration = 0; iteration < 50; iteration++) {
    let g0 = 0, g1 = 0, h00 = 1e-6, h01 = 0, h11 = 1e-6;
    for (let at = 0; at + 2 < rows.length; at += 3) {
      const outcome = rows[at]!;
      const rate = rows[at + 1]!;
      const closeness = rows[at + 2]!;
      const x = Math.log1p(closeness);
      const mu = rate * Math.exp(base + slope * x);
      g0 += outcome - mu;
      g1 += (outcome - mu) * x;
      h00 += mu;
      h01 += mu * x;
      h11 += mu * x * x;
    }
    const det = h00 * h11 - h01 * h01;
    const step0 = (h11 * g0 - h01 * g1) / det;
    const step1 = (h00 * g1 - h01 * g0) / det;
    base += step0;
    slope += step1;
    if (Math.abs(step0) + Math.abs(step1) < 1e-9) break;
  }
  return { base, slope };
}

interface Closeness {
  /** Items close to the history (not in it), in the order first reached. */
  touched: number[];
  sum: Float64Array;
  best: Float64Array;
  via: Int32Array;
  orders: Int32Array;
}

// One set of dense arrays per neighbour table, reused customer after customer (a customer with 700
// orders reaches tens of thousands of items: maps of objects were most of a build's time).
const scratches = new WeakMap<object, Closeness>();

/**
 * Summed cosine of each item outside the history to the items in it, and which history item is
 * closest. The answer lives in shared arrays: read it before the next call.
 */
function closenessTo(model: Pick<RecommendationModel, "neighbours">, history: History): Closeness {
  let scratch = scratches.get(model.neighbours);
  if (!scratch) {
    const size = model.neighbours.length;
    scratch = { touched: [], sum: new Float64Array(size), best: new Float64Array(size), via: new Int32Array(size), orders: new Int32Array(size) };
    scratches.set(model.neighbours, scratch);
  }
  for (const i of scratch.touched) scratch.sum[i] = 0;
  scratch.touched.length = 0;
  for (const item of history.times.keys()) {
    for (const [other, cosine, together] of model.neighbours[item] ?? []) {
      if (history.times.has(other)) continue;
      if (scratch.sum[other] === 0) {
        scratch.touched.push(other);
        scratch.best[other] = -1;
      }
      scratch.sum[other]! += cosine;
      if (cosine > scratch.best[other]!) {
        scratch.best[other] = cosine;
        scratch.via[other] = item;
        scratch.orders[other] = together;
      }
    }
  }
  return scratch;
}

function freshCandidates(model: Pick<RecommendationModel, "popular" | "neighbours">, history: History, count: number) {
  const closeness = closenessTo(model, history);
  const candidates = new Set<number>();
  for (const item of model.popular) {
    if (candidates.size >= count) break;
    if (!history.times.has(item)) candidates.add(item);
  }
  // The `count` closest: the smallest sum that makes the cut, then those at or above it (ties by index).
  const { touched, sum } = closeness;
  let closest = touched;
  if (touched.length > count) {
    const sums = Float64Array.from(touched, (i) => sum[i]!).sort();
    const cut = sums[sums.length - count]!;
    closest = touched.filter((i) => sum[i]! >= cut);
  }
  for (const i of closest.sort((left, right) => sum[right]! - sum[left]! || left - right).slice(0, count)) candidates.add(i);
  return { candidates, closeness };
}

// ---------------------------------------------------------------------------------------------
// Regression

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function probability(model: Regression, features: readonly number[]): number {
  let z = model.weights[0]!;
  for (let j = 0; j < features.length; j++) z += model.weights[j + 1]! * ((features[j]! - model.mean[j]!) / model.scale[j]!);
  return sigmoid(z);
}

/** Solves A x = b in place (Gaussian elimination with partial pivoting); A is small (features + 1). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(a[row]![col]!) > Math.abs(a[pivot]![col]!)) pivot = row;
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    for (let row = col + 1; row < n; row++) {
      const factor = a[row]![col]! / a[col]![col]!;
      for (let k = col; k < n; k++) a[row]![k]! -= factor * a[col]![k]!;
      b[row]! -= factor * b[col]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let row = n - 1; row >= 0; row--) {
    let sum = b[row]!;
    for (let k = row + 1; k < n; k++) sum -= a[row]![k]! * x[k]!;
    x[row] = sum / a[row]![row]!;
  }
  return x;
}

/**
 * Fits a logistic regression by Newton's method (a few iterations: the features are few) with a
 * small ridge penalty, on standardised features. Without both outcomes it returns the base rate.
 */
export function fitRegression(rows: readonly number[][], outcomes: readonly number[], { iterations = 25, ridge = 1e-3 } = {}): Regression {
  const width = rows[0]?.length ?? 0;
  const mean = new Array<number>(width).fill(0);
  const scale = new Array<number>(width).fill(1);
  for (let j = 0; j < width; j++) {
    let sum = 0;
    let squares = 0;
    for (const row of rows) {
      sum += row[j]!;
      squares += row[j]! ** 2;
    }
    mean[j] = sum / rows.length;
    scale[j] = Math.sqrt(Math.max(0, squares / rows.length - mean[j]! ** 2)) || 1;
  }
  const positives = outcomes.reduce((sum, y) => sum + y, 0);
  const weights = new Array<number>(width + 1).fill(0);
  if (positives === 0 || positives === outcomes.length) {
    const rate = (positives + 0.5) / (outcomes.length + 1);
    weights[0] = Math.log(rate / (1 - rate));
    return { weights, mean, scale };
  }
  const x = rows.map((row) => [1, ...row.map((value, j) => (value - mean[j]!) / scale[j]!)]);
  for (let iteration = 0; iteration < iterations; iteration++) {
    const gradient = new Array<number>(width + 1).fill(0);
    const hessian = Array.from({ length: width + 1 }, (_, j) => Array.from({ length: width + 1 }, (_, k) => (j === k ? ridge * rows.length : 0)));
    for (let r = 0; r < x.length; r++) {
      const row = x[r]!;
      let z = 0;
      for (let j = 0; j <= width; j++) z += weights[j]! * row[j]!;
      const p = sigmoid(z);
      const w = p * (1 - p);
      for (let j = 0; j <= width; j++) {
        gradient[j]! += (p - outcomes[r]!) * row[j]!;
        for (let k = j; k <= width; k++) hessian[j]![k]! += w * row[j]! * row[k]!;
      }
    }
    for (let j = 0; j <= width; j++) {
      gradient[j]! += ridge * rows.length * weights[j]!;
      for (let k = 0; k < j; k++) hessian[j]![k] = hessian[k]![j]!;
    }
    const step = solve(hessian, gradient);
    let largest = 0;
    for (let j = 0; j <= width; j++) {
      weights[j]! -= step[j]!;
      largest = Math.max(largest, Math.abs(step[j]!));
    }
    if (largest < 1e-8) break;
  }
  return { weights, mean, scale };
}

// ---------------------------------------------------------------------------------------------
// Building

/**
 * Builds the model from every customer's purchases (in time order). Every item counts as evidence
 * of taste, sellable or not: what may be suggested is decided when suggesting (`allowed`).
 */
export function buildModel(histories: ReadonlyMap<string, readonly Purchase[]>, options: ModelOptions = {}): RecommendationModel {
  const { trainingCustomers, neighbours: keep, newCandidates } = { ...MODEL_DEFAULTS, ...options };
  const index = new Map<string, number>();
  const items: string[] = [];
  const orders: number[] = [];
  const buyers: number[] = [];
  const idOf = (item: string) => {
    let i = index.get(item);
    if (i === undefined) {
      i = items.length;
      index.set(item, i);
      items.push(item);
      orders.push(0);
      buyers.push(0);
    }
    return i;
  };
  // Every basket as its distinct item indexes, ascending, in one flat array (basket k is
  // basketItems[basketStart[k]..basketStart[k + 1]]); orders and buyers per item; and how many
  // item pairs the baskets hold (each unordered pair once).
  let purchaseCount = 0;
  let lineCount = 0;
  for (const purchases of histories.values()) {
    purchaseCount += purchases.length;
    for (const purchase of purchases) lineCount += purchase.items.length;
  }
  const basketItems = new Int32Array(lineCount);
  const basketStart = new Int32Array(purchaseCount + 1);
  // Customer c's baskets are basketStart[customerStart[c]..customerStart[c + 1]] (in the histories' order).
  const customerStart = new Int32Array(histories.size + 1);
  let pairInstances = 0;
  let basketCount = 0;
  let customerCount = 0;
  const bought = new Set<number>();
  for (const purchases of histories.values()) {
    bought.clear();
    for (const purchase of purchases) {
      const basket = [...new Set(purchase.items.map(idOf))].sort((left, right) => left - right);
      let at = basketStart[basketCount]!;
      for (const i of basket) {
        basketItems[at++] = i;
        orders[i]!++;
        bought.add(i);
      }
      basketStart[++basketCount] = at;
      if (basket.length <= MAX_BASKET_FOR_PAIRS) pairInstances += (basket.length * (basket.length - 1)) / 2;
    }
    for (const i of bought) buyers[i]!++;
    customerStart[++customerCount] = basketCount;
  }
  // Co-purchases: every pair in every basket as one number (lower x items + higher), sorted, so
  // equal pairs sit together and a run's length is how many orders hold both. A typed array of
  // pair codes is a tenth of the memory of a map per item (and sorts natively).
  const n = items.length;
  const codes = n * n <= 2 ** 32 ? new Uint32Array(pairInstances) : new Float64Array(pairInstances);
  let filled = 0;
  for (let k = 0; k < basketCount; k++) {
    const first = basketStart[k]!;
    const end = basketStart[k + 1]!;
    if (end - first > MAX_BASKET_FOR_PAIRS) continue;
    for (let a = first; a < end; a++) for (let b = a + 1; b < end; b++) codes[filled++] = basketItems[a]! * n + basketItems[b]!;
  }
  codes.sort();
  // Every item's co-purchased items in flat typed arrays (one segment per item, CSR), then its
  // `keep` closest: millions of pairs as [item, cosine, orders] tuples were most of a build's memory.
  const start = new Int32Array(n + 1);
  const eachPair = (visit: (i: number, j: number, count: number) => void) => {
    for (let at = 0; at < codes.length; ) {
      const code = codes[at]!;
      let end = at + 1;
      while (end < codes.length && codes[end] === code) end++;
      visit(Math.floor(code / n), code % n, end - at);
      at = end;
    }
  };
  eachPair((i, j) => {
    start[i + 1]!++;
    start[j + 1]!++;
  });
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const other = new Int32Array(start[n]!);
  const together = new Int32Array(start[n]!);
  eachPair((i, j, count) => {
    other[fill[i]!] = j;
    together[fill[i]!++] = count;
    other[fill[j]!] = i;
    together[fill[j]!++] = count;
  });
  const cosine = new Float64Array(other.length);
  for (let i = 0; i < items.length; i++) for (let at = start[i]!; at < start[i + 1]!; at++) cosine[at] = together[at]! / Math.sqrt(orders[i]! * orders[other[at]!]!);
  const neighbours = items.map((_, i) => {
    const segment: number[] = [];
    for (let at = start[i]!; at < start[i + 1]!; at++) segment.push(at);
    return segment
      .sort((left, right) => cosine[right]! - cosine[left]! || together[right]! - together[left]! || other[left]! - other[right]!)
      .slice(0, keep)
      .map((at): [number, number, number] => [other[at]!, cosine[at]!, together[at]!]);
  });

  // Held out: every customer's latest purchase against the history before it, counted per item
  // on the flat baskets (an item's stamp says which customer last touched it: no set per customer).
  // Only the customers sampled to train the regressions get their history built, further down.
  const heldOutIds = [...histories].filter(([, purchases]) => purchases.length >= 2).map(([customer]) => customer);
  const sample = sampleByHash(heldOutIds, trainingCustomers);
  const seen = new Float64Array(n);
  const again = new Float64Array(n);
  const firstTime = new Float64Array(n);
  const heldOut = heldOutIds.length;
  const beforeStamp = new Int32Array(n).fill(-1);
  const nextStamp = new Int32Array(n).fill(-1);
  for (let c = 0; c < customerStart.length - 1; c++) {
    const first = customerStart[c]!;
    const last = customerStart[c + 1]! - 1;
    if (last - first < 1) continue;
    for (let at = basketStart[last]!; at < basketStart[last + 1]!; at++) nextStamp[basketItems[at]!] = c;
    for (let at = basketStart[first]!; at < basketStart[last]!; at++) {
      const i = basketItems[at]!;
      if (beforeStamp[i] === c) continue;
      beforeStamp[i] = c;
      seen[i]!++;
      if (nextStamp[i] === c) again[i]!++;
    }
    for (let at = basketStart[last]!; at < basketStart[last + 1]!; at++) if (beforeStamp[basketItems[at]!] !== c) firstTime[basketItems[at]!]!++;
  }
  let seenAll = 0;
  let againAll = 0;
  for (let i = 0; i < items.length; i++) {
    seenAll += seen[i]!;
    againAll += again[i]!;
  }
  const shopRepeat = seenAll > 0 ? againAll / seenAll : 0.01;
  const repeatRate = items.map((_, i) => (again[i]! + REPEAT_PRIOR * shopRepeat) / (seen[i]! + REPEAT_PRIOR));
  const newRate = items.map((_, i) => (heldOut > 0 ? firstTime[i]! / heldOut : 0));
  const popular = items
    .map((_, i) => i)
    .sort((left, right) => newRate[right]! - newRate[left]! || orders[right]! - orders[left]! || (items[left]! < items[right]! ? -1 : 1));

  // The two regressions, on a sample of the held-out customers. An item's own rates leave the
  // customer's held-out purchase out (leave-one-out), or the answer would be in the question.
  const againRows: number[][] = [];
  const againOutcomes: number[] = [];
  const liftRows: number[] = [];
  const partial = { popular, neighbours };
  // In the sample's hash order, so the same histories give the same fit whatever order they come in.
  for (const position of sample) {
    const purchases = histories.get(heldOutIds[position]!)!;
    const before = historyOf(purchases.slice(0, -1), index);
    const next = new Set(purchases[purchases.length - 1]!.items.map((item) => index.get(item)!));
    for (const i of before.times.keys()) {
      const outcome = next.has(i) ? 1 : 0;
      const rate = (again[i]! - outcome + REPEAT_PRIOR * shopRepeat) / (seen[i]! - 1 + REPEAT_PRIOR);
      againRows.push(againFeatures(before, i, rate, orders[i]!));
      againOutcomes.push(outcome);
    }
    const { candidates, closeness } = freshCandidates(partial, before, newCandidates);
    for (const i of candidates) {
      const outcome = next.has(i) ? 1 : 0;
      liftRows.push(outcome, heldOut > 1 ? (firstTime[i]! - outcome) / (heldOut - 1) : 0, closeness.sum[i]!);
    }
  }
  return {
    version: 1,
    items,
    orders,
    buyers,
    repeatRate,
    newRate,
    neighbours,
    popular,
    again: fitRegression(againRows, againOutcomes),
    closenessLift: fitLift(liftRows),
    customers: histories.size,
    purchases: purchaseCount,
  };
}

// ---------------------------------------------------------------------------------------------
// Using

/** The model's item ids by position, kept with it (building the map once per model, not per customer). */
const indexes = new WeakMap<RecommendationModel, Map<string, number>>();
function indexOf(model: RecommendationModel): Map<string, number> {
  let index = indexes.get(model);
  if (!index) indexes.set(model, (index = new Map(model.items.map((item, i) => [item, i]))));
  return index;
}

export interface RecommendOptions {
  limit?: number;
  /** Items that may be suggested (sellable now, not excluded by the merchant); all when absent. */
  allowed?: (item: string) => boolean;
  newCandidates?: number;
}

/** The customer's next-order suggestions, most likely first, each with its reason. */
export function recommend(model: RecommendationModel, purchases: readonly Purchase[], { limit = 10, allowed = () => true, newCandidates = MODEL_DEFAULTS.newCandidates }: RecommendOptions = {}): Suggestion[] {
  const history = historyOf(purchases, indexOf(model));
  const scored: Suggestion[] = [];
  for (const [i, times] of history.times) {
    const item = model.items[i]!;
    if (!allowed(item)) continue;
    const score = probability(model.again, againFeatures(history, i, model.repeatRate[i]!, model.orders[i]!));
    scored.push({ item, score, reason: { code: "again", times, ordersAgo: history.length - 1 - history.lastAt.get(i)! } });
  }
  const { candidates, closeness } = freshCandidates(model, history, newCandidates);
  for (const i of candidates) {
    const item = model.items[i]!;
    if (!allowed(item)) continue;
    const close = closeness.sum[i]!;
    const score = freshScore(model, model.newRate[i]!, close);
    const reason: SuggestionReason = close > 0 ? { code: "boughtWith", item: model.items[closeness.via[i]!]!, orders: closeness.orders[i]! } : { code: "popular", customers: model.buyers[i]! };
    scored.push({ item, score, reason });
  }
  scored.sort((left, right) => right.score - left.score || (left.item < right.item ? -1 : left.item > right.item ? 1 : 0));
  const suggestions = scored.slice(0, limit);
  // A short list (a new customer, a tiny catalogue) is filled with the most popular sellable items.
  if (suggestions.length < limit) {
    const taken = new Set(suggestions.map((suggestion) => suggestion.item));
    for (const i of model.popular) {
      if (suggestions.length >= limit) break;
      const item = model.items[i]!;
      if (taken.has(item) || history.times.has(i) || !allowed(item)) continue;
      suggestions.push({ item, score: model.newRate[i]!, reason: { code: "popular", customers: model.buyers[i]! } });
    }
  }
  return suggestions;
}

export interface BoughtTogether {
  item: string;
  /** Orders holding both. */
  orders: number;
  /** Co-purchase cosine: orders holding both / sqrt(orders of each). */
  score: number;
}

/** Items most often bought with `item` (normalised, so best-sellers do not swamp the list); at least `minOrders` orders in common. */
export function boughtTogether(model: RecommendationModel, item: string, { limit = 10, allowed = () => true, minOrders = 2 }: { limit?: number; allowed?: (item: string) => boolean; minOrders?: number } = {}): BoughtTogether[] {
  const i = indexOf(model).get(item);
  if (i === undefined) return [];
  return (model.neighbours[i] ?? [])
    .filter(([, , together]) => together >= minOrders)
    .map(([j, score, together]) => ({ item: model.items[j]!, orders: together, score }))
    .filter((entry) => allowed(entry.item))
    .slice(0, limit);
}
