// The `webhook.process` job: applies one recorded WebhookEvent exactly once in effect. The event
// row is the source of truth (decision 008): its status says whether there is anything left to do.
import { prisma, type Prisma, type PrismaClient, type WebhookEventModel as WebhookEvent } from "../../db.server";
import type { Job } from "../jobs/types";
import { redactCustomer, redactShop, requestDataExport, uninstallShop } from "../privacy/privacy.server";
import { applyToArchive, UnapplicablePayloadError, type ApplyResult } from "./apply.server";
import { parseWebhookPayload, type ParsedWebhook } from "./payloads";

export type WebhookEventStatus = "received" | "processed" | "stale" | "failed" | "invalid";

export type ProcessOutcome =
  | { status: "processed" | "stale"; eventId: string; topic: string; subjectId: string | null; note?: string }
  | { status: "invalid"; eventId: string; topic: string; error: string }
  /** Nothing done: the event is already settled, or gone (shop/redact deletes a shop's events). */
  | { status: "skipped"; eventId: string; reason: "already-settled" | "not-found"; current?: string };

export interface ProcessOptions {
  db: PrismaClient;
  eventId: string;
  /** Cancels a shop's queued jobs; app/uninstalled needs it when its intake did not finish the work. */
  cancelJobs?: (shop: string) => Promise<unknown>;
}

// Only these still have work; processed, stale and invalid are final (a re-run changes nothing).
const PENDING: WebhookEventStatus[] = ["received", "failed"];

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 4000);

export async function processWebhookEventById({ db, eventId, cancelJobs }: ProcessOptions): Promise<ProcessOutcome> {
  const event = await db.webhookEvent.findUnique({ where: { id: eventId } });
  if (!event) return { status: "skipped", eventId, reason: "not-found" };
  return processEvent(db, event, cancelJobs);
}

/** Applies a WebhookEvent row read by the caller (its status is checked again under the claim). */
async function processEvent(db: PrismaClient, event: WebhookEvent, cancelJobs?: (shop: string) => Promise<unknown>): Promise<ProcessOutcome> {
  const eventId = event.id;
  if (!PENDING.includes(event.status as WebhookEventStatus)) return { status: "skipped", eventId, reason: "already-settled", current: event.status };

  const settle = (client: Pick<PrismaClient, "webhookEvent">, data: { status: WebhookEventStatus; error?: string | null; subjectId?: string | null }) =>
    // Conditional on still pending: a concurrent run that settled it first wins; updateMany because
    // shop/redact may have deleted the row meanwhile.
    client.webhookEvent.updateMany({ where: { id: eventId, status: { in: PENDING } }, data: { ...data, processedAt: new Date() } });

  // A payload redacted before it was applied belongs to a customer who asked to be forgotten.
  if (event.redactedAt) {
    await settle(db, { status: "stale", error: "payload redacted before it was applied" });
    return { status: "stale", eventId, topic: event.topic, subjectId: event.subjectId, note: "payload redacted" };
  }

  const parsed = parseWebhookPayload(event.topic, event.payload);
  if (!parsed.ok) {
    await settle(db, { status: "invalid", error: parsed.error });
    return { status: "invalid", eventId, topic: event.topic, error: parsed.error };
  }
  const webhook = parsed.webhook;

  try {
    if (isPrivacyTopic(webhook)) {
      // The privacy module writes through its own transactions and is idempotent by itself; the
      // status check above keeps a settled event from running it again.
      const result = await applyPrivacy(db, event.shop, webhook, cancelJobs);
      await settle(db, { status: "processed", error: null, subjectId: result.subjectId });
      return { status: "processed", eventId, topic: event.topic, subjectId: result.subjectId };
    }
    return await db.$transaction((tx) => applyClaimed(tx, event, webhook), TRANSACTION_OPTIONS);
  } catch (error) {
    if (error instanceof UnapplicablePayloadError) {
      await settle(db, { status: "invalid", error: error.message });
      return { status: "invalid", eventId, topic: event.topic, error: error.message };
    }
    await db.webhookEvent.updateMany({ where: { id: eventId, status: { in: PENDING } }, data: { status: "failed", error: errorText(error), attempts: { increment: 1 } } });
    throw error; // the job retries with backoff
  }
}

const TRANSACTION_OPTIONS = { timeout: 30_000, maxWait: 10_000 };

/** Claims, applies and settles one parsed archive event inside the caller's transaction. */
async function applyClaimed(tx: Prisma.TransactionClient, event: WebhookEvent, webhook: ParsedWebhook): Promise<ProcessOutcome> {
  const eventId = event.id;
  // Claim first: on PostgreSQL this locks the row, so a second run of the same job waits and then finds it settled.
  const claimed = await tx.webhookEvent.updateMany({ where: { id: eventId, status: { in: PENDING } }, data: { attempts: { increment: 0 } } });
  if (claimed.count === 0) return { status: "skipped", eventId, reason: "already-settled" };
  const result: ApplyResult = await applyToArchive({ tx, shop: event.shop, triggeredAt: event.triggeredAt ?? event.receivedAt }, webhook);
  const status = result.applied ? "processed" : "stale";
  // Conditional on still pending, as everywhere: whoever settles first wins.
  await tx.webhookEvent.updateMany({ where: { id: eventId, status: { in: PENDING } }, data: { status, error: null, subjectId: result.subjectId, processedAt: new Date() } });
  await forgetIfRedacted(tx, event.shop, eventId, customerOf(webhook, result.subjectId));
  return { status, eventId, topic: event.topic, subjectId: result.subjectId, ...(result.note ? { note: result.note } : {}) };
}

/**
 * Applies pending archive events (no privacy topic, all parsed) in one transaction, one commit
 * instead of one per event, for at most BATCH_BUDGET_MS: on SQLite the transaction holds the
 * database's only write lock, which webhook intake needs too. Returns how many it applied (the
 * first ones of `batch`), or null if the transaction failed: nothing of it is then kept, and the
 * caller applies those events one by one to find and isolate the culprit.
 */
async function applyBatch(db: PrismaClient, batch: Array<{ event: WebhookEvent; webhook: ParsedWebhook }>): Promise<number | null> {
  try {
    return await db.$transaction(async (tx) => {
      const started = performance.now();
      let done = 0;
      while (done < batch.length && (done === 0 || performance.now() - started < BATCH_BUDGET_MS)) {
        const { event, webhook } = batch[done]!;
        await applyClaimed(tx, event, webhook);
        done++;
      }
      return done;
    }, TRANSACTION_OPTIONS);
  } catch {
    return null;
  }
}

/** The customer an event concerns: customer topics name them, order topics carry them. */
function customerOf(webhook: ParsedWebhook, subjectId: string | null): string | null {
  if (subjectId?.startsWith("gid://shopify/Customer/")) return subjectId;
  const payload = webhook.payload as { customer?: { admin_graphql_api_id?: string } | null };
  return payload.customer?.admin_graphql_api_id ?? null;
}

/**
 * A customer who asked to be forgotten stays forgotten: an event about them that arrives after
 * customers/redact keeps no payload, and an order of theirs keeps no email.
 */
async function forgetIfRedacted(tx: Prisma.TransactionClient, shop: string, eventId: string, customerId: string | null) {
  if (!customerId) return;
  const customer = await tx.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId: customerId } }, select: { redactedAt: true } });
  if (!customer?.redactedAt) return;
  await tx.webhookEvent.update({ where: { id: eventId }, data: { payload: "{}", redactedAt: new Date() } });
  await tx.order.updateMany({ where: { shop, customerId, email: { not: null } }, data: { email: null } });
}

type PrivacyWebhook = Extract<ParsedWebhook, { topic: "CUSTOMERS_DATA_REQUEST" | "CUSTOMERS_REDACT" | "SHOP_REDACT" | "APP_UNINSTALLED" }>;

function isPrivacyTopic(webhook: ParsedWebhook): webhook is PrivacyWebhook {
  return webhook.topic === "CUSTOMERS_DATA_REQUEST" || webhook.topic === "CUSTOMERS_REDACT" || webhook.topic === "SHOP_REDACT" || webhook.topic === "APP_UNINSTALLED";
}

async function applyPrivacy(db: PrismaClient, shop: string, webhook: PrivacyWebhook, cancelJobs?: (shop: string) => Promise<unknown>): Promise<{ subjectId: string | null }> {
  switch (webhook.topic) {
    case "CUSTOMERS_DATA_REQUEST":
      await requestDataExport({ db, shop, payload: webhook.payload });
      return { subjectId: `gid://shopify/Customer/${webhook.payload.customer.id}` };
    case "CUSTOMERS_REDACT":
      await redactCustomer({ db, shop, payload: webhook.payload });
      return { subjectId: `gid://shopify/Customer/${webhook.payload.customer.id}` };
    case "SHOP_REDACT":
      await redactShop({ db, shop });
      return { subjectId: null };
    case "APP_UNINSTALLED":
      // Intake normally does this before answering and marks the event processed; a job only gets
      // here when the process died in between (the sweeper requeued it). Repeating it is harmless.
      await uninstallShop({ db, shop, cancelJobs: async (target: string) => Number((await cancelJobs?.(target)) ?? 0) });
      return { subjectId: null };
  }
}

/** JobHandler<"webhook.process">. */
export async function processWebhookEvent(job: Job<"webhook.process">): Promise<void> {
  // Imported on use: processing itself never needs the queue, only app/uninstalled cancelling jobs.
  const { jobQueue } = await import("../jobs/index.server");
  await processWebhookEventById({ db: prisma, eventId: job.payload.eventId, cancelJobs: (shop) => jobQueue().cancelShop(shop) });
}

// A drain reads this many waiting events at a time; an event is tried at most this often.
const DRAIN_PAGE = 200;
// Events applied in one transaction, and the time it may take: short, so intake never waits long for the lock.
const BATCH_SIZE = 50;
const BATCH_BUDGET_MS = 10;
export const MAX_EVENT_ATTEMPTS = 8;

export interface DrainResult {
  processed: number;
  failed: number;
}

/**
 * Applies every waiting event of a shop in the order received: first the failed ones that have
 * attempts left, then everything received, including what arrives while it runs. An event that
 * fails is marked failed and the drain goes on with the next; if any failed, it throws at the
 * end so its job retries them with backoff. Safe alongside another drain of the same shop: each
 * event is claimed in its own transaction.
 */
export async function drainShopEvents({ db, shop, cancelJobs }: { db: PrismaClient; shop: string; cancelJobs?: (shop: string) => Promise<unknown> }): Promise<DrainResult> {
  const result: DrainResult = { processed: 0, failed: 0 };
  const order = [{ receivedAt: "asc" as const }, { id: "asc" as const }];
  const run = async (events: WebhookEvent[]) => {
    // Plain archive events go in batches of one transaction; the rest (privacy topics, redacted or
    // unreadable payloads) and any batch that failed go one by one.
    const batch: Array<{ event: WebhookEvent; webhook: ParsedWebhook }> = [];
    const single: WebhookEvent[] = [];
    for (const event of events) {
      const parsed = !event.redactedAt && PENDING.includes(event.status as WebhookEventStatus) ? parseWebhookPayload(event.topic, event.payload) : null;
      if (parsed?.ok && !isPrivacyTopic(parsed.webhook)) batch.push({ event, webhook: parsed.webhook });
      else single.push(event);
    }
    for (let start = 0; start < batch.length; ) {
      const part = batch.slice(start, start + BATCH_SIZE);
      const done = await applyBatch(db, part);
      if (done === null) {
        single.push(...part.map(({ event }) => event));
        start += part.length;
      } else {
        result.processed += done;
        start += done;
      }
      // Leave the lock free for a moment: intake is waiting for it more often than not.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    for (const event of single) {
      try {
        await processEvent(db, event, cancelJobs);
        result.processed++;
      } catch (error) {
        // processEvent marked it failed; the drain goes on, and its job retries the failures later.
        result.failed++;
        console.error(`[webhooks] ${event.topic} ${event.id} of ${shop} failed:`, errorText(error));
      }
    }
  };
  await run(await db.webhookEvent.findMany({ where: { shop, status: "failed", attempts: { lt: MAX_EVENT_ATTEMPTS } }, orderBy: order, take: DRAIN_PAGE }));
  // A cursor, not "whatever is still received": an event the database refuses to settle is passed,
  // not read again forever. One received in the same millisecond behind the cursor waits for the next drain.
  let after: Pick<WebhookEvent, "receivedAt" | "id"> | undefined;
  for (;;) {
    const page = await db.webhookEvent.findMany({
      where: { shop, status: "received", ...(after ? { OR: [{ receivedAt: { gt: after.receivedAt } }, { receivedAt: after.receivedAt, id: { gt: after.id } }] } : {}) },
      orderBy: order,
      take: DRAIN_PAGE,
    });
    if (page.length === 0) break;
    await run(page);
    after = page[page.length - 1]!;
  }
  if (result.failed > 0) throw new Error(`${result.failed} webhook event(s) of ${shop} failed and will be retried`);
  return result;
}

/** JobHandler<"webhook.drain">. */
export async function drainWebhookEvents(job: Job<"webhook.drain">): Promise<void> {
  if (!job.shop) throw new Error("webhook.drain needs the job's shop");
  const { jobQueue } = await import("../jobs/index.server");
  await drainShopEvents({ db: prisma, shop: job.shop, cancelJobs: (shop) => jobQueue().cancelShop(shop) });
}

/** Recent events of a shop for the support / health view; payloads (personal data) are not included. */
export function listWebhookEvents({ db, shop, status, take = 50 }: { db: PrismaClient; shop: string; status?: WebhookEventStatus; take?: number }) {
  return db.webhookEvent.findMany({
    where: { shop, ...(status ? { status } : {}) },
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(1, take), 500),
    select: {
      id: true,
      topic: true,
      eventId: true,
      webhookId: true,
      apiVersion: true,
      subjectId: true,
      status: true,
      error: true,
      attempts: true,
      triggeredAt: true,
      receivedAt: true,
      processedAt: true,
    },
  });
}
