// `npm run bench:tiers [-- --customers N --orders N --db sqlite|postgres|both --runs N]`: seeds the
// benchmark store (100,000 customers, 500,000 orders; scripts/bench-store.ts) per engine, then times
// the loyalty program through the app's own functions (decision 010):
// - the full recompute of every member (tiers from the full order history, and the points ledger
//   for the orders of the last year) - first from nothing (the import's), then as the daily sweep
//   finds it (every order checked, nothing to settle);
// - the impact preview of a program change, and saving that change (every member moved, one step);
// - one customer's evaluation after an order webhook (incremental).
// Targets: full recompute under 5 s, impact preview under 2 s. Human lines first, then one JSON
// object per line.
import { evaluateDirtyMembers, evaluateMembers, markDirty } from "../app/modules/loyalty/evaluate.server";
import { previewProgram, saveProgram } from "../app/modules/loyalty/loyalty.server";
import type { Program } from "../app/modules/loyalty/program";
import { customerGid, END, random, runSeededBench, SHOP } from "./bench-store";
import { benchFlags, median, percentile, round, runBench, seconds } from "./bench-support";

const TARGETS = { recomputeSeconds: 5, previewSeconds: 2 };

const flags = benchFlags({ runs: 5 });

const NOW = new Date(END);
const ADMIN = { shop: SHOP, userId: "80001", name: "Alice Ng" };

/** The program the shop runs: four tiers on lifetime spend; points on the last year's orders, with the usual bonuses. */
const program: Program = {
  basis: "spend",
  window: { kind: "lifetime", months: 12 },
  graceDays: 30,
  tiers: [
    { key: "member", name: "Member", color: "#8c9196", threshold: 0, perks: "" },
    { key: "silver", name: "Silver", color: "#6d7175", threshold: 20_000, perks: "Free gift wrap" },
    { key: "gold", name: "Gold", color: "#b98900", threshold: 100_000, perks: "Free shipping" },
    { key: "platinum", name: "Platinum", color: "#2c6ecb", threshold: 300_000, perks: "Free shipping, early access" },
  ],
  points: { enabled: true, perUnit: 1, signupBonus: 50, firstOrderBonus: 20, expiryMonths: 12, from: new Date(END - 365 * 86_400_000).toISOString() },
  tagMembers: false,
};
/** The change the merchant considers: Gold from $800 instead of $1,000, over the last 24 months. */
const draft: Program = {
  ...program,
  window: { kind: "rollingMonths", months: 24 },
  tiers: program.tiers.map((tier) => (tier.key === "gold" ? { ...tier, threshold: 80_000 } : tier)),
};

async function runOne(provider: "sqlite" | "postgres") {
  await runSeededBench({ bench: "tiers", provider, flags }, async ({ db, report }) => {
    await db.loyaltyProgram.create({ data: { shop: SHOP, version: 1, settings: JSON.stringify(program), createdAt: NOW } });

    // Full recompute from nothing: what the import's recompute does on install.
    let started = performance.now();
    const first = await db.$transaction((tx) => evaluateMembers(tx, { shop: SHOP, now: NOW, quiet: true }), { timeout: 600_000 });
    let took = seconds(started);
    report(
      {
        scenario: "recompute-first",
        seconds: round(took),
        targetSeconds: TARGETS.recomputeSeconds,
        met: took < TARGETS.recomputeSeconds,
        members: first.evaluated,
        pointsEntries: first.pointsEntries,
        tierChanges: first.tierChanges,
      },
      `full recompute from nothing: ${took.toFixed(2)} s (${first.evaluated.toLocaleString("en")} members, ${first.pointsEntries.toLocaleString(
        "en"
      )} ledger entries, ${first.tierChanges.toLocaleString("en")} tiers set) - target < ${TARGETS.recomputeSeconds} s: ${took < TARGETS.recomputeSeconds ? "met" : "MISSED"}`
    );

    // The daily sweep (loyalty.recompute): everyone again, every order's points checked against the
    // ledger - in steady state there is nothing to settle.
    const settles: number[] = [];
    for (let run = 0; run < flags.runs; run++) {
      started = performance.now();
      await db.$transaction((tx) => evaluateMembers(tx, { shop: SHOP, now: new Date(NOW.getTime() + run * 3_600_000), settlePoints: true }), { timeout: 600_000 });
      settles.push(seconds(started));
    }
    took = Math.max(...settles);
    report(
      {
        scenario: "recompute-sweep",
        seconds: round(median(settles)),
        maxSeconds: round(took),
        runs: flags.runs,
        targetSeconds: TARGETS.recomputeSeconds,
        met: took < TARGETS.recomputeSeconds,
      },
      `full recompute as the daily sweep, every order's points checked (median of ${flags.runs}): ${median(settles).toFixed(2)} s, max ${took.toFixed(2)} s - target < ${
        TARGETS.recomputeSeconds
      } s: ${took < TARGETS.recomputeSeconds ? "met" : "MISSED"}`
    );

    // The impact preview of a change (no writes).
    const previews: number[] = [];
    let impact = await previewProgram({ shop: SHOP, draft, db, now: NOW });
    for (let run = 0; run < flags.runs; run++) {
      started = performance.now();
      impact = await previewProgram({ shop: SHOP, draft, db, now: NOW });
      previews.push(seconds(started));
    }
    took = Math.max(...previews);
    report(
      {
        scenario: "impact-preview",
        seconds: round(median(previews)),
        maxSeconds: round(took),
        runs: flags.runs,
        targetSeconds: TARGETS.previewSeconds,
        met: took < TARGETS.previewSeconds,
        up: impact.up,
        down: impact.down,
      },
      `impact preview (Gold from $800, last 24 months): median ${median(previews).toFixed(2)} s, max ${took.toFixed(2)} s - ${impact.up.toLocaleString(
        "en"
      )} up, ${impact.down.toLocaleString("en")} down - target < ${TARGETS.previewSeconds} s: ${took < TARGETS.previewSeconds ? "met" : "MISSED"}`
    );

    // Saving it: the next version and every member moved, in one transaction.
    started = performance.now();
    const saved = await saveProgram({ actor: ADMIN, draft, db, now: NOW });
    took = seconds(started);
    report(
      { scenario: "program-change", seconds: round(took), targetSeconds: TARGETS.recomputeSeconds, met: took < TARGETS.recomputeSeconds, tierChanges: saved.summary.tierChanges },
      `saving the change (version ${saved.version}, every member moved): ${took.toFixed(2)} s, ${saved.summary.tierChanges.toLocaleString("en")} tier changes - target < ${
        TARGETS.recomputeSeconds
      } s: ${took < TARGETS.recomputeSeconds ? "met" : "MISSED"}`
    );

    // One customer after an order webhook: marked by the archive write, evaluated by the job.
    const rng = random(7);
    const single: number[] = [];
    for (let run = 0; run < 40; run++) {
      const customerId = customerGid(Math.floor(rng() * flags.customers));
      await markDirty(db, SHOP, [customerId]);
      started = performance.now();
      await evaluateDirtyMembers(db, SHOP, NOW);
      single.push(performance.now() - started);
    }
    report(
      { scenario: "one-customer", seconds: round(median(single) / 1000, 4), p50Ms: round(median(single)), p95Ms: round(percentile(single, 95)), runs: single.length },
      `one customer after an order (evaluate the marked member): p50 ${median(single).toFixed(1)} ms, p95 ${percentile(single, 95).toFixed(1)} ms`
    );
  });
}

await runBench({ script: import.meta.url, bench: "tiers", flags, runOne });
