// The distributed job driver (decision 006): pg-boss 10 on PostgreSQL, for several app or worker
// instances. It maps the app's job options onto pg-boss and adds what pg-boss lacks (shop turns).
//
// What pg-boss 10 cannot do, and what we do instead:
// - Per-shop fairness. pg-boss fetches by (priority desc, created_on); it has no "one per key, in
//   turns" scheduling that does not stall the whole queue (its singleton/stately policies make a
//   fetch fail when the next job's key is already active). So a shop's job gets priority
//   -(that shop's jobs already waiting in the queue): the k-th waiting job of every shop competes
//   with the k-th of the others, and a shop with 10,000 queued jobs does not hold up one job of
//   another shop. Counts race between concurrent enqueues, so the turns are approximate. A worker
//   process also never runs more than `perShopConcurrency` jobs of one shop; a fetched job over that
//   limit waits in the process (already claimed, taking a slot) until the shop's running job ends.
//   Across worker processes nothing limits one shop's concurrency.
// - uniqueKey. Queues use the "short" policy: at most one *queued* (not yet started) job per key,
//   enforced by pg-boss's unique index. Once a job starts, a new one with the key can be queued;
//   handlers are idempotent, so this costs a repeat run at most.
// - Leases. pg-boss has no lease renewal: a job active longer than its queue's expiry is failed by
//   pg-boss's maintenance and retried, even if its worker is alive. Expiry is set per job name from
//   the longest run we expect; a killed worker's job is retried after that expiry.
// - Backoff. pg-boss's is exponential with jitter but has no cap (it stops growing at 2^16 * delay).
import { randomUUID } from "node:crypto";

import PgBoss from "pg-boss";

import { postgresConnection } from "../../db.server";
import { DEFAULT_MAX_ATTEMPTS } from "./database-queue.server";
import { logPollFailure, pollDelayMs } from "./poll-backoff";
import { JOB_NAMES, type EnqueueOptions, type Job, type JobHandlers, type JobName, type JobPayloads, type JobQueue, type JobStatus, type WorkerOptions } from "./types";

const DEFAULTS = { concurrency: 4, perShopConcurrency: 1, pollIntervalMs: 250 };
// The longest we expect each job to run; past it pg-boss considers the worker dead (see above).
const EXPIRE_IN_SECONDS: Record<JobName, number> = { "webhook.process": 5 * 60, "webhook.drain": 15 * 60, "sync.import": 6 * 60 * 60, "sync.reconcile": 60 * 60, "customers.tag": 60 * 60, "loyalty.evaluate": 15 * 60, "loyalty.recompute": 60 * 60, "loyalty.push": 60 * 60, "segments.update": 15 * 60, "segments.recompute": 60 * 60, "segments.push": 60 * 60, "recommendations.build": 60 * 60 };
// Counting a shop's backlog stops here: beyond it the priority is low enough either way.
const BACKLOG_COUNT_LIMIT = 10_000;

export interface PgBossQueueOptions {
  /** A postgresql:// URL; a `?schema=` in it is the app's schema and is ignored here. */
  databaseUrl: string;
  /** The PostgreSQL schema pg-boss keeps its tables in (default "pgboss"). */
  schema?: string;
  /** Per job name, how long a job may run before pg-boss fails it as abandoned. */
  expireInSeconds?: Partial<Record<JobName, number>>;
  /** First retry delay in seconds (default 1), doubled per attempt when retryBackoff (default true). */
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  /** How often pg-boss looks for expired jobs (default 60 s). */
  maintenanceIntervalSeconds?: number;
}

interface Envelope {
  shop: string | null;
  payload: unknown;
}

type FetchedJob = PgBoss.JobWithMetadata<Envelope>;

// pg-boss state -> the app's status. pg-boss "failed" is final (our "dead"); "retry" awaits a retry.
const STATUS: Record<string, JobStatus> = { created: "queued", retry: "failed", active: "running", completed: "completed", cancelled: "cancelled", failed: "dead" };

const enqueued = new Set<() => void>();

export function createPgBossQueue({ databaseUrl, schema = "pgboss", expireInSeconds = {}, retryDelaySeconds = 1, retryBackoff = true, maintenanceIntervalSeconds = 60 }: PgBossQueueOptions): JobQueue {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`pg-boss schema "${schema}" must be a lower-case identifier`);
  const { connectionString } = postgresConnection(databaseUrl);
  const boss = new PgBoss({ connectionString, schema, schedule: false, maintenanceIntervalSeconds, max: 10 });
  boss.on("error", (error) => console.error("[jobs] pg-boss:", error));

  let started: Promise<void> | undefined;
  const ready = () =>
    (started ??= (async () => {
      await boss.start();
      for (const name of JOB_NAMES) {
        const options = { name, policy: "short" as const, expireInSeconds: expireInSeconds[name] ?? EXPIRE_IN_SECONDS[name], retryDelay: retryDelaySeconds, retryBackoff };
        await boss.createQueue(name, options);
        await boss.updateQueue(name, options); // createQueue keeps an existing queue's settings
      }
    })());
  const sql = async <T>(text: string, values: unknown[]) => (await boss.getDb().executeSql(text, values)).rows as T[];

  let worker: { stop(): Promise<void> } | undefined;

  async function enqueue<N extends JobName>(name: N, payload: JobPayloads[N], options: EnqueueOptions = {}): Promise<string | null> {
    await ready();
    const shop = options.shop ?? null;
    let priority = 0;
    if (shop) {
      const [row] = await sql<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM (SELECT 1 FROM ${schema}.job WHERE name = $1 AND state < 'active' AND data->>'shop' = $2 LIMIT ${BACKLOG_COUNT_LIMIT}) backlog`,
        [name, shop],
      );
      priority = -(row?.waiting ?? 0);
    }
    const envelope: Envelope = { shop, payload };
    const id = await boss.send(name, envelope, {
      priority,
      // The "short" policy's unique index treats every keyless job as key '': a job without a
      // uniqueKey gets a key of its own.
      singletonKey: options.uniqueKey ?? `job:${randomUUID()}`,
      startAfter: options.runAt,
      retryLimit: (options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS) - 1,
    });
    if (id) for (const wake of enqueued) wake();
    return id;
  }

  async function work(handlers: JobHandlers, options: WorkerOptions = {}): Promise<void> {
    if (worker) throw new Error("This queue already has a worker; create another queue for a second one");
    await ready();
    const concurrency = Math.max(1, options.concurrency ?? DEFAULTS.concurrency);
    const perShop = Math.max(1, options.perShopConcurrency ?? DEFAULTS.perShopConcurrency);
    const pollIntervalMs = options.pollIntervalMs ?? DEFAULTS.pollIntervalMs;

    const running = new Map<string, Promise<void>>();
    const runningPerShop = new Map<string, number>();
    // Claimed jobs of shops at their limit, started when the shop's running job ends.
    const held: FetchedJob[] = [];
    let nextQueue = 0;
    let stopping = false;
    let wakeUp: (() => void) | undefined;
    const wake = () => wakeUp?.();
    enqueued.add(wake);

    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        }
        wakeUp = done;
      });

    const shopFree = (job: FetchedJob) => !job.data.shop || (runningPerShop.get(job.data.shop) ?? 0) < perShop;

    /** One job from the queues in turn, so one busy queue does not starve the others. */
    async function fetchNext(): Promise<FetchedJob | null> {
      for (let i = 0; i < JOB_NAMES.length; i++) {
        const name = JOB_NAMES[(nextQueue + i) % JOB_NAMES.length]!;
        const [job] = await boss.fetch<Envelope>(name, { batchSize: 1, includeMetadata: true });
        if (job) {
          nextQueue = (nextQueue + i + 1) % JOB_NAMES.length;
          return job;
        }
      }
      return null;
    }

    async function run(fetched: FetchedJob) {
      try {
        const handler = handlers[fetched.name as JobName] as ((job: Job) => Promise<void>) | undefined;
        if (!handler) throw new Error(`No handler for job "${fetched.name}" in this worker (known: ${Object.keys(handlers).join(", ") || "none"})`);
        const job: Job = {
          id: fetched.id,
          name: fetched.name as JobName,
          shop: fetched.data.shop,
          payload: fetched.data.payload as Job["payload"],
          attempt: fetched.retryCount + 1,
          maxAttempts: fetched.retryLimit + 1,
        };
        await handler(job);
        await boss.complete(fetched.name, fetched.id);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await boss.fail(fetched.name, fetched.id, { message }).catch((failure: unknown) => console.error(`[jobs] failing ${fetched.name} ${fetched.id} failed:`, failure));
      }
    }

    function start(job: FetchedJob) {
      const shop = job.data.shop;
      if (shop) runningPerShop.set(shop, (runningPerShop.get(shop) ?? 0) + 1);
      const task = run(job).finally(() => {
        running.delete(job.id);
        if (shop) {
          const left = (runningPerShop.get(shop) ?? 1) - 1;
          if (left > 0) runningPerShop.set(shop, left);
          else runningPerShop.delete(shop);
        }
        wake();
      });
      running.set(job.id, task);
    }

    async function loop() {
      let failures = 0;
      while (!stopping) {
        try {
          while (!stopping) {
            for (let index = 0; index < held.length && running.size < concurrency; ) {
              if (shopFree(held[index]!)) start(held.splice(index, 1)[0]!);
              else index++;
            }
            // Held jobs take slots too, so a process never claims more than it could run at once.
            if (running.size + held.length >= concurrency) break;
            const job = await fetchNext();
            if (!job) break;
            if (shopFree(job)) start(job);
            else held.push(job);
          }
          failures = 0;
        } catch (error) {
          failures++;
          logPollFailure("fetching a job", failures, error);
        }
        if (!stopping) await sleep(pollDelayMs(pollIntervalMs, failures));
      }
    }

    const looping = loop();
    worker = {
      async stop() {
        stopping = true;
        wake();
        await looping;
        // Held jobs never started: hand them back (cancel + resume puts them back in the queue).
        for (const job of held.splice(0)) {
          await boss.cancel(job.name, job.id);
          await boss.resume(job.name, job.id);
        }
        await Promise.allSettled(running.values());
        enqueued.delete(wake);
      },
    };
  }

  async function stop() {
    const current = worker;
    if (!current) return;
    await current.stop();
    worker = undefined;
  }

  return {
    driver: "pg-boss",
    enqueue,
    work,
    stop,
    async close() {
      await stop();
      if (started) await boss.stop({ graceful: false, close: true });
    },
    async cancelShop(shop: string) {
      await ready();
      const rows = await sql<{ name: string; id: string }>(`SELECT name, id::text AS id FROM ${schema}.job WHERE state < 'active' AND data->>'shop' = $1`, [shop]);
      for (const name of new Set(rows.map((row) => row.name))) {
        await boss.cancel(
          name,
          rows.filter((row) => row.name === name).map((row) => row.id),
        );
      }
      return rows.length;
    },
    async counts(shop?: string) {
      await ready();
      const rows = await sql<{ state: string; count: number }>(
        `SELECT state::text AS state, count(*)::int AS count FROM ${schema}.job WHERE $1::text IS NULL OR data->>'shop' = $1 GROUP BY state`,
        [shop ?? null],
      );
      const counts: Partial<Record<JobStatus, number>> = {};
      for (const row of rows) {
        const status = STATUS[row.state];
        if (status) counts[status] = (counts[status] ?? 0) + row.count;
      }
      return counts;
    },
  };
}
