// The recommendations job (decision 013): builds a shop's model from its orders, after the segments
// recompute that follows an import, and daily after the loyalty and segments sweeps.
import { prisma, type PrismaClient } from "../../db.server";
import { jobQueue } from "../jobs/index.server";
import type { Job } from "../jobs/types";
import { buildShopModel } from "./recommendations.server";

export const queueRecommendationsBuild = (shop: string, reason: "import" | "sweep") => jobQueue().enqueue("recommendations.build", { reason }, { shop, uniqueKey: `recommendations-build:${shop}`, maxAttempts: 3 });

export async function runRecommendationsBuildJob(job: Pick<Job<"recommendations.build">, "shop" | "name">, deps: { db?: PrismaClient; now?: Date } = {}) {
  if (!job.shop) throw new Error(`${job.name} needs the job's shop`);
  return buildShopModel(deps.db ?? prisma, job.shop, deps.now);
}
