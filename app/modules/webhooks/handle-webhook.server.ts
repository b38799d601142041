// Shared body of every webhook route. Shopify allows 5 s, so the request only verifies the
// signature (401 and nothing stored when it is wrong), records the event
// durably (deduplicated by event id) and queues it; a background worker applies it.
import { prisma } from "../../db.server";
import { jobQueue } from "../jobs/index.server";
import { uninstallShop } from "../privacy/privacy.server";
import { verifyWebhook } from "./verify-webhook.server";
import { markWebhookProcessed, recordWebhookEvent } from "./webhook-events.server";

/** Queues the processing of a recorded event; the key makes a second enqueue of one event a no-op. */
export function enqueueWebhookEvent(eventId: string, shop: string) {
  return jobQueue().enqueue("webhook.process", { eventId }, { shop, uniqueKey: `webhook:${eventId}` });
}

export async function handleWebhookRequest(request: Request): Promise<Response> {
  // The raw body is what gets stored: JSON.parse rounds ids beyond 2^53.
  const webhook = await verifyWebhook(request);
  const { shop } = webhook;
  const recorded = await recordWebhookEvent(prisma, webhook);
  if (recorded.status === "duplicate") return new Response(null, { status: 200 });

  if (webhook.topic === "APP_UNINSTALLED") {
    // Takes effect at once: the shop's sessions end and its queued jobs stop before we answer.
    await uninstallShop({ db: prisma, shop, cancelJobs: (target) => jobQueue().cancelShop(target) });
    await markWebhookProcessed(prisma, recorded.id);
    return new Response(null, { status: 200 });
  }
  // If this enqueue fails after the event was recorded, the sweeper (requeueStrandedEvents) queues it later.
  await enqueueWebhookEvent(recorded.id, shop).catch((error: unknown) => console.error(`[webhooks] could not queue ${recorded.id}:`, error));
  return new Response(null, { status: 200 });
}

/**
 * Events recorded but never queued (the process died between the two): queue them again. Safe to
 * run any time: processing is idempotent and the key dedupes jobs. Failed events are left to their
 * job's retries; one that exhausted them stays failed, visible to the merchant and support.
 */
export async function requeueStrandedEvents({ olderThanMs = 60_000, take = 500 } = {}): Promise<number> {
  const stranded = await prisma.webhookEvent.findMany({
    where: { status: "received", receivedAt: { lt: new Date(Date.now() - olderThanMs) } },
    select: { id: true, shop: true },
    orderBy: { receivedAt: "asc" },
    take,
  });
  let queued = 0;
  for (const event of stranded) {
    if (await enqueueWebhookEvent(event.id, event.shop)) queued++;
  }
  return queued;
}
