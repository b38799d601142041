// The behaviour every JobQueue driver must show, as one suite each driver's test file runs.
import { spawn } from "node:child_process";
import path from "node:path";

import { afterEach, describe, expect, test } from "vitest";

import type { Job, JobHandlers, JobQueue, WorkerOptions } from "~/modules/jobs/types";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(check: () => Promise<T> | T, { timeoutMs = 10_000, intervalMs = 20, what = "condition" } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export interface QueueFixture {
  /** A fresh queue on an empty job store. */
  createQueue(): Promise<JobQueue>;
  /** Arguments for fixtures/hanging-worker.ts: driver, URL and schema of the same store. */
  childWorkerArgs: string[];
  /** Worker options for fast tests (short polls). */
  workerOptions: WorkerOptions;
  /** How many jobs the busy shop queues in the fairness test. */
  busyShopJobs: number;
  /** The error recorded for the last failed job, where the driver keeps it. */
  lastError?: () => Promise<string | null | undefined>;
}

/** Runs a script of fixtures/ in its own process (a second worker) and lets the test wait for its output. */
function startChildWorker(script: "hanging-worker.ts" | "counting-worker.ts", args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "fixtures", script), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let exitCode: number | null | undefined;
  child.stdout.on("data", (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => void (output += chunk.toString()));
  const exited = new Promise<void>((resolve) =>
    child.on("exit", (code) => {
      exitCode = code;
      resolve();
    }),
  );
  return {
    child,
    exited,
    output: () => output,
    /** The first match of `pattern` in the child's output. */
    async waitForOutput(pattern: RegExp, timeoutMs = 20_000) {
      const match = await waitFor(
        () => {
          if (exitCode !== undefined) throw new Error(`${script} exited (${exitCode}):\n${output}`);
          return pattern.exec(output);
        },
        { timeoutMs, what: `${pattern} from ${script}:\n${output}` },
      );
      return match;
    },
  };
}

export function describeQueueBehaviour(title: string, fixture: () => QueueFixture) {
  describe(title, () => {
    const open: JobQueue[] = [];
    const newQueue = async () => {
      const queue = await fixture().createQueue();
      open.push(queue);
      return queue;
    };
    const work = (queue: JobQueue, handlers: JobHandlers, options: WorkerOptions = {}) => queue.work(handlers, { ...fixture().workerOptions, ...options });

    afterEach(async () => {
      await Promise.all(open.splice(0).map((queue) => queue.close()));
    });

    test("GIVEN queued jobs WHEN a worker runs THEN each handler gets its payload and shop, and the jobs complete", async () => {
      const queue = await newQueue();
      const seen: Job<"webhook.process">[] = [];
      await queue.enqueue("webhook.process", { eventId: "e1" }, { shop: "a.myshopify.com" });
      await queue.enqueue("webhook.process", { eventId: "e2" });
      await work(queue, { "webhook.process": async (job) => void seen.push(job) });
      await waitFor(async () => (await queue.counts()).completed === 2, { what: "2 completed jobs" });
      expect(seen.map((job) => [job.payload.eventId, job.shop, job.attempt]).sort()).toEqual([
        ["e1", "a.myshopify.com", 1],
        ["e2", null, 1],
      ]);
      expect(await queue.counts("a.myshopify.com")).toEqual({ completed: 1 });
    });

    test("GIVEN a running worker WHEN a job is enqueued in the same process THEN it starts without waiting for a poll", async () => {
      const queue = await newQueue();
      let startedAt = 0;
      await work(queue, { "webhook.process": async () => void (startedAt = Date.now()) }, { pollIntervalMs: 5_000 });
      await sleep(100); // the worker's first poll found nothing and sleeps for 5 s
      const enqueuedAt = Date.now();
      await queue.enqueue("webhook.process", { eventId: "wake" });
      await waitFor(() => startedAt > 0, { timeoutMs: 3_000, what: "the job to start" });
      expect(startedAt - enqueuedAt).toBeLessThan(2_000);
    });

    test("GIVEN a handler that fails WHEN attempts remain THEN it is retried later, and after maxAttempts the job is dead", async () => {
      const queue = await newQueue();
      const attempts: { attempt: number; maxAttempts: number; at: number }[] = [];
      await queue.enqueue("sync.reconcile", {}, { shop: "retry.myshopify.com", maxAttempts: 3 });
      await queue.enqueue("webhook.process", { eventId: "flaky" }, { maxAttempts: 3 });
      let flakyRuns = 0;
      await work(queue, {
        "sync.reconcile": async (job) => {
          attempts.push({ attempt: job.attempt, maxAttempts: job.maxAttempts, at: Date.now() });
          throw new Error("Shopify said no");
        },
        "webhook.process": async () => {
          flakyRuns++;
          if (flakyRuns === 1) throw new Error("once");
        },
      });
      await waitFor(async () => (await queue.counts("retry.myshopify.com")).dead === 1, { what: "the failing job to be dead" });
      expect(attempts.map(({ attempt, maxAttempts }) => [attempt, maxAttempts])).toEqual([
        [1, 3],
        [2, 3],
        [3, 3],
      ]);
      await waitFor(async () => (await queue.counts()).completed === 1, { what: "the flaky job to complete" });
      expect(flakyRuns).toBe(2);
    });

    test("GIVEN a queued job with a uniqueKey WHEN the same key is enqueued THEN it is refused until the job has completed", async () => {
      const queue = await newQueue();
      const first = await queue.enqueue("sync.import", {}, { shop: "u.myshopify.com", uniqueKey: "import:u" });
      expect(first).toEqual(expect.any(String));
      expect(await queue.enqueue("sync.import", { runId: "other" }, { shop: "u.myshopify.com", uniqueKey: "import:u" })).toBeNull();
      expect(await queue.enqueue("sync.import", {}, { shop: "v.myshopify.com", uniqueKey: "import:v" })).toEqual(expect.any(String));
      let runs = 0;
      await work(queue, { "sync.import": async () => void runs++ });
      await waitFor(async () => (await queue.counts()).completed === 2, { what: "both imports to complete" });
      const again = await queue.enqueue("sync.import", {}, { shop: "u.myshopify.com", uniqueKey: "import:u" });
      expect(again).toEqual(expect.any(String));
      expect(again).not.toBe(first);
      await waitFor(async () => (await queue.counts()).completed === 3, { what: "the reused key's job to complete" });
      expect(runs).toBe(3);
    });

    test("GIVEN queued and retrying jobs of two shops WHEN one shop is cancelled THEN only its waiting jobs are cancelled and counted", async () => {
      const queue = await newQueue();
      const later = new Date(Date.now() + 60 * 60_000);
      await queue.enqueue("webhook.process", { eventId: "g1" }, { shop: "gone.myshopify.com", runAt: later });
      await queue.enqueue("sync.import", {}, { shop: "gone.myshopify.com", uniqueKey: "import:gone", runAt: later });
      await queue.enqueue("webhook.process", { eventId: "s1" }, { shop: "stays.myshopify.com", runAt: later });
      expect(await queue.cancelShop("gone.myshopify.com")).toBe(2);
      expect(await queue.counts("gone.myshopify.com")).toEqual({ cancelled: 2 });
      expect(await queue.counts("stays.myshopify.com")).toEqual({ queued: 1 });
      expect(await queue.counts()).toEqual({ cancelled: 2, queued: 1 });
      // A cancelled job frees its key.
      expect(await queue.enqueue("sync.import", {}, { shop: "gone.myshopify.com", uniqueKey: "import:gone", runAt: later })).toEqual(expect.any(String));
      expect(await queue.cancelShop("nobody.myshopify.com")).toBe(0);
    });

    test("GIVEN a job nobody handles WHEN a worker takes it THEN it fails with an error naming the job", async () => {
      const queue = await newQueue();
      await queue.enqueue("sync.reconcile", {}, { shop: "x.myshopify.com", maxAttempts: 1 });
      await work(queue, { "webhook.process": async () => undefined });
      await waitFor(async () => (await queue.counts()).dead === 1, { what: "the unhandled job to be dead" });
      expect(await fixture().lastError?.()).toMatch(/No handler for job "sync.reconcile"/);
    });

    test("GIVEN a worker process killed mid-job WHEN its lease runs out THEN another worker runs the job once, to completion", async () => {
      const queue = await newQueue();
      const id = await queue.enqueue("webhook.process", { eventId: "survivor" }, { shop: "k.myshopify.com", uniqueKey: "webhook:survivor" });
      const worker = startChildWorker("hanging-worker.ts", fixture().childWorkerArgs);
      expect((await worker.waitForOutput(/claimed (\S+)/))[1]).toBe(id);
      worker.child.kill("SIGKILL");
      await worker.exited;
      expect(await queue.counts()).toEqual({ running: 1 });

      const runs: Job<"webhook.process">[] = [];
      await work(queue, { "webhook.process": async (job) => void runs.push(job) }, { leaseMs: 600 });
      await waitFor(async () => (await queue.counts()).completed === 1, { what: "the abandoned job to complete" });
      await sleep(300); // nothing runs it a third time
      expect(runs.map((job) => [job.id, job.attempt])).toEqual([[id, 2]]);
      expect(await queue.counts()).toEqual({ completed: 1 });
      // Its key was released with it.
      expect(await queue.enqueue("webhook.process", { eventId: "survivor" }, { uniqueKey: "webhook:survivor" })).toEqual(expect.any(String));
    });

    test("GIVEN two worker processes WHEN they compete for 200 jobs THEN each job runs exactly once", async () => {
      const queue = await newQueue();
      const other = startChildWorker("counting-worker.ts", fixture().childWorkerArgs);
      try {
        await other.waitForOutput(/^ready$/m);
        for (let i = 0; i < 200; i++) await queue.enqueue("webhook.process", { eventId: `e${i}` }, { shop: `shop-${i % 20}.myshopify.com` });
        const here: string[] = [];
        const handler = async (job: Job<"webhook.process">) => {
          here.push(job.payload.eventId);
          await sleep(5);
        };
        await work(queue, { "webhook.process": handler }, { concurrency: 4 });
        await waitFor(async () => (await queue.counts()).completed === 200, { timeoutMs: 20_000, what: "200 completed jobs" });
        // The other process's "ran" lines travel through a pipe and may land after its jobs are marked
        // completed: wait for them, then a little longer so that a job run twice would show up too.
        const ranThere = () => [...other.output().matchAll(/^ran (\S+)$/gm)].map((match) => match[1]!);
        await waitFor(async () => here.length + ranThere().length >= 200, { timeoutMs: 5_000, what: "the other process's output" });
        await sleep(200);
        const there = ranThere();
        const runs = [...here, ...there];
        expect(runs).toHaveLength(200);
        expect(new Set(runs).size).toBe(200);
        expect(here.length, "jobs run by this process").toBeGreaterThan(0);
        expect(there.length, "jobs run by the other process").toBeGreaterThan(0);
      } finally {
        other.child.kill("SIGKILL");
        await other.exited;
      }
    });

    test("GIVEN one shop with a large backlog WHEN another shop queues one job THEN that job runs within a few job-durations", async () => {
      for (const concurrency of [1, 3]) {
        const queue = await newQueue();
        const { busyShopJobs } = fixture();
        for (let i = 0; i < busyShopJobs; i++) await queue.enqueue("webhook.process", { eventId: `busy-${i}` }, { shop: "busy.myshopify.com" });
        await queue.enqueue("webhook.process", { eventId: "quiet" }, { shop: "quiet.myshopify.com" });
        const order: string[] = [];
        const runningPerShop = new Map<string, number>();
        let maxPerShop = 0;
        await work(
          queue,
          {
            "webhook.process": async (job) => {
              const shop = job.shop ?? "";
              runningPerShop.set(shop, (runningPerShop.get(shop) ?? 0) + 1);
              maxPerShop = Math.max(maxPerShop, runningPerShop.get(shop)!);
              order.push(job.payload.eventId);
              await sleep(10);
              runningPerShop.set(shop, runningPerShop.get(shop)! - 1);
            },
          },
          { concurrency, perShopConcurrency: 1 },
        );
        await waitFor(() => order.includes("quiet"), { what: "the quiet shop's job" });
        await queue.close();
        // Before it: at most what was already running plus one more turn of the busy shop.
        expect(order.indexOf("quiet"), `concurrency ${concurrency}: ${order.slice(0, 6).join(", ")}`).toBeLessThanOrEqual(2);
        expect(maxPerShop).toBe(1);
      }
    });
  });
}
