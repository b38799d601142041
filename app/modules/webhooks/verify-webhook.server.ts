// Verifies a webhook request with the Shopify library's own validator (`webhooks.validate`: HMAC
// over the raw body, required headers), answering as `authenticate.webhook` does - 405 for other
// methods, 401 for a bad signature, 400 for missing headers - but without loading the shop's
// offline session, which intake never uses and which cost a database read on every delivery.
import "@shopify/shopify-app-remix/adapters/node";
import { LogSeverity, shopifyApi, WebhookValidationErrorReason, type Shopify } from "@shopify/shopify-api";

import { getEnv } from "../../env.server";
import { API_VERSION } from "../../shopify.server";
import type { VerifiedWebhook } from "./webhook-events.server";

let validator: Shopify | undefined;

function webhookValidator(): Shopify {
  const env = getEnv();
  validator ??= shopifyApi({
    apiKey: env.SHOPIFY_API_KEY,
    apiSecretKey: env.SHOPIFY_API_SECRET,
    hostName: new URL(env.SHOPIFY_APP_URL).host,
    apiVersion: API_VERSION,
    isEmbeddedApp: true,
    logger: { level: LogSeverity.Error },
  });
  return validator;
}

/** The verified webhook, or throws the Response Shopify should get. */
export async function verifyWebhook(request: Request): Promise<VerifiedWebhook> {
  if (request.method !== "POST") throw new Response(undefined, { status: 405, statusText: "Method not allowed" });
  const rawBody = await request.text();
  const check = await webhookValidator().webhooks.validate({ rawBody, rawRequest: request });
  if (!check.valid) {
    const unauthorized = check.reason === WebhookValidationErrorReason.InvalidHmac;
    throw new Response(undefined, unauthorized ? { status: 401, statusText: "Unauthorized" } : { status: 400, statusText: "Bad Request" });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody);
  } catch {
    // Signed by Shopify but not JSON: keep it, so the worker records it as invalid for support.
    payload = null;
  }
  return {
    shop: check.domain,
    topic: check.topic,
    webhookId: check.webhookId,
    eventId: "eventId" in check ? check.eventId : undefined,
    apiVersion: check.apiVersion,
    triggeredAt: "triggeredAt" in check ? check.triggeredAt : undefined,
    payload,
    rawBody,
  };
}
