// Recommendations against the archive (decision 013): the shop's model is built from its orders by
// the recommendations.build job and kept in RecommendationModel; a customer's suggestions are
// computed when asked, from their orders as they are now (an order that arrived a second ago
// counts) against the shop's model, and from their dated orders the repurchase cycles and
// anniversaries that are due.
import { forEachRow, insertMany, placeholders, providerOf, selectRows } from "../db/provider.server";
import { shopTerms, type Db } from "../loyalty/program.server";
import { buildModel, boughtTogether, recommend, type Purchase, type RecommendationModel, type SuggestionReason } from "./model";
import { anniversaries, isComing, isDue, monthIn, repurchaseCycles } from "./timing";

/** A product tag that keeps a product out of every suggestion (set in Shopify admin, like any tag). */
export const EXCLUDE_TAG = "crm-no-recommend";
/**
 * A customer's suggestions read their latest this many orders (all of them for 99.9% of customers):
 * a buyer with 700 orders would otherwise cost 30 ms a request for little the last 200 do not say.
 */
export const CUSTOMER_ORDERS = 200;
/** How long the set of products that may be suggested is trusted before it is read again. */
const SELLABLE_TTL_MS = 60_000;

/** Orders that say what customers buy: not test, not cancelled, not deleted; lines still held (not fully refunded). */
function purchaseSql(db: Db, customer: boolean) {
  const provider = providerOf(db);
  // Parameters: [shop] for the whole shop, [shop, shop, customerId] for one customer.
  const [shopMark, innerShopMark, customerMark] = placeholders(provider, 3);
  // As text with its zone (SQLite stores it so; PostgreSQL's timestamp(3) is UTC without one).
  const at = provider === "sqlite" ? `o."processedAt"` : `to_char(o."processedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const real = (mark: string) => `o."shop" = ${mark} AND o."test" = FALSE AND o."cancelledAt" IS NULL AND o."deletedAt" IS NULL`;
  // One customer: their latest CUSTOMER_ORDERS orders (the index on (shop, customerId, processedAt) walked backwards).
  const whose = customer
    ? `o."shopifyId" IN (SELECT o."shopifyId" FROM "Order" o WHERE ${real(innerShopMark!)} AND o."customerId" = ${customerMark} ORDER BY o."processedAt" DESC LIMIT ${CUSTOMER_ORDERS})`
    : `o."customerId" IS NOT NULL`;
  return `SELECT o."customerId" AS "customerId", o."shopifyId" AS "orderId", ${at} AS "at", l."productId" AS "productId"
    FROM "Order" o JOIN "OrderLine" l ON l."shop" = o."shop" AND l."orderId" = o."shopifyId"
    WHERE ${real(shopMark!)} AND ${whose} AND l."productId" IS NOT NULL AND l."currentQuantity" > 0
    ORDER BY o."customerId", o."processedAt", o."shopifyId"`;
}

// The date comes as the database's text and is parsed once per order, not once per line.
const PURCHASE_COLUMNS = [
  ["customerId", "text"],
  ["orderId", "text"],
  ["at", "text"],
  ["productId", "text"],
] as const;

/**
 * Purchases per customer from rows (customer, order, date, product) in customer then time order,
 * one row at a time: product ids are shared strings (20,000 products, not 1.5 million copies).
 */
function historiesCollector() {
  const histories = new Map<string, Purchase[]>();
  const productIds = new Map<string, string>();
  let lastOrder: string | null = null;
  let current: { items: string[]; at: Date } | null = null;
  const add = (row: unknown[]) => {
    const [customerId, orderId, at, productId] = row as [string, string, string | Date, string];
    if (orderId !== lastOrder) {
      lastOrder = orderId;
      current = { items: [], at: at instanceof Date ? at : new Date(at) };
      let list = histories.get(customerId);
      if (!list) histories.set(customerId, (list = []));
      list.push(current);
    }
    let shared = productIds.get(productId);
    if (shared === undefined) productIds.set(productId, (shared = productId));
    current!.items.push(shared);
  };
  return { histories, add };
}

const MODEL_COLUMNS = [
  ["builtAt", "date"],
  ["customers", "int"],
  ["orders", "int"],
  ["products", "int"],
  ["buildMs", "int"],
  ["model", "text"],
] as const;

export interface BuildSummary {
  customers: number;
  orders: number;
  products: number;
  buildMs: number;
}

/** Builds the shop's model from all its orders and stores it. */
export async function buildShopModel(db: Db, shop: string, now = new Date()): Promise<BuildSummary> {
  const started = performance.now();
  const { histories, add } = historiesCollector();
  await forEachRow(db, PURCHASE_COLUMNS, purchaseSql(db, false), [shop], add);
  const model = buildModel(histories);
  // Half a million orders are not needed while the model is stored.
  histories.clear();
  const buildMs = Math.round(performance.now() - started);
  // Through the driver (insertMany), not Prisma's upsert: a model is megabytes of text, and the
  // query engine's copies of it were the peak of a build's memory.
  const columns = MODEL_COLUMNS.map(([name]) => `"${name}" = excluded."${name}"`).join(", ");
  await insertMany(db, "RecommendationModel", [["shop", "text"], ...MODEL_COLUMNS], [[shop, now, model.customers, model.purchases, model.items.length, buildMs, JSON.stringify(model)]], { conflict: `ON CONFLICT ("shop") DO UPDATE SET ${columns}` });
  models.set(shop, { builtAt: now, model, checkedAt: Date.now() });
  return { customers: model.customers, orders: model.purchases, products: model.items.length, buildMs };
}

// A shop's model is read many times between builds: kept parsed, checked against the stored builtAt at most every MODEL_CHECK_MS (another process may have built a newer one).
const models = new Map<string, { builtAt: Date; model: RecommendationModel; checkedAt: number }>();
/** How long a shop's model is used before asking the database whether another process built a newer one. */
const MODEL_CHECK_MS = 5_000;
const sellable = new Map<string, { at: number; products: Map<string, ProductCard>; timeZone: string }>();

async function shopModel(db: Db, shop: string, now = Date.now()): Promise<{ builtAt: Date; model: RecommendationModel } | null> {
  const known = models.get(shop);
  if (known && now - known.checkedAt < MODEL_CHECK_MS) return known;
  const head = await selectRows(db, [["builtAt", "date"]], `SELECT "builtAt" FROM "RecommendationModel" WHERE "shop" = ${placeholders(providerOf(db), 1)[0]}`, [shop]);
  const builtAt = head[0]?.[0] as Date | undefined;
  if (!builtAt) return null;
  if (known && known.builtAt.getTime() === builtAt.getTime()) {
    known.checkedAt = now;
    return known;
  }
  const [row] = await selectRows(db, [["builtAt", "date"], ["model", "text"]], `SELECT "builtAt", "model" FROM "RecommendationModel" WHERE "shop" = ${placeholders(providerOf(db), 1)[0]}`, [shop]);
  if (!row) return null;
  const entry = { builtAt: row[0] as Date, model: JSON.parse(row[1] as string) as RecommendationModel, checkedAt: now };
  models.set(shop, entry);
  return entry;
}

export interface ProductCard {
  id: string;
  title: string;
  handle: string;
  productType: string | null;
  imageUrl: string | null;
}

/**
 * The shop's catalogue as suggestions need it: every product that may be suggested (active, not a
 * gift card, not deleted, not tagged EXCLUDE_TAG), and the shop's time zone - read at most once a minute per shop, so a product archived in Shopify leaves the
 * suggestions within a minute.
 */
async function catalogue(db: Db, shop: string, now = Date.now()) {
  const cached = sellable.get(shop);
  if (cached && now - cached.at < SELLABLE_TTL_MS) return cached;
  const rows = await selectRows(
    db,
    [
      ["id", "text"],
      ["title", "text"],
      ["handle", "text"],
      ["productType", "text"],
      ["imageUrl", "text"],
      ["status", "text"],
      ["isGiftCard", "bool"],
      ["deleted", "bool"],
      ["tags", "text"],
    ],
    `SELECT "shopifyId" AS "id", "title", "handle", "productType", "imageUrl", "status", "isGiftCard", "deletedAt" IS NOT NULL AS "deleted", "tags" FROM "Product" WHERE "shop" = ${placeholders(providerOf(db), 1)[0]}`,
    [shop],
  );
  const products = new Map<string, ProductCard>();
  for (const [id, title, handle, productType, imageUrl, status, isGiftCard, deleted, tags] of rows as Array<[string, string, string, string | null, string | null, string, boolean, boolean, string]>) {
    const tagged = tags.split(",").some((tag) => tag.trim().toLowerCase() === EXCLUDE_TAG);
    if (status.toUpperCase() === "ACTIVE" && !isGiftCard && !deleted && !tagged) products.set(id, { id, title, handle, productType, imageUrl });
  }
  // The shop's time zone (for "bought every May") is read with it: a Prisma lookup per customer cost milliseconds.
  const entry = { at: now, products, timeZone: (await shopTerms(db, shop)).timeZone };
  sellable.set(shop, entry);
  return entry;
}

/** Forgets a shop's cached model and catalogue (tests, shop redact, a product change that must show at once). */
export function forgetRecommendations(shop: string) {
  models.delete(shop);
  sellable.delete(shop);
}

export interface ProductSuggestion {
  product: ProductCard;
  score: number;
  /** The model's reason; "bought with" names the product by its title too. */
  reason: Exclude<SuggestionReason, { code: "boughtWith" }> | (Extract<SuggestionReason, { code: "boughtWith" }> & { title: string });
}

export interface DueItem {
  product: ProductCard;
  reason: { code: "replenish"; everyDays: number; dueAt: string; purchases: number } | { code: "anniversary"; month: number; years: number[] };
}

export interface CustomerSuggestions {
  /** Null until the shop's first model is built. */
  builtAt: Date | null;
  suggestions: ProductSuggestion[];
  /** Products due again now: a repurchase cycle coming round, or the month they buy it every year (not repeated in `suggestions`). */
  due: DueItem[];
}

/** A customer's suggestions and what is due, from their orders now and the shop's model. */
export async function customerSuggestions(db: Db, { shop, customerId, limit = 10, now = new Date() }: { shop: string; customerId: string; limit?: number; now?: Date }): Promise<CustomerSuggestions> {
  const { histories, add } = historiesCollector();
  // One customer's rows are few (CUSTOMER_ORDERS orders at most): read at once, on the client's own connection.
  const [entry, products, rows] = await Promise.all([shopModel(db, shop), catalogue(db, shop), selectRows(db, PURCHASE_COLUMNS, purchaseSql(db, true), [shop, shop, customerId])]);
  for (const row of rows) add(row);
  const purchases = histories.get(customerId) ?? [];
  const allowed = (item: string) => products.products.has(item);
  const due = dueItems(purchases, products.products, products.timeZone, now);
  if (!entry) return { builtAt: null, suggestions: [], due };
  // What is due is said once, as due: the likely next order lists the rest.
  const isDueNow = new Set(due.map((item) => item.product.id));
  const ranked = recommend(entry.model, purchases, { limit: limit + isDueNow.size, allowed }).filter((suggestion) => !isDueNow.has(suggestion.item)).slice(0, limit);
  const suggestions = ranked.map((suggestion): ProductSuggestion => {
    const product = products.products.get(suggestion.item)!;
    const reason = suggestion.reason.code === "boughtWith" ? { ...suggestion.reason, title: products.products.get(suggestion.reason.item)?.title ?? "" } : suggestion.reason;
    return { product, score: suggestion.score, reason };
  });
  return { builtAt: entry.builtAt, suggestions, due };
}

/** Products whose repurchase cycle is due, then products whose yearly month is coming; sellable ones only, each once. */
function dueItems(purchases: readonly Purchase[], products: ReadonlyMap<string, ProductCard>, timeZone: string, now: Date): DueItem[] {
  const due: DueItem[] = [];
  const taken = new Set<string>();
  for (const cycle of repurchaseCycles(purchases)) {
    const product = products.get(cycle.key);
    if (!product || !isDue(cycle, now)) continue;
    taken.add(cycle.key);
    due.push({ product, reason: { code: "replenish", everyDays: cycle.everyDays, dueAt: cycle.dueAt.toISOString(), purchases: cycle.purchases } });
  }
  const monthOf = monthIn(timeZone);
  const current = monthOf(now);
  for (const anniversary of anniversaries(purchases, monthOf)) {
    const product = products.get(anniversary.key);
    if (!product || taken.has(anniversary.key) || !isComing(anniversary, current)) continue;
    taken.add(anniversary.key);
    due.push({ product, reason: { code: "anniversary", month: anniversary.month, years: anniversary.years } });
  }
  return due;
}

/** Products most often bought with one product, normalised; sellable ones only. */
export async function productsBoughtWith(db: Db, { shop, productId, limit = 8 }: { shop: string; productId: string; limit?: number }): Promise<Array<{ product: ProductCard; orders: number; score: number }>> {
  const [entry, products] = await Promise.all([shopModel(db, shop), catalogue(db, shop)]);
  if (!entry) return [];
  return boughtTogether(entry.model, productId, { limit, allowed: (item) => products.products.has(item) }).map((together) => ({ product: products.products.get(together.item)!, orders: together.orders, score: together.score }));
}
