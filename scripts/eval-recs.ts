// `npm run eval:recs [-- --data DIR --folds N]`: scores the app's recommendation model
// (app/modules/recommendations/model.ts - the code the app runs, not a copy) on real retail baskets.
// DIR holds history.json ({ customer: [basket, ...] } in time order) and future.json
// ({ customer: basket }), the format of datasets/tafeng (Ta-Feng grocery baskets, see its README).
// For every customer in future.json, 10 items are recommended from history.json alone and scored
// against the future basket: Recall@10 and NDCG@10 (binary relevance), averaged over customers, for
// - global top-frequency (the most frequent items),
// - personal top-frequency (the customer's own most frequent items, padded with popular ones),
// - the app's model;
// then, with --folds N (default 2), the model on customers it has never seen: the customers are cut
// into N parts by id hash, the model is built from the other parts' histories only and recommends
// for each part from that customer's history.
// Human lines first, then one JSON object per line.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

import { hashId } from "../app/modules/maths/hash-sample";
import { buildModel, recommend, type Purchase } from "../app/modules/recommendations/model";
import { round, seconds } from "./bench-support";

const { values: args } = parseArgs({ options: { data: { type: "string", default: "datasets/tafeng" }, folds: { type: "string", default: "2" } } });
const folds = Number(args.folds);
if (!(Number.isInteger(folds) && folds >= 0)) throw new Error("--folds must be a whole number (0 skips the unseen-customer check)");
const K = 10;

type Baskets = Record<string, Array<Array<string | number>>>;
const read = (file: string) => JSON.parse(readFileSync(path.join(args.data!, file), "utf8")) as unknown;
const rawHistory = read("history.json") as Baskets;
const rawFuture = read("future.json") as Record<string, Array<string | number>>;
const histories = new Map<string, Purchase[]>(Object.entries(rawHistory).map(([customer, baskets]) => [customer, baskets.map((basket) => ({ items: basket.map(String) }))]));
const future = new Map(Object.entries(rawFuture).map(([customer, basket]) => [customer, new Set(basket.map(String))]));

/** Mean Recall@K and NDCG@K over `customers` (those with a non-empty future basket). */
function score(customers: Iterable<string>, listFor: (customer: string) => string[]) {
  let recall = 0;
  let ndcg = 0;
  let counted = 0;
  for (const customer of customers) {
    const truth = future.get(customer);
    if (!truth || truth.size === 0) continue;
    const list = listFor(customer).slice(0, K);
    let hits = 0;
    let dcg = 0;
    list.forEach((item, rank) => {
      if (!truth.has(item)) return;
      hits++;
      dcg += 1 / Math.log2(rank + 2);
    });
    let ideal = 0;
    for (let rank = 0; rank < Math.min(K, truth.size); rank++) ideal += 1 / Math.log2(rank + 2);
    recall += hits / truth.size;
    ndcg += dcg / ideal;
    counted++;
  }
  return { recall10: round(recall / counted, 4), ndcg10: round(ndcg / counted, 4), customers: counted };
}

const results: Array<Record<string, unknown>> = [];
function report(method: string, figures: ReturnType<typeof score>, extra: Record<string, unknown>, label: string) {
  console.log(`${label.padEnd(58)} Recall@10 ${figures.recall10.toFixed(4)}  NDCG@10 ${figures.ndcg10.toFixed(4)}  (${figures.customers.toLocaleString("en")} customers)`);
  results.push({ method, ...figures, ...extra });
}

// Baselines.
let started = performance.now();
const frequency = new Map<string, number>();
for (const purchases of histories.values()) for (const purchase of purchases) for (const item of new Set(purchase.items)) frequency.set(item, (frequency.get(item) ?? 0) + 1);
const popular = [...frequency].sort((left, right) => right[1] - left[1] || (left[0] < right[0] ? -1 : 1)).map(([item]) => item);
const baselineSeconds = seconds(started);
report("popular", score(future.keys(), () => popular), { trainSeconds: round(baselineSeconds, 3) }, "global top-frequency");
report(
  "personal",
  score(future.keys(), (customer) => {
    const own = new Map<string, number>();
    for (const purchase of histories.get(customer) ?? []) for (const item of new Set(purchase.items)) own.set(item, (own.get(item) ?? 0) + 1);
    const list = [...own].sort((left, right) => right[1] - left[1] || frequency.get(right[0])! - frequency.get(left[0])!).map(([item]) => item);
    const taken = new Set(list);
    for (const item of popular) if (list.length < K && !taken.has(item)) list.push(item);
    return list;
  }),
  { trainSeconds: round(baselineSeconds, 3) },
  "personal top-frequency (padded with popular)",
);

// The app's model.
started = performance.now();
const model = buildModel(histories);
const trainSeconds = seconds(started);
started = performance.now();
const figures = score(future.keys(), (customer) => recommend(model, histories.get(customer) ?? [], { limit: K }).map((suggestion) => suggestion.item));
const perCustomerMs = (seconds(started) * 1000) / Math.max(1, figures.customers);
const peakRssMb = round(process.resourceUsage().maxRSS / 1024, 1);
report("app", figures, { trainSeconds: round(trainSeconds, 2), recommendMs: round(perCustomerMs, 3), peakRssMb }, `app model (trained in ${trainSeconds.toFixed(2)} s, ${perCustomerMs.toFixed(2)} ms per customer)`);

// The model on customers it has never seen.
for (let fold = 0; fold < folds; fold++) {
  const inFold = (customer: string) => hashId(customer) % folds === fold;
  const others = new Map([...histories].filter(([customer]) => !inFold(customer)));
  const foldModel = buildModel(others);
  const customers = [...future.keys()].filter(inFold);
  report(
    `app-unseen-${fold + 1}of${folds}`,
    score(customers, (customer) => recommend(foldModel, histories.get(customer) ?? [], { limit: K }).map((suggestion) => suggestion.item)),
    { trainedOnCustomers: others.size },
    `app model, part ${fold + 1}/${folds} of the customers, built without them`,
  );
}

console.log(`data: ${args.data} (${histories.size.toLocaleString("en")} customers, ${model.purchases.toLocaleString("en")} baskets, ${model.items.length.toLocaleString("en")} items); peak RSS ${peakRssMb} MB`);
for (const result of results) console.log(JSON.stringify(result));
