// Applies one validated webhook to the archive: one handler per topic, each mapping the payload
// to rows and writing them so that an older or repeated delivery changes nothing (decision 008).
import type { Prisma } from "../../db.server";
import { toMinorUnits } from "../money/money";
import { writeArchiveRows } from "../sync/archive-writer.server";
import type { BulkRow, OrderLineRow, OrderRow, RefundLineRow, RefundRow } from "../sync/bulk-rows";
import {
  toGid,
  type CustomerDeletePayload,
  type CustomerPayload,
  type CustomerTagsPayload,
  type EmailConsentPayload,
  type OrderPayload,
  type ParsedWebhook,
  type ProductDeletePayload,
  type ProductPayload,
  type PurchasingSummaryPayload,
  type RefundPayload,
} from "./payloads";

export type Tx = Prisma.TransactionClient;

export interface ApplyContext {
  tx: Tx;
  shop: string;
  /** X-Shopify-Triggered-At (else when the event was received): the version of aspects whose payload has no timestamp. */
  triggeredAt: Date;
}

export interface ApplyResult {
  /** false: everything in the event was older than (or already) what the archive holds. */
  applied: boolean;
  /** The record the event is about (GID), kept on the WebhookEvent for support and redaction. */
  subjectId: string | null;
  note?: string;
}

/** A payload that passed its schema but still cannot be applied (e.g. a price finer than the currency). Never retried. */
export class UnapplicablePayloadError extends Error {
  override name = "UnapplicablePayloadError";
}

const applied = (subjectId: string | null, note?: string): ApplyResult => ({ applied: true, subjectId, ...(note ? { note } : {}) });
const stale = (subjectId: string | null, note: string): ApplyResult => ({ applied: false, subjectId, note });

// ---------------------------------------------------------------------------------------------
// AppliedVersion: the newest version of one aspect of one record that the archive holds.

/**
 * Claims `version` for (shop, subjectId, aspect) if it is newer than the stored one and returns
 * whether it did. The conditional update locks the row (PostgreSQL), so two workers cannot both
 * claim; a concurrent first insert fails on the key and the job retries.
 */
export async function claimVersion(tx: Tx, { shop, subjectId, aspect, version }: { shop: string; subjectId: string; aspect: string; version: Date }): Promise<boolean> {
  const { count } = await tx.appliedVersion.updateMany({ where: { shop, subjectId, aspect, version: { lt: version } }, data: { version } });
  if (count > 0) return true;
  const existing = await tx.appliedVersion.findUnique({ where: { shop_subjectId_aspect: { shop, subjectId, aspect } }, select: { version: true } });
  if (existing) return false;
  await tx.appliedVersion.create({ data: { shop, subjectId, aspect, version } });
  return true;
}

async function isDeleted(tx: Tx, shop: string, subjectId: string): Promise<boolean> {
  const deleted = await tx.appliedVersion.findUnique({ where: { shop_subjectId_aspect: { shop, subjectId, aspect: "deleted" } }, select: { version: true } });
  return deleted !== null;
}

async function shopCurrency(tx: Tx, shop: string): Promise<string | null> {
  return (await tx.shop.findUnique({ where: { shop }, select: { currencyCode: true } }))?.currencyCode ?? null;
}

const upper = (value: string | null) => (value ? value.toUpperCase() : null);

/** "a, b ,c" or ["a","b"] -> "a, b, c" (the bulk import's format). */
function tagList(tags: string | string[] | null | undefined): string[] {
  const list = Array.isArray(tags) ? tags : (tags ?? "").split(",");
  return list.map((tag) => tag.trim()).filter(Boolean);
}

// ---------------------------------------------------------------------------------------------
// Customers

/**
 * customers/create|update. Since API 2025-01 these payloads carry no tags, order count, spend or
 * consent, so this is a guarded Prisma update of only the columns the payload has, not
 * writeArchiveRows (whose full row would blank the others, or need a read-modify-write that races
 * the aspect topics). Same rule as the writer: a newer-or-equal updated_at wins; a deleted or
 * redacted customer is never touched; a customer deleted before its create arrived is not created.
 */
async function applyCustomer({ tx, shop, triggeredAt }: ApplyContext, payload: CustomerPayload): Promise<ApplyResult> {
  const shopifyId = payload.admin_graphql_api_id;
  const updatedAt = payload.updated_at ?? triggeredAt;
  const displayName = [payload.first_name, payload.last_name].filter(Boolean).join(" ") || payload.email || payload.phone || null;
  const fields = {
    firstName: payload.first_name,
    lastName: payload.last_name,
    displayName,
    email: payload.email,
    phone: payload.phone,
    state: upper(payload.state),
    note: payload.note,
    verifiedEmail: payload.verified_email ?? false,
    countryCode: payload.default_address?.country_code ?? null,
    province: payload.default_address?.province ?? null,
    city: payload.default_address?.city ?? null,
    shopifyUpdatedAt: updatedAt,
  };
  const { count } = await tx.customer.updateMany({
    where: { shop, shopifyId, deletedAt: null, redactedAt: null, shopifyUpdatedAt: { lte: updatedAt } },
    data: fields,
  });
  if (count > 0) return applied(shopifyId);
  const existing = await tx.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId } }, select: { deletedAt: true, redactedAt: true } });
  if (existing) return stale(shopifyId, existing.deletedAt || existing.redactedAt ? "customer is deleted or redacted" : "the archive holds a newer version");
  if (await isDeleted(tx, shop, shopifyId)) return stale(shopifyId, "customer was deleted");
  await tx.customer.create({
    data: {
      shop,
      shopifyId,
      ...fields,
      // The import stores the currency of amountSpent, i.e. the shop's; the payload's is the customer's own.
      currencyCode: (await shopCurrency(tx, shop)) ?? payload.currency ?? "USD",
      shopifyCreatedAt: payload.created_at ?? updatedAt,
    },
  });
  return applied(shopifyId);
}

/** customers/delete: soft delete (orders keep their customerId), remembered so a late update cannot recreate it. */
async function applyCustomerDelete({ tx, shop, triggeredAt }: ApplyContext, payload: CustomerDeletePayload): Promise<ApplyResult> {
  const shopifyId = payload.admin_graphql_api_id;
  if (!(await claimVersion(tx, { shop, subjectId: shopifyId, aspect: "deleted", version: triggeredAt }))) return stale(shopifyId, "already deleted");
  await tx.customer.updateMany({ where: { shop, shopifyId, deletedAt: null }, data: { deletedAt: triggeredAt } });
  return applied(shopifyId);
}

/**
 * Aspects of a customer (summary, consent, tags) update an archived row; a customer not yet in the
 * archive is left to its create or to reconciliation (a row needs fields these payloads lack).
 */
async function liveCustomer(tx: Tx, shop: string, shopifyId: string) {
  const customer = await tx.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId } }, select: { shopifyId: true, tags: true, deletedAt: true, redactedAt: true } });
  if (!customer) return { customer: null, skip: applied(shopifyId, "customer not in the archive yet; reconciliation brings it") } as const;
  if (customer.deletedAt || customer.redactedAt) return { customer: null, skip: stale(shopifyId, "customer is deleted or redacted") } as const;
  return { customer, skip: null } as const;
}

async function applyPurchasingSummary({ tx, shop }: ApplyContext, payload: PurchasingSummaryPayload): Promise<ApplyResult> {
  const shopifyId = payload.customerId;
  const { skip } = await liveCustomer(tx, shop, shopifyId);
  if (skip) return skip;
  if (!(await claimVersion(tx, { shop, subjectId: shopifyId, aspect: "summary", version: payload.occurredAt }))) return stale(shopifyId, "a newer purchasing summary is applied");
  await tx.customer.update({
    where: { shop_shopifyId: { shop, shopifyId } },
    data: { numberOfOrders: payload.numberOfOrders, amountSpentMinor: payload.amountSpent.minor, currencyCode: payload.amountSpent.currencyCode },
  });
  return applied(shopifyId);
}

/**
 * Tags arrive as deltas, so each tag has its own version (aspect `tag:<name>`): an older add of
 * one tag must not be blocked by a newer removal of another, but must lose to a newer removal of itself.
 */
async function applyTags({ tx, shop }: ApplyContext, payload: CustomerTagsPayload, change: "add" | "remove"): Promise<ApplyResult> {
  const shopifyId = payload.customerId;
  const { customer, skip } = await liveCustomer(tx, shop, shopifyId);
  if (skip) return skip;
  let tags = tagList(customer.tags);
  let changed = false;
  for (const tag of new Set(payload.tags)) {
    const key = tag.toLowerCase();
    if (!(await claimVersion(tx, { shop, subjectId: shopifyId, aspect: `tag:${key}`, version: payload.occurredAt }))) continue;
    changed = true;
    const without = tags.filter((existing) => existing.toLowerCase() !== key);
    tags = change === "add" ? [...without, tag] : without;
  }
  if (!changed) return stale(shopifyId, "newer changes of these tags are applied");
  await tx.customer.update({ where: { shop_shopifyId: { shop, shopifyId } }, data: { tags: tags.join(", ") } });
  return applied(shopifyId);
}

/**
 * customers_email_marketing_consent/update has no GID, only `customer_id`. Emails are unique per
 * store, so when no customer has that id (e.g. a payload whose id lost digits on the way) the
 * customer with the payload's email is the one.
 */
async function applyEmailConsent({ tx, shop, triggeredAt }: ApplyContext, payload: EmailConsentPayload): Promise<ApplyResult> {
  let shopifyId = toGid("Customer", payload.customer_id);
  const byId = await tx.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId } }, select: { shopifyId: true } });
  if (!byId && payload.email_address) {
    const byEmail = await tx.customer.findMany({ where: { shop, email: payload.email_address }, select: { shopifyId: true }, take: 2 });
    if (byEmail.length === 1) shopifyId = byEmail[0]!.shopifyId;
  }
  const { skip } = await liveCustomer(tx, shop, shopifyId);
  if (skip) return skip;
  const version = payload.email_marketing_consent.consent_updated_at ?? triggeredAt;
  if (!(await claimVersion(tx, { shop, subjectId: shopifyId, aspect: "consent", version }))) return stale(shopifyId, "a newer consent is applied");
  await tx.customer.update({
    where: { shop_shopifyId: { shop, shopifyId } },
    // REST "not_subscribed" -> GraphQL's CustomerEmailAddressMarketingState, as the import stores it.
    data: { emailMarketingState: payload.email_marketing_consent.state.toUpperCase() },
  });
  return applied(shopifyId);
}

// ---------------------------------------------------------------------------------------------
// Orders and refunds

/** toMinorUnits for amounts whose currency is only known here: a failure is the payload's fault, not a reason to retry. */
function exactMinor(amount: string, currencyCode: string, path: string): bigint {
  try {
    return toMinorUnits(amount, currencyCode);
  } catch (error) {
    throw new UnapplicablePayloadError(`${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// REST fulfillment_status -> GraphQL displayFulfillmentStatus (what the import stores).
const FULFILLMENT: Record<string, string> = { fulfilled: "FULFILLED", partial: "PARTIALLY_FULFILLED", restocked: "RESTOCKED" };

/**
 * A refund's total in the order's currency: its successful refund transactions when they are in
 * that currency (what GraphQL's totalRefundedSet sums), else its lines' subtotal and tax plus
 * refunded shipping (shop money).
 */
function refundTotal(refund: RefundPayload, currencyCode: string): bigint {
  const transactions = (refund.transactions ?? []).filter((transaction) => transaction.kind === "refund" && (transaction.status ?? "success") === "success");
  if (transactions.length > 0 && transactions.every((transaction) => !transaction.currency || transaction.currency === currencyCode)) {
    return transactions.reduce((sum, transaction) => sum + exactMinor(transaction.amount, currencyCode, "transactions"), 0n);
  }
  const lines = refund.refund_line_items.reduce((sum, line) => sum + line.subtotal_set.minor + (line.total_tax_set?.minor ?? 0n), 0n);
  const shipping = (refund.refund_shipping_lines ?? []).reduce((sum, line) => sum + (line.subtotal_amount_set?.minor ?? 0n), 0n);
  return lines + shipping;
}

const refundLineId = (line: RefundPayload["refund_line_items"][number]) => line.line_item?.admin_graphql_api_id ?? toGid("LineItem", line.line_item_id);

function refundRows(shop: string, orderId: string, currencyCode: string, refund: RefundPayload): BulkRow[] {
  const row: RefundRow = {
    shop,
    shopifyId: refund.admin_graphql_api_id,
    orderId,
    note: refund.note,
    totalMinor: refundTotal(refund, currencyCode),
    currencyCode,
    shopifyCreatedAt: refund.created_at,
  };
  const lines = refund.refund_line_items.map(
    (line): RefundLineRow => ({
      shop,
      shopifyId: toGid("RefundLineItem", line.id),
      refundId: refund.admin_graphql_api_id,
      orderLineId: refundLineId(line),
      quantity: line.quantity,
      subtotalMinor: line.subtotal_set.minor,
      restockType: line.restock_type,
    }),
  );
  return [{ table: "refund", row }, ...lines.map((line) => ({ table: "refundLine" as const, row: line }))];
}

/**
 * Refunded quantities and the refunded total are recomputed from the stored refunds rather than
 * incremented, so a refund delivered twice (or also seen inside an orders/updated) counts once.
 */
async function recomputeRefunds(tx: Tx, shop: string, orderId: string) {
  const lines = await tx.orderLine.findMany({ where: { shop, orderId }, select: { shopifyId: true, refundedQuantity: true } });
  if (lines.length > 0) {
    const refunded = await tx.refundLine.groupBy({ by: ["orderLineId"], where: { shop, orderLineId: { in: lines.map((line) => line.shopifyId) } }, _sum: { quantity: true } });
    const byLine = new Map(refunded.map((group) => [group.orderLineId, group._sum.quantity ?? 0]));
    for (const line of lines) {
      const quantity = byLine.get(line.shopifyId) ?? 0;
      if (quantity !== line.refundedQuantity) {
        await tx.orderLine.update({ where: { shop_shopifyId: { shop, shopifyId: line.shopifyId } }, data: { refundedQuantity: quantity } });
      }
    }
  }
  const total = await tx.refund.aggregate({ where: { shop, orderId }, _sum: { totalMinor: true }, _count: true });
  if (total._count > 0) {
    const totalRefundedMinor = total._sum.totalMinor ?? 0n;
    await tx.order.updateMany({ where: { shop, shopifyId: orderId, deletedAt: null, totalRefundedMinor: { not: totalRefundedMinor } }, data: { totalRefundedMinor } });
  }
}

/** orders/create|updated|paid|cancelled|fulfilled share one payload: the order, its lines and its refunds. */
async function applyOrder({ tx, shop, triggeredAt }: ApplyContext, payload: OrderPayload): Promise<ApplyResult> {
  const shopifyId = payload.admin_graphql_api_id;
  const updatedAt = payload.updated_at ?? triggeredAt;
  const existing = await tx.order.findUnique({ where: { shop_shopifyId: { shop, shopifyId } }, select: { shopifyUpdatedAt: true, deletedAt: true } });
  if (existing?.deletedAt) return stale(shopifyId, "order is deleted");
  // The writer keeps a newer order row by itself; lines and refunds it writes unconditionally, so
  // an older payload is stopped here, before any of its rows are written.
  if (existing && existing.shopifyUpdatedAt > updatedAt) return stale(shopifyId, "the archive holds a newer version");

  const currencyCode = payload.total_price_set.currencyCode;
  const refunds = payload.refunds ?? [];
  const order: OrderRow = {
    shop,
    shopifyId,
    customerId: payload.customer?.admin_graphql_api_id ?? null,
    name: payload.name,
    email: payload.email,
    test: payload.test ?? false,
    currencyCode,
    financialStatus: upper(payload.financial_status),
    fulfillmentStatus: payload.fulfillment_status ? (FULFILLMENT[payload.fulfillment_status] ?? payload.fulfillment_status.toUpperCase()) : "UNFULFILLED",
    totalPriceMinor: payload.total_price_set.minor,
    subtotalPriceMinor: payload.subtotal_price_set?.minor ?? 0n,
    totalDiscountsMinor: payload.total_discounts_set?.minor ?? 0n,
    totalRefundedMinor: refunds.reduce((sum, refund) => sum + refundTotal(refund, currencyCode), 0n),
    processedAt: payload.processed_at ?? payload.created_at,
    cancelledAt: payload.cancelled_at ?? null,
    shopifyCreatedAt: payload.created_at,
    shopifyUpdatedAt: updatedAt,
  };
  const lines = payload.line_items.map((line): OrderLineRow => {
    // discount_allocations is the current breakdown; older payloads only fill total_discount_set.
    const allocations = line.discount_allocations ?? [];
    const discounts = allocations.length ? allocations.reduce((sum, allocation) => sum + allocation.amount_set.minor, 0n) : (line.total_discount_set?.minor ?? 0n);
    return {
      shop,
      shopifyId: line.admin_graphql_api_id,
      orderId: shopifyId,
      // REST lines carry product and variant only as numeric ids: exact when the payload was parsed losslessly.
      productId: line.product_id ? toGid("Product", line.product_id) : null,
      variantId: line.variant_id ? toGid("ProductVariant", line.variant_id) : null,
      title: line.title,
      variantTitle: line.variant_title,
      sku: line.sku || null,
      quantity: line.quantity,
      currentQuantity: line.current_quantity ?? line.quantity,
      unitPriceMinor: line.price_set.minor,
      totalMinor: line.price_set.minor * BigInt(line.quantity) - discounts,
    };
  });
  await writeArchiveRows(tx, [
    { table: "order", row: order },
    ...lines.map((row) => ({ table: "orderLine" as const, row })),
    ...refunds.flatMap((refund) => refundRows(shop, shopifyId, currencyCode, refund)),
  ]);
  await recomputeRefunds(tx, shop, shopifyId);
  return applied(shopifyId);
}

/**
 * refunds/create. The payload names its order only by numeric `order_id`; the refunded lines carry
 * GIDs, so an archived line's order is preferred (exact even when the numeric id lost digits).
 */
async function applyRefund({ tx, shop }: ApplyContext, payload: RefundPayload): Promise<ApplyResult> {
  const lineIds = payload.refund_line_items.map(refundLineId);
  const archivedLine = lineIds.length ? await tx.orderLine.findFirst({ where: { shop, shopifyId: { in: lineIds } }, select: { orderId: true } }) : null;
  const orderId = archivedLine?.orderId ?? toGid("Order", payload.order_id);
  const order = await tx.order.findUnique({ where: { shop_shopifyId: { shop, shopifyId: orderId } }, select: { currencyCode: true } });
  const currencyCode =
    order?.currencyCode ?? payload.refund_line_items[0]?.subtotal_set.currencyCode ?? (await shopCurrency(tx, shop)) ?? payload.transactions?.find((transaction) => transaction.currency)?.currency ?? "USD";
  const rows = refundRows(shop, orderId, currencyCode, payload);
  // A refund never changes once created: one already stored with all its lines (e.g. from an
  // orders/updated) is not news. The import stores refunds without lines, so those are.
  const known = await tx.refund.count({ where: { shop, shopifyId: payload.admin_graphql_api_id } });
  const knownLines = await tx.refundLine.count({ where: { shop, refundId: payload.admin_graphql_api_id } });
  await writeArchiveRows(tx, rows);
  await recomputeRefunds(tx, shop, orderId);
  return known > 0 && knownLines >= rows.length - 1 ? stale(orderId, "refund already archived") : applied(orderId);
}

// ---------------------------------------------------------------------------------------------
// Products

async function applyProduct({ tx, shop, triggeredAt }: ApplyContext, payload: ProductPayload): Promise<ApplyResult> {
  const shopifyId = payload.admin_graphql_api_id;
  const updatedAt = payload.updated_at ?? triggeredAt;
  const existing = await tx.product.findUnique({ where: { shop_shopifyId: { shop, shopifyId } }, select: { shopifyUpdatedAt: true, deletedAt: true, isGiftCard: true, shopifyCreatedAt: true } });
  if (existing?.deletedAt) return stale(shopifyId, "product is deleted");
  if (existing && existing.shopifyUpdatedAt > updatedAt) return stale(shopifyId, "the archive holds a newer version");
  if (!existing && (await isDeleted(tx, shop, shopifyId))) return stale(shopifyId, "product was deleted");

  // Variant prices are in the shop's currency; without a Shop row only the exponent matters.
  const currencyCode = (await shopCurrency(tx, shop)) ?? "USD";
  const variants = payload.variants.map((variant) => {
    const priceMinor = exactMinor(variant.price, currencyCode, `variants: ${variant.admin_graphql_api_id}: price`);
    return { table: "variant" as const, row: { shop, shopifyId: variant.admin_graphql_api_id, productId: shopifyId, title: variant.title, sku: variant.sku || null, priceMinor } };
  });
  await writeArchiveRows(tx, [
    {
      table: "product",
      row: {
        shop,
        shopifyId,
        title: payload.title,
        handle: payload.handle,
        productType: payload.product_type || null,
        vendor: payload.vendor || null,
        tags: tagList(payload.tags).join(", "),
        status: payload.status.toUpperCase(),
        // REST product payloads do not say whether it is a gift card: keep what the import stored.
        isGiftCard: existing?.isGiftCard ?? false,
        imageUrl: payload.image?.src ?? null,
        shopifyCreatedAt: payload.created_at ?? existing?.shopifyCreatedAt ?? updatedAt,
        shopifyUpdatedAt: updatedAt,
      },
    },
    ...variants,
  ]);
  // Variants gone from the product: variant_gids lists all of them even when `variants` is cut short.
  const current = (payload.variant_gids ?? payload.variants).map((variant) => variant.admin_graphql_api_id);
  await tx.productVariant.deleteMany({ where: { shop, productId: shopifyId, shopifyId: { notIn: current } } });
  return applied(shopifyId);
}

/** products/delete carries only the numeric id. */
async function applyProductDelete({ tx, shop, triggeredAt }: ApplyContext, payload: ProductDeletePayload): Promise<ApplyResult> {
  const shopifyId = toGid("Product", payload.id);
  if (!(await claimVersion(tx, { shop, subjectId: shopifyId, aspect: "deleted", version: triggeredAt }))) return stale(shopifyId, "already deleted");
  await tx.product.updateMany({ where: { shop, shopifyId, deletedAt: null }, data: { deletedAt: triggeredAt } });
  return applied(shopifyId);
}

// ---------------------------------------------------------------------------------------------

/** Applies an archive topic inside the caller's transaction. */
export async function applyToArchive(context: ApplyContext, webhook: ParsedWebhook): Promise<ApplyResult> {
  switch (webhook.topic) {
    case "CUSTOMERS_CREATE":
    case "CUSTOMERS_UPDATE":
      return applyCustomer(context, webhook.payload);
    case "CUSTOMERS_DELETE":
      return applyCustomerDelete(context, webhook.payload);
    case "CUSTOMERS_PURCHASING_SUMMARY":
      return applyPurchasingSummary(context, webhook.payload);
    case "CUSTOMER_TAGS_ADDED":
      return applyTags(context, webhook.payload, "add");
    case "CUSTOMER_TAGS_REMOVED":
      return applyTags(context, webhook.payload, "remove");
    case "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE":
      return applyEmailConsent(context, webhook.payload);
    case "ORDERS_CREATE":
    case "ORDERS_UPDATED":
    case "ORDERS_PAID":
    case "ORDERS_CANCELLED":
    case "ORDERS_FULFILLED":
      return applyOrder(context, webhook.payload);
    case "REFUNDS_CREATE":
      return applyRefund(context, webhook.payload);
    case "PRODUCTS_CREATE":
    case "PRODUCTS_UPDATE":
      return applyProduct(context, webhook.payload);
    case "PRODUCTS_DELETE":
      return applyProductDelete(context, webhook.payload);
    case "BULK_OPERATIONS_FINISH":
      // The import polls its bulk operation (initial-import.server.ts), so the event is only recorded.
      return applied(webhook.payload.admin_graphql_api_id, "recorded; the import polls its bulk operation");
    case "APP_UNINSTALLED":
    case "CUSTOMERS_DATA_REQUEST":
    case "CUSTOMERS_REDACT":
    case "SHOP_REDACT":
      throw new Error(`${webhook.topic} is applied by the privacy module, not in an archive transaction`);
  }
}
