// The segments jobs (decision 011): update the customers archive writes marked (after their
// loyalty evaluation, since tier and points are segment fields), recompute the whole shop (after
// the loyalty recompute that follows an import, and daily), and push to Shopify.
import { prisma, type PrismaClient } from "../../db.server";
import { jobQueue } from "../jobs/index.server";
import { pushUntilIdle } from "../jobs/push-until-idle.server";
import type { Job } from "../jobs/types";
import type { AdminGraphql } from "../shopify/admin-graphql.server";
import { refreshInsights, takeDirtyInsights } from "./insights.server";
import { pushSegments } from "./segment-push.server";
import { refreshMemberships } from "./segments.server";

export interface SegmentJobDeps {
  db?: PrismaClient;
  admin?: AdminGraphql;
  now?: Date;
}

export const queueSegmentsUpdate = (shop: string) => jobQueue().enqueue("segments.update", {}, { shop, uniqueKey: `segments-update:${shop}` });
export const queueSegmentsRecompute = (shop: string, reason: "import" | "sweep") => jobQueue().enqueue("segments.recompute", { reason }, { shop, uniqueKey: `segments-recompute:${shop}`, maxAttempts: 3 });
export const queueSegmentsPush = (shop: string) => jobQueue().enqueue("segments.push", {}, { shop, uniqueKey: `segments-push:${shop}` });

const shopOf = (job: Pick<Job, "shop" | "name">) => {
  if (!job.shop) throw new Error(`${job.name} needs the job's shop`);
  return job.shop;
};

const TRANSACTION = { timeout: 10 * 60_000, maxWait: 60_000 };
/** Customers updated per transaction. */
const BATCH = 5000;

/** Updates marked customers (insights, then memberships) until none are left; queues the push when anything changed. */
export async function runSegmentsUpdateJob(job: Pick<Job<"segments.update">, "shop" | "name">, deps: SegmentJobDeps = {}) {
  const shop = shopOf(job);
  const db = deps.db ?? prisma;
  let changed = 0;
  for (;;) {
    const now = deps.now ?? new Date();
    const done = await db.$transaction(async (tx) => {
      const customerIds = await takeDirtyInsights(tx, shop, BATCH);
      if (customerIds.length === 0) return { taken: 0, changed: 0 };
      const insights = await refreshInsights(tx, { shop, now, customerIds });
      const memberships = await refreshMemberships(tx, { shop, now, customerIds });
      return { taken: customerIds.length, changed: insights.movedIds.length + memberships.changedIds.length };
    }, TRANSACTION);
    changed += done.changed;
    // A short batch was all there was; a mark made since queued this job again.
    if (done.taken < BATCH) break;
  }
  if (changed > 0 || (await db.flowEvent.count({ where: { shop, sentAt: null } })) > 0) await queueSegmentsPush(shop);
  return changed;
}

/** Ranks the whole shop again, refits the model and refreshes every segment, in one transaction. */
export async function runSegmentsRecomputeJob(job: Pick<Job<"segments.recompute">, "shop" | "name" | "payload">, deps: SegmentJobDeps = {}) {
  const shop = shopOf(job);
  const db = deps.db ?? prisma;
  const now = deps.now ?? new Date();
  const summary = await db.$transaction(async (tx) => {
    const insights = await refreshInsights(tx, { shop, now, refit: job.payload.reason === "import" });
    // After an import every customer "enters" their segments: not news for Flow.
    const memberships = await refreshMemberships(tx, { shop, now, quiet: job.payload.reason === "import" });
    return { insights, memberships };
  }, TRANSACTION);
  if (summary.insights.movedIds.length > 0 || summary.memberships.changedIds.length > 0) await queueSegmentsPush(shop);
  return summary;
}

/** Pushes until nothing is behind. */
export async function runSegmentsPushJob(job: Pick<Job<"segments.push">, "shop" | "name">, deps: SegmentJobDeps = {}) {
  const shop = shopOf(job);
  const db = deps.db ?? prisma;
  return pushUntilIdle(shop, deps.admin, async (admin) => {
    const result = await pushSegments({ db, shop, admin });
    return { pushed: result.customers + result.flowEvents, skipped: result.skipped };
  });
}
