// The app verifies webhook deliveries with its own code (verify-webhook.server.ts, for speed);
// Shopify's library is the reference. Both must accept and refuse exactly the same requests, with
// the status authenticate.webhook would answer and the same fields read from the headers.
import { createHmac } from "node:crypto";

// Fetch Requests, as the Remix package hands the library.
import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";

import { verifyDelivery } from "../../app/modules/webhooks/verify-webhook.server";

const SECRET = "parity-secret";
const api = shopifyApi({
  apiKey: "parity-key",
  apiSecretKey: SECRET,
  apiVersion: ApiVersion.July26,
  hostName: "crm-app.test",
  isEmbeddedApp: true,
  logger: { level: LogSeverity.Error },
});

const body = JSON.stringify({ id: 820982911946154500, email: "jon@example.com" });
const sign = (text: string, secret = SECRET) => createHmac("sha256", secret).update(text).digest("base64");
const fullHeaders = (text: string): Record<string, string> => ({
  "X-Shopify-Hmac-Sha256": sign(text),
  "X-Shopify-Topic": "customers/update",
  "X-Shopify-Shop-Domain": "parity.myshopify.com",
  "X-Shopify-API-Version": "2026-07",
  "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
  "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
  "X-Shopify-Triggered-At": "2026-11-30T10:00:00.000Z",
});
const without = (headers: Record<string, string>, name: string) => Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));

const cases: Array<{ name: string; method?: string; body: string; headers: Record<string, string> }> = [
  { name: "a correctly signed delivery", body, headers: fullHeaders(body) },
  { name: "a delivery without event id or trigger time", body, headers: without(without(fullHeaders(body), "X-Shopify-Event-Id"), "X-Shopify-Triggered-At") },
  { name: "an unsigned delivery", body, headers: without(fullHeaders(body), "X-Shopify-Hmac-Sha256") },
  { name: "a signature by another secret", body, headers: { ...fullHeaders(body), "X-Shopify-Hmac-Sha256": sign(body, "other-secret") } },
  { name: "a signature of another body", body: body.replace("jon", "eve"), headers: fullHeaders(body) },
  { name: "a signature that is not base64 of a digest", body, headers: { ...fullHeaders(body), "X-Shopify-Hmac-Sha256": "not-a-signature" } },
  { name: "an empty body", body: "", headers: fullHeaders("") },
  ...["X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-API-Version", "X-Shopify-Webhook-Id"].map((header) => ({
    name: `a signed delivery without ${header}`,
    body,
    headers: without(fullHeaders(body), header),
  })),
  { name: "an unsigned delivery that also lacks its topic", body, headers: without(without(fullHeaders(body), "X-Shopify-Hmac-Sha256"), "X-Shopify-Topic") },
  { name: "a topic with a dot", body, headers: { ...fullHeaders(body), "X-Shopify-Topic": "customer.tags_added" } },
];

/** What authenticate.webhook does with the library's verdict: 401 for a bad signature, 400 otherwise. */
async function libraryVerdict(method: string, text: string, headers: Record<string, string>) {
  if (method !== "POST") return { status: 405 };
  const request = new Request("https://crm-app.test/webhooks/customers", { method, headers, ...(method === "POST" ? { body: text } : {}) });
  const check = await api.webhooks.validate({ rawBody: text, rawRequest: request });
  if (!check.valid) return { status: check.reason === "invalid_hmac" ? 401 : 400 };
  if (check.webhookType !== "webhooks") throw new Error("unexpected events webhook");
  return { status: 200, shop: check.domain, topic: check.topic, webhookId: check.webhookId, apiVersion: check.apiVersion, eventId: check.eventId, triggeredAt: check.triggeredAt };
}

function ourVerdict(method: string, text: string, headers: Record<string, string>) {
  const lower = new Map(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]));
  const result = verifyDelivery({ method, header: (name) => lower.get(name), rawBody: Buffer.from(text) }, SECRET);
  if (!result.ok) return { status: result.status };
  const { shop, topic, webhookId, apiVersion, eventId, triggeredAt } = result.webhook;
  return { status: 200, shop, topic, webhookId, apiVersion, eventId, triggeredAt };
}

describe("webhook verification agrees with Shopify's library", () => {
  it.each(cases)("$name", async ({ method = "POST", body: text, headers }) => {
    const expected = await libraryVerdict(method, text, headers);
    expect(ourVerdict(method, text, headers)).toEqual(expected);
  });

  it("refuses other methods with 405, as authenticate.webhook does", async () => {
    expect(ourVerdict("GET", body, fullHeaders(body))).toEqual(await libraryVerdict("GET", body, fullHeaders(body)));
    expect(ourVerdict("GET", body, fullHeaders(body)).status).toBe(405);
  });

  it("reads the signed delivery's fields in the library's spelling", () => {
    expect(ourVerdict("POST", body, fullHeaders(body))).toMatchObject({ status: 200, topic: "CUSTOMERS_UPDATE", shop: "parity.myshopify.com" });
  });
});
