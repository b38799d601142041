// The "sync.import" job: runs the shop's initial import, or resumes the one that stopped (a
// crashed worker, a failed attempt) where its SyncRun says it stopped. Idempotent, as jobs must be.
import { prisma as defaultDb, type PrismaClient } from "../../db.server";
import type { Job } from "../jobs/types";
import type { AdminGraphql } from "../shopify/admin-graphql.server";
import { runInitialImport, type ImportOptions } from "./initial-import.server";

/** An Admin API client for a shop from its offline session (no request needed). */
export async function adminForShop(shop: string): Promise<AdminGraphql> {
  // Lazy: shopify.server validates the app's environment on import; jobs and tests that pass
  // their own client never load it.
  const { unauthenticated } = await import("../../shopify.server");
  const { admin } = await unauthenticated.admin(shop);
  return admin as unknown as AdminGraphql;
}

export interface ImportJobDeps {
  db?: PrismaClient;
  admin?: AdminGraphql;
  databaseUrl?: string;
  pollIntervalMs?: number;
  batchSize?: number;
  thread?: boolean;
  onBatchCommitted?: ImportOptions["onBatchCommitted"];
}

/** The run a job continues: the one named in the payload, else the shop's latest unfinished initial run. */
async function runToResume(db: PrismaClient, shop: string, runId: string | undefined) {
  if (runId) return db.syncRun.findFirst({ where: { id: runId, shop, kind: "initial" } });
  return db.syncRun.findFirst({ where: { shop, kind: "initial", status: { in: ["running", "failed"] } }, orderBy: { startedAt: "desc" } });
}

export async function runImportJob(job: Pick<Job<"sync.import">, "shop" | "payload">, deps: ImportJobDeps = {}): Promise<string> {
  const shop = job.shop;
  if (!shop) throw new Error("sync.import needs the job's shop");
  const db = deps.db ?? defaultDb;
  const shopRecord = await db.shop.findUnique({ where: { shop } });
  if (!shopRecord) throw new Error(`sync.import: unknown shop ${shop}`);
  const run = await runToResume(db, shop, job.payload.runId);
  if (run?.status === "completed") return run.id;
  return runInitialImport({
    shop,
    db,
    admin: deps.admin ?? (await adminForShop(shop)),
    currencyCode: shopRecord.currencyCode,
    databaseUrl: deps.databaseUrl,
    pollIntervalMs: deps.pollIntervalMs,
    batchSize: deps.batchSize,
    thread: deps.thread,
    runId: run?.id,
    onBatchCommitted: deps.onBatchCommitted,
  });
}
