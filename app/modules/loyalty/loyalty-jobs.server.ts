// The loyalty jobs (decision 010): evaluate what webhooks marked, recompute everyone (after an
// import, and daily: grace periods end, points expire), and push to Shopify.
import { prisma, type PrismaClient } from "../../db.server";
import { jobQueue } from "../jobs/index.server";
import { pushUntilIdle } from "../jobs/push-until-idle.server";
import type { Job } from "../jobs/types";
import type { AdminGraphql } from "../shopify/admin-graphql.server";
import { evaluateDirtyMembers, evaluateMembers } from "./evaluate.server";
import { pushLoyalty } from "./push.server";

export interface LoyaltyJobDeps {
  db?: PrismaClient;
  admin?: AdminGraphql;
  now?: Date;
}

export const queueLoyaltyEvaluation = (shop: string) => jobQueue().enqueue("loyalty.evaluate", {}, { shop, uniqueKey: `loyalty-evaluate:${shop}` });
export const queueLoyaltyPush = (shop: string) => jobQueue().enqueue("loyalty.push", {}, { shop, uniqueKey: `loyalty-push:${shop}` });
export const queueLoyaltyRecompute = (shop: string, reason: "import" | "sweep") => jobQueue().enqueue("loyalty.recompute", { reason }, { shop, uniqueKey: `loyalty-recompute:${shop}`, maxAttempts: 3 });

const shopOf = (job: Pick<Job, "shop" | "name">) => {
  if (!job.shop) throw new Error(`${job.name} needs the job's shop`);
  return job.shop;
};

/** Evaluates marked members until none are left; queues the push when anything changed. */
export async function runEvaluateJob(job: Pick<Job<"loyalty.evaluate">, "shop" | "name">, deps: LoyaltyJobDeps = {}) {
  const shop = shopOf(job);
  const db = deps.db ?? prisma;
  let changed = false;
  for (;;) {
    const result = await evaluateDirtyMembers(db, shop, deps.now);
    changed ||= result.pushNeeded + result.tierChanges + result.pointsEntries > 0;
    if (result.customerIds.length === 0) break;
  }
  // Flow events left unsent by an earlier push are sent by the next one too.
  if (changed || (await db.flowEvent.count({ where: { shop, sentAt: null } })) > 0) await queueLoyaltyPush(shop);
  return changed;
}

/** Evaluates every member in one transaction. */
export async function runRecomputeJob(job: Pick<Job<"loyalty.recompute">, "shop" | "name" | "payload">, deps: LoyaltyJobDeps = {}) {
  const shop = shopOf(job);
  const db = deps.db ?? prisma;
  const now = deps.now ?? new Date();
  const summary = await db.$transaction(
    async (tx) => {
      // After an import every existing customer joins a tier: that is not news for Flow.
      const result = await evaluateMembers(tx, { shop, now, quiet: job.payload.reason === "import" });
      await tx.shop.updateMany({ where: { shop }, data: { loyaltySweptAt: now } });
      return result;
    },
    { timeout: 10 * 60_000, maxWait: 60_000 },
  );
  if (summary.pushNeeded > 0 || summary.tierChanges > 0 || summary.pointsEntries > 0) await queueLoyaltyPush(shop);
  return summary;
}

/** Pushes until nothing is behind. */
export async function runPushJob(job: Pick<Job<"loyalty.push">, "shop" | "name">, deps: LoyaltyJobDeps = {}) {
  const shop = shopOf(job);
  const db = deps.db ?? prisma;
  return pushUntilIdle(shop, deps.admin, async (admin) => {
    const result = await pushLoyalty({ db, shop, admin });
    return { pushed: result.members + result.flowEvents, skipped: result.skipped };
  });
}

const DAY_MS = 86_400_000;

/** Queues the daily sweep of every installed shop not swept for a day (a chore of the background work). */
export async function scheduleLoyaltySweeps({ db = prisma, now = new Date() }: { db?: PrismaClient; now?: Date } = {}): Promise<string[]> {
  const due = new Date(now.getTime() - DAY_MS);
  const shops = await db.shop.findMany({ where: { uninstalledAt: null, lastSyncedAt: { not: null }, OR: [{ loyaltySweptAt: null }, { loyaltySweptAt: { lt: due } }] }, select: { shop: true } });
  const queued: string[] = [];
  for (const { shop } of shops) if (await queueLoyaltyRecompute(shop, "sweep")) queued.push(shop);
  return queued;
}
