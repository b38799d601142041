// Builds the app's job queue (decision 006): the embedded database driver by default, pg-boss when
// JOB_DRIVER=pg-boss. jobQueue() is the process-wide instance web requests and the worker share.
import { dbProvider, prisma, type PrismaClient } from "../../db.server";
import { getEnv } from "../../env.server";
import { createDatabaseQueue } from "./database-queue.server";
import { createPgBossQueue } from "./pg-boss-queue.server";
import type { JobQueue } from "./types";

export type JobDriver = JobQueue["driver"];
export type { EnqueueOptions, Job, JobHandler, JobHandlers, JobName, JobPayloads, JobQueue, JobStatus, WorkerOptions } from "./types";

export interface CreateJobQueueOptions {
  driver?: JobDriver;
  /** The app's client; the database driver keeps its jobs there. */
  db: PrismaClient;
  databaseUrl: string;
  /** pg-boss only: the schema it keeps its tables in (default "pgboss"). */
  pgBossSchema?: string;
}

export function createJobQueue({ driver = "database", db, databaseUrl, pgBossSchema }: CreateJobQueueOptions): JobQueue {
  if (driver === "database") return createDatabaseQueue({ db, databaseUrl });
  if (dbProvider(databaseUrl) !== "postgresql") throw new Error("JOB_DRIVER=pg-boss needs DATABASE_URL to be a postgresql:// URL");
  return createPgBossQueue({ databaseUrl, schema: pgBossSchema });
}

const globalForJobs = globalThis as unknown as { __jobQueue?: JobQueue };

/** The process's queue, built on first use (importing this module connects to nothing). */
export function jobQueue(): JobQueue {
  if (!globalForJobs.__jobQueue) {
    const env = getEnv(); // JOB_DRIVER and DATABASE_URL, checked at boot with the rest
    // Kept on globalThis so Vite's HMR in dev does not start a second worker on the same jobs.
    globalForJobs.__jobQueue = createJobQueue({ driver: env.JOB_DRIVER, db: prisma, databaseUrl: env.DATABASE_URL });
  }
  return globalForJobs.__jobQueue;
}

/** Forgets the process's queue (tests that change DATABASE_URL or JOB_DRIVER); closes it first. */
export async function resetJobQueue(): Promise<void> {
  const queue = globalForJobs.__jobQueue;
  globalForJobs.__jobQueue = undefined;
  await queue?.close();
}
