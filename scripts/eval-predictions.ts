// `npm run eval:predictions [-- --customers N --seed N --scenario poisson|regular|both]`: generates a store with known
// behaviour from a seeded PRNG, fits the app's own model (app/modules/segments/predictions.ts) on a two-year calibration
// window and scores its predictions on the following 365 days against naive baselines:
// - orders in the holdout: MAE / RMSE, model vs "historical rate × 365" (repeat orders per day since the first order)
//   and vs "the past year repeats" (orders in the last 365 calibration days);
// - 12-month value: MAE in currency units, same baselines (rate × own mean order value; last year's spend);
// - next-order date, for customers who did order in the holdout: MAE in days;
// - churn: AUC of churnRisk for "no order in the holdout", vs recency (days since the last order).
// Scenarios: "poisson" is exactly BG/NBD + Gamma-Gamma (so the model is right and this measures estimation error);
// "regular" keeps everything but makes gaps between orders Erlang-4 (same mean, far less random), which BG/NBD does
// not assume - closer to replenishment shops.
// There is no public retail dataset with order dates in the repo: ../shared/data/tafeng (Ta-Feng baskets) has the
// order of baskets but no dates, so it cannot score dates, rates or holdout windows. Hence the generated store.
// Human table first, then one JSON object per line.
import { parseArgs } from "node:util";

import { fitModel, predict, probabilityNoOrderWithin, type ModelParameters, type PurchaseHistory } from "../app/modules/segments/predictions";
import { random } from "./random";

const { values: args } = parseArgs({
  options: {
    customers: { type: "string", default: "20000" },
    seed: { type: "string", default: "1" },
    scenario: { type: "string", default: "both" },
  },
});
const flags = { customers: Number(args.customers!.replace(/_/g, "")), seed: Number(args.seed), scenario: args.scenario! };
if (!(Number.isInteger(flags.customers) && flags.customers > 0)) throw new Error("--customers must be a positive integer");
if (!Number.isInteger(flags.seed)) throw new Error("--seed must be an integer");
if (!["poisson", "regular", "both"].includes(flags.scenario)) throw new Error("--scenario must be poisson, regular or both");

const DAY_MS = 86_400_000;
const CALIBRATION_DAYS = 730;
const HOLDOUT_DAYS = 365;
const CALIBRATION_END = new Date(Date.UTC(2026, 0, 1));
const START_MS = CALIBRATION_END.getTime() - CALIBRATION_DAYS * DAY_MS;
// Days; a mean rate r / alpha = 1 order per 125 days, mean dropout a / (a + b) = 24% after each repeat order; spend in
// cents with a mean order value of p v / (q - 1) = $60.
const TRUTH = { r: 0.6, alpha: 75, a: 0.8, b: 2.5, p: 6, q: 4, v: 3000 };
const CURRENCY_MINOR = 100;

// --- Seeded randomness -------------------------------------------------------------------------------------------

type Rng = () => number;
const normal = (rng: Rng) => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

/** Gamma(shape, rate) by Marsaglia & Tsang, boosted below shape 1. */
function gamma(rng: Rng, shape: number, rate: number): number {
  if (shape < 1) return gamma(rng, shape + 1, rate) * Math.pow(1 - rng(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(rng);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    if (Math.log(1 - rng()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

// --- The store ---------------------------------------------------------------------------------------------------

interface Customer {
  id: string;
  /** Order times in days since START and their values in cents, in time order. */
  days: number[];
  values: number[];
}

function generateStore(rng: Rng, customers: number, regular: boolean): Customer[] {
  const horizon = CALIBRATION_DAYS + HOLDOUT_DAYS;
  const store: Customer[] = [];
  for (let i = 0; i < customers; i++) {
    const rate = gamma(rng, TRUTH.r, TRUTH.alpha);
    const shapeA = gamma(rng, TRUTH.a, 1);
    const dropout = shapeA / (shapeA + gamma(rng, TRUTH.b, 1));
    const spendRate = gamma(rng, TRUTH.q, TRUTH.v);
    const customer: Customer = { id: `gid://shopify/Customer/${1_000_000 + i}`, days: [], values: [] };
    let day = rng() * CALIBRATION_DAYS; // first orders staggered over the calibration window
    for (;;) {
      customer.days.push(day);
      customer.values.push(Math.max(1, Math.round(gamma(rng, TRUTH.p, spendRate))));
      if (customer.days.length > 1 && rng() < dropout) break; // BG/NBD: dropout only right after a repeat order
      day += regular ? gamma(rng, 4, 4 * rate) : gamma(rng, 1, rate);
      if (day > horizon) break;
    }
    store.push(customer);
  }
  return store;
}

interface Split {
  history: PurchaseHistory;
  pastYearOrders: number;
  pastYearSpent: number;
  holdoutOrders: number;
  holdoutValue: number;
  nextOrderDay: number | null;
}

function split(customer: Customer): Split {
  let orders = 0;
  let spent = 0;
  let pastYearOrders = 0;
  let pastYearSpent = 0;
  let holdoutOrders = 0;
  let holdoutValue = 0;
  let nextOrderDay: number | null = null;
  for (let k = 0; k < customer.days.length; k++) {
    const day = customer.days[k]!;
    const value = customer.values[k]!;
    if (day <= CALIBRATION_DAYS) {
      orders++;
      spent += value;
      if (day > CALIBRATION_DAYS - HOLDOUT_DAYS) {
        pastYearOrders++;
        pastYearSpent += value;
      }
    } else {
      holdoutOrders++;
      holdoutValue += value;
      nextOrderDay ??= day;
    }
  }
  const at = (day: number) => new Date(START_MS + Math.round(day * DAY_MS));
  const history: PurchaseHistory = { customerId: customer.id, firstOrderAt: at(customer.days[0]!), lastOrderAt: at(customer.days[orders - 1]!), orders, spentMinor: BigInt(spent) };
  return { history, pastYearOrders, pastYearSpent, holdoutOrders, holdoutValue, nextOrderDay };
}

// --- Scores ------------------------------------------------------------------------------------------------------

const mae = (predicted: ArrayLike<number>, actual: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(predicted[i]! - actual[i]!);
  return sum / actual.length;
};
const rmse = (predicted: ArrayLike<number>, actual: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += (predicted[i]! - actual[i]!) ** 2;
  return Math.sqrt(sum / actual.length);
};
const total = (values: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum;
};

/** Area under the ROC curve (Mann-Whitney, ties get average ranks): how often a churner outscores a customer who stayed. */
function auc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((i, j) => scores[i]! - scores[j]!);
  let rankSum = 0;
  let positives = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (positive[order[k]!]) {
        rankSum += rank;
        positives++;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

function evaluate(scenario: "poisson" | "regular") {
  const rng = random(flags.seed * 7919 + (scenario === "regular" ? 1 : 0));
  const splits = generateStore(rng, flags.customers, scenario === "regular").map(split);
  const histories = splits.map((s) => s.history);
  const now = CALIBRATION_END;

  let started = performance.now();
  const model: ModelParameters = fitModel(histories, now);
  const fitSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  const predictions = histories.map((history) => predict(history, model, now));
  const predictSeconds = (performance.now() - started) / 1000;

  const n = splits.length;
  const actualOrders = Float64Array.from(splits, (s) => s.holdoutOrders);
  const actualValue = Float64Array.from(splits, (s) => s.holdoutValue / CURRENCY_MINOR);
  const modelOrders = Float64Array.from(predictions, (p) => p.expectedOrders12m);
  const modelValue = Float64Array.from(predictions, (p) => Number(p.predictedValueMinor) / CURRENCY_MINOR);
  const rateOrders = new Float64Array(n);
  const rateValue = new Float64Array(n);
  const pastYearOrders = Float64Array.from(splits, (s) => s.pastYearOrders);
  const pastYearValue = Float64Array.from(splits, (s) => s.pastYearSpent / CURRENCY_MINOR);
  for (let i = 0; i < n; i++) {
    const { history } = splits[i]!;
    const observedDays = Math.max(1, (now.getTime() - history.firstOrderAt.getTime()) / DAY_MS);
    rateOrders[i] = ((history.orders - 1) / observedDays) * HOLDOUT_DAYS;
    rateValue[i] = (rateOrders[i]! * Number(history.spentMinor)) / history.orders / CURRENCY_MINOR;
  }

  // Next order: predict() (own mean gap, else the shop's median gap) vs everyone at "last + the shop's median gap",
  // and the BG/NBD posterior median wait from the calibration end, (alpha + T)(2^(1 / (r + x)) - 1) (given alive).
  // "Clamped" reads an overdue date as "any day now" (the calibration end), as a UI would show it.
  const dateErrors = { model: [] as number[], clamped: [] as number[], median: [] as number[], medianClamped: [] as number[], bgnbdWait: [] as number[] };
  const medianGap = model.medianRepeatGapDays;
  for (let i = 0; i < n; i++) {
    const { history, nextOrderDay } = splits[i]!;
    const expected = predictions[i]!.expectedNextOrderAt;
    if (nextOrderDay === null || expected === null || medianGap === null) continue;
    const actualMs = START_MS + nextOrderDay * DAY_MS;
    const T = (now.getTime() - history.firstOrderAt.getTime()) / DAY_MS;
    const waitDays = (model.alpha + T) * (Math.pow(2, 1 / (model.r + history.orders - 1)) - 1);
    dateErrors.model.push(Math.abs(expected.getTime() - actualMs) / DAY_MS);
    dateErrors.clamped.push(Math.abs(Math.max(expected.getTime(), now.getTime()) - actualMs) / DAY_MS);
    const medianMs = history.lastOrderAt.getTime() + medianGap * DAY_MS;
    dateErrors.median.push(Math.abs(medianMs - actualMs) / DAY_MS);
    dateErrors.medianClamped.push(Math.abs(Math.max(medianMs, now.getTime()) - actualMs) / DAY_MS);
    dateErrors.bgnbdWait.push(Math.abs(now.getTime() + waitDays * DAY_MS - actualMs) / DAY_MS);
  }
  const meanOf = (values: number[]) => (values.length ? total(values) / values.length : Number.NaN);

  const churned = Array.from(splits, (s) => s.holdoutOrders === 0);
  const churnAuc = auc(Float64Array.from(predictions, (p) => p.churnRisk), churned);
  const recencyAuc = auc(Float64Array.from(histories, (h) => now.getTime() - h.lastOrderAt.getTime()), churned);
  const noOrderAuc = auc(Float64Array.from(histories, (h) => probabilityNoOrderWithin(h, model, now, HOLDOUT_DAYS)), churned);

  const rows = {
    fit: {
      kind: model.kind,
      customers: model.customers,
      repeatCustomers: model.repeatCustomers,
      ...Object.fromEntries((["r", "alpha", "a", "b", "p", "q", "v"] as const).flatMap((key) => [[key, round(model[key])], [`${key}True`, TRUTH[key]]])),
      fitSeconds: round(fitSeconds),
      predictSeconds: round(predictSeconds),
    },
    orders: {
      actualMean: round(total(actualOrders) / n),
      modelMae: round(mae(modelOrders, actualOrders)),
      modelRmse: round(rmse(modelOrders, actualOrders)),
      baselineMae: round(mae(rateOrders, actualOrders)),
      baselineRmse: round(rmse(rateOrders, actualOrders)),
      pastYearMae: round(mae(pastYearOrders, actualOrders)),
      pastYearRmse: round(rmse(pastYearOrders, actualOrders)),
    },
    value12m: {
      currency: "USD",
      modelMae: round(mae(modelValue, actualValue), 2),
      baselineMae: round(mae(rateValue, actualValue), 2),
      pastYearMae: round(mae(pastYearValue, actualValue), 2),
      actualTotal: round(total(actualValue), 0),
      modelTotal: round(total(modelValue), 0),
      baselineTotal: round(total(rateValue), 0),
      pastYearTotal: round(total(pastYearValue), 0),
    },
    nextOrderDays: {
      customers: dateErrors.model.length,
      modelMae: round(meanOf(dateErrors.model), 1),
      modelClampedMae: round(meanOf(dateErrors.clamped), 1),
      baselineMae: round(meanOf(dateErrors.median), 1),
      baselineClampedMae: round(meanOf(dateErrors.medianClamped), 1),
      bgnbdWaitMae: round(meanOf(dateErrors.bgnbdWait), 1),
    },
    churnAuc: {
      churned: churned.filter(Boolean).length,
      modelAuc: round(churnAuc),
      baselineAuc: round(recencyAuc),
      noOrderProbabilityAuc: round(noOrderAuc),
    },
  };

  const o = rows.orders;
  const v = rows.value12m;
  const d = rows.nextOrderDays;
  const c = rows.churnAuc;
  console.log(`\n== scenario ${scenario}: ${n.toLocaleString("en")} customers, ${CALIBRATION_DAYS}-day calibration, ${HOLDOUT_DAYS}-day holdout`);
  console.log(
    `fit (${model.kind}, ${fitSeconds.toFixed(2)} s; predict all ${predictSeconds.toFixed(2)} s): ` +
      (["r", "alpha", "a", "b", "p", "q", "v"] as const).map((key) => `${key} ${round(model[key])} (true ${TRUTH[key]})`).join(", "),
  );
  const table = [
    ["", "model", "historical rate", "past year repeats"],
    ["orders MAE", o.modelMae, o.baselineMae, o.pastYearMae],
    ["orders RMSE", o.modelRmse, o.baselineRmse, o.pastYearRmse],
    ["12-month value MAE ($)", v.modelMae, v.baselineMae, v.pastYearMae],
    [`12-month total ($; actual ${v.actualTotal})`, v.modelTotal, v.baselineTotal, v.pastYearTotal],
    [`next order MAE (days; ${d.customers} buyers)`, d.modelMae, `${d.baselineMae} (shop median gap)`, `${d.bgnbdWaitMae} (BG/NBD median wait)`],
    ["  overdue dates read as today", d.modelClampedMae, d.baselineClampedMae, ""],
    [`churn AUC (${c.churned} churned)`, c.modelAuc, `${c.baselineAuc} (recency)`, `${c.noOrderProbabilityAuc} (P(no order 365d))`],
  ];
  const widths = table[0]!.map((_, k) => Math.max(...table.map((row) => String(row[k]).length)));
  for (const row of table) console.log(row.map((cell, k) => (k === 0 ? String(cell).padEnd(widths[k]!) : String(cell).padStart(widths[k]!))).join("  "));
  return Object.entries(rows).map(([metric, figures]) => ({ eval: "predictions", data: "generated", scenario, seed: flags.seed, customers: n, metric, ...figures }));
}

const scenarios = flags.scenario === "both" ? (["poisson", "regular"] as const) : [flags.scenario as "poisson" | "regular"];
const lines = scenarios.flatMap(evaluate);
console.log("");
for (const line of lines) console.log(JSON.stringify(line));
