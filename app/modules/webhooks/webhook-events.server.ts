// What intake knows about a verified delivery, and the small helpers around the WebhookEvent row.
// Recording is in intake.server.ts (group commit); applying in process-event.server.ts.
import type { PrismaClient } from "../../db.server";

export interface VerifiedWebhook {
  shop: string;
  topic: string;
  webhookId: string;
  eventId?: string;
  apiVersion: string;
  triggeredAt?: string;
  /**
   * The body exactly as Shopify sent it, not parsed: ids beyond 2^53 survive only in the text, and
   * the worker parses and validates it (a signed body that is not JSON is kept and reported). So
   * the record an event is about (subjectId) is known once it is applied; until then redaction
   * finds the event by what its payload mentions.
   */
  rawBody: string;
}

/** recorded: the event is stored and will be applied; duplicate: a copy of a stored event, dropped. */
export type RecordResult = { status: "recorded"; id: string } | { status: "duplicate" };

export async function markWebhookProcessed(db: PrismaClient, id: string) {
  await db.webhookEvent.update({ where: { id }, data: { status: "processed", processedAt: new Date() } });
}
