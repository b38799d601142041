// What each subscribed webhook topic carries (API 2026-07), as zod schemas: strict about the
// fields the app uses, lenient (passthrough) about the rest. Pure: no database, no Shopify calls.
import { z } from "zod";

import { toMinorUnits } from "../money/money";

/** "customers/create", "customer.tags_added" or "CUSTOMERS_CREATE" -> "CUSTOMERS_CREATE" (the library's form). */
export function normalizeTopic(topic: string): string {
  return topic.toUpperCase().replace(/[/.]/g, "_");
}

/**
 * JSON.parse, except that integers beyond 2^53 become strings of their exact digits instead of
 * rounded numbers (REST payloads carry ids like 820982911946154508; JSON.parse would make that
 * ...500). Node 20 has no JSON.parse source access, so the text is rewritten first: every integer
 * literal outside a string that is not a safe integer is quoted.
 */
export function parseWebhookJson(text: string): unknown {
  let out = "";
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === '"') {
      // Skip the whole string literal, escapes included.
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
    } else if (char === "-" || (char >= "0" && char <= "9")) {
      const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      const literal = match?.[0] ?? char;
      if (match && !match[1] && !match[2] && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(last, i)}"${literal}"`;
        last = i + literal.length;
      }
      i += literal.length;
    } else {
      i++;
    }
  }
  return JSON.parse(last === 0 ? text : out + text.slice(last));
}

// ---------------------------------------------------------------------------------------------
// Building blocks

const gid = (type: string) => z.string().regex(new RegExp(`^gid://shopify/${type}/\\d+$`), `expected a gid://shopify/${type}/<id>`);

/**
 * A numeric REST id as exact digits. parseWebhookJson keeps big ids as strings; a number here is
 * only accepted when it is a safe integer, because a bigger one has already lost its last digits.
 */
const numericId = z.union([z.string().regex(/^\d+$/, "expected an id of digits"), z.number()]).transform((value, ctx) => {
  if (typeof value === "string") return value;
  if (!Number.isSafeInteger(value) || value < 0) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `id ${value} is not exact (beyond 2^53, parsed as a number)` });
    return z.NEVER;
  }
  return String(value);
});

const timestamp = z.string().refine((value) => !Number.isNaN(Date.parse(value)), "expected an ISO 8601 timestamp").transform((value) => new Date(value));

const decimalText = z.string().regex(/^-?\d+(\.\d+)?$/, "expected decimal text");

/** Decimal text plus its currency -> bigint minor units (refuses more precision than the currency has). */
function minor(amount: string, currencyCode: string, ctx: z.RefinementCtx): bigint {
  try {
    return toMinorUnits(amount, currencyCode);
  } catch (error) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
}

/** REST `*_set`: we read the shop's money (the amounts the archive keeps), never the float fields. */
const moneySet = z
  .object({
    shop_money: z.object({ amount: decimalText, currency_code: z.string().length(3) }).passthrough(),
  })
  .passthrough()
  .transform((value, ctx) => ({ minor: minor(value.shop_money.amount, value.shop_money.currency_code, ctx), currencyCode: value.shop_money.currency_code }));

export type Money = z.output<typeof moneySet>;

const nullableString = z.string().nullish().transform((value) => value ?? null);

// ---------------------------------------------------------------------------------------------
// Customers

const customerPayload = z
  .object({
    admin_graphql_api_id: gid("Customer"),
    first_name: nullableString,
    last_name: nullableString,
    email: nullableString,
    phone: nullableString,
    state: nullableString,
    note: nullableString,
    verified_email: z.boolean().nullish(),
    currency: nullableString,
    created_at: timestamp.nullish(),
    updated_at: timestamp.nullish(),
    default_address: z
      .object({ city: nullableString, province: nullableString, country_code: nullableString })
      .passthrough()
      .nullish(),
  })
  .passthrough();

const customerDeletePayload = z.object({ admin_graphql_api_id: gid("Customer") }).passthrough();

const purchasingSummaryPayload = z
  .object({
    customerId: gid("Customer"),
    // UnsignedInt64 in GraphQL: a string in the schema, a number in the example.
    numberOfOrders: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(Number),
    amountSpent: z
      .object({ amount: decimalText, currencyCode: z.string().length(3) })
      .passthrough()
      .transform((value, ctx) => ({ minor: minor(value.amount, value.currencyCode, ctx), currencyCode: value.currencyCode })),
    lastOrderId: gid("Order").nullish(),
    occurredAt: timestamp,
  })
  .passthrough();

const customerTagsPayload = z
  .object({
    customerId: gid("Customer"),
    tags: z.array(z.string().trim().min(1)),
    occurredAt: timestamp,
  })
  .passthrough();

// This topic has no GID: the customer is `customer_id` (exact only when parsed with parseWebhookJson).
const emailConsentPayload = z
  .object({
    customer_id: numericId,
    email_address: nullableString,
    email_marketing_consent: z
      .object({
        state: z.string().min(1),
        opt_in_level: nullableString,
        consent_updated_at: timestamp.nullish(),
      })
      .passthrough(),
  })
  .passthrough();

// ---------------------------------------------------------------------------------------------
// Orders and refunds

const refundLinePayload = z
  .object({
    id: numericId,
    quantity: z.number().int().nonnegative(),
    line_item_id: numericId,
    restock_type: nullableString,
    subtotal_set: moneySet,
    total_tax_set: moneySet.nullish(),
    line_item: z.object({ admin_graphql_api_id: gid("LineItem") }).passthrough().nullish(),
  })
  .passthrough();

const refundTransactionPayload = z
  .object({
    kind: z.string(),
    status: z.string().nullish(),
    amount: decimalText,
    currency: nullableString,
  })
  .passthrough();

const refundPayload = z
  .object({
    admin_graphql_api_id: gid("Refund"),
    order_id: numericId,
    note: nullableString,
    created_at: timestamp,
    refund_line_items: z.array(refundLinePayload),
    transactions: z.array(refundTransactionPayload).nullish(),
    refund_shipping_lines: z
      .array(z.object({ subtotal_amount_set: moneySet.nullish() }).passthrough())
      .nullish(),
  })
  .passthrough();

const orderLinePayload = z
  .object({
    admin_graphql_api_id: gid("LineItem"),
    title: z.string(),
    variant_title: nullableString,
    sku: nullableString,
    quantity: z.number().int().nonnegative(),
    current_quantity: z.number().int().nonnegative().nullish(),
    price_set: moneySet,
    product_id: numericId.nullish(),
    variant_id: numericId.nullish(),
    discount_allocations: z.array(z.object({ amount_set: moneySet }).passthrough()).nullish(),
    total_discount_set: moneySet.nullish(),
  })
  .passthrough();

const orderPayload = z
  .object({
    admin_graphql_api_id: gid("Order"),
    name: z.string(),
    email: nullableString,
    test: z.boolean().nullish(),
    currency: z.string().length(3),
    financial_status: nullableString,
    fulfillment_status: nullableString,
    total_price_set: moneySet,
    subtotal_price_set: moneySet.nullish(),
    total_discounts_set: moneySet.nullish(),
    processed_at: timestamp.nullish(),
    cancelled_at: timestamp.nullish(),
    created_at: timestamp,
    updated_at: timestamp.nullish(),
    customer: z.object({ admin_graphql_api_id: gid("Customer") }).passthrough().nullish(),
    line_items: z.array(orderLinePayload),
    refunds: z.array(refundPayload).nullish(),
  })
  .passthrough();

// ---------------------------------------------------------------------------------------------
// Products

const productPayload = z
  .object({
    admin_graphql_api_id: gid("Product"),
    title: z.string(),
    handle: z.string(),
    product_type: nullableString,
    vendor: nullableString,
    tags: z.union([z.string(), z.array(z.string())]).nullish(),
    status: z.string().min(1),
    created_at: timestamp.nullish(),
    updated_at: timestamp.nullish(),
    image: z.object({ src: nullableString }).passthrough().nullish(),
    variants: z.array(
      z
        .object({
          admin_graphql_api_id: gid("ProductVariant"),
          title: z.string(),
          sku: nullableString,
          price: decimalText,
        })
        .passthrough(),
    ),
    // Every variant's GID even when `variants` is cut short, so removed variants can be told apart.
    variant_gids: z.array(z.object({ admin_graphql_api_id: gid("ProductVariant") }).passthrough()).nullish(),
  })
  .passthrough();

const productDeletePayload = z.object({ id: numericId }).passthrough();

// ---------------------------------------------------------------------------------------------
// Operations, lifecycle and compliance

const bulkOperationFinishPayload = z
  .object({ admin_graphql_api_id: gid("BulkOperation"), status: z.string(), error_code: nullableString })
  .passthrough();

const appUninstalledPayload = z.object({}).passthrough();

const complianceCustomer = z.object({ id: numericId, email: nullableString, phone: nullableString }).passthrough();

const dataRequestPayload = z
  .object({
    shop_id: numericId,
    shop_domain: z.string(),
    customer: complianceCustomer,
    orders_requested: z.array(numericId).nullish().transform((value) => value ?? []),
    data_request: z.object({ id: numericId }).passthrough(),
  })
  .passthrough();

const customerRedactPayload = z
  .object({
    shop_id: numericId,
    shop_domain: z.string(),
    customer: complianceCustomer,
    orders_to_redact: z.array(numericId).nullish().transform((value) => value ?? []),
  })
  .passthrough();

const shopRedactPayload = z.object({ shop_id: numericId, shop_domain: z.string() }).passthrough();

/** One schema per subscribed topic, keyed by the library's topic form. */
export const webhookPayloadSchemas = {
  CUSTOMERS_CREATE: customerPayload,
  CUSTOMERS_UPDATE: customerPayload,
  CUSTOMERS_DELETE: customerDeletePayload,
  CUSTOMERS_PURCHASING_SUMMARY: purchasingSummaryPayload,
  CUSTOMER_TAGS_ADDED: customerTagsPayload,
  CUSTOMER_TAGS_REMOVED: customerTagsPayload,
  CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE: emailConsentPayload,
  ORDERS_CREATE: orderPayload,
  ORDERS_UPDATED: orderPayload,
  ORDERS_PAID: orderPayload,
  ORDERS_CANCELLED: orderPayload,
  ORDERS_FULFILLED: orderPayload,
  REFUNDS_CREATE: refundPayload,
  PRODUCTS_CREATE: productPayload,
  PRODUCTS_UPDATE: productPayload,
  PRODUCTS_DELETE: productDeletePayload,
  BULK_OPERATIONS_FINISH: bulkOperationFinishPayload,
  APP_UNINSTALLED: appUninstalledPayload,
  CUSTOMERS_DATA_REQUEST: dataRequestPayload,
  CUSTOMERS_REDACT: customerRedactPayload,
  SHOP_REDACT: shopRedactPayload,
} as const;

export type WebhookTopic = keyof typeof webhookPayloadSchemas;
export type WebhookPayload<T extends WebhookTopic> = z.output<(typeof webhookPayloadSchemas)[T]>;

export type CustomerPayload = WebhookPayload<"CUSTOMERS_CREATE">;
export type CustomerDeletePayload = WebhookPayload<"CUSTOMERS_DELETE">;
export type PurchasingSummaryPayload = WebhookPayload<"CUSTOMERS_PURCHASING_SUMMARY">;
export type CustomerTagsPayload = WebhookPayload<"CUSTOMER_TAGS_ADDED">;
export type EmailConsentPayload = WebhookPayload<"CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE">;
export type OrderPayload = WebhookPayload<"ORDERS_CREATE">;
export type RefundPayload = WebhookPayload<"REFUNDS_CREATE">;
export type ProductPayload = WebhookPayload<"PRODUCTS_CREATE">;
export type ProductDeletePayload = WebhookPayload<"PRODUCTS_DELETE">;
export type DataRequestPayload = WebhookPayload<"CUSTOMERS_DATA_REQUEST">;
export type CustomerRedactPayload = WebhookPayload<"CUSTOMERS_REDACT">;

export function isWebhookTopic(topic: string): topic is WebhookTopic {
  return Object.hasOwn(webhookPayloadSchemas, topic);
}

/** A discriminated pair, so handlers get the payload type of their topic. */
export type ParsedWebhook = { [T in WebhookTopic]: { topic: T; payload: WebhookPayload<T> } }[WebhookTopic];

export type ParseResult = { ok: true; webhook: ParsedWebhook } | { ok: false; error: string };

/** zod issues as one readable line each: `line_items.0.price_set.shop_money.amount: expected decimal text`. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join(".") : "(payload)"}: ${issue.message}`).join("\n");
}

/** Validates a stored payload (text) against its topic's schema. */
export function parseWebhookPayload(topic: string, text: string): ParseResult {
  const normalized = normalizeTopic(topic);
  if (!isWebhookTopic(normalized)) return { ok: false, error: `no handler for topic ${topic}` };
  let json: unknown;
  try {
    json = parseWebhookJson(text);
  } catch (error) {
    return { ok: false, error: `payload is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const result = webhookPayloadSchemas[normalized].safeParse(json);
  if (!result.success) return { ok: false, error: formatIssues(result.error) };
  return { ok: true, webhook: { topic: normalized, payload: result.data } as ParsedWebhook };
}

/** "gid://shopify/Product/" + exact digits. */
export const toGid = (type: string, id: string) => `gid://shopify/${type}/${id}`;
