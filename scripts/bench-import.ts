// `npm run bench:import [-- --customers N --orders N --products N --db sqlite|postgres|both] [--floor]`:
// measures the initial import on SQLite and PostgreSQL (with --floor, what its parts cost alone). The store's bulk JSONL files come from the
// emulator's own store and bulk code, generated once into a cache folder by a child process that
// then serves them over HTTP (as Shopify's storage would), so neither generation nor serving is in
// the measured import or its memory. Prints human lines, then one JSON object per database.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import pg from "pg";

import { createPrismaClient, repoRoot } from "../app/db.server";
import { analyzeArchive, refreshOrderDates } from "../app/modules/customers/customer-stats.server";
import type { AdminGraphql } from "../app/modules/shopify/admin-graphql.server";
import { BULK_OPERATION_STATUS, RUN_BULK_QUERY } from "../app/modules/sync/bulk-documents";
import { toBulkRows } from "../app/modules/sync/bulk-rows";
import { openBulkWriter, type BulkBatch } from "../app/modules/sync/bulk-writer.server";
import { splitLines } from "../app/modules/sync/import-file.server";
import { DEFAULT_BATCH_SIZE, IMPORT_RESOURCES, runInitialImport } from "../app/modules/sync/initial-import.server";
import { applyMigrations } from "./setup-db";

const SHOP = "bench-shop.myshopify.com";
const SEED = 7;

interface Flags {
  customers: number;
  orders: number;
  products: number;
  db: "sqlite" | "postgres" | "both";
  serve: boolean;
  /** Set in the child process that measures one database: where the files are served. */
  baseUrl: string | null;
  /** Measure the import's parts alone instead of the import (measureFloor). */
  floor: boolean;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { customers: 100_000, orders: 500_000, products: 500, db: "both", serve: false, baseUrl: null, floor: false };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i]!.replace(/^--/, "").split("=");
    const value = () => inline ?? argv[++i] ?? "";
    if (name === "customers" || name === "orders" || name === "products") flags[name] = Number(value().replace(/_/g, ""));
    else if (name === "db") flags.db = value() as Flags["db"];
    else if (name === "serve") flags.serve = true;
    else if (name === "base-url") flags.baseUrl = value();
    else if (name === "floor") flags.floor = true;
    else throw new Error(`Unknown flag ${argv[i]}`);
  }
  if (!["sqlite", "postgres", "both"].includes(flags.db)) throw new Error("--db must be sqlite, postgres or both");
  return flags;
}

interface Manifest {
  resources: Record<string, { file: string; objectCount: number; bytes: number }>;
}

// The cache key covers the store's size and the bulk queries, so changing a query regenerates.
function cacheDir(flags: Flags): string {
  const queries = createHash("sha256").update(IMPORT_RESOURCES.map((r) => r.query).join("\n")).digest("hex").slice(0, 10);
  return path.join(os.tmpdir(), "crm-bench-import", `c${flags.customers}-o${flags.orders}-p${flags.products}-s${SEED}-${queries}`);
}

/** Child process: runs the emulator's bulk queries once per store size, then serves the files. */
async function generateAndServe(flags: Flags) {
  const dir = cacheDir(flags);
  const manifestPath = path.join(dir, "manifest.json");
  if (!existsSync(manifestPath)) {
    const { createEmulator } = await import("../dev/emulator/index");
    const building = `${dir}.building-${process.pid}`;
    mkdirSync(building, { recursive: true });
    const emulator = await createEmulator({
      apiKey: "bench",
      apiSecret: "bench",
      shops: [{ domain: SHOP, customers: flags.customers, orders: flags.orders, products: flags.products, seed: SEED }],
      autoWebhooks: false,
      bulkRowsPerTick: 5000,
      throttle: { maximumAvailable: 1e9, restoreRate: 1e9 },
    });
    const token = emulator.issueAccessToken(SHOP);
    const manifest: Manifest = { resources: {} };
    for (const { resource, query } of IMPORT_RESOURCES) {
      const started = Date.now();
      const result = await emulator.graphql(SHOP, token, RUN_BULK_QUERY, { query });
      const id = (result.body as { data: { bulkOperationRunQuery: { bulkOperation: { id: string } } } }).data.bulkOperationRunQuery.bulkOperation.id;
      const operation = emulator.bulk.operations.get(Number(/\d+$/.exec(id)![0]))!;
      await operation.done;
      if (operation.status !== "COMPLETED") throw new Error(`bulk ${resource} ended ${operation.status}`);
      copyFileSync(operation.file, path.join(building, `${resource}.jsonl`));
      manifest.resources[resource] = { file: `${resource}.jsonl`, objectCount: operation.objectCount, bytes: operation.fileSize ?? 0 };
      process.stderr.write(`generated ${resource}: ${operation.objectCount.toLocaleString("en")} objects in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    }
    await emulator.close();
    writeFileSync(path.join(building, "manifest.json"), JSON.stringify(manifest));
    rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  const server = createServer((req, res) => {
    const name = decodeURIComponent((req.url ?? "/").slice(1));
    const entry = Object.values(manifest.resources).find((r) => r.file === name);
    if (!entry) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "application/jsonl", "Content-Length": entry.bytes });
    createReadStream(path.join(dir, entry.file), { highWaterMark: 256 * 1024 }).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  process.stdout.write(`${JSON.stringify({ port, manifest })}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => server.close(() => process.exit(0)));
}

/** Starts the generator/server child and waits for its address. */
async function startFileServer(flags: Flags): Promise<{ baseUrl: string; manifest: Manifest; stop: () => void }> {
  const script = fileURLToPath(import.meta.url);
  const args = ["--import", "tsx", script, "--serve", "--customers", String(flags.customers), "--orders", String(flags.orders), "--products", String(flags.products)];
  const child = spawn(process.execPath, args, { cwd: repoRoot(), stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`generator exited with ${code}`)));
  });
  const { port, manifest } = JSON.parse(first) as { port: number; manifest: Manifest };
  return { baseUrl: `http://127.0.0.1:${port}`, manifest, stop: () => child.stdin!.end() };
}

/** An Admin client whose bulk operations are already complete: the pre-generated files. */
function preparedAdmin(baseUrl: string, manifest: Manifest): AdminGraphql {
  const byName: Record<string, string> = { ProductsExport: "products", CustomersExport: "customers", OrdersExport: "orders" };
  const reply = (data: unknown) => new Response(JSON.stringify({ data, extensions: { cost: { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 2000, restoreRate: 100 } } } }));
  return {
    graphql: async (query, options) => {
      if (query === RUN_BULK_QUERY) {
        const bulkQuery = String(options?.variables?.query ?? "");
        const resource = Object.entries(byName).find(([name]) => bulkQuery.includes(name))![1];
        return reply({ bulkOperationRunQuery: { bulkOperation: { id: `gid://shopify/BulkOperation/${resource}`, status: "CREATED" }, userErrors: [] } });
      }
      if (query === BULK_OPERATION_STATUS) {
        const resource = String(options?.variables?.id).split("/").pop()!;
        const entry = manifest.resources[resource]!;
        return reply({ node: { id: options?.variables?.id, status: "COMPLETED", errorCode: null, objectCount: String(entry.objectCount), rootObjectCount: "0", fileSize: String(entry.bytes), url: `${baseUrl}/${entry.file}`, partialDataUrl: null, createdAt: null, completedAt: null } });
      }
      throw new Error("bench admin: unexpected query");
    },
  };
}

interface Result {
  bench: "import";
  db: "sqlite" | "postgres";
  customers: number;
  orders: number;
  rows: number;
  seconds: number;
  ordersPerSec: number;
  rowsPerSec: number;
  peakRssMb: number;
  /** The process before the import started (tsx, Prisma, the bench itself): what the import adds is the difference. */
  baselineRssMb: number;
  peakMainHeapMb: number;
}

async function measure(db: Result["db"], url: string, flags: Flags, baseUrl: string, manifest: Manifest): Promise<Result> {
  await applyMigrations({ url, log: () => undefined });
  const prisma = createPrismaClient(url);
  try {
    await prisma.shop.create({ data: { shop: SHOP, name: "Bench", currencyCode: "USD", installedAt: new Date() } });
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    let peakHeap = 0; // this thread's JS heap, to tell it from the worker's and SQLite's memory
    let phasePeak = 0; // RSS peak of the phase under way: which phase sets the import's peak
    const sampler = setInterval(() => {
      const usage = process.memoryUsage();
      peak = Math.max(peak, usage.rss);
      phasePeak = Math.max(phasePeak, usage.rss);
      peakHeap = Math.max(peakHeap, usage.heapTotal + usage.external);
    }, 100);
    const started = performance.now();
    const phases: string[] = [];
    const onPhase = (phase: string, took: number) => {
      phases.push(`${phase} ${took.toFixed(1)} s (${Math.round(Math.max(phasePeak, process.memoryUsage().rss) / 2 ** 20)} MB)`);
      phasePeak = 0;
    };
    await runInitialImport({ shop: SHOP, admin: preparedAdmin(baseUrl, manifest), db: prisma, databaseUrl: url, currencyCode: "USD", pollIntervalMs: 10, onPhase });
    const seconds = (performance.now() - started) / 1000;
    console.log(`${db}: where the time goes (and each phase's peak RSS) - ${phases.join(", ")}`);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const [customers, orders] = await Promise.all([prisma.customer.count({ where: { shop: SHOP } }), prisma.order.count({ where: { shop: SHOP } })]);
    if (customers !== flags.customers || orders !== flags.orders) throw new Error(`imported ${customers} customers / ${orders} orders, expected ${flags.customers} / ${flags.orders}`);
    const rows = await archivedRows(prisma);
    return { bench: "import", db, customers, orders, rows, seconds: round(seconds, 2), ordersPerSec: Math.round(orders / seconds), rowsPerSec: Math.round(rows / seconds), peakRssMb: round(peak / 2 ** 20, 1), baselineRssMb: round(baseline / 2 ** 20, 1), peakMainHeapMb: round(peakHeap / 2 ** 20, 1) };
  } finally {
    await prisma.$disconnect();
  }
}

/** The bench shop's rows in the import's tables. */
async function archivedRows(prisma: ReturnType<typeof createPrismaClient>): Promise<number> {
  const where = { where: { shop: SHOP } };
  const counts = await Promise.all([
    prisma.customer.count(where),
    prisma.order.count(where),
    prisma.orderLine.count(where),
    prisma.refund.count(where),
    prisma.product.count(where),
    prisma.productVariant.count(where),
  ]);
  return counts.reduce((sum, count) => sum + count, 0);
}

interface FloorResult {
  bench: "import-floor";
  db: "sqlite" | "postgres";
  rows: number;
  /** JSON.parse of every line of the three files, read from disk: one core. */
  parseSeconds: number;
  /** The same rows, parsed and gathered into batches beforehand, written through the import's writer on this thread. */
  writeSeconds: number;
  /** The customers' first and last order dates, then the secondary indexes (and SQLite's search index), then ANALYZE: the import's steps after the load. */
  afterLoadSeconds: number;
  /** Parsing and writing overlapped perfectly on two cores, then the steps after the load: the least any import of this store can take here. */
  floorSeconds: number;
  peakRssMb: number;
}

/**
 * `--floor`: what the import's parts cost alone on this machine - JSON.parse of the files, the
 * writer writing rows prepared beforehand (no parsing, mapping or encoding in its time), the steps
 * after the load as the import runs them - so a run of the import can be set against the least its
 * parts allow. The prepared batches are held in memory (the child gets a heap large enough).
 */
async function measureFloor(db: FloorResult["db"], url: string, flags: Flags, manifest: Manifest): Promise<FloorResult> {
  await applyMigrations({ url, log: () => undefined });
  const prisma = createPrismaClient(url);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const files = IMPORT_RESOURCES.map(({ resource }) => path.join(cacheDir(flags), manifest.resources[resource]!.file));
  const lines = (file: string) => splitLines(createReadStream(file, { highWaterMark: 256 * 1024 }));
  const seconds = (since: number) => round((performance.now() - since) / 1000, 2);
  try {
    let started = performance.now();
    for (const file of files) for await (const line of lines(file)) JSON.parse(line);
    const parseSeconds = seconds(started);
    const writer = await openBulkWriter(url);
    try {
      if (!(await writer.deferIndexes(SHOP))) throw new Error("the floor's archive must hold no other shop");
      const batches: BulkBatch[] = [];
      let rows = 0;
      for (const file of files) {
        let batch = writer.newBatch();
        for await (const line of lines(file)) {
          for (const row of toBulkRows(SHOP, JSON.parse(line) as Record<string, unknown>, "USD")) batch.add(row);
          if (batch.size < DEFAULT_BATCH_SIZE) continue;
          rows += batch.size;
          batches.push(batch);
          batch = writer.newBatch();
        }
        rows += batch.size;
        batches.push(batch);
      }
      started = performance.now();
      for (const batch of batches) await writer.write(batch);
      const writeSeconds = seconds(started);
      batches.length = 0;
      const stored = await archivedRows(prisma);
      if (stored !== rows) throw new Error(`the floor's writes stored ${stored} of ${rows} rows`);
      started = performance.now();
      await refreshOrderDates(prisma, { shop: SHOP });
      await writer.restoreIndexes();
      await analyzeArchive(prisma);
      const afterLoadSeconds = seconds(started);
      const floorSeconds = round(Math.max(parseSeconds, writeSeconds) + afterLoadSeconds, 2);
      return { bench: "import-floor", db, rows, parseSeconds, writeSeconds, afterLoadSeconds, floorSeconds, peakRssMb: round(peak / 2 ** 20, 1) };
    } finally {
      await writer.close();
    }
  } finally {
    clearInterval(sampler);
    await prisma.$disconnect();
  }
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

async function postgresReachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Measures one database in this process (the child measureInChild started); null when PostgreSQL is not reachable. */
async function measureOne(flags: Flags, db: "sqlite" | "postgres", baseUrl: string): Promise<Result | FloorResult | null> {
  const manifest = JSON.parse(readFileSync(path.join(cacheDir(flags), "manifest.json"), "utf8")) as Manifest;
  const run = (url: string) => (flags.floor ? measureFloor(db, url, flags, manifest) : measure(db, url, flags, baseUrl, manifest));
  if (db === "sqlite") {
    const dir = path.join(os.tmpdir(), "crm-bench-import");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `bench-${process.pid}.db`);
    try {
      return await run(`file:${file}`);
    } finally {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
    }
  }
  const base = process.env.BENCH_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  const problem = await postgresReachable(base);
  if (problem) {
    console.log(`postgres: skipped (${base} is not reachable: ${problem})`);
    return null;
  }
  const schema = `bench_import_${process.pid}`;
  const url = new URL(base);
  url.searchParams.set("schema", schema);
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    return await run(url.toString());
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

const RESULT_LINE = "bench-import-result ";

/**
 * Each database in a process of its own: memory a process has used stays in its RSS, so measured
 * after SQLite in the same process PostgreSQL's peak started ~90 MB higher.
 */
async function measureInChild<R extends Result | FloorResult>(flags: Flags, db: "sqlite" | "postgres", baseUrl: string): Promise<R | null> {
  const args = ["--import", "tsx", fileURLToPath(import.meta.url), "--db", db, "--base-url", baseUrl, "--customers", String(flags.customers), "--orders", String(flags.orders), "--products", String(flags.products)];
  // The floor holds every prepared batch at once (peak RSS ~1 GB for the default store).
  if (flags.floor) args.unshift("--max-old-space-size=8192");
  if (flags.floor) args.push("--floor");
  // glibc's malloc arenas capped at two, as `npm start` and `npm run worker` run the app
  // (package.json): with an arena per thread the import's three threads left ~15 MB more RSS.
  const env = { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2" };
  const child = spawn(process.execPath, [...process.execArgv.filter((arg) => arg === "--expose-gc" || arg.startsWith("--cpu-prof")), ...args], { cwd: repoRoot(), env, stdio: ["ignore", "pipe", "inherit"] });
  let result: R | null = null;
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (line.startsWith(RESULT_LINE)) result = JSON.parse(line.slice(RESULT_LINE.length)) as R;
    else console.log(line);
  });
  const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
  if (code !== 0) throw new Error(`bench:import for ${db} exited with ${code}`);
  return result;
}

/** The issue's reference machine: JSON.parse of bulk JSONL read by readline, lines per second on one core. */
const REFERENCE_PARSE_LINES_PER_SEC = 180_000;

/**
 * This machine's speed as the issue states its reference's: the orders file read by readline and
 * each line JSON.parse'd (the first 500,000 lines), so a run's times can be scaled to the targets.
 */
async function parseLinesPerSec(flags: Flags): Promise<number> {
  const input = createReadStream(path.join(cacheDir(flags), "orders.jsonl"));
  const lines = createInterface({ input, crlfDelay: Infinity });
  const started = performance.now();
  let count = 0;
  for await (const line of lines) {
    JSON.parse(line);
    if (++count === 500_000) break;
  }
  lines.close();
  input.destroy();
  return Math.round(count / ((performance.now() - started) / 1000));
}

async function main() {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.serve) return generateAndServe(flags);
  if (flags.baseUrl) {
    if (flags.db === "both") throw new Error("--base-url measures one database: --db sqlite or postgres");
    const result = await measureOne(flags, flags.db, flags.baseUrl);
    if (result) console.log(`${RESULT_LINE}${JSON.stringify(result)}`);
    return;
  }

  console.log(`bench:import - ${flags.customers.toLocaleString("en")} customers, ${flags.orders.toLocaleString("en")} orders, ${flags.products} products (generating/reusing files in ${cacheDir(flags)})`);
  const generationStarted = performance.now();
  const server = await startFileServer(flags);
  const objects = Object.values(server.manifest.resources).reduce((sum, r) => sum + r.objectCount, 0);
  const megabytes = Object.values(server.manifest.resources).reduce((sum, r) => sum + r.bytes, 0) / 2 ** 20;
  console.log(`files ready in ${((performance.now() - generationStarted) / 1000).toFixed(1)} s: ${objects.toLocaleString("en")} JSONL objects, ${megabytes.toFixed(0)} MB`);
  const parseRate = await parseLinesPerSec(flags);
  const scale = parseRate / REFERENCE_PARSE_LINES_PER_SEC;
  console.log(`this machine: JSON.parse of the orders file by readline ${parseRate.toLocaleString("en")} lines/s - ${scale.toFixed(2)}x the issue's reference (~${REFERENCE_PARSE_LINES_PER_SEC.toLocaleString("en")}); the default store's targets scaled: SQLite ${(20 / scale).toFixed(1)} s, PostgreSQL ${(25 / scale).toFixed(1)} s`);
  if (flags.floor) return floorMain(await measureEach<FloorResult>(flags, server), scale, parseRate);
  const results = await measureEach<Result>(flags, server);
  for (const result of results) {
    console.log(
      `${result.db}: ${result.seconds} s, ${result.ordersPerSec.toLocaleString("en")} orders/s, ${result.rowsPerSec.toLocaleString("en")} rows/s (${result.rows.toLocaleString("en")} rows), peak RSS ${result.peakRssMb} MB (${result.baselineRssMb} MB before the import)`,
    );
  }
  for (const result of results) console.log(JSON.stringify({ ...result, parseLinesPerSec: parseRate }));
}

/** Each database asked for, measured in a child process of its own; then the file server stops. */
async function measureEach<R extends Result | FloorResult>(flags: Flags, server: { baseUrl: string; stop: () => void }): Promise<R[]> {
  const results: R[] = [];
  try {
    for (const db of flags.db === "both" ? (["sqlite", "postgres"] as const) : [flags.db]) {
      const result = await measureInChild<R>(flags, db, server.baseUrl);
      if (result) results.push(result);
    }
  } finally {
    server.stop();
  }
  return results;
}

/** `--floor`: each database's parts measured alone (measureFloor), and what they allow at the reference speed. */
function floorMain(results: FloorResult[], scale: number, parseRate: number) {
  const targets = { sqlite: 20, postgres: 25 };
  for (const r of results) {
    console.log(
      `${r.db} floor: JSON.parse of every line ${r.parseSeconds} s (one core); the ${r.rows.toLocaleString("en")} rows, prepared beforehand, written ${r.writeSeconds} s; order dates, indexes and ANALYZE ${r.afterLoadSeconds} s - ` +
        `at best ${r.floorSeconds} s here (parsing and writing fully overlapped, then the rest), ~${(r.floorSeconds * scale).toFixed(1)} s at the reference against its ${targets[r.db]} s target (peak RSS ${r.peakRssMb} MB)`,
    );
  }
  for (const result of results) console.log(JSON.stringify({ ...result, parseLinesPerSec: parseRate }));
}

await main();
