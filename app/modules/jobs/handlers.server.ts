// Every job the app runs, mapped to its handler in one place. Handlers are imported when a job first
// runs, so a worker starts fast and this module loads no domain code (or Shopify config) up front.
import type { Job, JobHandlers } from "./types";

/** Archive writes mark the members they affect (decision 010); this queues their evaluation. */
async function queueLoyaltyEvaluation(shop: string | null) {
  if (!shop) return;
  const { queueLoyaltyEvaluation: queue } = await import("../loyalty/loyalty-jobs.server");
  await queue(shop);
}

export function jobHandlers(): JobHandlers {
  return {
    "webhook.process": async (job: Job<"webhook.process">) => {
      const { processWebhookEvent } = await import("../webhooks/process-event.server");
      await processWebhookEvent(job);
      await queueLoyaltyEvaluation(job.shop);
    },
    "webhook.drain": async (job: Job<"webhook.drain">) => {
      const { drainWebhookEvents } = await import("../webhooks/process-event.server");
      await drainWebhookEvents(job);
      await queueLoyaltyEvaluation(job.shop);
    },
    "sync.import": async (job: Job<"sync.import">) => {
      const { runImportJob } = await import("../sync/import-job.server");
      await runImportJob(job);
      const { queueLoyaltyRecompute } = await import("../loyalty/loyalty-jobs.server");
      if (job.shop) await queueLoyaltyRecompute(job.shop, "import");
    },
    "sync.reconcile": async (job: Job<"sync.reconcile">) => {
      const { runReconcileJob } = await import("../sync/reconcile.server");
      await runReconcileJob(job);
      await queueLoyaltyEvaluation(job.shop);
    },
    "customers.tag": async (job: Job<"customers.tag">) => {
      const { runTagCustomersJob } = await import("../customers/tag-customers.server");
      await runTagCustomersJob(job);
    },
    "loyalty.evaluate": async (job: Job<"loyalty.evaluate">) => {
      const { runEvaluateJob } = await import("../loyalty/loyalty-jobs.server");
      await runEvaluateJob(job);
      // Tier and points are segment fields: segments follow the loyalty evaluation.
      const { queueSegmentsUpdate } = await import("../segments/segment-jobs.server");
      if (job.shop) await queueSegmentsUpdate(job.shop);
    },
    "loyalty.recompute": async (job: Job<"loyalty.recompute">) => {
      const { runRecomputeJob } = await import("../loyalty/loyalty-jobs.server");
      await runRecomputeJob(job);
      const { queueSegmentsRecompute } = await import("../segments/segment-jobs.server");
      if (job.shop) await queueSegmentsRecompute(job.shop, job.payload.reason);
    },
    "loyalty.push": async (job: Job<"loyalty.push">) => {
      const { runPushJob } = await import("../loyalty/loyalty-jobs.server");
      await runPushJob(job);
    },
    "segments.update": async (job: Job<"segments.update">) => {
      const { runSegmentsUpdateJob } = await import("../segments/segment-jobs.server");
      await runSegmentsUpdateJob(job);
    },
    "segments.recompute": async (job: Job<"segments.recompute">) => {
      const { runSegmentsRecomputeJob } = await import("../segments/segment-jobs.server");
      await runSegmentsRecomputeJob(job);
      // The whole-shop chain after an import and every day: loyalty, segments, then recommendations.
      const { queueRecommendationsBuild } = await import("../recommendations/recommendation-jobs.server");
      if (job.shop) await queueRecommendationsBuild(job.shop, job.payload.reason);
    },
    "segments.push": async (job: Job<"segments.push">) => {
      const { runSegmentsPushJob } = await import("../segments/segment-jobs.server");
      await runSegmentsPushJob(job);
    },
    "recommendations.build": async (job: Job<"recommendations.build">) => {
      const { runRecommendationsBuildJob } = await import("../recommendations/recommendation-jobs.server");
      await runRecommendationsBuildJob(job);
    },
  };
}
