// The emulated shop's data. Deterministic for a seed, and compact: customers and orders are
// regenerated on demand from (seed, index) with a tiny PRNG over faker's word lists, so only a
// few numbers per record live in memory (100k customers / 500k orders fit easily). Records
// changed through the mutation helpers are kept whole in override maps.
import { EventEmitter } from "node:events";

import { base, de, en, en_AU, en_CA, es, fr, ja, nl, zh_CN, type LocaleDefinition } from "@faker-js/faker";

import { hashInts, Rng } from "./random";

export const DEFAULT_REFERENCE_DATE = Date.parse("2026-11-20T12:00:00Z");

export const ID_BASE = {
  Customer: 7_100_000_000_000,
  Order: 5_600_000_000_000,
  LineItem: 14_000_000_000_000,
  Refund: 900_000_000_000,
  Product: 8_000_000_000,
  ProductVariant: 44_000_000_000_000,
  MailingAddress: 8_800_000_000_000,
} as const;
const LINE_SLOTS = 8; // line item / refund line ids per order
const VARIANT_SLOTS = 4; // variant ids per product

export const gid = (type: string, id: number | string) => `gid://shopify/${type}/${id}`;
export function parseGid(value: string): { type: string; id: number } | null {
  const match = /^gid:\/\/shopify\/(\w+)\/(\d+)(?:\?.*)?$/.exec(value);
  return match ? { type: match[1]!, id: Number(match[2]) } : null;
}

export function formatMoney(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export type MarketingState = "SUBSCRIBED" | "NOT_SUBSCRIBED" | "UNSUBSCRIBED" | "PENDING";
export interface Address {
  firstName: string;
  lastName: string;
  address1: string;
  city: string;
  province: string | null;
  provinceCode: string | null;
  country: string;
  countryCode: string;
  zip: string;
  phone: string | null;
}
export interface Consent {
  marketingState: MarketingState;
  marketingOptInLevel: "SINGLE_OPT_IN" | "CONFIRMED_OPT_IN" | "UNKNOWN" | null;
  consentUpdatedAt: number | null;
}
export interface CustomerRecord {
  idx: number;
  id: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  locale: string;
  state: "ENABLED" | "DISABLED" | "INVITED" | "DECLINED";
  tags: string[];
  note: string | null;
  verifiedEmail: boolean;
  address: Address | null;
  emailConsent: Consent | null;
  smsConsent: Consent | null;
  createdAt: number;
  updatedAt: number;
  numberOfOrders: number;
  amountSpentCents: number;
}
export interface OrderLine {
  id: number;
  productIdx: number;
  variantK: number;
  title: string;
  variantTitle: string | null;
  sku: string | null;
  quantity: number;
  unitCents: number;
  discountCents: number;
  refundedQuantity: number;
}
export interface RefundRecord {
  id: number;
  createdAt: number;
  note: string | null;
  lines: Array<{ id: number; lineIndex: number; quantity: number; subtotalCents: number }>;
}
export type FinancialStatus = "PAID" | "PENDING" | "REFUNDED" | "PARTIALLY_REFUNDED" | "VOIDED" | "AUTHORIZED";
export interface OrderRecord {
  idx: number;
  id: number;
  number: number;
  customerIdx: number; // -1: guest order
  email: string | null;
  createdAt: number;
  updatedAt: number;
  processedAt: number;
  cancelledAt: number | null;
  cancelReason: string | null;
  closedAt: number | null;
  test: boolean;
  financialStatus: FinancialStatus;
  fulfillmentStatus: "FULFILLED" | "UNFULFILLED";
  tags: string[];
  note: string | null;
  lines: OrderLine[];
  refunds: RefundRecord[];
  subtotalCents: number;
  discountCents: number;
  shippingCents: number;
  totalCents: number;
  refundedCents: number;
}
export interface VariantRecord {
  k: number;
  id: number;
  title: string;
  sku: string;
  priceCents: number;
}
export interface ProductRecord {
  idx: number;
  id: number;
  title: string;
  handle: string;
  productType: string;
  vendor: string;
  tags: string[];
  status: "ACTIVE" | "ARCHIVED" | "DRAFT";
  isGiftCard: boolean;
  imageUrl: string | null;
  createdAt: number;
  updatedAt: number;
  variants: VariantRecord[];
}
export interface MetafieldRecord {
  id: number;
  ownerId: string;
  namespace: string;
  key: string;
  value: string;
  type: string;
  createdAt: number;
  updatedAt: number;
}
export interface ShopInfo {
  id: number;
  domain: string;
  name: string;
  email: string;
  currencyCode: string;
  ianaTimezone: string;
  planDisplayName: string;
}
export interface StoreOptions {
  domain: string;
  customers?: number;
  orders?: number;
  products?: number;
  seed?: number;
  currencyCode?: string;
  referenceDate?: number;
  /** Numeric app id, used to expand `$app:` metafield namespaces. */
  appId?: number;
}
/** A change made through a mutation helper: the emulator turns these into webhooks. */
export interface StoreChange {
  topic: string;
  id: string; // GID of the resource
  extra?: Record<string, unknown>;
}

interface Country {
  code: string;
  name: string;
  weight: number;
  locale: string;
  defs: LocaleDefinition;
  provinces?: ReadonlyArray<readonly [string, string]>;
  phonePrefix: string;
}
const CA_PROVINCES = [["Ontario", "ON"], ["Quebec", "QC"], ["British Columbia", "BC"], ["Alberta", "AB"], ["Manitoba", "MB"], ["Nova Scotia", "NS"]] as const;
const COUNTRIES: Country[] = [
  { code: "US", name: "United States", weight: 45, locale: "en", defs: en, phonePrefix: "+1" },
  { code: "CA", name: "Canada", weight: 10, locale: "en", defs: en_CA, provinces: CA_PROVINCES, phonePrefix: "+1" },
  { code: "GB", name: "United Kingdom", weight: 10, locale: "en", defs: en, phonePrefix: "+44" },
  { code: "DE", name: "Germany", weight: 8, locale: "de", defs: de, phonePrefix: "+49" },
  { code: "FR", name: "France", weight: 6, locale: "fr", defs: fr, phonePrefix: "+33" },
  { code: "AU", name: "Australia", weight: 5, locale: "en", defs: en_AU, phonePrefix: "+61" },
  { code: "NL", name: "Netherlands", weight: 3, locale: "nl", defs: nl, phonePrefix: "+31" },
  { code: "ES", name: "Spain", weight: 3, locale: "es", defs: es, phonePrefix: "+34" },
  { code: "JP", name: "Japan", weight: 4, locale: "ja", defs: ja, phonePrefix: "+81" },
  { code: "CN", name: "China", weight: 6, locale: "zh-CN", defs: zh_CN, phonePrefix: "+86" },
];
const COUNTRY_WEIGHTS = COUNTRIES.map((c) => [c, c.weight] as const);
const CUSTOMER_TAGS = ["VIP", "wholesale", "newsletter", "repeat", "returns-risk", "influencer", "local", "b2b", "birthday-club"];
const ORDER_TAGS = ["gift", "priority", "subscription", "pos", "marketplace"];
const EMAIL_DOMAINS = ["example.com", "example.org", "example.net", "mail.example.com"];

type StringTable = Record<string, unknown>;
function words(defs: LocaleDefinition, section: string, key: string): string[] {
  const value = (defs as unknown as Record<string, StringTable | undefined>)[section]?.[key];
  if (Array.isArray(value)) return value as string[];
  if (value && typeof value === "object") {
    const v = value as Record<string, string[]>;
    return [...(v.generic ?? []), ...(v.female ?? []), ...(v.male ?? [])];
  }
  return [];
}
const wordCache = new Map<string, string[]>();
function wordList(defs: LocaleDefinition, section: string, key: string): string[] {
  const cacheKey = `${(defs.metadata as { code?: string } | undefined)?.code ?? "?"}:${section}:${key}`;
  let list = wordCache.get(cacheKey);
  if (!list) {
    list = words(defs, section, key);
    if (list.length === 0) list = words(en, section, key);
    if (list.length === 0) list = words(base, section, key);
    wordCache.set(cacheKey, list);
  }
  return list;
}
const ascii = (s: string) =>
  s
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "");

const YEAR_MS = 365 * 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;
const sec = (ms: number) => Math.floor(ms / 1000) * 1000;

export class Store extends EventEmitter {
  readonly shop: ShopInfo;
  readonly seed: number;
  readonly referenceDate: number;
  readonly appId: number;
  readonly start: number;
  readonly seededCustomers: number;
  readonly seededOrders: number;

  products: ProductRecord[] = [];
  // Per-customer mutable numbers (index = customer idx).
  private customerUpdatedAt: number[] = [];
  private customerOrderCount: number[] = [];
  private customerSpent: number[] = [];
  private customerDeleted = new Set<number>();
  private customerOverrides = new Map<number, CustomerRecord>();
  // Per-order numbers.
  private orderUpdatedAt: number[] = [];
  private orderCustomer: number[] = [];
  private orderOverrides = new Map<number, OrderRecord>();
  private ordersByCustomer = new Map<number, number[]>();
  private emailIndex: Map<string, number> | null = null;
  metafields = new Map<string, Map<string, MetafieldRecord>>();
  private nextMetafieldId = 30_000_000_000_000;
  private customerStep: number;
  private orderStep: number;
  private sellable: number[] = [];

  constructor(options: StoreOptions) {
    super();
    this.seed = options.seed ?? 42;
    this.referenceDate = options.referenceDate ?? DEFAULT_REFERENCE_DATE;
    this.appId = options.appId ?? 1_000_001;
    this.start = this.referenceDate - 3 * YEAR_MS;
    const name = options.domain.replace(/\.myshopify\.com$/, "");
    const title = name
      .split(/[-_]/)
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(" ");
    this.shop = {
      id: 60_000_000 + (hashInts(this.seed, 7) % 9_000_000),
      domain: options.domain,
      name: title,
      email: `owner@${name}.example.com`,
      currencyCode: options.currencyCode ?? "USD",
      ianaTimezone: "America/New_York",
      planDisplayName: "Basic",
    };
    this.seededCustomers = options.customers ?? 1000;
    this.seededOrders = options.orders ?? 3000;
    this.customerStep = (3 * YEAR_MS - 2 * DAY_MS) / Math.max(1, this.seededCustomers);
    this.orderStep = (3 * YEAR_MS - DAY_MS) / Math.max(1, this.seededOrders);
    this.generateProducts(options.products ?? 200);
    this.generateAggregates();
  }

  // ---------- products ----------
  private generateProducts(count: number) {
    const adjectives = wordList(en, "commerce", "product_name");
    const names = (en.commerce?.product_name ?? {}) as { adjective?: string[]; material?: string[]; product?: string[] };
    const adj = names.adjective ?? adjectives;
    const mat = names.material ?? ["Cotton"];
    const noun = names.product ?? ["Shirt"];
    const vendors = ["Acme Goods", "Northwind", "Blue Harbor", "Maple & Co", "Kumo Studio", "Atelier Nord"];
    const types = ["Apparel", "Accessories", "Home", "Beauty", "Outdoor", "Stationery"];
    const sizes = ["S", "M", "L", "XL"];
    const colours = ["Black", "White", "Red", "Navy", "Olive"];
    const handles = new Set<string>();
    for (let i = 0; i < count; i++) {
      const r = Rng.for(this.seed, 3, i);
      const giftCard = i === 0;
      let title = giftCard ? "Gift Card" : `${r.pick(adj)} ${r.pick(mat)} ${r.pick(noun)}`;
      let handle = ascii(title.replace(/\s+/g, "-")) ? title.toLowerCase().replace(/[^a-z0-9]+/g, "-") : `product-${i}`;
      if (handles.has(handle)) {
        handle = `${handle}-${i}`;
        title = `${title} ${i}`;
      }
      handles.add(handle);
      const createdAt = sec(this.start + Math.floor(r.next() * 60 * DAY_MS) + i * 3600_000);
      const status = giftCard ? "ACTIVE" : r.weighted([["ACTIVE", 85], ["ARCHIVED", 10], ["DRAFT", 5]] as const);
      const variantCount = giftCard ? 3 : r.int(1, 3);
      const basePrice = giftCard ? 2500 : r.int(5, 180) * 100 + r.pick([0, 0, 50, 99, 95]);
      const variants: VariantRecord[] = [];
      const dimension = r.chance(0.5) ? sizes : colours;
      for (let k = 0; k < variantCount; k++) {
        variants.push({
          k,
          id: ID_BASE.ProductVariant + i * VARIANT_SLOTS + k,
          title: giftCard ? `$${25 * (k + 1)}` : variantCount === 1 ? "Default Title" : dimension[k]!,
          sku: giftCard ? "" : `SKU-${String(i).padStart(4, "0")}-${k + 1}`,
          priceCents: giftCard ? 2500 * (k + 1) : basePrice + (dimension === sizes ? k * 200 : 0),
        });
      }
      this.products.push({
        idx: i,
        id: ID_BASE.Product + i + 1,
        title,
        handle,
        productType: giftCard ? "Gift Card" : r.pick(types),
        vendor: r.pick(vendors),
        tags: r.chance(0.3) ? [r.pick(["new", "sale", "bestseller", "eco"])] : [],
        status,
        isGiftCard: giftCard,
        imageUrl: r.chance(0.9) ? `https://cdn.shopify.com/s/files/1/0000/0001/products/${handle}.jpg` : null,
        createdAt,
        updatedAt: sec(createdAt + Math.floor(r.next() * YEAR_MS)),
        variants,
      });
      if (status === "ACTIVE" && !giftCard) this.sellable.push(i);
    }
    if (this.sellable.length === 0 && this.products.length > 0) this.sellable.push(0);
  }

  // ---------- customers ----------
  get customerCount() {
    return this.customerUpdatedAt.length;
  }
  get orderCount() {
    return this.orderUpdatedAt.length;
  }
  customerCreatedAt(idx: number): number {
    const override = this.customerOverrides.get(idx);
    if (override) return override.createdAt;
    return sec(this.start + Math.floor(idx * this.customerStep)) + (hashInts(this.seed, 11, idx) % 3600) * 1000;
  }
  private noOrderCustomer(idx: number) {
    return hashInts(this.seed, 12, idx) % 100 < 18;
  }

  /** Builds the seeded customer (without aggregates). */
  private generateCustomer(idx: number): CustomerRecord {
    const r = Rng.for(this.seed, 1, idx);
    const country = r.weighted(COUNTRY_WEIGHTS);
    const firstName = r.pick(wordList(country.defs, "person", "first_name"));
    const lastName = r.pick(wordList(country.defs, "person", "last_name"));
    const hasEmail = r.chance(0.92);
    const localPart = `${ascii(firstName) || "customer"}.${ascii(lastName) || "x"}${idx}`;
    const email = hasEmail ? `${localPart}@${r.pick(EMAIL_DOMAINS)}` : null;
    const phone = r.chance(0.55) ? `${country.phonePrefix}${r.int(200, 989)}${String(r.int(0, 9_999_999)).padStart(7, "0")}` : null;
    const createdAt = this.customerCreatedAt(idx);
    const provinces = country.provinces ??
      (() => {
        const names = wordList(country.defs, "location", "state");
        const abbr = wordList(country.defs, "location", "state_abbr");
        return country.code === "US" || country.code === "AU" ? names.map((n, i) => [n, abbr[i] ?? n] as const) : null;
      })();
    const province = provinces ? r.pick(provinces) : null;
    const cityList = wordList(country.defs, "location", "city_name");
    const streets = wordList(en, "location", "street_suffix");
    const address: Address | null = r.chance(0.88)
      ? {
          firstName,
          lastName,
          address1: `${r.int(1, 999)} ${r.pick(wordList(en, "person", "last_name"))} ${r.pick(streets)}`,
          city: cityList.length ? r.pick(cityList) : "Springfield",
          province: province ? province[0] : null,
          provinceCode: province ? province[1] : null,
          country: country.name,
          countryCode: country.code,
          zip: String(r.int(10000, 99999)),
          phone,
        }
      : null;
    const consentAt = sec(createdAt + Math.floor(r.next() * 30 * DAY_MS));
    const emailConsent: Consent | null = email
      ? (() => {
          const state = r.weighted([["SUBSCRIBED", 35], ["NOT_SUBSCRIBED", 55], ["UNSUBSCRIBED", 9], ["PENDING", 1]] as const);
          return {
            marketingState: state,
            marketingOptInLevel: state === "NOT_SUBSCRIBED" ? "SINGLE_OPT_IN" : r.chance(0.7) ? "SINGLE_OPT_IN" : "CONFIRMED_OPT_IN",
            consentUpdatedAt: state === "NOT_SUBSCRIBED" ? null : consentAt,
          } satisfies Consent;
        })()
      : null;
    const smsConsent: Consent | null = phone
      ? (() => {
          const state = r.weighted([["SUBSCRIBED", 20], ["NOT_SUBSCRIBED", 75], ["UNSUBSCRIBED", 5]] as const);
          return { marketingState: state, marketingOptInLevel: "SINGLE_OPT_IN", consentUpdatedAt: state === "NOT_SUBSCRIBED" ? null : consentAt } satisfies Consent;
        })()
      : null;
    const tagCount = r.weighted([[0, 55], [1, 30], [2, 12], [3, 3]] as const);
    const tags = new Set<string>();
    for (let t = 0; t < tagCount; t++) tags.add(r.pick(CUSTOMER_TAGS));
    return {
      idx,
      id: ID_BASE.Customer + idx + 1,
      firstName: r.chance(0.97) ? firstName : null,
      lastName,
      email,
      phone,
      locale: country.locale,
      state: email ? r.weighted([["ENABLED", 35], ["DISABLED", 60], ["INVITED", 4], ["DECLINED", 1]] as const) : "DISABLED",
      tags: [...tags].sort(),
      note: r.chance(0.08) ? r.pick(["Prefers email contact", "Allergic to wool", "Met at the pop-up store", "Ask before substituting"]) : null,
      verifiedEmail: email ? r.chance(0.9) : false,
      address,
      emailConsent,
      smsConsent,
      createdAt,
      updatedAt: createdAt,
      numberOfOrders: 0,
      amountSpentCents: 0,
    };
  }

  customerExists(idx: number): boolean {
    return idx >= 0 && idx < this.customerCount && !this.customerDeleted.has(idx);
  }
  /** Full customer record (fresh object; mutate through updateCustomer). */
  getCustomer(idx: number): CustomerRecord | null {
    if (!this.customerExists(idx)) return null;
    const base = this.customerOverrides.get(idx) ?? this.generateCustomer(idx);
    return {
      ...base,
      tags: [...base.tags],
      updatedAt: this.customerUpdatedAt[idx]!,
      numberOfOrders: this.customerOrderCount[idx]!,
      amountSpentCents: this.customerSpent[idx]!,
    };
  }
  customerIdxFromId(id: string | number): number {
    const numeric = typeof id === "number" ? id : (parseGid(id)?.id ?? Number(id));
    return numeric - ID_BASE.Customer - 1;
  }
  customerUpdated(idx: number) {
    return this.customerUpdatedAt[idx]!;
  }
  customerOrderIdxs(idx: number): number[] {
    return this.ordersByCustomer.get(idx) ?? [];
  }
  /** Live (not deleted) customer indices in id order. */
  customerIdxs(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.customerCount; i++) if (!this.customerDeleted.has(i)) out.push(i);
    return out;
  }
  findCustomerByEmail(email: string): number {
    if (!this.emailIndex) {
      this.emailIndex = new Map();
      for (let i = 0; i < this.customerCount; i++) {
        if (this.customerDeleted.has(i)) continue;
        const e = this.getCustomer(i)?.email;
        if (e) this.emailIndex.set(e.toLowerCase(), i);
      }
    }
    return this.emailIndex.get(email.toLowerCase()) ?? -1;
  }

  // ---------- orders ----------
  orderCreatedAt(idx: number): number {
    const override = this.orderOverrides.get(idx);
    if (override) return override.createdAt;
    return sec(this.start + DAY_MS + Math.floor(idx * this.orderStep)) + (hashInts(this.seed, 21, idx) % 1800) * 1000;
  }

  private generateOrder(idx: number): OrderRecord {
    const r = Rng.for(this.seed, 2, idx);
    const createdAt = this.orderCreatedAt(idx);
    let customerIdx = -1;
    if (this.seededCustomers > 0 && !r.chance(0.03)) {
      const available = Math.max(1, Math.min(this.seededCustomers, Math.floor((createdAt - this.start) / this.customerStep) + 1));
      for (let attempt = 0; attempt < 6; attempt++) {
        // Skew towards a subset of repeat buyers.
        const candidate = Math.floor(available * Math.pow(r.next(), attempt < 3 ? 1 : 0.6));
        customerIdx = Math.min(candidate, available - 1);
        if (!this.noOrderCustomer(customerIdx)) break;
      }
      if (this.noOrderCustomer(customerIdx)) customerIdx = -1;
    }
    const lineCount = r.weighted([[1, 45], [2, 25], [3, 15], [4, 10], [5, 5]] as const);
    const lines: OrderLine[] = [];
    let subtotal = 0;
    let discount = 0;
    for (let k = 0; k < lineCount; k++) {
      const productIdx = r.chance(0.02) ? 0 : r.pick(this.sellable);
      const product = this.products[productIdx]!;
      const variant = r.pick(product.variants);
      const quantity = r.weighted([[1, 70], [2, 20], [3, 7], [4, 3]] as const);
      const lineDiscount = r.chance(0.15) ? Math.round(variant.priceCents * quantity * 0.1) : 0;
      lines.push({
        id: ID_BASE.LineItem + idx * LINE_SLOTS + k,
        productIdx,
        variantK: variant.k,
        title: product.title,
        variantTitle: variant.title === "Default Title" ? null : variant.title,
        sku: variant.sku || null,
        quantity,
        unitCents: variant.priceCents,
        discountCents: lineDiscount,
        refundedQuantity: 0,
      });
      subtotal += variant.priceCents * quantity - lineDiscount;
      discount += lineDiscount;
    }
    const shipping = subtotal >= 7500 ? 0 : 595;
    const total = subtotal + shipping;
    const ageDays = (this.referenceDate - createdAt) / DAY_MS;
    const outcome = r.weighted([["normal", 88], ["cancelled", 4], ["refunded", 3], ["partial", 3], ["pending", 2]] as const);
    let financialStatus: FinancialStatus = "PAID";
    let cancelledAt: number | null = null;
    let cancelReason: string | null = null;
    const refunds: RefundRecord[] = [];
    let refunded = 0;
    let updatedAt = sec(createdAt + Math.floor(r.next() * Math.min(ageDays, 3) * DAY_MS));
    if (outcome === "cancelled") {
      cancelledAt = sec(createdAt + Math.floor(r.next() * Math.min(ageDays, 2) * DAY_MS));
      cancelReason = r.pick(["CUSTOMER", "INVENTORY", "FRAUD", "DECLINED", "OTHER"]);
      financialStatus = r.chance(0.5) ? "VOIDED" : "REFUNDED";
      if (financialStatus === "REFUNDED") {
        refunds.push({
          id: ID_BASE.Refund + idx * 2,
          createdAt: cancelledAt,
          note: "Order cancelled",
          lines: lines.map((line, lineIndex) => ({ id: ID_BASE.Refund + 50_000_000_000 + idx * LINE_SLOTS + lineIndex, lineIndex, quantity: line.quantity, subtotalCents: line.unitCents * line.quantity - line.discountCents })),
        });
        refunded = total;
      }
      updatedAt = Math.max(updatedAt, cancelledAt);
    } else if (outcome === "refunded" || outcome === "partial") {
      const refundAt = sec(createdAt + Math.floor(r.next() * Math.min(ageDays, 30) * DAY_MS));
      const chosen = outcome === "refunded" ? lines.map((_, i) => i) : [0];
      const refundLines = chosen.map((lineIndex) => {
        const line = lines[lineIndex]!;
        const quantity = outcome === "refunded" ? line.quantity : 1;
        const subtotalCents = Math.round(((line.unitCents * line.quantity - line.discountCents) * quantity) / line.quantity);
        return { id: ID_BASE.Refund + 50_000_000_000 + idx * LINE_SLOTS + lineIndex, lineIndex, quantity, subtotalCents };
      });
      refunded = refundLines.reduce((s, l) => s + l.subtotalCents, 0) + (outcome === "refunded" ? shipping : 0);
      refunds.push({ id: ID_BASE.Refund + idx * 2, createdAt: refundAt, note: r.pick([null, "Damaged in transit", "Wrong size"]), lines: refundLines });
      financialStatus = outcome === "refunded" ? "REFUNDED" : "PARTIALLY_REFUNDED";
      updatedAt = Math.max(updatedAt, refundAt);
    } else if (outcome === "pending") {
      financialStatus = ageDays < 10 ? "PENDING" : "AUTHORIZED";
    }
    for (const refund of refunds) for (const rl of refund.lines) lines[rl.lineIndex]!.refundedQuantity += rl.quantity;
    const fulfilled = cancelledAt === null && (ageDays > 5 || r.chance(0.3));
    const closedAt = fulfilled && ageDays > 10 ? createdAt + Math.floor(r.int(2, 9) * DAY_MS) : null;
    if (closedAt) updatedAt = Math.max(updatedAt, closedAt);
    updatedAt = sec(Math.min(updatedAt, this.referenceDate));
    return {
      idx,
      id: ID_BASE.Order + idx + 1,
      number: 1001 + idx,
      customerIdx,
      email: null,
      createdAt,
      updatedAt,
      processedAt: createdAt,
      cancelledAt,
      cancelReason,
      closedAt,
      test: r.chance(0.004),
      financialStatus,
      fulfillmentStatus: fulfilled ? "FULFILLED" : "UNFULFILLED",
      tags: r.chance(0.1) ? [r.pick(ORDER_TAGS)] : [],
      note: r.chance(0.05) ? "Please gift wrap" : null,
      lines,
      refunds,
      subtotalCents: subtotal,
      discountCents: discount,
      shippingCents: shipping,
      totalCents: total,
      refundedCents: refunded,
    };
  }

  /** Seeds the per-record numbers: order -> customer, aggregates, updatedAt. */
  private generateAggregates() {
    const nCustomers = this.seededCustomers;
    this.customerUpdatedAt = new Array<number>(nCustomers);
    this.customerOrderCount = new Array<number>(nCustomers).fill(0);
    this.customerSpent = new Array<number>(nCustomers).fill(0);
    for (let i = 0; i < nCustomers; i++) {
      const created = this.customerCreatedAt(i);
      this.customerUpdatedAt[i] = Math.min(this.referenceDate, created + (hashInts(this.seed, 13, i) % (40 * 24 * 3600)) * 1000);
    }
    const nOrders = this.seededOrders;
    this.orderUpdatedAt = new Array<number>(nOrders);
    this.orderCustomer = new Array<number>(nOrders);
    for (let o = 0; o < nOrders; o++) {
      const order = this.generateOrder(o);
      this.orderUpdatedAt[o] = order.updatedAt;
      this.orderCustomer[o] = order.customerIdx;
      const c = order.customerIdx;
      if (c >= 0) {
        let list = this.ordersByCustomer.get(c);
        if (!list) this.ordersByCustomer.set(c, (list = []));
        list.push(o);
        if (!order.test && order.cancelledAt === null) {
          this.customerOrderCount[c]! += 1;
          this.customerSpent[c]! += order.totalCents - order.refundedCents;
        }
        if (order.updatedAt > this.customerUpdatedAt[c]!) this.customerUpdatedAt[c] = order.updatedAt;
      }
    }
  }

  orderExists(idx: number) {
    return idx >= 0 && idx < this.orderCount;
  }
  getOrder(idx: number): OrderRecord | null {
    if (!this.orderExists(idx)) return null;
    const order = this.orderOverrides.get(idx) ?? this.generateOrder(idx);
    const copy: OrderRecord = { ...order, updatedAt: this.orderUpdatedAt[idx]!, lines: order.lines.map((l) => ({ ...l })), refunds: order.refunds.map((r) => ({ ...r, lines: [...r.lines] })) };
    if (copy.email === null && copy.customerIdx >= 0) copy.email = this.getCustomer(copy.customerIdx)?.email ?? null;
    return copy;
  }
  orderIdxFromId(id: string | number): number {
    const numeric = typeof id === "number" ? id : (parseGid(id)?.id ?? Number(id));
    return numeric - ID_BASE.Order - 1;
  }
  orderUpdated(idx: number) {
    return this.orderUpdatedAt[idx]!;
  }
  orderCustomerIdx(idx: number) {
    return this.orderCustomer[idx]!;
  }

  productIdxFromId(id: string | number): number {
    const numeric = typeof id === "number" ? id : (parseGid(id)?.id ?? Number(id));
    return numeric - ID_BASE.Product - 1;
  }
  variantFromId(id: string | number): { product: ProductRecord; variant: VariantRecord } | null {
    const numeric = (typeof id === "number" ? id : (parseGid(id)?.id ?? Number(id))) - ID_BASE.ProductVariant;
    const product = this.products[Math.floor(numeric / VARIANT_SLOTS)];
    const variant = product?.variants.find((v) => v.k === numeric % VARIANT_SLOTS);
    return product && variant ? { product, variant } : null;
  }

  // ---------- mutation helpers (each emits a StoreChange -> webhook) ----------
  private changed(change: StoreChange) {
    this.emit("change", change);
  }
  private now() {
    return Math.floor(Date.now() / 1000) * 1000;
  }

  updateCustomer(id: string | number, patch: Partial<Omit<CustomerRecord, "idx" | "id">>, options: { silent?: boolean } = {}): CustomerRecord {
    const idx = this.customerIdxFromId(id);
    const current = this.getCustomer(idx);
    if (!current) throw new Error(`Unknown customer ${id}`);
    const next: CustomerRecord = { ...current, ...patch, updatedAt: patch.updatedAt ?? this.now() };
    if (next.email !== current.email && this.emailIndex) {
      if (current.email) this.emailIndex.delete(current.email.toLowerCase());
      if (next.email) this.emailIndex.set(next.email.toLowerCase(), idx);
    }
    this.customerOverrides.set(idx, next);
    this.customerUpdatedAt[idx] = next.updatedAt;
    if (!options.silent) {
      this.changed({ topic: "customers/update", id: gid("Customer", next.id) });
      if (patch.emailConsent && JSON.stringify(patch.emailConsent) !== JSON.stringify(current.emailConsent)) {
        this.changed({ topic: "customers_email_marketing_consent/update", id: gid("Customer", next.id) });
      }
    }
    return this.getCustomer(idx)!;
  }

  createCustomer(input: Partial<Omit<CustomerRecord, "idx" | "id">> = {}): CustomerRecord {
    const idx = this.customerCount;
    const now = this.now();
    const seeded = this.generateCustomer(idx);
    const record: CustomerRecord = { ...seeded, createdAt: now, updatedAt: now, ...input, idx, id: ID_BASE.Customer + idx + 1, numberOfOrders: 0, amountSpentCents: 0 };
    this.customerOverrides.set(idx, record);
    this.customerUpdatedAt.push(record.updatedAt);
    this.customerOrderCount.push(0);
    this.customerSpent.push(0);
    if (this.emailIndex && record.email) this.emailIndex.set(record.email.toLowerCase(), idx);
    this.changed({ topic: "customers/create", id: gid("Customer", record.id) });
    return this.getCustomer(idx)!;
  }

  deleteCustomer(id: string | number) {
    const idx = this.customerIdxFromId(id);
    const record = this.getCustomer(idx);
    if (!record) throw new Error(`Unknown customer ${id}`);
    this.customerDeleted.add(idx);
    if (record.email) this.emailIndex?.delete(record.email.toLowerCase());
    this.changed({ topic: "customers/delete", id: gid("Customer", record.id), extra: { record } });
  }

  /** tagsAdd / tagsRemove semantics for customers, orders and products. */
  changeTags(id: string, tags: string[], mode: "add" | "remove"): { ok: true } | { ok: false; message: string } {
    const parsed = parseGid(id);
    const apply = (current: string[]) => {
      const set = new Set(current);
      for (const t of tags.map((t) => t.trim()).filter(Boolean)) {
        if (mode === "add") set.add(t);
        else set.delete(t);
      }
      return [...set].sort((a, b) => a.localeCompare(b));
    };
    if (parsed?.type === "Customer") {
      const idx = this.customerIdxFromId(id);
      const current = this.getCustomer(idx);
      if (!current) return { ok: false, message: "Customer does not exist" };
      this.updateCustomer(idx + ID_BASE.Customer + 1, { tags: apply(current.tags) }, { silent: true });
      this.changed({ topic: mode === "add" ? "customer.tags_added" : "customer.tags_removed", id, extra: { tags } });
      this.changed({ topic: "customers/update", id });
      return { ok: true };
    }
    if (parsed?.type === "Order") {
      const idx = this.orderIdxFromId(id);
      const current = this.getOrder(idx);
      if (!current) return { ok: false, message: "Order does not exist" };
      this.updateOrder(id, { tags: apply(current.tags) });
      return { ok: true };
    }
    if (parsed?.type === "Product") {
      const product = this.products[this.productIdxFromId(id)];
      if (!product) return { ok: false, message: "Product does not exist" };
      this.updateProduct(id, { tags: apply(product.tags) });
      return { ok: true };
    }
    return { ok: false, message: "Resource type is not taggable" };
  }

  private recomputeCustomer(customerIdx: number) {
    if (customerIdx < 0) return;
    let count = 0;
    let spent = 0;
    let updated = this.customerUpdatedAt[customerIdx]!;
    for (const o of this.customerOrderIdxs(customerIdx)) {
      const order = this.getOrder(o)!;
      if (!order.test && order.cancelledAt === null) {
        count += 1;
        spent += order.totalCents - order.refundedCents;
      }
      updated = Math.max(updated, order.updatedAt);
    }
    this.customerOrderCount[customerIdx] = count;
    this.customerSpent[customerIdx] = spent;
    this.customerUpdatedAt[customerIdx] = updated;
  }

  createOrder(input: { customerId?: string | null; lines?: Array<{ variantId?: string; quantity?: number }>; createdAt?: number; test?: boolean; financialStatus?: FinancialStatus; email?: string | null } = {}): OrderRecord {
    const idx = this.orderCount;
    const now = input.createdAt ?? this.now();
    const customerIdx = input.customerId ? this.customerIdxFromId(input.customerId) : -1;
    if (customerIdx >= 0 && !this.customerExists(customerIdx)) throw new Error(`Unknown customer ${input.customerId}`);
    const wanted = input.lines?.length ? input.lines : [{ variantId: gid("ProductVariant", this.products[this.sellable[0]!]!.variants[0]!.id), quantity: 1 }];
    let subtotal = 0;
    const lines: OrderLine[] = wanted.map((w, k) => {
      const found = (w.variantId && this.variantFromId(w.variantId)) || { product: this.products[this.sellable[0]!]!, variant: this.products[this.sellable[0]!]!.variants[0]! };
      const quantity = w.quantity ?? 1;
      subtotal += found.variant.priceCents * quantity;
      return { id: ID_BASE.LineItem + idx * LINE_SLOTS + k, productIdx: found.product.idx, variantK: found.variant.k, title: found.product.title, variantTitle: found.variant.title === "Default Title" ? null : found.variant.title, sku: found.variant.sku || null, quantity, unitCents: found.variant.priceCents, discountCents: 0, refundedQuantity: 0 };
    });
    const order: OrderRecord = {
      idx,
      id: ID_BASE.Order + idx + 1,
      number: 1001 + idx,
      customerIdx,
      email: input.email ?? (customerIdx >= 0 ? this.getCustomer(customerIdx)!.email : null),
      createdAt: now,
      updatedAt: now,
      processedAt: now,
      cancelledAt: null,
      cancelReason: null,
      closedAt: null,
      test: input.test ?? false,
      financialStatus: input.financialStatus ?? "PAID",
      fulfillmentStatus: "UNFULFILLED",
      tags: [],
      note: null,
      lines,
      refunds: [],
      subtotalCents: subtotal,
      discountCents: 0,
      shippingCents: 0,
      totalCents: subtotal,
      refundedCents: 0,
    };
    this.orderOverrides.set(idx, order);
    this.orderUpdatedAt.push(now);
    this.orderCustomer.push(customerIdx);
    if (customerIdx >= 0) {
      const list = this.ordersByCustomer.get(customerIdx) ?? [];
      list.push(idx);
      this.ordersByCustomer.set(customerIdx, list);
      this.recomputeCustomer(customerIdx);
    }
    const orderGid = gid("Order", order.id);
    this.changed({ topic: "orders/create", id: orderGid });
    if (order.financialStatus === "PAID") this.changed({ topic: "orders/paid", id: orderGid });
    if (customerIdx >= 0) this.changed({ topic: "customers/purchasing_summary", id: gid("Customer", ID_BASE.Customer + customerIdx + 1), extra: { lastOrderId: orderGid } });
    return this.getOrder(idx)!;
  }

  updateOrder(id: string | number, patch: Partial<Omit<OrderRecord, "idx" | "id">>, topic = "orders/updated"): OrderRecord {
    const idx = this.orderIdxFromId(id);
    const current = this.getOrder(idx);
    if (!current) throw new Error(`Unknown order ${id}`);
    const next: OrderRecord = { ...current, ...patch, updatedAt: patch.updatedAt ?? this.now() };
    this.orderOverrides.set(idx, next);
    this.orderUpdatedAt[idx] = next.updatedAt;
    this.recomputeCustomer(next.customerIdx);
    this.changed({ topic, id: gid("Order", next.id) });
    if (topic !== "orders/updated") this.changed({ topic: "orders/updated", id: gid("Order", next.id) });
    return this.getOrder(idx)!;
  }

  cancelOrder(id: string | number, reason = "CUSTOMER"): OrderRecord {
    const now = this.now();
    return this.updateOrder(id, { cancelledAt: now, cancelReason: reason, financialStatus: "VOIDED" }, "orders/cancelled");
  }

  /** Refunds `quantity` of each listed line (default: everything). Fires refunds/create + orders/updated. */
  refundOrder(id: string | number, lines?: Array<{ lineIndex: number; quantity: number }>): OrderRecord {
    const idx = this.orderIdxFromId(id);
    const order = this.getOrder(idx);
    if (!order) throw new Error(`Unknown order ${id}`);
    const now = this.now();
    const wanted = lines ?? order.lines.map((l, lineIndex) => ({ lineIndex, quantity: l.quantity - l.refundedQuantity }));
    const refundIndex = order.refunds.length;
    const refund: RefundRecord = {
      id: ID_BASE.Refund + idx * 2 + refundIndex + (refundIndex > 1 ? 1_000_000_000_000 : 0),
      createdAt: now,
      note: null,
      lines: wanted
        .filter((w) => w.quantity > 0)
        .map((w) => {
          const line = order.lines[w.lineIndex]!;
          line.refundedQuantity += w.quantity;
          const unitNet = (line.unitCents * line.quantity - line.discountCents) / line.quantity;
          return { id: ID_BASE.Refund + 60_000_000_000 + idx * LINE_SLOTS * 4 + refundIndex * LINE_SLOTS + w.lineIndex, lineIndex: w.lineIndex, quantity: w.quantity, subtotalCents: Math.round(unitNet * w.quantity) };
        }),
    };
    const refunded = order.refundedCents + refund.lines.reduce((s, l) => s + l.subtotalCents, 0);
    const next = this.updateOrder(id, { refunds: [...order.refunds, refund], lines: order.lines, refundedCents: refunded, financialStatus: refunded >= order.totalCents - order.shippingCents ? "REFUNDED" : "PARTIALLY_REFUNDED", updatedAt: now });
    this.changed({ topic: "refunds/create", id: gid("Refund", refund.id), extra: { orderId: gid("Order", order.id) } });
    return next;
  }

  updateProduct(id: string | number, patch: Partial<Omit<ProductRecord, "idx" | "id">>): ProductRecord {
    const idx = this.productIdxFromId(id);
    const current = this.products[idx];
    if (!current) throw new Error(`Unknown product ${id}`);
    const next = { ...current, ...patch, updatedAt: patch.updatedAt ?? this.now() };
    this.products[idx] = next;
    this.changed({ topic: "products/update", id: gid("Product", next.id) });
    return next;
  }

  /** Resolves `$app:` namespaces to this app's reserved prefix. */
  resolveNamespace(namespace: string | null | undefined): string {
    const ns = namespace ?? "$app";
    if (ns === "$app") return `app--${this.appId}`;
    if (ns.startsWith("$app:")) return `app--${this.appId}--${ns.slice(5)}`;
    return ns;
  }
  ownerExists(ownerId: string): boolean {
    const parsed = parseGid(ownerId);
    if (!parsed) return false;
    if (parsed.type === "Customer") return this.customerExists(this.customerIdxFromId(ownerId));
    if (parsed.type === "Order") return this.orderExists(this.orderIdxFromId(ownerId));
    if (parsed.type === "Product") return this.products[this.productIdxFromId(ownerId)] !== undefined;
    if (parsed.type === "Shop") return parsed.id === this.shop.id;
    return false;
  }
  setMetafield(input: { ownerId: string; namespace?: string | null; key: string; value: string; type: string }): MetafieldRecord {
    const namespace = this.resolveNamespace(input.namespace);
    let owner = this.metafields.get(input.ownerId);
    if (!owner) this.metafields.set(input.ownerId, (owner = new Map()));
    const key = `${namespace}.${input.key}`;
    const now = this.now();
    const existing = owner.get(key);
    const record: MetafieldRecord = existing
      ? { ...existing, value: input.value, type: input.type, updatedAt: now }
      : { id: this.nextMetafieldId++, ownerId: input.ownerId, namespace, key: input.key, value: input.value, type: input.type, createdAt: now, updatedAt: now };
    owner.set(key, record);
    return record;
  }
  getMetafield(ownerId: string, namespace: string | null | undefined, key: string): MetafieldRecord | null {
    return this.metafields.get(ownerId)?.get(`${this.resolveNamespace(namespace)}.${key}`) ?? null;
  }
}
