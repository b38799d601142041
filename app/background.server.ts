// Background work of one process: the job worker and its periodic chores (queueing stranded
// webhook events, scheduling reconciliation). The web process runs it when JOB_WORKER is
// "embedded" (the default outside tests); `npm run worker` runs the same thing on its own.
import { prisma } from "./db.server";
import { getEnv } from "./env.server";
import { jobHandlers } from "./modules/jobs/handlers.server";
import { jobQueue } from "./modules/jobs/index.server";
import { scheduleLoyaltySweeps } from "./modules/loyalty/loyalty-jobs.server";
import { openBulkWriter } from "./modules/sync/bulk-writer.server";
import { scheduleReconciliation } from "./modules/sync/reconcile.server";
import { requeueStrandedEvents } from "./modules/webhooks/handle-webhook.server";

const CHORE_INTERVAL_MS = 60_000;

/** An import killed while the archive's secondary indexes were deferred leaves them missing: rebuild at boot. */
async function restoreArchiveIndexes(databaseUrl: string) {
  const writer = await openBulkWriter(databaseUrl, { workerThread: false });
  try {
    await writer.restoreIndexes();
  } finally {
    await writer.close();
  }
}

interface Background {
  stop(): Promise<void>;
}

const globalForBackground = globalThis as unknown as { __background?: Background };

/** Starts the worker and chores once per process; returns a handle that stops them. */
export function startBackgroundWork(): Background {
  if (globalForBackground.__background) return globalForBackground.__background;
  const env = getEnv();
  const queue = jobQueue();
  const chores = async () => {
    try {
      await requeueStrandedEvents();
      await scheduleReconciliation({ queue, db: prisma, everyMs: env.RECONCILE_EVERY_MINUTES * 60_000 });
      await scheduleLoyaltySweeps({ db: prisma });
    } catch (error) {
      console.error("[background] chores failed:", error);
    }
  };
  const timer = setInterval(chores, CHORE_INTERVAL_MS);
  timer.unref();
  // Indexes first, so no job writes into unindexed tables; then the worker and its chores.
  void restoreArchiveIndexes(env.DATABASE_URL)
    .catch((error: unknown) => console.error("[background] could not restore archive indexes:", error))
    .then(() => queue.work(jobHandlers(), { concurrency: env.JOB_CONCURRENCY }))
    .then(chores)
    .catch((error: unknown) => console.error("[background] the job worker did not start:", error));
  const background: Background = {
    async stop() {
      clearInterval(timer);
      await queue.stop();
      globalForBackground.__background = undefined;
    },
  };
  globalForBackground.__background = background;
  return background;
}

/** Whether this web process should also run the worker. */
export function embeddedWorkerEnabled(): boolean {
  const env = getEnv();
  return (env.JOB_WORKER ?? (env.NODE_ENV === "test" ? "off" : "embedded")) === "embedded";
}
