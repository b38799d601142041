// Shared body of every webhook route: verify (401 on a bad signature, via the Shopify library),
// record the event, then run the topic's inline handler if it has one.
import { prisma } from "../../db.server";
import { authenticate } from "../../shopify.server";
import { recordUninstall } from "../shops/shops.server";
import { markWebhookProcessed, recordWebhookEvent, type VerifiedWebhook } from "./webhook-events.server";

type InlineHandler = (webhook: VerifiedWebhook) => Promise<void>;

// Topics that must take effect at once; everything else waits for the sync worker (issue 3).
const inlineHandlers: Record<string, InlineHandler> = {
  APP_UNINSTALLED: ({ shop }) => recordUninstall({ shop }),
};

export async function handleWebhookRequest(request: Request): Promise<Response> {
  const { shop, topic, webhookId, eventId, apiVersion, triggeredAt, payload } = await authenticate.webhook(request);
  const webhook: VerifiedWebhook = { shop, topic: String(topic), webhookId, eventId, apiVersion, triggeredAt, payload };
  const recorded = await recordWebhookEvent(prisma, webhook);
  const handler = inlineHandlers[webhook.topic];
  if (recorded.status === "recorded" && handler) {
    await handler(webhook);
    await markWebhookProcessed(prisma, recorded.id);
  }
  return new Response(null, { status: 200 });
}
