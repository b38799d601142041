// What the database benchmarks share: figures (median, percentiles), the app's environment for a
// benchmark database, peak-RSS sampling, and running one child process per database engine so
// each engine's memory and warm caches are its own.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

import { repoRoot } from "../app/db.server";

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
export const seconds = (since: number) => (performance.now() - since) / 1000;
export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
/** The nearest-rank percentile (p95: the value 95% of the samples are at or under). */
export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

/** The app's environment for a benchmark database (the app reads DATABASE_URL once, at first use); no job worker. */
export function benchEnvironment(url: string) {
  process.env.DATABASE_URL = url;
  process.env.SHOPIFY_API_KEY ??= "bench";
  process.env.SHOPIFY_API_SECRET ??= "bench";
  process.env.SHOPIFY_APP_URL ??= "http://127.0.0.1";
  process.env.JOB_WORKER = "off";
}

/** Samples this process's RSS every 100 ms until stopped. */
export function sampleRss() {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  return { peakMb: () => round(Math.max(peak, process.memoryUsage().rss) / 2 ** 20, 1), stop: () => clearInterval(sampler) };
}

/**
 * Runs `script` (this benchmark's own file, import.meta.url) once per engine with `--db <engine>`
 * and `args`; passes its human lines through and returns its JSON lines (those starting with
 * `{"bench":"<bench>`) for the caller to print last. A failed child sets the exit code.
 */
export async function runEachEngine({ script, bench, args }: { script: string; bench: string; args: string[] }): Promise<string[]> {
  const json: string[] = [];
  for (const provider of ["sqlite", "postgres"] as const) {
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(script), "--db", provider, ...args], { cwd: repoRoot(), stdio: ["ignore", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => (line.startsWith(`{"bench":"${bench}`) ? json.push(line) : console.log(line)));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    if (code !== 0) {
      process.exitCode = 1;
      console.log(`${provider}: the benchmark process exited with ${code}`);
    }
  }
  return json;
}

export interface BenchFlags {
  customers: number;
  orders: number;
  db: "sqlite" | "postgres" | "both";
  runs: number;
  /** Products in the generated catalogue. */
  products: number;
  /** Diagnosis: leave the seeded database behind (its URL is printed) for EXPLAIN and friends. */
  keep: boolean;
}

/** `--customers N --orders N --db sqlite|postgres|both --runs N --keep`, checked (100,000 / 500,000 / both by default). */
export function benchFlags({ runs, products = 500 }: { runs: number; products?: number }): BenchFlags {
  const { values } = parseArgs({
    options: {
      customers: { type: "string", default: "100000" },
      orders: { type: "string", default: "500000" },
      db: { type: "string", default: "both" },
      runs: { type: "string", default: String(runs) },
      products: { type: "string", default: String(products) },
      keep: { type: "boolean", default: false },
    },
  });
  const flags: BenchFlags = { customers: Number(values.customers!.replace(/_/g, "")), orders: Number(values.orders!.replace(/_/g, "")), db: values.db as BenchFlags["db"], runs: Number(values.runs), products: Number(values.products!.replace(/_/g, "")), keep: values.keep === true };
  if (!["sqlite", "postgres", "both"].includes(flags.db)) throw new Error("--db must be sqlite, postgres or both");
  if (!(flags.customers > 0 && flags.orders >= 0 && flags.runs > 0 && flags.products > 0)) throw new Error("--customers, --orders, --products and --runs must be positive numbers");
  return flags;
}

/** The same flags for a child process (one engine each). */
export const childArgs = (flags: BenchFlags) => ["--customers", String(flags.customers), "--orders", String(flags.orders), "--runs", String(flags.runs), "--products", String(flags.products), ...(flags.keep ? ["--keep"] : [])];

/** A benchmark's entry: with `--db both` one child process per engine (JSON lines printed last), otherwise `runOne` here. */
export async function runBench({ script, bench, flags, runOne }: { script: string; bench: string; flags: BenchFlags; runOne: (provider: "sqlite" | "postgres") => Promise<void> }): Promise<void> {
  if (flags.db !== "both") return runOne(flags.db);
  for (const line of await runEachEngine({ script, bench, args: childArgs(flags) })) console.log(line);
}
