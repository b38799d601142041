// Customer predictions: the special functions against reference values (mpmath), BG/NBD against the published CDNOW
// example, the fit against a seeded synthetic store with known parameters, and the reasons a UI shows.
import { describe, expect, test } from "vitest";

// The seeded generator the benchmarks and the evaluation use.
import { random } from "../../../scripts/random";
import {
  bgnbdLogLikelihood,
  expectedOrderValue,
  expectedTransactions,
  explainPrediction,
  FALLBACK_PARAMETERS,
  fitModel,
  gammaGammaLogLikelihood,
  hyp2f1,
  lgamma,
  nelderMead,
  predict,
  probabilityAlive,
  probabilityNoOrderWithin,
  type ModelParameters,
  type PredictionReason,
  type PurchaseHistory,
} from "./predictions";

const DAY_MS = 86_400_000;
const NOW = new Date("2026-06-15T12:00:00Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY_MS);
const history = (overrides: Partial<PurchaseHistory> & { first: number; last: number }): PurchaseHistory => ({
  customerId: "gid://shopify/Customer/1",
  orders: 1,
  spentMinor: 5_000n,
  firstOrderAt: daysAgo(overrides.first),
  lastOrderAt: daysAgo(overrides.last),
  ...overrides,
});
// CDNOW (Fader, Hardie & Lee 2005) in weeks, for checks against the paper's own worked example.
const CDNOW = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
// A fitted-looking model in days.
const MODEL: ModelParameters = { kind: "bgnbd", r: 0.243, alpha: 30.9, a: 0.793, b: 2.426, p: 6.25, q: 3.74, v: 1_544, medianRepeatGapDays: 45, customers: 5_000, repeatCustomers: 1_800 };

// --- A seeded BG/NBD + Gamma-Gamma store -------------------------------------------------------------------------


function gamma(rng: () => number, shape: number, rate: number): number {
  if (shape < 1) return gamma(rng, shape + 1, rate) * Math.pow(1 - rng(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const v = (1 + c * z) ** 3;
    if (v > 0 && Math.log(1 - rng()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

const TRUTH = { r: 0.6, alpha: 75, a: 0.8, b: 2.5, p: 6, q: 4, v: 3_000 };

/** Customers whose first orders are spread over two years before NOW, each following BG/NBD with Gamma-Gamma spend. */
function syntheticStore(customers: number, seed: number): PurchaseHistory[] {
  const rng = random(seed);
  return Array.from({ length: customers }, (_, i) => {
    const rate = gamma(rng, TRUTH.r, TRUTH.alpha);
    const shapeA = gamma(rng, TRUTH.a, 1);
    const dropout = shapeA / (shapeA + gamma(rng, TRUTH.b, 1));
    const spendRate = gamma(rng, TRUTH.q, TRUTH.v);
    const T = rng() * 730;
    let day = 0;
    let last = 0;
    let orders = 1;
    let spent = Math.round(gamma(rng, TRUTH.p, spendRate));
    for (;;) {
      day += gamma(rng, 1, rate);
      if (day > T) break;
      last = day;
      orders++;
      spent += Math.round(gamma(rng, TRUTH.p, spendRate));
      if (rng() < dropout) break;
    }
    const first = NOW.getTime() - T * DAY_MS;
    return { customerId: `gid://shopify/Customer/${i}`, firstOrderAt: new Date(first), lastOrderAt: new Date(first + last * DAY_MS), orders, spentMinor: BigInt(spent) };
  });
}

// --- Special functions -------------------------------------------------------------------------------------------

describe("lgamma", () => {
  test.each([
    [1e-5, 11.512919692895826],
    [0.1, 2.252712651734206],
    [0.5, 0.5723649429247001],
    [1, 0],
    [1.5, -0.12078223763524522],
    [2, 0],
    [3.7, 1.4280723266653879],
    [10, 12.801827480081469],
    [100, 359.1342053695754],
    [12_345.678, 103959.91990554606],
  ])("ln Γ(%s) = %s", (x, expected) => {
    expect(lgamma(x)).toBeCloseTo(expected, 12);
  });

  test("poles are NaN, negative non-integers use the reflection", () => {
    expect(lgamma(0)).toBeNaN();
    expect(lgamma(-2)).toBeNaN();
    expect(lgamma(-0.5)).toBeCloseTo(Math.log(2 * Math.sqrt(Math.PI)), 12); // Γ(-½) = -2√π
  });
});

describe("hyp2f1", () => {
  test.each([
    { title: "2F1(1,1;2;z) = -ln(1-z)/z", a: 1, b: 1, c: 2, z: 0.5, expected: 2 * Math.log(2) },
    { title: "2F1(½,½;3/2;z²) = asin(z)/z", a: 0.5, b: 0.5, c: 1.5, z: 0.25, expected: Math.asin(0.5) / 0.5 },
    { title: "2F1(a,b;b;z) = (1-z)^-a", a: 2.5, b: 3, c: 3, z: 0.7, expected: 0.3 ** -2.5 },
    { title: "terminating: 2F1(-2,1;1;z) = (1-z)²", a: -2, b: 1, c: 1, z: 0.5, expected: 0.25 },
    { title: "CDNOW-like arguments", a: 2.243, b: 4.426, c: 5.219, z: 0.5009, expected: 3.6264847495321244 },
    { title: "near z = 1", a: 0.243, b: 2.426, c: 2.219, z: 0.95, expected: 2.4461866770309917 },
    { title: "z = 0.99, negative a and b", a: -0.5, b: -0.2, c: 3, z: 0.99, expected: 1.0350720829586615 },
    { title: "terms grow before they shrink", a: 10, b: 20, c: 12, z: 0.3, expected: 418.94074479943475 },
    { title: "negative z", a: 1, b: 1, c: 2, z: -0.5, expected: Math.log(1.5) / 0.5 },
  ])("$title", ({ a, b, c, z, expected }) => {
    expect(hyp2f1(a, b, c, z) / expected).toBeCloseTo(1, 11);
  });

  test.each([1, 1.5, Number.NaN])("z = %s is outside the series' range: NaN, not a wrong number", (z) => {
    expect(hyp2f1(1, 1, 2, z)).toBeNaN();
  });
});

describe("BG/NBD formulas (CDNOW parameters, weeks)", () => {
  test("the paper's worked example: x = 2, t_x = 30.43, T = 38.86 expects 1.226 orders in the next 39 weeks", () => {
    expect(expectedTransactions(CDNOW, 2, 30.43, 38.86, 39)).toBeCloseTo(1.226028, 5);
    expect(probabilityAlive(CDNOW, 2, 30.43, 38.86)).toBeCloseTo(0.726579, 5);
  });

  test.each([
    { x: 0, tx: 0, T: 38.86, expected: -0.5547132764381585 },
    { x: 1, tx: 1.71, T: 38.86, expected: -4.469093275032589 },
    { x: 2, tx: 30.43, T: 38.86, expected: -9.45860630706627 },
    { x: 29, tx: 37.71, T: 38.86, expected: -44.4321690895992 },
  ])("log-likelihood of (x $x, t_x $tx, T $T) matches the closed form", ({ x, tx, T, expected }) => {
    expect(bgnbdLogLikelihood(CDNOW, x, tx, T)).toBeCloseTo(expected, 10);
  });

  test.each([0.5, 10, 38.86, 500])("P(alive) = 1 for a customer with no repeat order (T = %s): BG/NBD drops out only after a repeat", (T) => {
    expect(probabilityAlive(CDNOW, 0, 0, T)).toBe(1);
  });

  test.each([
    { title: "a new customer", x: 0, tx: 0, T: 0.01, t: 52, expected: 1.4439491996916103 },
    { title: "a one-time buyer", x: 0, tx: 0, T: 38.86, t: 39, expected: 0.19509805201126265 },
    { title: "a long-gone repeat buyer", x: 1, tx: 1, T: 400, t: 52, expected: 0.00220375571088062 },
    { title: "300 repeats (the direct 2F1 series overflows here)", x: 300, tx: 38, T: 38.86, t: 52, expected: 123.34396145258688 },
  ])("expected orders match the closed form evaluated exactly: $title", ({ x, tx, T, t, expected }) => {
    expect(expectedTransactions(CDNOW, x, tx, T, t) / expected).toBeCloseTo(1, 10);
  });

  test("a = 1 exactly, where the formula divides by zero, sits between its neighbours", () => {
    const at = (a: number) => expectedTransactions({ ...CDNOW, a }, 2, 30.43, 38.86, 39);
    expect(at(1)).toBeGreaterThan(Math.min(at(0.999), at(1.001)));
    expect(at(1)).toBeLessThan(Math.max(at(0.999), at(1.001)));
  });
});

describe("Gamma-Gamma", () => {
  const spend = { p: 6.25, q: 3.74, v: 15.44 }; // CDNOW, dollars
  const population = (spend.p * spend.v) / (spend.q - 1); // $35.22

  test.each([
    { orders: 1, mean: 10 },
    { orders: 2, mean: 200 },
    { orders: 5, mean: 35 },
    { orders: 20, mean: 80 },
  ])("$orders orders averaging $$mean: expected value lies between the population mean and the customer's own", ({ orders, mean }) => {
    const expected = expectedOrderValue(spend, orders, mean);
    expect(expected).toBeGreaterThanOrEqual(Math.min(population, mean) - 1e-9);
    expect(expected).toBeLessThanOrEqual(Math.max(population, mean) + 1e-9);
  });

  test("more orders pull the estimate towards the customer's own mean", () => {
    const estimates = [1, 2, 5, 20, 100].map((orders) => expectedOrderValue(spend, orders, 200));
    for (let i = 1; i < estimates.length; i++) expect(estimates[i]).toBeGreaterThan(estimates[i - 1]!);
    expect(estimates.at(-1)).toBeGreaterThan(190);
  });

  test("the likelihood is a density in the mean: it integrates to 1", () => {
    let integral = 0;
    for (let m = 0.05; m < 2_000; m += 0.1) integral += Math.exp(gammaGammaLogLikelihood(spend, 3, m)) * 0.1;
    expect(integral).toBeCloseTo(1, 3);
  });
});

describe("nelderMead", () => {
  test("finds the minimum of the Rosenbrock valley", () => {
    const optimum = nelderMead((p) => 100 * (p[1]! - p[0]! ** 2) ** 2 + (1 - p[0]!) ** 2, [-1.2, 1], { pointTolerance: 1e-8 });
    expect(optimum.converged).toBe(true);
    expect(optimum.point[0]).toBeCloseTo(1, 5);
    expect(optimum.point[1]).toBeCloseTo(1, 5);
  });
});

// --- Fitting -----------------------------------------------------------------------------------------------------

describe("fitModel", () => {
  test("recovers the parameters of a seeded 20,000-customer BG/NBD + Gamma-Gamma store (fitted on everyone)", () => {
    const model = fitModel(syntheticStore(20_000, 11), NOW, { sampleSize: Infinity });
    expect(model.kind).toBe("bgnbd");
    expect(model.customers).toBe(20_000);
    for (const [key, tolerance] of [["r", 0.1], ["alpha", 0.1], ["a", 0.15], ["b", 0.15], ["p", 0.1], ["q", 0.1], ["v", 0.1]] as const) {
      expect(Math.abs(model[key] / TRUTH[key] - 1), `${key} = ${model[key]}, true ${TRUTH[key]}`).toBeLessThan(tolerance);
    }
  });

  test("a large shop is fitted on a sample chosen by customer id: the order of the input does not matter", () => {
    const store = syntheticStore(30_000, 5);
    const reversed = [...store].reverse();
    const model = fitModel(store, NOW);
    expect(fitModel(reversed, NOW)).toEqual(model); // bit for bit: the sample is also summed in hash order
    expect(model.customers).toBe(30_000);
    expect(Math.abs(model.r / TRUTH.r - 1)).toBeLessThan(0.15);
  });

  test("a three-customer shop gets the documented fallback, scaled to its own order value", () => {
    const shop = [
      history({ customerId: "a", first: 200, last: 20, orders: 4, spentMinor: 40_000n }),
      history({ customerId: "b", first: 90, last: 90, orders: 1, spentMinor: 5_000n }),
      history({ customerId: "c", first: 60, last: 30, orders: 2, spentMinor: 15_000n }),
    ];
    const model = fitModel(shop, NOW);
    expect(model).toMatchObject({ kind: "fallback", r: FALLBACK_PARAMETERS.r, alpha: FALLBACK_PARAMETERS.alpha, a: FALLBACK_PARAMETERS.a, b: FALLBACK_PARAMETERS.b, customers: 3, repeatCustomers: 2 });
    // Mean order value 60,000 / 7 minor units; v makes the population mean p v / (q - 1) equal to it.
    expect((model.p * model.v) / (model.q - 1)).toBeCloseTo(60_000 / 7, 6);
    expect(model.medianRepeatGapDays).toBe(45); // gaps 60 and 30
    const prediction = predict(shop[1]!, model, NOW);
    expect(prediction.predictedValueMinor).toBeGreaterThan(0n);
    expect(prediction.reason).toEqual({ code: "oneTime", similarDays: 45, lastDaysAgo: 90 });
  });

  test("an empty shop: fallback, no median gap, no value", () => {
    expect(fitModel([], NOW)).toMatchObject({ kind: "fallback", medianRepeatGapDays: null, v: 0, customers: 0, repeatCustomers: 0 });
  });
});

// --- Predictions and reasons -------------------------------------------------------------------------------------

describe("predict", () => {
  test("churn risk rises as the last order ages", () => {
    const risks = [5, 30, 90, 180, 300].map((last) => predict(history({ first: 365, last, orders: 6 }), MODEL, NOW).churnRisk);
    for (let i = 1; i < risks.length; i++) expect(risks[i]).toBeGreaterThan(risks[i - 1]!);
    expect(risks[0]).toBeGreaterThanOrEqual(0);
    expect(risks.at(-1)).toBeLessThanOrEqual(1000);
  });

  test("expected orders rise with frequency", () => {
    const expected = [1, 2, 4, 8, 16].map((orders) => predict(history({ first: 365, last: 10, orders }), MODEL, NOW).expectedOrders12m);
    for (let i = 1; i < expected.length; i++) expect(expected[i]).toBeGreaterThan(expected[i - 1]!);
  });

  test("churn risk is P(no order within a year), so it ages one-time buyers too (BG/NBD's P(alive) is 1 for them)", () => {
    const recent = history({ first: 10, last: 10 });
    const old = history({ first: 600, last: 600 });
    expect(probabilityAlive(MODEL, 0, 0, 600)).toBe(1);
    expect(predict(old, MODEL, NOW).churnRisk).toBeGreaterThan(predict(recent, MODEL, NOW).churnRisk);
    expect(predict(old, MODEL, NOW).churnRisk).toBe(Math.round(1000 * probabilityNoOrderWithin(old, MODEL, NOW)));
  });

  test("the 12-month value is a bigint: expected orders × expected order value, rounded once at the end", () => {
    const customer = history({ first: 300, last: 20, orders: 5, spentMinor: 25_001n });
    const prediction = predict(customer, MODEL, NOW);
    expect(typeof prediction.predictedValueMinor).toBe("bigint");
    const orderValue = expectedOrderValue(MODEL, 5, 25_001 / 5);
    expect(prediction.predictedValueMinor).toBe(BigInt(Math.round(prediction.expectedOrders12m * orderValue)));
  });

  test.each<{ title: string; customer: PurchaseHistory; reason: PredictionReason; line: string; nextInDays: number | null }>([
    {
      title: "regular: next order ahead",
      customer: history({ first: 130, last: 10, orders: 5 }),
      reason: { code: "regular", everyDays: 30, lastDaysAgo: 10 },
      line: "usually orders every 30 days; last order 10 days ago",
      nextInDays: 20,
    },
    {
      title: "overdue: own rhythm passed, still likely around",
      customer: history({ first: 219, last: 95, orders: 5 }),
      reason: { code: "overdue", everyDays: 31, lastDaysAgo: 95 },
      line: "usually orders every 31 days; last order 95 days ago, so the next one is overdue",
      nextInDays: -64,
    },
    {
      title: "lapsed: long past the rhythm",
      customer: history({ first: 480, last: 400, orders: 5 }),
      reason: { code: "lapsed", everyDays: 20, lastDaysAgo: 400 },
      line: "used to order every 20 days; last order 400 days ago, probably lapsed",
      nextInDays: -380,
    },
    {
      title: "one-time buyer: similar customers' gap",
      customer: history({ first: 12, last: 12 }),
      reason: { code: "oneTime", similarDays: 45, lastDaysAgo: 12 },
      line: "one order so far, 12 days ago; customers like this usually return after 45 days",
      nextInDays: 33,
    },
    {
      title: "two orders on one day count as one visit",
      customer: history({ first: 3, last: 3, orders: 2 }),
      reason: { code: "oneTime", similarDays: 45, lastDaysAgo: 3 },
      line: "one order so far, 3 days ago; customers like this usually return after 45 days",
      nextInDays: 42,
    },
  ])("$title", ({ customer, reason, line, nextInDays }) => {
    const prediction = predict(customer, MODEL, NOW);
    expect(prediction.reason).toEqual(reason);
    expect(explainPrediction(prediction.reason)).toBe(line);
    const next = prediction.expectedNextOrderAt;
    expect(next === null ? null : Math.round((next.getTime() - NOW.getTime()) / DAY_MS)).toBe(nextInDays);
  });

  test("a one-time buyer in a shop without repeat customers has no expected date", () => {
    const prediction = predict(history({ first: 0, last: 0 }), { ...MODEL, medianRepeatGapDays: null }, NOW);
    expect(prediction.expectedNextOrderAt).toBeNull();
    expect(prediction.reason).toEqual({ code: "oneTime", similarDays: null, lastDaysAgo: 0 });
    expect(explainPrediction(prediction.reason)).toBe("one order so far, today");
  });

  test.each([
    { title: "no orders recorded", customer: history({ first: 10, last: 10, orders: 0 }) },
    { title: "refunds beyond spend", customer: history({ first: 100, last: 50, orders: 3, spentMinor: -4_000n }) },
    { title: "last order before the first", customer: history({ first: 50, last: 100, orders: 3 }) },
    { title: "first order in the future", customer: history({ first: -5, last: -5, orders: 1 }) },
  ])("odd input stays within range: $title", ({ customer }) => {
    const prediction = predict(customer, MODEL, NOW);
    expect(Number.isFinite(prediction.expectedOrders12m)).toBe(true);
    expect(prediction.churnRisk).toBeGreaterThanOrEqual(0);
    expect(prediction.churnRisk).toBeLessThanOrEqual(1000);
    expect(prediction.predictedValueMinor).toBeGreaterThanOrEqual(0n);
  });
});
