// Verifies a webhook delivery the way the Shopify library's `webhooks.validate` does - HMAC-SHA256
// of the raw body with the app's secret, base64, compared in constant time; the same required
// headers; the same topic spelling (ORDERS_CREATE) - and answers as `authenticate.webhook` does:
// 405 for other methods, 401 for a bad signature, 400 for missing headers. It is our own code
// because the library's validator costs ~0.4 ms per delivery (it canonicalises every header
// through regular expressions), a fifth of the whole budget at 2,000 webhooks/s (decision 008).
// test/integration/verify-webhook.test.ts checks that both agree on every kind of request. Not
// supported: Shopify's newer "events" deliveries (Shopify-Hmac-Sha256 without the X- prefix),
// which this app does not subscribe to - they are refused as unsigned.
import { createHmac, timingSafeEqual } from "node:crypto";

import { getEnv } from "../../env.server";
import type { VerifiedWebhook } from "./webhook-events.server";

const REQUIRED = ["x-shopify-hmac-sha256", "x-shopify-topic", "x-shopify-shop-domain", "x-shopify-api-version", "x-shopify-webhook-id"] as const;

/** `orders/create` -> `ORDERS_CREATE`, as the library stores topics. */
export const topicForStorage = (topic: string) => topic.toUpperCase().replace(/\/|\./g, "_");

/** Whether `hmac` (base64, from X-Shopify-Hmac-Sha256) signs `rawBody` with `secret`. Constant time. */
export function isValidHmac(rawBody: Buffer, hmac: string, secret: string): boolean {
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  const given = Buffer.from(hmac, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A delivery as any server sees it: the method, a header reader (lower-case names), the raw body bytes. */
export interface Delivery {
  method: string;
  header(name: string): string | null | undefined;
  rawBody: Buffer;
}

export type Verification = { ok: true; webhook: VerifiedWebhook } | { ok: false; status: 400 | 401 | 405 };

export function verifyDelivery({ method, header, rawBody }: Delivery, secret: string = getEnv().SHOPIFY_API_SECRET): Verification {
  if (method !== "POST") return { ok: false, status: 405 };
  // The library's order: an empty body, then the signature, then the other headers.
  if (rawBody.length === 0) return { ok: false, status: 400 };
  const hmac = header("x-shopify-hmac-sha256");
  if (!hmac) return { ok: false, status: 400 };
  if (!isValidHmac(rawBody, hmac, secret)) return { ok: false, status: 401 };
  if (REQUIRED.some((name) => !header(name))) return { ok: false, status: 400 };

  return {
    ok: true,
    webhook: {
      shop: header("x-shopify-shop-domain")!,
      topic: topicForStorage(header("x-shopify-topic")!),
      webhookId: header("x-shopify-webhook-id")!,
      eventId: header("x-shopify-event-id") || undefined,
      apiVersion: header("x-shopify-api-version")!,
      triggeredAt: header("x-shopify-triggered-at") || undefined,
      rawBody: rawBody.toString("utf8"),
    },
  };
}
