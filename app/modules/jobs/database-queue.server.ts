// The embedded job driver (decision 006): jobs are rows of the app's own Job table, on SQLite or
// PostgreSQL. Claims are atomic, running jobs hold a renewable lease, and shops take turns.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

import { dbProvider, Prisma, type PrismaClient } from "../../db.server";
import { encodeDate } from "../sync/archive-sql";
import { logPollFailure, pollDelayMs } from "./poll-backoff";
import { UNIQUE_WHILE_QUEUED, type EnqueueOptions, type Job, type JobHandlers, type JobName, type JobPayloads, type JobQueue, type JobStatus, type WorkerOptions } from "./types";

export const DEFAULT_MAX_ATTEMPTS = 8;
const DEFAULTS = { concurrency: 4, perShopConcurrency: 1, pollIntervalMs: 250, leaseMs: 30_000 };
const BACKOFF = { baseMs: 1000, capMs: 5 * 60_000 };
// A round of turns is reset at this many shops so the exclusion list stays a small parameter.
const MAX_SHOPS_PER_ROUND = 500;
const ERROR_MAX_LENGTH = 4000;

export interface DatabaseQueueOptions {
  db: PrismaClient;
  /** The database URL the client was built from (only its provider matters). */
  databaseUrl: string;
  /** Retry backoff; tests shorten it. */
  backoff?: { baseMs?: number; capMs?: number };
}

/** Delay before retry number `attempt` (1 after the first failure): exponential, capped, with jitter. */
export function retryDelayMs(attempt: number, { baseMs = BACKOFF.baseMs, capMs = BACKOFF.capMs } = {}, random = Math.random): number {
  const exponential = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  // "Equal jitter": at least half the delay, so retries of jobs that failed together spread out.
  return Math.round(exponential / 2 + (exponential / 2) * random());
}

interface ClaimedRow {
  id: string;
  queue: string;
  shop: string | null;
  payload: string;
  attempts: number;
  maxAttempts: number;
}

// Wakes every database worker of this process when something is enqueued, so a job queued by a web
// request starts without waiting for the next poll.
const enqueued = new Set<() => void>();

const errorText = (error: unknown) => (error instanceof Error ? error.stack || error.message : String(error)).slice(0, ERROR_MAX_LENGTH);

export function createDatabaseQueue({ db, databaseUrl, backoff = {} }: DatabaseQueueOptions): JobQueue {
  const provider = dbProvider(databaseUrl);
  const workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  let worker: { stop(): Promise<void> } | undefined;

  // A plain INSERT that skips a taken uniqueKey: a conflict is the common case for keys like a
  // shop's drain, and as an exception (Prisma's P2002) it cost milliseconds each time.
  const insertSql = (() => {
    const columns = ["id", "queue", "shop", "payload", "status", "uniqueKey", "attempts", "maxAttempts", "runAt", "createdAt"];
    const placeholders = columns.map((_, index) => (provider === "sqlite" ? "?" : `$${index + 1}`));
    return `INSERT INTO "Job" (${columns.map((column) => `"${column}"`).join(", ")}) VALUES (${placeholders.join(", ")}) ON CONFLICT ("uniqueKey") DO NOTHING RETURNING "id"`;
  })();

  async function enqueue<N extends JobName>(name: N, payload: JobPayloads[N], options: EnqueueOptions = {}): Promise<string | null> {
    const id = randomUUID();
    const now = new Date();
    const rows = await db.$queryRawUnsafe<Array<{ id: string }>>(
      insertSql,
      id,
      name,
      options.shop ?? null,
      JSON.stringify(payload),
      "queued",
      options.uniqueKey ?? null,
      0,
      options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      encodeDate(options.runAt ?? now, provider),
      encodeDate(now, provider),
    );
    // uniqueKey is only set while a job is queued, failed or running: no row means "already queued".
    if (rows.length === 0) return null;
    for (const wake of enqueued) wake();
    return id;
  }

  /** PostgreSQL: lock the oldest claimable row, skipping rows other workers hold, and take it in one statement. */
  async function claimPostgres(now: Date, leaseUntil: Date, excludedShops: string[]): Promise<ClaimedRow | null> {
    const rows = await db.$queryRaw<ClaimedRow[]>`
      UPDATE "Job" SET "status" = 'running', "attempts" = "attempts" + 1, "lockedBy" = ${workerId}, "lockedUntil" = ${leaseUntil}::timestamp(3)
      WHERE "id" = (
        SELECT "id" FROM "Job"
        WHERE (("status" IN ('queued', 'failed') AND "runAt" <= ${now}::timestamp(3)) OR ("status" = 'running' AND "lockedUntil" < ${now}::timestamp(3)))
          AND "attempts" < "maxAttempts"
          AND ("shop" IS NULL OR NOT ("shop" = ANY(${excludedShops}::text[])))
        ORDER BY "runAt", "id"
        LIMIT 1
        FOR UPDATE SKIP LOCKED
      )
      RETURNING "id", "queue", "shop", "payload", "attempts", "maxAttempts"`;
    return rows[0] ?? null;
  }

  /** SQLite: read a candidate, then take it only if nobody changed it since (writers are serialised). */
  async function claimSqlite(now: Date, leaseUntil: Date, excludedShops: string[]): Promise<ClaimedRow | null> {
    const select = { id: true, queue: true, shop: true, payload: true, attempts: true, maxAttempts: true, status: true, lockedUntil: true, runAt: true } as const;
    const eligible: Prisma.JobWhereInput = { attempts: { lt: db.job.fields.maxAttempts }, OR: [{ shop: null }, { shop: { notIn: excludedShops } }] };
    for (let tries = 0; tries < 5; tries++) {
      // One query per status, each walking the (status, runAt) index in order: a single query with
      // OR sorts every due row, which costs milliseconds per claim behind a large backlog.
      const candidates = await Promise.all([
        db.job.findFirst({ where: { status: "queued", runAt: { lte: now }, ...eligible }, orderBy: { runAt: "asc" }, select }),
        db.job.findFirst({ where: { status: "failed", runAt: { lte: now }, ...eligible }, orderBy: { runAt: "asc" }, select }),
        db.job.findFirst({ where: { status: "running", lockedUntil: { lt: now }, ...eligible }, orderBy: { runAt: "asc" }, select }),
      ]);
      const candidate = candidates.reduce((best, job) => (job && (!best || job.runAt < best.runAt) ? job : best), null);
      if (!candidate) return null;
      // attempts grows with every claim and lockedUntil with every renewal: unchanged means unclaimed.
      const { count } = await db.job.updateMany({
        where: { id: candidate.id, status: candidate.status, attempts: candidate.attempts, lockedUntil: candidate.lockedUntil },
        data: { status: "running", attempts: { increment: 1 }, lockedBy: workerId, lockedUntil: leaseUntil },
      });
      if (count === 1) return { id: candidate.id, queue: candidate.queue, shop: candidate.shop, payload: candidate.payload, attempts: candidate.attempts + 1, maxAttempts: candidate.maxAttempts };
    }
    return null;
  }

  /** Jobs whose worker died on their last attempt: nobody may run them again. */
  async function buryExhausted(now: Date) {
    await db.job.updateMany({
      where: { status: "running", lockedUntil: { lt: now }, attempts: { gte: db.job.fields.maxAttempts } },
      data: { status: "dead", uniqueKey: null, lockedBy: null, lockedUntil: null, finishedAt: now, lastError: "The worker stopped (crash or kill) during the last attempt" },
    });
  }

  async function work(handlers: JobHandlers, options: WorkerOptions = {}): Promise<void> {
    if (worker) throw new Error("This queue already has a worker; create another queue for a second one");
    const concurrency = Math.max(1, options.concurrency ?? DEFAULTS.concurrency);
    const perShop = Math.max(1, options.perShopConcurrency ?? DEFAULTS.perShopConcurrency);
    const pollIntervalMs = options.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
    const leaseMs = options.leaseMs ?? DEFAULTS.leaseMs;

    const running = new Map<string, Promise<void>>();
    const runningPerShop = new Map<string, number>();
    // Shops served in the current round: they wait until every other shop with due jobs had a turn.
    const servedThisRound = new Set<string>();
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

    async function claim(): Promise<ClaimedRow | null> {
      const now = new Date();
      const leaseUntil = new Date(now.getTime() + leaseMs);
      const busy = [...runningPerShop].filter(([, count]) => count >= perShop).map(([shop]) => shop);
      const take = (excluded: string[]) => (provider === "postgresql" ? claimPostgres(now, leaseUntil, excluded) : claimSqlite(now, leaseUntil, excluded));
      let row = await take([...busy, ...servedThisRound]);
      if (!row && servedThisRound.size > 0) {
        // Everyone waiting has had a turn: start a new round.
        servedThisRound.clear();
        row = await take(busy);
      }
      if (row?.shop) {
        if (servedThisRound.size >= MAX_SHOPS_PER_ROUND) servedThisRound.clear();
        servedThisRound.add(row.shop);
      }
      return row;
    }

    async function finish(row: ClaimedRow, error: unknown | undefined) {
      const now = new Date();
      const mine = { id: row.id, lockedBy: workerId, status: "running" };
      const released = { lockedBy: null, lockedUntil: null };
      // count 0 below means our lease ran out and another worker owns the job now: leave it to them.
      if (error === undefined) {
        await db.job.updateMany({ where: mine, data: { ...released, status: "completed", uniqueKey: null, finishedAt: now, lastError: null } });
      } else if (row.attempts >= row.maxAttempts) {
        await db.job.updateMany({ where: mine, data: { ...released, status: "dead", uniqueKey: null, finishedAt: now, lastError: errorText(error) } });
      } else {
        const runAt = new Date(now.getTime() + retryDelayMs(row.attempts, backoff));
        await db.job.updateMany({ where: mine, data: { ...released, status: "failed", runAt, lastError: errorText(error) } });
      }
    }

    async function run(row: ClaimedRow) {
      const renew = setInterval(() => {
        db.job
          .updateMany({ where: { id: row.id, lockedBy: workerId, status: "running" }, data: { lockedUntil: new Date(Date.now() + leaseMs) } })
          .catch((error: unknown) => console.error(`[jobs] renewing the lease of ${row.queue} ${row.id} failed:`, error));
      }, Math.max(50, Math.floor(leaseMs / 3)));
      let failure: unknown;
      try {
        // Before the handler reads anything, so whatever is recorded from now on can queue the next run.
        if (UNIQUE_WHILE_QUEUED.has(row.queue as JobName)) await db.job.updateMany({ where: { id: row.id, lockedBy: workerId }, data: { uniqueKey: null } });
        const handler = handlers[row.queue as JobName] as ((job: Job) => Promise<void>) | undefined;
        if (!handler) throw new Error(`No handler for job "${row.queue}" in this worker (known: ${Object.keys(handlers).join(", ") || "none"})`);
        const job: Job = { id: row.id, name: row.queue as JobName, shop: row.shop, payload: JSON.parse(row.payload) as Job["payload"], attempt: row.attempts, maxAttempts: row.maxAttempts };
        await handler(job);
      } catch (error) {
        failure = error ?? new Error("Job failed without an error");
      } finally {
        clearInterval(renew);
      }
      try {
        await finish(row, failure);
      } catch (error) {
        // The lease runs out and another worker runs the job again: at least once.
        console.error(`[jobs] recording the outcome of ${row.queue} ${row.id} failed:`, error);
      }
    }

    function start(row: ClaimedRow) {
      if (row.shop) runningPerShop.set(row.shop, (runningPerShop.get(row.shop) ?? 0) + 1);
      const task = run(row).finally(() => {
        running.delete(row.id);
        if (row.shop) {
          const left = (runningPerShop.get(row.shop) ?? 1) - 1;
          if (left > 0) runningPerShop.set(row.shop, left);
          else runningPerShop.delete(row.shop);
        }
        wake(); // a slot is free
      });
      running.set(row.id, task);
    }

    async function loop() {
      let failures = 0;
      let lastSweep = 0;
      while (!stopping) {
        try {
          if (Date.now() - lastSweep > leaseMs) {
            lastSweep = Date.now();
            await buryExhausted(new Date());
          }
          while (!stopping && running.size < concurrency) {
            const row = await claim();
            if (!row) break;
            start(row);
            // Let timers and I/O in: on SQLite every query resolves as a microtask, and a backlog of
            // quick jobs would otherwise keep the web process (embedded worker) from serving requests.
            await new Promise((resolve) => setImmediate(resolve));
          }
          failures = 0;
        } catch (error) {
          failures++;
          logPollFailure("claiming a job", failures, error);
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
    driver: "database",
    enqueue,
    work,
    stop,
    close: stop,
    async cancelShop(shop: string) {
      const { count } = await db.job.updateMany({
        where: { shop, status: { in: ["queued", "failed"] } },
        data: { status: "cancelled", uniqueKey: null, finishedAt: new Date() },
      });
      return count;
    },
    async counts(shop?: string) {
      const groups = await db.job.groupBy({ by: ["status"], where: shop ? { shop } : {}, _count: { _all: true } });
      return Object.fromEntries(groups.map((group) => [group.status, group._count._all])) as Partial<Record<JobStatus, number>>;
    },
  };
}
