// Webhook intake: every verified delivery is recorded durably before Shopify gets its 200,
// deduplicated by event id (Shopify delivers at least once). Processing happens after (issue 3's worker).
import { Prisma, type PrismaClient } from "../../db.server";

export interface VerifiedWebhook {
  shop: string;
  topic: string;
  webhookId: string;
  eventId?: string;
  apiVersion: string;
  triggeredAt?: string;
  payload: unknown;
  /** The body exactly as Shopify sent it: ids beyond 2^53 survive only in the text. */
  rawBody?: string;
}

/**
 * The record an event is about, known at intake so that redaction finds events not yet processed:
 * the GID a payload carries (customer topics name the customer, order topics the order).
 */
export function subjectOf(payload: unknown): string | null {
  if (!payload || typeof payload !== "object") return null;
  const record = payload as Record<string, unknown>;
  const customer = record.customer as Record<string, unknown> | null | undefined;
  const candidates = [record.customerId, record.admin_graphql_api_id, customer?.admin_graphql_api_id];
  const gid = candidates.find((value): value is string => typeof value === "string" && value.startsWith("gid://shopify/"));
  return gid ?? null;
}

export type RecordResult = { status: "recorded"; id: string } | { status: "duplicate"; id: string };

export async function recordWebhookEvent(db: PrismaClient, webhook: VerifiedWebhook): Promise<RecordResult> {
  // Older deliveries may lack X-Shopify-Event-Id; the webhook id is then the best dedupe key.
  const eventId = webhook.eventId ?? webhook.webhookId;
  try {
    // Insert first: a duplicate is the exception, so the common case is one statement.
    const event = await db.webhookEvent.create({
      data: {
        shop: webhook.shop,
        topic: webhook.topic,
        webhookId: webhook.webhookId,
        eventId,
        apiVersion: webhook.apiVersion,
        triggeredAt: webhook.triggeredAt ? new Date(webhook.triggeredAt) : null,
        subjectId: subjectOf(webhook.payload),
        payload: webhook.rawBody ?? JSON.stringify(webhook.payload),
        status: "received",
      },
      select: { id: true },
    });
    return { status: "recorded", id: event.id };
  } catch (error) {
    // The unique (shop, eventId) key lets exactly one copy of an event in, even when copies race.
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
    const existing = await db.webhookEvent.findUniqueOrThrow({ where: { shop_eventId: { shop: webhook.shop, eventId } }, select: { id: true } });
    return { status: "duplicate", id: existing.id };
  }
}

export async function markWebhookProcessed(db: PrismaClient, id: string) {
  await db.webhookEvent.update({ where: { id }, data: { status: "processed", processedAt: new Date() } });
}
