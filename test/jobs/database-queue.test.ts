// The embedded database driver on the test database (SQLite, or PostgreSQL with TEST_DB=postgres):
// the shared queue behaviour plus what only this driver promises (leases, backoff, 10,000-job fairness).
import { afterEach, describe, expect, test } from "vitest";

import { createDatabaseQueue, retryDelayMs } from "~/modules/jobs/database-queue.server";
import type { JobQueue } from "~/modules/jobs/types";

import { getTestDatabase } from "../support/db";
import { describeQueueBehaviour, sleep, waitFor } from "./queue-behaviour";

const database = await getTestDatabase();
const { prisma, url } = database;
const backoff = { baseMs: 20, capMs: 100 };

describeQueueBehaviour(`database driver (${database.provider})`, () => ({
  async createQueue() {
    await database.reset();
    return createDatabaseQueue({ db: prisma, databaseUrl: url, backoff });
  },
  childWorkerArgs: ["database", url],
  workerOptions: { pollIntervalMs: 20, leaseMs: 2_000 },
  busyShopJobs: 200,
  async lastError() {
    return (await prisma.job.findFirst({ where: { lastError: { not: null } }, orderBy: { createdAt: "desc" } }))?.lastError;
  },
}));

describe("retryDelayMs", () => {
  test.each([
    { title: "first retry", attempt: 1, random: 0, expected: 500 },
    { title: "first retry, full jitter", attempt: 1, random: 1, expected: 1000 },
    { title: "doubles per attempt", attempt: 4, random: 1, expected: 8000 },
    { title: "capped at 5 minutes", attempt: 20, random: 1, expected: 300_000 },
    { title: "cap keeps jitter", attempt: 20, random: 0, expected: 150_000 },
  ])("$title", ({ attempt, random, expected }) => {
    expect(retryDelayMs(attempt, {}, () => random)).toBe(expected);
  });
});

describe(`database driver details (${database.provider})`, () => {
  let queue: JobQueue;
  afterEach(async () => {
    await queue?.close();
  });

  test("GIVEN a failed attempt THEN the row keeps the error and waits out the backoff before the next", async () => {
    await database.reset();
    queue = createDatabaseQueue({ db: prisma, databaseUrl: url, backoff: { baseMs: 60_000 } });
    const id = await queue.enqueue("sync.reconcile", {}, { shop: "b.myshopify.com", maxAttempts: 2 });
    const before = Date.now();
    await queue.work({ "sync.reconcile": async () => Promise.reject(new Error("throttled")) }, { pollIntervalMs: 20 });
    const row = await waitFor(async () => {
      const job = await prisma.job.findUniqueOrThrow({ where: { id: id! } });
      return job.status === "failed" ? job : null;
    });
    expect(row).toMatchObject({ attempts: 1, lastError: expect.stringContaining("throttled"), lockedBy: null, lockedUntil: null });
    expect(row.runAt.getTime() - before).toBeGreaterThanOrEqual(30_000);
    await sleep(100);
    expect((await prisma.job.findUniqueOrThrow({ where: { id: id! } })).attempts).toBe(1);
  });

  test("GIVEN a running job with a uniqueKey WHEN the key is enqueued again THEN it is refused", async () => {
    await database.reset();
    queue = createDatabaseQueue({ db: prisma, databaseUrl: url });
    let release = () => undefined as void;
    const running = new Promise<void>((resolve) => (release = resolve));
    await queue.enqueue("sync.import", {}, { shop: "r.myshopify.com", uniqueKey: "import:r" });
    await queue.work({ "sync.import": () => running }, { pollIntervalMs: 20 });
    await waitFor(async () => (await queue.counts()).running === 1);
    expect(await queue.enqueue("sync.import", {}, { shop: "r.myshopify.com", uniqueKey: "import:r" })).toBeNull();
    release();
    await waitFor(async () => (await queue.counts()).completed === 1);
    expect(await prisma.job.findFirstOrThrow({ where: { status: "completed" } })).toMatchObject({ uniqueKey: null, lockedBy: null });
  });

  test("GIVEN a job running longer than its lease THEN the lease is renewed and a rival worker never takes it", async () => {
    await database.reset();
    queue = createDatabaseQueue({ db: prisma, databaseUrl: url });
    const rival = createDatabaseQueue({ db: prisma, databaseUrl: url });
    let runs = 0;
    const id = await queue.enqueue("sync.import", {}, { shop: "l.myshopify.com" });
    const handlers = {
      "sync.import": async () => {
        runs++;
        await sleep(600);
      },
    };
    await queue.work(handlers, { pollIntervalMs: 20, leaseMs: 150 });
    await waitFor(async () => (await queue.counts()).running === 1);
    await rival.work(handlers, { pollIntervalMs: 20, leaseMs: 150 });
    await waitFor(async () => (await queue.counts()).completed === 1);
    await rival.close();
    expect(runs).toBe(1);
    expect((await prisma.job.findUniqueOrThrow({ where: { id: id! } })).attempts).toBe(1);
  });

  test("GIVEN 10,000 queued jobs of one shop WHEN another shop queues one THEN it runs next, whatever the concurrency", async () => {
    for (const concurrency of [1, 4]) {
      await database.reset();
      const busy = "busy.myshopify.com";
      // One INSERT ... SELECT (valid on both databases): Prisma's createMany takes seconds for 10,000 rows.
      await prisma.$executeRawUnsafe(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
         INSERT INTO "Job" ("id", "queue", "shop", "payload") SELECT 'busy-' || i, 'webhook.process', '${busy}', '{"eventId":"b' || i || '"}' FROM n`,
      );
      // Dates written by Prisma, so both databases compare them in their own format; older than the quiet job.
      await prisma.job.updateMany({ data: { runAt: new Date(Date.now() - 60_000) } });
      queue = createDatabaseQueue({ db: prisma, databaseUrl: url });
      await queue.enqueue("webhook.process", { eventId: "quiet" }, { shop: "quiet.myshopify.com" });
      const order: string[] = [];
      await queue.work(
        {
          "webhook.process": async (job) => {
            order.push(job.payload.eventId);
            await sleep(20);
          },
        },
        { concurrency, pollIntervalMs: 20 },
      );
      await waitFor(() => order.includes("quiet"), { what: "the quiet shop's job" });
      await queue.stop();
      // At most one busy job ran before it: per-shop limit 1, then shops take turns.
      expect(order.indexOf("quiet"), `concurrency ${concurrency}: ${order.slice(0, 4).join(", ")}`).toBeLessThanOrEqual(1);
    }
  });
});
