// The recommendation model on stores where the answer is known: co-purchase counting and its
// normalisation, the again/new ranking learned from held-out orders, exclusions, cold start, and
// the reasons each suggestion carries.
import { describe, expect, test } from "vitest";

import { boughtTogether, buildModel, fitLift, fitRegression, MAX_BASKET_FOR_PAIRS, probability, recommend, type Purchase } from "./model";

const orders = (...baskets: string[][]): Purchase[] => baskets.map((items) => ({ items }));

describe("co-purchase", () => {
  // 10 customers buy pasta with sauce; everybody also buys milk (a best-seller in every order).
  const histories = new Map<string, Purchase[]>();
  for (let c = 0; c < 10; c++) histories.set(`pasta-${c}`, orders(["pasta", "sauce", "milk"], ["milk"]));
  for (let c = 0; c < 30; c++) histories.set(`milk-${c}`, orders(["milk", `other-${c}`], ["milk"]));
  const model = buildModel(histories);

  test("counts the orders holding both items, once per order however many units", () => {
    const withDuplicates = buildModel(new Map([["a", orders(["x", "x", "y"], ["x", "y"])]]));
    expect(boughtTogether(withDuplicates, "x")).toEqual([{ item: "y", orders: 2, score: 1 }]);
  });

  test("is normalised (cosine), so a best-seller in every order does not swamp the real companion", () => {
    const list = boughtTogether(model, "pasta");
    expect(list[0]).toMatchObject({ item: "sauce", orders: 10 });
    expect(list[0]!.score).toBeCloseTo(1, 6);
    const milk = list.find((entry) => entry.item === "milk")!;
    // 10 orders together, milk in 80 orders: 10 / sqrt(10 x 80).
    expect(milk.score).toBeCloseTo(10 / Math.sqrt(10 * 80), 6);
  });

  test("needs two orders in common, and leaves out what may not be sold", () => {
    expect(boughtTogether(model, "other-1")).toEqual([]);
    expect(boughtTogether(model, "pasta", { allowed: (item) => item !== "sauce" }).map((entry) => entry.item)).toEqual(["milk"]);
    expect(boughtTogether(model, "unknown")).toEqual([]);
  });

  test("an order larger than MAX_BASKET_FOR_PAIRS counts for popularity but not as bought together", () => {
    const bulk = Array.from({ length: MAX_BASKET_FOR_PAIRS + 1 }, (_, i) => `bulk-${i}`);
    const bulkModel = buildModel(new Map([["reseller", orders(bulk, bulk)]]));
    expect(boughtTogether(bulkModel, "bulk-0")).toEqual([]);
    expect(bulkModel.orders[bulkModel.items.indexOf("bulk-0")]).toBe(2);
  });
});

describe("suggestions", () => {
  // A store where the answer is known: "coffee" is re-bought in nearly every next order by its
  // buyers, "mug" never; "filter" is what coffee buyers pick up next for the first time.
  const histories = new Map<string, Purchase[]>();
  for (let c = 0; c < 200; c++) {
    const next = c % 4 === 0 ? ["coffee"] : ["coffee", "filter"];
    histories.set(`c${c}`, orders(["coffee", "mug", `x${c % 7}`], ["coffee", "mug"], next));
  }
  for (let c = 0; c < 50; c++) histories.set(`t${c}`, orders(["tea"], ["tea", "biscuit"]));
  const model = buildModel(histories);

  test("an item its buyers come back for ranks above one they never re-buy, with the times and orders since as its reason", () => {
    const list = recommend(model, orders(["mug", "coffee"], ["coffee", "mug"]));
    const coffee = list.findIndex((suggestion) => suggestion.item === "coffee");
    const mug = list.findIndex((suggestion) => suggestion.item === "mug");
    expect(coffee).toBeGreaterThanOrEqual(0);
    expect(coffee).toBeLessThan(mug === -1 ? Infinity : mug);
    expect(list[coffee]!.reason).toEqual({ code: "again", times: 2, ordersAgo: 0 });
    expect(list[coffee]!.score).toBeGreaterThan(0.5);
  });

  test("a new item close to what they bought is suggested with the item it was bought with", () => {
    const list = recommend(model, orders(["coffee"]));
    const filter = list.find((suggestion) => suggestion.item === "filter");
    expect(filter?.reason).toMatchObject({ code: "boughtWith", item: "coffee" });
    // ...ahead of the tea drinkers' first purchase, which nothing they bought is close to.
    const items = list.map((suggestion) => suggestion.item);
    expect(items.indexOf("filter")).toBeLessThan(items.indexOf("biscuit"));
    expect(list.find((suggestion) => suggestion.item === "biscuit")?.reason).toMatchObject({ code: "popular" });
  });

  test("a customer without orders gets the most bought-first items, said to be popular", () => {
    const list = recommend(model, [], { limit: 3 });
    expect(list).toHaveLength(3);
    expect(list[0]).toMatchObject({ item: "filter", reason: { code: "popular" } });
    expect(list.every((suggestion) => suggestion.reason.code === "popular")).toBe(true);
  });

  test("what may not be sold is never suggested, and the list is filled from what may", () => {
    const list = recommend(model, orders(["coffee", "mug"]), { allowed: (item) => item !== "coffee" && item !== "filter", limit: 5 });
    expect(list.map((suggestion) => suggestion.item)).not.toContain("coffee");
    expect(list.map((suggestion) => suggestion.item)).not.toContain("filter");
    expect(list).toHaveLength(5);
  });

  test("the same histories give the same model, whatever order the customers come in", () => {
    const reversed = buildModel(new Map([...histories].reverse()));
    expect(reversed.again.weights).toEqual(model.again.weights);
    expect(reversed.closenessLift).toEqual(model.closenessLift);
  });
});

describe("fitting", () => {
  test("the logistic regression recovers a known effect and predicts the base rate without one", () => {
    // y = 1 exactly when x > 0.5, with noise at the edge: the weight on x must be large and positive.
    const rows: number[][] = [];
    const outcomes: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const x = i / 1000;
      rows.push([x]);
      outcomes.push(x > 0.5 === (i % 10 !== 0) ? 1 : 0);
    }
    const fitted = fitRegression(rows, outcomes);
    expect(probability(fitted, [0.9])).toBeGreaterThan(0.8);
    expect(probability(fitted, [0.1])).toBeLessThan(0.2);
    const flat = fitRegression([[1], [2], [3], [4]], [0, 0, 0, 0]);
    expect(probability(flat, [2])).toBeLessThan(0.15);
  });

  test("the closeness lift recovers a known multiplier", () => {
    // Outcomes drawn so that p = rate x exp(0.2 + 1.5 log(1 + closeness)), in expectation.
    const rows: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const closeness = (i % 10) / 10;
      const rate = 0.02;
      const p = rate * Math.exp(0.2 + 1.5 * Math.log1p(closeness));
      rows.push((i * 0.618034) % 1 < p ? 1 : 0, rate, closeness);
    }
    const lift = fitLift(rows);
    expect(lift.slope).toBeCloseTo(1.5, 0);
    expect(lift.base).toBeCloseTo(0.2, 0);
  });
});
