// How fresh and healthy a shop's archive is, for the home page: the webhooks of the last day by
// outcome, a stalled worker, and what the last reconciliation repaired.
import { prisma, type PrismaClient } from "../../db.server";

const DAY_MS = 24 * 60 * 60 * 1000;
// A received event still waiting after this long means the worker is behind or down.
const BACKLOG_WARNING_MS = 5 * 60 * 1000;

export type WebhookHealth = "healthy" | "behind" | "rejected";

export async function getSyncHealth({ shop, db = prisma, now = new Date() }: { shop: string; db?: PrismaClient; now?: Date }) {
  const since = new Date(now.getTime() - DAY_MS);
  const [byStatus, oldestWaiting, lastReconcile] = await Promise.all([
    db.webhookEvent.groupBy({ by: ["status"], where: { shop, receivedAt: { gte: since } }, _count: { _all: true } }),
    db.webhookEvent.findFirst({ where: { shop, status: { in: ["received", "failed"] } }, orderBy: { receivedAt: "asc" }, select: { receivedAt: true } }),
    db.syncRun.findFirst({ where: { shop, kind: "reconcile", status: "completed" }, orderBy: { startedAt: "desc" } }),
  ]);
  const count = (...statuses: string[]) => byStatus.filter((row) => statuses.includes(row.status)).reduce((sum, row) => sum + row._count._all, 0);
  const webhooks = {
    applied: count("processed", "stale"),
    waiting: count("received", "failed"),
    rejected: count("invalid"),
  };
  const behind = oldestWaiting !== null && now.getTime() - oldestWaiting.receivedAt.getTime() > BACKLOG_WARNING_MS;
  const health: WebhookHealth = webhooks.rejected > 0 ? "rejected" : behind ? "behind" : "healthy";
  return {
    webhooks,
    health,
    lastReconcile: lastReconcile ? { finishedAt: lastReconcile.finishedAt, repaired: lastReconcile.repaired } : null,
  };
}
