// Shared body of every webhook route. Shopify allows 5 s, so the request only verifies the
// signature (401 and nothing stored when it is wrong) and records the event durably, deduplicated
// by event id, in a group commit with whatever else arrived meanwhile. The shop's drain job is
// queued after the commit; a background worker applies the events (decision 008).
import { prisma } from "../../db.server";
import { getEnv } from "../../env.server";
import { jobQueue } from "../jobs/index.server";
import { uninstallShop } from "../privacy/privacy.server";
import { createIntake, type Intake } from "./intake.server";
import { verifyDelivery, type Delivery } from "./verify-webhook.server";
import { markWebhookProcessed } from "./webhook-events.server";

/** Queues a drain of the shop's waiting events; null when one is already waiting to start. */
export function enqueueDrain(shop: string) {
  return jobQueue().enqueue("webhook.drain", {}, { shop, uniqueKey: `webhook-drain:${shop}` });
}

// One enqueue per shop in flight; events committed meanwhile ask for one more after it.
const draining = new Map<string, { again: boolean }>();

function requestDrain(shop: string) {
  const inFlight = draining.get(shop);
  if (inFlight) {
    inFlight.again = true;
    return;
  }
  const state = { again: false };
  draining.set(shop, state);
  void (async () => {
    do {
      state.again = false;
      // If this fails, the sweeper (requeueStrandedEvents) queues the drain later: the events are stored.
      await enqueueDrain(shop).catch((error: unknown) => console.error(`[webhooks] could not queue the drain of ${shop}:`, error));
    } while (state.again);
    draining.delete(shop);
  })();
}

const globalForIntake = globalThis as unknown as { __webhookIntake?: Intake };

/** The process's intake (kept on globalThis so dev reloads share one group-commit queue). */
export function webhookIntake(): Intake {
  globalForIntake.__webhookIntake ??= createIntake({ databaseUrl: getEnv().DATABASE_URL, onRecorded: (shops) => shops.forEach(requestDrain) });
  return globalForIntake.__webhookIntake;
}

/**
 * Verifies, records and answers one delivery; the status code Shopify gets. The production server
 * (server.js) calls it straight from Node's request, the webhook routes (dev, tests) through Remix.
 */
export async function acceptWebhookDelivery(delivery: Delivery): Promise<number> {
  const verified = verifyDelivery(delivery);
  if (!verified.ok) return verified.status;
  const { webhook } = verified;
  const recorded = await webhookIntake().record(webhook);
  if (recorded.status === "recorded" && webhook.topic === "APP_UNINSTALLED") {
    // Takes effect at once: the shop's sessions end and its queued jobs stop before we answer.
    await uninstallShop({ db: prisma, shop: webhook.shop, cancelJobs: (target) => jobQueue().cancelShop(target) });
    await markWebhookProcessed(prisma, recorded.id);
  }
  return 200;
}

/** The webhook routes' action. */
export async function handleWebhookRequest(request: Request): Promise<Response> {
  const rawBody = Buffer.from(await request.arrayBuffer());
  const status = await acceptWebhookDelivery({ method: request.method, header: (name) => request.headers.get(name), rawBody });
  return new Response(null, { status });
}

/**
 * Shops with events recorded but not applied a while later (the process died before queueing the
 * drain, or the queue refused it): queue their drains again. Safe any time: processing is
 * idempotent and the key keeps one drain waiting per shop. Returns how many drains it queued.
 */
export async function requeueStrandedEvents({ olderThanMs = 60_000, take = 500 } = {}): Promise<number> {
  const stranded = await prisma.webhookEvent.groupBy({
    by: ["shop"],
    where: { status: "received", receivedAt: { lt: new Date(Date.now() - olderThanMs) } },
    orderBy: { shop: "asc" },
    take,
  });
  let queued = 0;
  for (const { shop } of stranded) {
    if (await enqueueDrain(shop)) queued++;
  }
  return queued;
}
