// Resolvers over the in-memory store, run by graphql-js `execute` against the real Admin schema.
// A custom fieldResolver looks up RESOLVERS[type][field] and falls back to property lookup on
// plain "view" objects built from store records.
import { createHash } from "node:crypto";

import { GraphQLError, type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLTypeResolver } from "graphql";

import { compileSearch, parseSearch, type FieldSpec } from "./search";
import { formatMoney, gid, ID_BASE, iso, parseGid, type CustomerRecord, type MetafieldRecord, type OrderRecord, type ProductRecord, type Store, type VariantRecord } from "./store";

export interface BulkOperationView {
  __typename: "BulkOperation";
  id: string;
  status: string;
  errorCode: string | null;
  createdAt: string;
  completedAt: string | null;
  objectCount: string;
  rootObjectCount: string;
  fileSize: string | null;
  url: string | null;
  partialDataUrl: string | null;
  query: string;
  type: "QUERY" | "MUTATION";
}
export interface UserError {
  field: string[] | null;
  message: string;
  code?: string | null;
}
export interface ResolverHooks {
  runBulkQuery(store: Store, query: string): { bulkOperation: BulkOperationView | null; userErrors: UserError[] };
  cancelBulkOperation(store: Store, id: string): { bulkOperation: BulkOperationView | null; userErrors: UserError[] };
  currentBulkOperation(store: Store, type: string): BulkOperationView | null;
  bulkOperation(store: Store, id: string): BulkOperationView | null;
  flowTriggerReceive(store: Store, handle: string | null, payload: unknown): UserError[];
  /** The type of an app-owned (`$app`) customer metafield the app declares, if it declares `key`. */
  customerMetafieldType?(key: string): string | undefined;
}
/** Bulk execution state: the root connection returns `limit` records from `offset`. */
export interface BulkState {
  offset: number;
  limit: number;
  rootIds?: number[];
}
export interface Context {
  store: Store;
  hooks: ResolverHooks;
  bulk?: BulkState;
}

type Args = Record<string, unknown>;
type Resolver = (source: Record<string, unknown>, args: Args, ctx: Context, info: GraphQLResolveInfo) => unknown;

const money = (cents: number, currencyCode: string) => ({ amount: formatMoney(cents), currencyCode });
const bag = (cents: number, currencyCode: string) => ({ shopMoney: money(cents, currencyCode), presentmentMoney: money(cents, currencyCode) });
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

// ---------- views ----------
export function customerView(store: Store, c: CustomerRecord) {
  const displayName = [c.firstName, c.lastName].filter(Boolean).join(" ") || c.email || c.phone || "";
  const address = c.address
    ? {
        __typename: "MailingAddress",
        id: gid("MailingAddress", `${ID_BASE.MailingAddress + c.idx}?model_name=CustomerAddress`),
        firstName: c.address.firstName,
        lastName: c.address.lastName,
        name: `${c.address.firstName} ${c.address.lastName}`,
        address1: c.address.address1,
        address2: null,
        city: c.address.city,
        province: c.address.province,
        provinceCode: c.address.provinceCode,
        country: c.address.country,
        countryCodeV2: c.address.countryCode,
        zip: c.address.zip,
        phone: c.address.phone,
        company: null,
        formatted: [c.address.address1, c.address.city, c.address.province, c.address.zip, c.address.country].filter(Boolean),
        formattedArea: [c.address.city, c.address.province, c.address.country].filter(Boolean).join(", "),
      }
    : null;
  const consent = (value: CustomerRecord["emailConsent"]) =>
    value && { marketingState: value.marketingState, marketingOptInLevel: value.marketingOptInLevel, consentUpdatedAt: isoOrNull(value.consentUpdatedAt), consentCollectedFrom: "SHOPIFY" };
  return {
    __typename: "Customer",
    __idx: c.idx,
    id: gid("Customer", c.id),
    legacyResourceId: String(c.id),
    firstName: c.firstName,
    lastName: c.lastName,
    displayName,
    email: c.email,
    phone: c.phone,
    locale: c.locale,
    state: c.state,
    tags: c.tags,
    note: c.note,
    numberOfOrders: String(c.numberOfOrders),
    amountSpent: money(c.amountSpentCents, store.shop.currencyCode),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
    defaultAddress: address,
    addresses: address ? [address] : [],
    emailMarketingConsent: consent(c.emailConsent),
    defaultEmailAddress: c.email === null ? null : { __typename: "CustomerEmailAddress", emailAddress: c.email, marketingState: c.emailConsent?.marketingState ?? "NOT_SUBSCRIBED", marketingUnsubscribeUrl: `https://${store.shop.domain}/unsubscribe`, openTrackingLevel: "UNKNOWN", openTrackingUrl: `https://${store.shop.domain}/open-tracking` },
    defaultPhoneNumber: c.phone === null ? null : { __typename: "CustomerPhoneNumber", phoneNumber: c.phone, marketingState: c.smsConsent?.marketingState ?? "NOT_SUBSCRIBED" },
    smsMarketingConsent: c.smsConsent && { ...consent(c.smsConsent), consentCollectedFrom: "OTHER" },
    verifiedEmail: c.verifiedEmail,
    validEmailAddress: c.email !== null,
    taxExempt: false,
    taxExemptions: [],
    canDelete: c.numberOfOrders === 0,
    dataSaleOptOut: false,
    productSubscriberStatus: "NEVER_SUBSCRIBED",
    lifetimeDuration: "",
    multipassIdentifier: null,
    image: { __typename: "Image", id: null, url: "https://cdn.shopify.com/s/images/admin/customers/customer.svg", altText: null, width: 64, height: 64, src: "", originalSrc: "", transformedSrc: "" },
  };
}

export function orderView(store: Store, o: OrderRecord) {
  const cur = store.shop.currencyCode;
  const currentSubtotal = o.subtotalCents - o.refundedCents;
  return {
    __typename: "Order",
    __record: o,
    id: gid("Order", o.id),
    legacyResourceId: String(o.id),
    name: `#${o.number}`,
    email: o.email,
    phone: null,
    createdAt: iso(o.createdAt),
    updatedAt: iso(o.updatedAt),
    processedAt: iso(o.processedAt),
    cancelledAt: isoOrNull(o.cancelledAt),
    cancelReason: o.cancelReason,
    closedAt: isoOrNull(o.closedAt),
    closed: o.closedAt !== null,
    confirmed: true,
    test: o.test,
    currencyCode: cur,
    presentmentCurrencyCode: cur,
    displayFinancialStatus: o.financialStatus,
    displayFulfillmentStatus: o.fulfillmentStatus,
    fullyPaid: o.financialStatus !== "PENDING" && o.financialStatus !== "AUTHORIZED",
    unpaid: o.financialStatus === "PENDING" || o.financialStatus === "AUTHORIZED",
    refundable: o.refundedCents < o.totalCents,
    tags: o.tags,
    note: o.note,
    customerLocale: "en",
    sourceName: "web",
    subtotalLineItemsQuantity: o.lines.reduce((s, l) => s + l.quantity, 0),
    currentSubtotalLineItemsQuantity: o.lines.reduce((s, l) => s + l.quantity - l.refundedQuantity, 0),
    totalPriceSet: bag(o.totalCents, cur),
    subtotalPriceSet: bag(o.subtotalCents, cur),
    totalRefundedSet: bag(o.refundedCents, cur),
    totalDiscountsSet: bag(o.discountCents, cur),
    totalShippingPriceSet: bag(o.shippingCents, cur),
    totalTaxSet: bag(0, cur),
    totalReceivedSet: bag(o.financialStatus === "VOIDED" || o.financialStatus === "PENDING" ? 0 : o.totalCents, cur),
    netPaymentSet: bag(o.financialStatus === "VOIDED" ? 0 : o.totalCents - o.refundedCents, cur),
    totalOutstandingSet: bag(o.financialStatus === "PENDING" ? o.totalCents : 0, cur),
    currentTotalPriceSet: bag(o.cancelledAt ? 0 : o.totalCents - o.refundedCents, cur),
    currentSubtotalPriceSet: bag(o.cancelledAt ? 0 : currentSubtotal, cur),
    currentTotalDiscountsSet: bag(o.discountCents, cur),
    currentTotalTaxSet: bag(0, cur),
    originalTotalPriceSet: bag(o.totalCents, cur),
  };
}

function lineItemView(store: Store, o: OrderRecord, index: number) {
  const l = o.lines[index]!;
  const cur = store.shop.currencyCode;
  const product = store.products[l.productIdx];
  const variant = product?.variants.find((v) => v.k === l.variantK);
  const discountedTotal = l.unitCents * l.quantity - l.discountCents;
  return {
    __typename: "LineItem",
    id: gid("LineItem", l.id),
    title: l.title,
    name: l.variantTitle ? `${l.title} - ${l.variantTitle}` : l.title,
    variantTitle: l.variantTitle,
    sku: l.sku,
    vendor: product?.vendor ?? null,
    quantity: l.quantity,
    currentQuantity: l.quantity - l.refundedQuantity,
    refundableQuantity: l.quantity - l.refundedQuantity,
    nonFulfillableQuantity: 0,
    unfulfilledQuantity: o.fulfillmentStatus === "FULFILLED" ? 0 : l.quantity - l.refundedQuantity,
    isGiftCard: product?.isGiftCard ?? false,
    requiresShipping: !(product?.isGiftCard ?? false),
    taxable: true,
    restockable: true,
    product: product ? productView(product) : null,
    variant: product && variant ? variantView(product, variant) : null,
    originalUnitPriceSet: bag(l.unitCents, cur),
    discountedUnitPriceSet: bag(Math.round(discountedTotal / l.quantity), cur),
    originalTotalSet: bag(l.unitCents * l.quantity, cur),
    discountedTotalSet: bag(discountedTotal, cur),
    totalDiscountSet: bag(l.discountCents, cur),
  };
}

function refundView(store: Store, o: OrderRecord, refundIndex: number) {
  const r = o.refunds[refundIndex]!;
  const cur = store.shop.currencyCode;
  const total = r.lines.reduce((s, l) => s + l.subtotalCents, 0) + (o.financialStatus === "REFUNDED" && refundIndex === o.refunds.length - 1 ? o.refundedCents - o.refunds.reduce((s, x) => s + x.lines.reduce((a, l) => a + l.subtotalCents, 0), 0) : 0);
  return {
    __typename: "Refund",
    __order: o,
    __refundIndex: refundIndex,
    id: gid("Refund", r.id),
    legacyResourceId: String(r.id),
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.createdAt),
    note: r.note,
    totalRefundedSet: bag(total, cur),
  };
}

export function productView(p: ProductRecord) {
  return {
    __typename: "Product",
    __record: p,
    id: gid("Product", p.id),
    legacyResourceId: String(p.id),
    title: p.title,
    handle: p.handle,
    productType: p.productType,
    vendor: p.vendor,
    tags: p.tags,
    status: p.status,
    isGiftCard: p.isGiftCard,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
    publishedAt: p.status === "ACTIVE" ? iso(p.createdAt) : null,
    description: "",
    descriptionHtml: "",
    onlineStoreUrl: null,
    totalInventory: 100,
    tracksInventory: !p.isGiftCard,
    hasOnlyDefaultVariant: p.variants.length === 1 && p.variants[0]!.title === "Default Title",
    hasOutOfStockVariants: false,
    featuredImage: p.imageUrl ? imageView(p) : null,
  };
}
function imageView(p: ProductRecord) {
  return { __typename: "Image", id: gid("ProductImage", p.id + 1_000_000_000), url: p.imageUrl, src: p.imageUrl, originalSrc: p.imageUrl, transformedSrc: p.imageUrl, altText: p.title, width: 1024, height: 1024 };
}
export function variantView(p: ProductRecord, v: VariantRecord) {
  return {
    __typename: "ProductVariant",
    __product: p,
    id: gid("ProductVariant", v.id),
    legacyResourceId: String(v.id),
    title: v.title,
    displayName: `${p.title} - ${v.title}`,
    sku: v.sku || null,
    price: formatMoney(v.priceCents),
    compareAtPrice: null,
    position: v.k + 1,
    availableForSale: p.status === "ACTIVE",
    inventoryQuantity: 100,
    taxable: true,
    barcode: null,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}
export function metafieldView(m: MetafieldRecord) {
  let jsonValue: unknown = m.value;
  try {
    if (m.type.startsWith("list.") || m.type === "json" || m.type.startsWith("number") || m.type === "boolean") jsonValue = JSON.parse(m.value);
  } catch {
    /* keep string */
  }
  return {
    __typename: "Metafield",
    id: gid("Metafield", m.id),
    legacyResourceId: String(m.id),
    namespace: m.namespace,
    key: m.key,
    value: m.value,
    type: m.type,
    jsonValue,
    description: null,
    compareDigest: metafieldDigest(m),
    ownerType: (parseGid(m.ownerId)?.type ?? "SHOP").toUpperCase(),
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
  };
}
export const metafieldDigest = (m: { value: string; updatedAt: number }) => createHash("sha256").update(`${m.value}|${m.updatedAt}`).digest("hex");

export function shopView(store: Store) {
  const s = store.shop;
  return {
    __typename: "Shop",
    id: gid("Shop", s.id),
    name: s.name,
    email: s.email,
    contactEmail: s.email,
    currencyCode: s.currencyCode,
    enabledPresentmentCurrencies: [s.currencyCode],
    ianaTimezone: s.ianaTimezone,
    timezoneAbbreviation: "EST",
    timezoneOffset: "-0500",
    timezoneOffsetMinutes: -300,
    myshopifyDomain: s.domain,
    url: `https://${s.domain}`,
    description: null,
    weightUnit: "KILOGRAMS",
    taxesIncluded: false,
    setupRequired: false,
    checkoutApiSupported: true,
    plan: { displayName: s.planDisplayName, partnerDevelopment: false, shopifyPlus: false },
    primaryDomain: { __typename: "Domain", id: gid("Domain", s.id), host: s.domain, url: `https://${s.domain}`, sslEnabled: true },
    currencyFormats: { moneyFormat: "${{amount}}", moneyWithCurrencyFormat: "${{amount}} USD", moneyInEmailsFormat: "${{amount}}", moneyWithCurrencyInEmailsFormat: "${{amount}} USD" },
    createdAt: iso(store.start),
    updatedAt: iso(store.start),
  };
}

// ---------- connections ----------
const encodeCursor = (idx: number) => Buffer.from(JSON.stringify({ last_id: idx })).toString("base64url");
function decodeCursor(cursor: unknown): number {
  try {
    const parsed = JSON.parse(Buffer.from(String(cursor), "base64url").toString("utf8")) as { last_id?: unknown };
    if (typeof parsed.last_id === "number") return parsed.last_id;
  } catch {
    /* fallthrough */
  }
  throw new GraphQLError("Invalid cursor for current pagination sort.", { extensions: { code: "BAD_REQUEST" } });
}

/** In a bulk run the root id list is computed once and reused for every batch. */
function ids(ctx: Context, info: GraphQLResolveInfo, compute: () => number[]): number[] {
  return ctx.bulk?.rootIds && info.path.prev === undefined ? [] : compute();
}

function paginate<T>(ids: number[], args: Args, ctx: Context, info: GraphQLResolveInfo, make: (idx: number) => T, options: { maxPage?: number } = {}) {
  let list = args.reverse ? [...ids].reverse() : ids;
  const isRoot = info.path.prev === undefined;
  if (ctx.bulk) {
    if (isRoot) {
      ctx.bulk.rootIds ??= list;
      list = ctx.bulk.rootIds.slice(ctx.bulk.offset, ctx.bulk.offset + ctx.bulk.limit);
    }
    const nodes = list.map((idx) => ({ cursor: encodeCursor(idx), node: make(idx) }));
    return { edges: nodes, nodes: nodes.map((e) => e.node), pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } };
  }
  const first = args.first as number | null | undefined;
  const last = args.last as number | null | undefined;
  if ((first === undefined || first === null) && (last === undefined || last === null)) {
    throw new GraphQLError("you must provide one of first or last", { extensions: { code: "BAD_REQUEST" } });
  }
  const max = options.maxPage ?? 250;
  if ((first ?? 0) > max || (last ?? 0) > max) throw new GraphQLError(`The maximum page size is ${max}`, { extensions: { code: "BAD_REQUEST" } });
  let start = 0;
  let end = list.length;
  if (args.after) {
    const pos = list.indexOf(decodeCursor(args.after));
    start = pos < 0 ? list.length : pos + 1;
  }
  if (args.before) {
    const pos = list.indexOf(decodeCursor(args.before));
    end = pos < 0 ? end : pos;
  }
  let from = start;
  let to = end;
  if (first !== undefined && first !== null) to = Math.min(to, from + Math.max(0, first));
  if (last !== undefined && last !== null) from = Math.max(from, to - Math.max(0, last));
  const slice = list.slice(from, to);
  let edgesCache: Array<{ cursor: string; node: T }> | null = null;
  const edges = () => (edgesCache ??= slice.map((idx) => ({ cursor: encodeCursor(idx), node: make(idx) })));
  return {
    get edges() {
      return edges();
    },
    get nodes() {
      return edges().map((e) => e.node);
    },
    pageInfo: {
      hasNextPage: to < end,
      hasPreviousPage: from > start,
      startCursor: slice.length ? encodeCursor(slice[0]!) : null,
      endCursor: slice.length ? encodeCursor(slice[slice.length - 1]!) : null,
    },
  };
}

function sortBy(ids: number[], key: (idx: number) => number | string) {
  const keys = new Map<number, number | string>();
  for (const id of ids) keys.set(id, key(id));
  return ids.sort((a, b) => {
    const ka = keys.get(a)!;
    const kb = keys.get(b)!;
    if (ka < kb) return -1;
    if (ka > kb) return 1;
    return a - b;
  });
}

// ---------- search ----------
const customerFields: Record<string, FieldSpec<Store>> = {
  id: { kind: "id", get: (i) => ID_BASE.Customer + i + 1 },
  customer_id: { kind: "id", get: (i) => ID_BASE.Customer + i + 1 },
  updated_at: { kind: "date", get: (i, s) => s.customerUpdated(i) },
  created_at: { kind: "date", get: (i, s) => s.customerCreatedAt(i) },
  email: { kind: "string", get: (i, s) => s.getCustomer(i)?.email },
  phone: { kind: "string", get: (i, s) => s.getCustomer(i)?.phone },
  first_name: { kind: "string", get: (i, s) => s.getCustomer(i)?.firstName },
  last_name: { kind: "string", get: (i, s) => s.getCustomer(i)?.lastName },
  state: { kind: "string", get: (i, s) => s.getCustomer(i)?.state },
  country: { kind: "string", get: (i, s) => s.getCustomer(i)?.address?.country },
  tag: { kind: "list", get: (i, s) => s.getCustomer(i)?.tags ?? [] },
  orders_count: { kind: "number", get: (i, s) => s.getCustomer(i)?.numberOfOrders },
  number_of_orders: { kind: "number", get: (i, s) => s.getCustomer(i)?.numberOfOrders },
  total_spent: { kind: "number", get: (i, s) => (s.getCustomer(i)?.amountSpentCents ?? 0) / 100 },
  amount_spent: { kind: "number", get: (i, s) => (s.getCustomer(i)?.amountSpentCents ?? 0) / 100 },
  accepts_marketing: { kind: "bool", get: (i, s) => s.getCustomer(i)?.emailConsent?.marketingState === "SUBSCRIBED" },
};
const orderFields: Record<string, FieldSpec<Store>> = {
  id: { kind: "id", get: (i) => ID_BASE.Order + i + 1 },
  updated_at: { kind: "date", get: (i, s) => s.orderUpdated(i) },
  created_at: { kind: "date", get: (i, s) => s.orderCreatedAt(i) },
  processed_at: { kind: "date", get: (i, s) => s.orderCreatedAt(i) },
  customer_id: { kind: "id", get: (i, s) => (s.orderCustomerIdx(i) < 0 ? null : ID_BASE.Customer + s.orderCustomerIdx(i) + 1) },
  email: { kind: "string", get: (i, s) => s.getOrder(i)?.email },
  name: { kind: "string", get: (i, s) => `#${s.getOrder(i)?.number}` },
  financial_status: { kind: "string", get: (i, s) => s.getOrder(i)?.financialStatus.toLowerCase() },
  fulfillment_status: { kind: "string", get: (i, s) => (s.getOrder(i)?.fulfillmentStatus === "FULFILLED" ? "shipped" : "unshipped") },
  status: { kind: "string", get: (i, s) => { const o = s.getOrder(i)!; return o.cancelledAt ? "cancelled" : o.closedAt ? "closed" : "open"; } },
  test: { kind: "bool", get: (i, s) => s.getOrder(i)?.test },
  tag: { kind: "list", get: (i, s) => s.getOrder(i)?.tags ?? [] },
};
const productFields: Record<string, FieldSpec<Store>> = {
  id: { kind: "id", get: (i) => ID_BASE.Product + i + 1 },
  title: { kind: "string", get: (i, s) => s.products[i]?.title },
  handle: { kind: "string", get: (i, s) => s.products[i]?.handle },
  status: { kind: "string", get: (i, s) => s.products[i]?.status.toLowerCase() },
  product_type: { kind: "string", get: (i, s) => s.products[i]?.productType },
  vendor: { kind: "string", get: (i, s) => s.products[i]?.vendor },
  tag: { kind: "list", get: (i, s) => s.products[i]?.tags ?? [] },
  gift_card: { kind: "bool", get: (i, s) => s.products[i]?.isGiftCard },
  updated_at: { kind: "date", get: (i, s) => s.products[i]?.updatedAt },
  created_at: { kind: "date", get: (i, s) => s.products[i]?.createdAt },
};

function customerIds(store: Store, args: Args): number[] {
  const query = parseSearch(args.query as string | undefined);
  let ids: number[];
  const only = query.length === 1 && query[0]!.length === 1 ? query[0]![0]! : null;
  if (only && only.field === "email" && only.op === ":" && !only.negate && !only.value.includes("*")) {
    const idx = store.findCustomerByEmail(only.value);
    ids = idx >= 0 ? [idx] : [];
  } else {
    const predicate = compileSearch(query, customerFields, (i, s, word) => {
      const c = s.getCustomer(i);
      return !!c && [c.firstName, c.lastName, c.email, c.phone].some((v) => v?.toLowerCase().includes(word));
    });
    ids = store.customerIdxs();
    if (predicate) ids = ids.filter((i) => predicate(i, store));
  }
  switch (args.sortKey) {
    case "UPDATED_AT":
      return sortBy(ids, (i) => store.customerUpdated(i));
    case "CREATED_AT":
      return sortBy(ids, (i) => store.customerCreatedAt(i));
    case "NAME":
      return sortBy(ids, (i) => { const c = store.getCustomer(i)!; return `${c.firstName ?? ""} ${c.lastName ?? ""}`.toLowerCase(); });
    default:
      return ids;
  }
}

function orderIds(store: Store, args: Args, restrictTo?: number[]): number[] {
  const predicate = compileSearch(parseSearch(args.query as string | undefined), orderFields, (i, s, word) => {
    const o = s.getOrder(i);
    return !!o && (`#${o.number}` === word || String(o.number) === word || (o.email?.toLowerCase().includes(word) ?? false));
  });
  let ids = restrictTo ? [...restrictTo] : Array.from({ length: store.orderCount }, (_, i) => i);
  if (predicate) ids = ids.filter((i) => predicate(i, store));
  switch (args.sortKey) {
    case "UPDATED_AT":
      return sortBy(ids, (i) => store.orderUpdated(i));
    case "CREATED_AT":
    case "PROCESSED_AT":
      return sortBy(ids, (i) => store.orderCreatedAt(i));
    case "TOTAL_PRICE":
      return sortBy(ids, (i) => store.getOrder(i)!.totalCents);
    default:
      return ids;
  }
}

function productIds(store: Store, args: Args): number[] {
  const predicate = compileSearch(parseSearch(args.query as string | undefined), productFields, (i, s, word) => s.products[i]!.title.toLowerCase().includes(word));
  let ids = store.products.map((p) => p.idx);
  if (predicate) ids = ids.filter((i) => predicate(i, store));
  switch (args.sortKey) {
    case "TITLE":
      return sortBy(ids, (i) => store.products[i]!.title.toLowerCase());
    case "UPDATED_AT":
      return sortBy(ids, (i) => store.products[i]!.updatedAt);
    case "CREATED_AT":
      return sortBy(ids, (i) => store.products[i]!.createdAt);
    case "PRODUCT_TYPE":
      return sortBy(ids, (i) => store.products[i]!.productType);
    case "VENDOR":
      return sortBy(ids, (i) => store.products[i]!.vendor);
    default:
      return ids;
  }
}

// ---------- node lookup ----------
export function nodeById(store: Store, hooks: ResolverHooks, id: string): Record<string, unknown> | null {
  const parsed = parseGid(id);
  if (!parsed) return null;
  switch (parsed.type) {
    case "Customer": {
      const c = store.getCustomer(store.customerIdxFromId(parsed.id));
      return c ? customerView(store, c) : null;
    }
    case "Order": {
      const o = store.getOrder(store.orderIdxFromId(parsed.id));
      return o ? orderView(store, o) : null;
    }
    case "Product": {
      const p = store.products[store.productIdxFromId(parsed.id)];
      return p ? productView(p) : null;
    }
    case "ProductVariant": {
      const found = store.variantFromId(parsed.id);
      return found ? variantView(found.product, found.variant) : null;
    }
    case "BulkOperation":
      return hooks.bulkOperation(store, id) as unknown as Record<string, unknown> | null;
    case "Shop":
      return parsed.id === store.shop.id ? shopView(store) : null;
    default:
      return null;
  }
}

function metafieldsOf(store: Store, ownerId: string, args: Args, ctx: Context, info: GraphQLResolveInfo) {
  const all = [...(store.metafields.get(ownerId)?.values() ?? [])].filter(
    (m) => (!args.namespace || m.namespace === store.resolveNamespace(args.namespace as string)) && (!args.keys || (args.keys as string[]).includes(`${m.namespace}.${m.key}`)),
  );
  return paginate(all.map((_, i) => i), args, ctx, info, (i) => metafieldView(all[i]!));
}
const metafieldResolvers: Record<string, Resolver> = {
  metafield: (src, args, ctx) => {
    const m = ctx.store.getMetafield(src.id as string, args.namespace as string | undefined, args.key as string);
    return m ? metafieldView(m) : null;
  },
  metafields: (src, args, ctx, info) => metafieldsOf(ctx.store, src.id as string, args, ctx, info),
};

// ---------- resolver map ----------
const RESOLVERS: Record<string, Record<string, Resolver>> = {
  QueryRoot: {
    shop: (_s, _a, ctx) => shopView(ctx.store),
    customer: (_s, args, ctx) => {
      const c = ctx.store.getCustomer(ctx.store.customerIdxFromId(args.id as string));
      return c ? customerView(ctx.store, c) : null;
    },
    customers: (_s, args, ctx, info) => paginate(ids(ctx, info, () => customerIds(ctx.store, args)), args, ctx, info, (i) => customerView(ctx.store, ctx.store.getCustomer(i)!)),
    customersCount: (_s, args, ctx) => ({ count: customerIds(ctx.store, args).length, precision: "EXACT" }),
    order: (_s, args, ctx) => {
      const o = ctx.store.getOrder(ctx.store.orderIdxFromId(args.id as string));
      return o ? orderView(ctx.store, o) : null;
    },
    orders: (_s, args, ctx, info) => paginate(ids(ctx, info, () => orderIds(ctx.store, args)), args, ctx, info, (i) => orderView(ctx.store, ctx.store.getOrder(i)!)),
    ordersCount: (_s, args, ctx) => ({ count: orderIds(ctx.store, args).length, precision: "EXACT" }),
    product: (_s, args, ctx) => {
      const p = ctx.store.products[ctx.store.productIdxFromId(args.id as string)];
      return p ? productView(p) : null;
    },
    products: (_s, args, ctx, info) => paginate(ids(ctx, info, () => productIds(ctx.store, args)), args, ctx, info, (i) => productView(ctx.store.products[i]!)),
    productsCount: (_s, args, ctx) => ({ count: productIds(ctx.store, args).length, precision: "EXACT" }),
    productVariant: (_s, args, ctx) => {
      const found = ctx.store.variantFromId(args.id as string);
      return found ? variantView(found.product, found.variant) : null;
    },
    productVariants: (_s, args, ctx, info) => {
      const all = ctx.store.products.flatMap((p) => p.variants.map((v) => p.idx * 4 + v.k));
      const predicate = compileSearch(parseSearch(args.query as string | undefined), {
        sku: { kind: "string", get: (i, s) => s.products[Math.floor(i / 4)]!.variants.find((v) => v.k === i % 4)?.sku },
        product_id: { kind: "id", get: (i) => ID_BASE.Product + Math.floor(i / 4) + 1 },
        id: { kind: "id", get: (i) => ID_BASE.ProductVariant + i },
        title: { kind: "string", get: (i, s) => s.products[Math.floor(i / 4)]!.variants.find((v) => v.k === i % 4)?.title },
      } as Record<string, FieldSpec<Store>>, (i, s, word) => s.products[Math.floor(i / 4)]!.title.toLowerCase().includes(word));
      const ids = predicate ? all.filter((i) => predicate(i, ctx.store)) : all;
      return paginate(ids, args, ctx, info, (i) => {
        const p = ctx.store.products[Math.floor(i / 4)]!;
        return variantView(p, p.variants.find((v) => v.k === i % 4)!);
      });
    },
    node: (_s, args, ctx) => nodeById(ctx.store, ctx.hooks, args.id as string),
    nodes: (_s, args, ctx) => {
      const ids = args.ids as string[];
      if (ids.length > 250) throw new GraphQLError("The input array size of 251 is greater than the maximum allowed of 250.", { extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" } });
      return ids.map((id) => nodeById(ctx.store, ctx.hooks, id));
    },
    currentBulkOperation: (_s, args, ctx) => ctx.hooks.currentBulkOperation(ctx.store, (args.type as string | undefined) ?? "QUERY"),
    currentAppInstallation: (_s, _a, ctx) => ({ __typename: "AppInstallation", id: gid("AppInstallation", ctx.store.appId), accessScopes: [] }),
  },
  Mutation: {
    bulkOperationRunQuery: (_s, args, ctx) => ctx.hooks.runBulkQuery(ctx.store, args.query as string),
    bulkOperationCancel: (_s, args, ctx) => ctx.hooks.cancelBulkOperation(ctx.store, args.id as string),
    tagsAdd: (_s, args, ctx) => tags(ctx, args, "add"),
    tagsRemove: (_s, args, ctx) => tags(ctx, args, "remove"),
    metafieldsSet: (_s, args, ctx) => metafieldsSet(ctx.store, args.metafields as MetafieldInput[], ctx.hooks),
    flowTriggerReceive: (_s, args, ctx) => ({ userErrors: ctx.hooks.flowTriggerReceive(ctx.store, (args.handle as string | null) ?? null, args.payload) }),
  },
  Customer: {
    ...metafieldResolvers,
    orders: (src, args, ctx, info) => {
      const idx = src.__idx as number;
      return paginate(orderIds(ctx.store, args, ctx.store.customerOrderIdxs(idx)), args, ctx, info, (i) => orderView(ctx.store, ctx.store.getOrder(i)!));
    },
    lastOrder: (src, _a, ctx) => {
      const list = ctx.store.customerOrderIdxs(src.__idx as number);
      return list.length ? orderView(ctx.store, ctx.store.getOrder(list[list.length - 1]!)!) : null;
    },
  },
  Order: {
    ...metafieldResolvers,
    customer: (src, _a, ctx) => {
      const o = src.__record as OrderRecord;
      const c = o.customerIdx >= 0 ? ctx.store.getCustomer(o.customerIdx) : null;
      return c ? customerView(ctx.store, c) : null;
    },
    lineItems: (src, args, ctx, info) => {
      const o = src.__record as OrderRecord;
      return paginate(o.lines.map((_, i) => i), args, ctx, info, (i) => lineItemView(ctx.store, o, i));
    },
    refunds: (src, args, ctx) => {
      const o = src.__record as OrderRecord;
      const list = o.refunds.map((_, i) => refundView(ctx.store, o, i));
      return typeof args.first === "number" ? list.slice(0, args.first) : list;
    },
  },
  Refund: {
    refundLineItems: (src, args, ctx, info) => {
      const o = src.__order as OrderRecord;
      const refund = o.refunds[src.__refundIndex as number]!;
      const cur = ctx.store.shop.currencyCode;
      return paginate(refund.lines.map((_, i) => i), args, ctx, info, (i) => {
        const rl = refund.lines[i]!;
        const line = o.lines[rl.lineIndex]!;
        return { __typename: "RefundLineItem", id: gid("RefundLineItem", rl.id), lineItem: lineItemView(ctx.store, o, rl.lineIndex), quantity: rl.quantity, restockType: "NO_RESTOCK", restocked: false, priceSet: bag(line.unitCents, cur), subtotalSet: bag(rl.subtotalCents, cur), totalTaxSet: bag(0, cur) };
      });
    },
  },
  Product: {
    ...metafieldResolvers,
    variants: (src, args, ctx, info) => {
      const p = src.__record as ProductRecord;
      return paginate(p.variants.map((v) => v.k), args, ctx, info, (k) => variantView(p, p.variants.find((v) => v.k === k)!));
    },
  },
  ProductVariant: {
    ...metafieldResolvers,
    product: (src) => productView(src.__product as ProductRecord),
  },
  Shop: { ...metafieldResolvers },
};

function tags(ctx: Context, args: Args, mode: "add" | "remove") {
  const id = args.id as string;
  const list = args.tags as string[];
  if (list.length > 250) return { node: null, userErrors: [{ field: ["tags"], message: "The input array size is greater than the maximum allowed of 250." }] };
  const result = ctx.store.changeTags(id, list, mode);
  if (!result.ok) return { node: null, userErrors: [{ field: ["id"], message: result.message }] };
  return { node: nodeById(ctx.store, ctx.hooks, id), userErrors: [] };
}

interface MetafieldInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  value: string;
  type?: string | null;
  compareDigest?: string | null;
}
// What Shopify accepts as the value of a few metafield types.
const VALUE_CHECKS: Record<string, (value: string) => boolean> = {
  number_integer: (value) => /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value)),
  single_line_text_field: (value) => !/[\r\n]/.test(value),
  boolean: (value) => value === "true" || value === "false",
  "list.single_line_text_field": (value) => {
    try {
      const list: unknown = JSON.parse(value);
      return Array.isArray(list) && list.every((item) => typeof item === "string" && !/[\r\n]/.test(item));
    } catch {
      return false;
    }
  },
};

function metafieldsSet(store: Store, inputs: MetafieldInput[], hooks?: Pick<ResolverHooks, "customerMetafieldType">) {
  const userErrors: Array<UserError & { elementIndex: number | null }> = [];
  if (inputs.length > 25) {
    return { metafields: [], userErrors: [{ field: ["metafields"], message: "Exceeded the maximum metafields input limit of 25.", code: "LESS_THAN_OR_EQUAL_TO", elementIndex: null }] };
  }
  inputs.forEach((input, i) => {
    if (!store.ownerExists(input.ownerId)) userErrors.push({ field: ["metafields", String(i), "ownerId"], message: "Owner does not exist.", code: "INVALID_VALUE", elementIndex: i });
    const existing = store.getMetafield(input.ownerId, input.namespace, input.key);
    if (!input.type && !existing) userErrors.push({ field: ["metafields", String(i), "type"], message: "Type can't be blank.", code: "BLANK", elementIndex: i });
    if (input.key.length < 2 || !/^[\w-]+$/.test(input.key)) userErrors.push({ field: ["metafields", String(i), "key"], message: "Key is invalid.", code: "INVALID_VALUE", elementIndex: i });
    // A declared definition fixes the type (app-owned namespace on customers).
    const declared = parseGid(input.ownerId)?.type === "Customer" && store.resolveNamespace(input.namespace) === store.resolveNamespace("$app") ? hooks?.customerMetafieldType?.(input.key) : undefined;
    if (declared && input.type && input.type !== declared) userErrors.push({ field: ["metafields", String(i), "type"], message: `Type '${input.type}' must be consistent with the definition's type: '${declared}'.`, code: "INVALID_TYPE", elementIndex: i });
    const type = input.type ?? declared ?? existing?.type;
    if (type && VALUE_CHECKS[type] && !VALUE_CHECKS[type](input.value)) userErrors.push({ field: ["metafields", String(i), "value"], message: `Value is invalid for type ${type}.`, code: "INVALID_VALUE", elementIndex: i });
    if (input.type && /^(json|list\.|number_integer|number_decimal|boolean)/.test(input.type)) {
      try {
        JSON.parse(input.value);
      } catch {
        userErrors.push({ field: ["metafields", String(i), "value"], message: `Value is invalid JSON.`, code: "INVALID_VALUE", elementIndex: i });
      }
    }
    if (input.compareDigest !== undefined) {
      const current = existing ? metafieldDigest(existing) : null;
      if (input.compareDigest !== current) userErrors.push({ field: ["metafields", String(i)], message: "The resource has been updated since it was loaded. Try again with an updated `compareDigest` value.", code: "STALE_OBJECT", elementIndex: i });
    }
  });
  if (userErrors.length) return { metafields: [], userErrors }; // atomic
  const saved = inputs.map((input) => {
    const existing = store.getMetafield(input.ownerId, input.namespace, input.key);
    return metafieldView(store.setMetafield({ ownerId: input.ownerId, namespace: input.namespace, key: input.key, value: input.value, type: input.type ?? existing!.type }));
  });
  return { metafields: saved, userErrors: [] };
}

export const fieldResolver: GraphQLFieldResolver<unknown, Context> = (source, args, ctx, info) => {
  const resolver = RESOLVERS[info.parentType.name]?.[info.fieldName];
  if (resolver) return resolver((source ?? {}) as Record<string, unknown>, args, ctx, info);
  if (source === null || typeof source !== "object") return null;
  const value = (source as Record<string, unknown>)[info.fieldName];
  return typeof value === "function" ? (value as (a: Args) => unknown).call(source, args) : value;
};

export const typeResolver: GraphQLTypeResolver<unknown, Context> = (value) => (value as { __typename?: string } | null)?.__typename;
