// The benchmarks' store (bench:customers, bench:tiers, bench:segments): a deterministic shop of N
// customers and M orders with lines, refunds, products and variants, generated customer by customer
// and written through the import's own driver writer; a throwaway database per engine to hold it;
// and the run of a benchmark on it (runSeededBench).
import { mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import pg from "pg";

import { createPrismaClient, type PrismaClient } from "../app/db.server";
import { analyzeArchive, refreshOrderDates } from "../app/modules/customers/customer-stats.server";
import type { BulkRow } from "../app/modules/sync/bulk-rows";
import { openBulkWriter } from "../app/modules/sync/bulk-writer.server";
import { benchEnvironment, sampleRss, seconds, type BenchFlags } from "./bench-support";
import { random } from "./random";
import { applyMigrations } from "./setup-db";

export { random };

export const SHOP = "bench-shop.myshopify.com";
export const CURRENCY = "USD";
const BATCH_ROWS = 10_000;
/** Products in the catalogue unless a benchmark asks for more (bench:recs: 20,000). */
const DEFAULT_PRODUCTS = 500;
// A fixed "now", so every run seeds the same store: orders span the three years before it.
export const END = Date.UTC(2026, 11, 1);
const YEAR_MS = 365 * 86_400_000;
export const START = END - 3 * YEAR_MS;

// --- Deterministic data ------------------------------------------------------------------------

export type Rng = () => number;
export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
export const between = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));

const FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William", "Barbara", "Maria", "José", "Ana", "Carlos", "Sofia", "Lucas", "Emma", "Olivia", "Noah", "Liam", "Chloe", "Hannah", "Ahmed", "Fatima", "Yuki", "Hiroshi", "Priya", "Raj", "Zoë", "Marcus"];
const LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Nguyen", "Kim", "Patel", "Müller", "O'Brien"];
// Chinese names as Shopify stores them for Chinese-speaking customers: family name first in displayName.
const CHINESE_FIRST: ReadonlyArray<readonly [string, string]> = [["伟", "wei"], ["芳", "fang"], ["娜", "na"], ["敏", "min"], ["静", "jing"], ["丽", "li"], ["强", "qiang"], ["磊", "lei"], ["洋", "yang"], ["艳", "yan"], ["秀英", "xiuying"], ["建华", "jianhua"]];
const CHINESE_LAST: ReadonlyArray<readonly [string, string]> = [["王", "wang"], ["李", "li"], ["张", "zhang"], ["刘", "liu"], ["陈", "chen"], ["杨", "yang"], ["黄", "huang"], ["赵", "zhao"]];
const DOMAINS = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "proton.me", "example.org"];
const CHINESE_DOMAINS = ["qq.com", "163.com", "126.com", "gmail.com"];
// Tag vocabulary with the share of customers that carry each tag.
export const TAGS: ReadonlyArray<readonly [string, number]> = [["at-risk", 0.08], ["b2b", 0.02], ["gift-buyer", 0.06], ["influencer", 0.01], ["local", 0.1], ["newsletter", 0.35], ["returning", 0.2], ["subscriber", 0.12], ["vip", 0.05], ["wholesale", 0.03]];
const CITIES: ReadonlyArray<readonly [string, string, string]> = [["US", "CA", "San Francisco"], ["US", "NY", "New York"], ["US", "TX", "Austin"], ["CA", "ON", "Toronto"], ["GB", "ENG", "London"], ["DE", "BE", "Berlin"], ["ES", "M", "Madrid"], ["AU", "NSW", "Sydney"]];
const CHINESE_CITIES: ReadonlyArray<readonly [string, string, string]> = [["CN", "SH", "上海"], ["CN", "BJ", "北京"], ["CN", "GD", "深圳"], ["TW", "TPE", "台北"]];
export const STAFF = [
  { userId: "80001", firstName: "Alice", lastName: "Ng", email: "alice@bench-shop.test" },
  { userId: "80002", firstName: "Ben", lastName: "Carter", email: "ben@bench-shop.test" },
  { userId: "80003", firstName: "雷", lastName: "李", email: "lei@bench-shop.test" },
  { userId: "80004", firstName: "Dana", lastName: "Wu", email: "dana@bench-shop.test" },
  { userId: "80005", firstName: "Eli", lastName: "Fischer", email: "eli@bench-shop.test" },
];
const ADJECTIVES = ["Classic", "Organic", "Vintage", "Everyday", "Premium", "Linen", "Merino", "Recycled", "Travel", "Studio"];
const NOUNS = ["Tee", "Hoodie", "Tote Bag", "Mug", "Candle", "Notebook", "Scarf", "Cap", "Water Bottle", "Socks", "Apron", "Blanket", "Planter", "Backpack", "Journal", "Teapot", "Poster", "Beanie", "Towel", "Sweater", "Jacket", "Wallet", "Sunglasses", "Tumbler", "Pillow", "Soap", "Tea Set", "Umbrella", "Belt", "Gloves", "Mat", "Lamp", "Vase", "Bowl", "Print", "Card Set", "Keychain", "Pouch", "Dress", "Shorts", "Jeans", "Sandals", "Sneakers", "Bracelet", "Necklace", "Ring", "Earrings", "Watch", "Headphones", "Speaker"];

const gid = (type: string, n: number) => `gid://shopify/${type}/${n}`;
// Fixed-width numeric ids, so text order is numeric order (as with Shopify's ids of one era).
export const customerGid = (index: number) => gid("Customer", 7_000_000_000_000 + index);
export const orderGid = (index: number) => gid("Order", 5_000_000_000_000 + index);
const lineGid = (index: number) => gid("LineItem", 13_000_000_000_000 + index);
const refundGid = (index: number) => gid("Refund", 900_000_000_000 + index);
const productGid = (index: number) => gid("Product", 8_000_000_000 + index);
const variantGid = (product: number, variant: number) => gid("ProductVariant", 40_000_000_000 + product * 10 + variant);
const ascii = (text: string) => text.normalize("NFD").replace(/[^A-Za-z]/g, "").toLowerCase();

interface Product {
  id: string;
  title: string;
  variants: Array<{ id: string; title: string; sku: string; priceMinor: number }>;
}

function productRows(rng: Rng, count: number): { rows: BulkRow[]; products: Product[] } {
  const rows: BulkRow[] = [];
  const products: Product[] = [];
  for (let p = 0; p < count; p++) {
    const title = `${ADJECTIVES[p % ADJECTIVES.length]} ${NOUNS[Math.floor(p / ADJECTIVES.length) % NOUNS.length]}${p >= ADJECTIVES.length * NOUNS.length ? ` ${p}` : ""}`;
    const created = new Date(START - between(rng, 30, 400) * 86_400_000);
    const base = between(rng, 5, 200) * 100 - 1;
    const sizes = pick(rng, [["One size"], ["S", "M", "L"], ["Small", "Large"]]);
    const product: Product = { id: productGid(p), title, variants: sizes.map((size, v) => ({ id: variantGid(p, v), title: size, sku: `SKU-${p}-${v}`, priceMinor: base + v * 200 })) };
    products.push(product);
    rows.push({
      table: "product",
      row: { shop: SHOP, shopifyId: product.id, title, handle: title.toLowerCase().replace(/[^a-z0-9]+/g, "-"), productType: NOUNS[Math.floor(p / ADJECTIVES.length) % NOUNS.length]!, vendor: "Bench Goods", tags: "", status: p % 25 === 0 ? "ARCHIVED" : "ACTIVE", isGiftCard: false, imageUrl: `https://cdn.example.com/p/${p}.jpg`, shopifyCreatedAt: created, shopifyUpdatedAt: created },
    });
    for (const variant of product.variants) rows.push({ table: "variant", row: { shop: SHOP, shopifyId: variant.id, productId: product.id, title: variant.title, sku: variant.sku, priceMinor: BigInt(variant.priceMinor) } });
  }
  return { rows, products };
}

/**
 * Orders per customer: ~18% never ordered, the rest a heavy tail (Pareto, capped at 400), scaled
 * so the counts add up to exactly `orders`.
 */
function orderCounts(rng: Rng, customers: number, orders: number): Int32Array {
  const weights = new Float64Array(customers);
  let sum = 0;
  for (let c = 0; c < customers; c++) {
    weights[c] = rng() < 0.18 ? 0 : Math.min(400, Math.pow(1 - rng(), -1 / 1.4));
    sum += weights[c]!;
  }
  const counts = new Int32Array(customers);
  const buyers: number[] = [];
  let total = 0;
  for (let c = 0; c < customers; c++) {
    if (weights[c] === 0 || sum === 0) continue;
    counts[c] = Math.max(1, Math.round((weights[c]! * orders) / sum));
    total += counts[c]!;
    buyers.push(c);
  }
  if (buyers.length === 0 && orders > 0) {
    counts[0] = orders;
    return counts;
  }
  while (total < orders) {
    counts[pick(rng, buyers)]! += 1;
    total++;
  }
  while (total > orders) {
    const c = pick(rng, buyers);
    if (counts[c]! > 1) {
      counts[c]! -= 1;
      total--;
    }
  }
  return counts;
}

export interface SeedStats {
  customers: number;
  orders: number;
  lines: number;
  refunds: number;
  products: number;
  variants: number;
  owned: number;
  notes: number;
}

/**
 * Generates the store customer by customer (each customer's orders, lines and refunds first, so
 * its amount spent and order count are exactly theirs) and hands it to `write` in batches.
 * Returns each customer's owner (index into STAFF, -1 for none) and order count.
 */
export async function generateStore(size: { customers: number; orders: number; products?: number }, write: (rows: BulkRow[]) => Promise<void>, stats: SeedStats): Promise<{ owners: Int8Array; counts: Int32Array }> {
  const rng = random(4);
  const productCount = size.products ?? DEFAULT_PRODUCTS;
  const { rows: catalogue, products } = productRows(rng, productCount);
  stats.products = productCount;
  stats.variants = catalogue.length - productCount;
  const counts = orderCounts(rng, size.customers, size.orders);
  const owners = new Int8Array(size.customers).fill(-1);
  let batch: BulkRow[] = catalogue;
  let inflight: Promise<void> = Promise.resolve();
  // One batch in flight while the next is generated (as the import does).
  const flush = async () => {
    const rows = batch;
    batch = [];
    await inflight;
    inflight = write(rows);
  };
  let orderIndex = 0;
  let lineIndex = 0;
  let refundIndex = 0;
  for (let c = 0; c < size.customers; c++) {
    const customerId = customerGid(c);
    const chinese = rng() < 0.12;
    let firstName: string;
    let lastName: string;
    let displayName: string;
    let emailLocal: string;
    let domain: string;
    let place: readonly [string, string, string];
    if (chinese) {
      const [first, firstLatin] = pick(rng, CHINESE_FIRST);
      const [last, lastLatin] = pick(rng, CHINESE_LAST);
      firstName = first;
      lastName = last;
      displayName = `${last}${first}`;
      emailLocal = `${firstLatin}.${lastLatin}${c}`;
      domain = pick(rng, CHINESE_DOMAINS);
      place = pick(rng, CHINESE_CITIES);
    } else {
      firstName = pick(rng, FIRST);
      lastName = pick(rng, LAST);
      displayName = `${firstName} ${lastName}`;
      emailLocal = `${ascii(firstName)}.${ascii(lastName)}${c}`;
      domain = pick(rng, DOMAINS);
      place = pick(rng, CITIES);
    }
    const email = rng() < 0.96 ? `${emailLocal}@${domain}` : null;
    const phone = rng() < 0.65 ? (chinese ? `+86138${String(between(rng, 0, 99_999_999)).padStart(8, "0")}` : `+1${between(rng, 201, 989)}555${String(between(rng, 0, 9999)).padStart(4, "0")}`) : null;
    const tags = TAGS.filter(([, share]) => rng() < share).map(([tag]) => tag).join(", ");
    if (rng() < 0.3) {
      owners[c] = Math.floor(rng() * STAFF.length);
      stats.owned++;
    }
    const count = counts[c]!;
    const created = count > 0 ? START - Math.floor(rng() * 0.5 * YEAR_MS) + Math.floor(rng() * rng() * 2.5 * YEAR_MS) : START + Math.floor(rng() * 3 * YEAR_MS);
    let spent = 0;
    let lastUpdate = created;
    for (let o = 0; o < count; o++) {
      const orderId = orderGid(orderIndex);
      const processed = created + Math.floor(rng() * (END - created));
      const lineCount = between(rng, 1, 5);
      let subtotal = 0;
      let firstLineTotal = 0;
      for (let l = 0; l < lineCount; l++) {
        const product = products[Math.floor(products.length * rng() * rng())]!;
        const variant = pick(rng, product.variants);
        const quantity = rng() < 0.8 ? 1 : between(rng, 2, 4);
        const total = variant.priceMinor * quantity;
        if (l === 0) firstLineTotal = total;
        subtotal += total;
        batch.push({
          table: "orderLine",
          row: { shop: SHOP, shopifyId: lineGid(lineIndex++), orderId, productId: product.id, variantId: variant.id, title: product.title, variantTitle: variant.title, sku: variant.sku, quantity, currentQuantity: quantity, unitPriceMinor: BigInt(variant.priceMinor), totalMinor: BigInt(total) },
        });
      }
      const discount = rng() < 0.15 ? Math.floor(subtotal / 10) : 0;
      const totalPrice = subtotal - discount + (subtotal >= 5000 ? 0 : 599);
      const cancelled = rng() < 0.02;
      const refunded = !cancelled && rng() < 0.04 ? firstLineTotal : 0;
      if (refunded) {
        batch.push({ table: "refund", row: { shop: SHOP, shopifyId: refundGid(refundIndex++), orderId, note: pick(rng, [null, "Damaged in transit", "Wrong size"]), totalMinor: BigInt(refunded), currencyCode: CURRENCY, shopifyCreatedAt: new Date(processed + 5 * 86_400_000) } });
      }
      if (!cancelled) spent += totalPrice - refunded;
      const updated = processed + (refunded ? 5 * 86_400_000 : 3_600_000);
      lastUpdate = Math.max(lastUpdate, updated);
      batch.push({
        table: "order",
        row: {
          shop: SHOP,
          shopifyId: orderId,
          customerId,
          name: `#${1001 + orderIndex}`,
          email,
          test: false,
          currencyCode: CURRENCY,
          financialStatus: cancelled ? "VOIDED" : refunded ? "PARTIALLY_REFUNDED" : "PAID",
          fulfillmentStatus: cancelled ? "UNFULFILLED" : "FULFILLED",
          totalPriceMinor: BigInt(totalPrice),
          subtotalPriceMinor: BigInt(subtotal),
          totalDiscountsMinor: BigInt(discount),
          totalRefundedMinor: BigInt(refunded),
          processedAt: new Date(processed),
          cancelledAt: cancelled ? new Date(processed + 7_200_000) : null,
          shopifyCreatedAt: new Date(processed),
          shopifyUpdatedAt: new Date(updated),
        },
      });
      orderIndex++;
    }
    batch.push({
      table: "customer",
      row: {
        shop: SHOP,
        shopifyId: customerId,
        firstName,
        lastName,
        displayName,
        email,
        phone,
        emailMarketingState: email ? pick(rng, ["SUBSCRIBED", "NOT_SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED"]) : null,
        smsMarketingState: phone ? pick(rng, ["SUBSCRIBED", "NOT_SUBSCRIBED"]) : null,
        locale: chinese ? "zh-CN" : "en",
        state: rng() < 0.9 ? "ENABLED" : "DISABLED",
        tags,
        note: rng() < 0.05 ? "Prefers email contact" : null,
        verifiedEmail: email !== null,
        countryCode: place[0],
        province: place[1],
        city: place[2],
        numberOfOrders: count,
        amountSpentMinor: BigInt(spent),
        currencyCode: CURRENCY,
        shopifyCreatedAt: new Date(created),
        shopifyUpdatedAt: new Date(lastUpdate),
      },
    });
    if (batch.length >= BATCH_ROWS) await flush();
  }
  await flush();
  await inflight;
  stats.customers = size.customers;
  stats.orders = orderIndex;
  stats.lines = lineIndex;
  stats.refunds = refundIndex;
  return { owners, counts };
}

// --- A database per engine ---------------------------------------------------------------------

export async function postgresBase(): Promise<string | null> {
  const base = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/test";
  const client = new pg.Client({ connectionString: base, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return base;
  } catch (error) {
    console.log(`postgres: skipped (${base} is not reachable: ${(error as Error).message})`);
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh database for one benchmark run: a temporary SQLite file, or a PostgreSQL schema of its own; null when PostgreSQL is unreachable. */
export async function benchDatabase(provider: "sqlite" | "postgres", name: string): Promise<{ url: string; cleanup: () => Promise<void> } | null> {
  if (provider === "sqlite") {
    const dir = path.join(os.tmpdir(), `crm-bench-${name}`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `bench-${process.pid}.db`);
    return {
      url: `file:${file}`,
      cleanup: async () => {
        for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
      },
    };
  }
  const base = await postgresBase();
  if (!base) return null;
  const schema = `bench_${name}_${process.pid}`;
  const parsed = new URL(base);
  parsed.searchParams.set("schema", schema);
  return {
    url: parsed.toString(),
    cleanup: async () => {
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

/**
 * Loads the generated store as an import does: its own connection, secondary indexes deferred, the
 * first/last order dates while they are, and the indexes built last. `afterLoad` runs before the
 * order dates.
 */
export async function loadStore(db: PrismaClient, url: string, size: { customers: number; orders: number; products?: number }, stats: SeedStats, afterLoad?: (store: { owners: Int8Array; counts: Int32Array }) => Promise<void>) {
  await db.shop.create({ data: { shop: SHOP, name: "Bench", currencyCode: CURRENCY, installedAt: new Date(START), lastSyncedAt: new Date(END) } });
  const writer = await openBulkWriter(url, { workerThread: true });
  const started = performance.now();
  let store: { owners: Int8Array; counts: Int32Array };
  const seconds = { load: 0, afterLoad: 0, orderDates: 0, indexes: 0 };
  try {
    await writer.deferIndexes(SHOP);
    store = await generateStore(size, (rows) => writer.write(rows), stats);
    seconds.load = (performance.now() - started) / 1000;
    let step = performance.now();
    const took = () => {
      const now = performance.now();
      const elapsed = (now - step) / 1000;
      step = now;
      return elapsed;
    };
    await afterLoad?.(store);
    seconds.afterLoad = took();
    await refreshOrderDates(db, { shop: SHOP });
    seconds.orderDates = took();
    await writer.restoreIndexes();
    seconds.indexes = took();
  } finally {
    await writer.close();
  }
  return { ...store, seconds };
}

export interface BenchLine {
  scenario: string;
  [key: string]: unknown;
}

export interface SeededBench {
  db: PrismaClient;
  /** Records one scenario's figures (printed as JSON at the end) and prints its human line now. */
  report(line: BenchLine, human: string): void;
}

/**
 * One engine's run of a benchmark on the benchmark store: a fresh database, migrated and seeded
 * (`flags.customers` / `flags.orders`) and analysed; then `measure`; then peak RSS and one JSON
 * line per scenario (`{"bench":<bench>,"db":<engine>,...}`). The database is dropped unless --keep.
 */
export async function runSeededBench({ bench, provider, flags }: { bench: string; provider: "sqlite" | "postgres"; flags: BenchFlags }, measure: (context: SeededBench) => Promise<void>): Promise<void> {
  const database = await benchDatabase(provider, bench);
  if (!database) return;
  // No job queue: pushes and evaluations a step queues are not what is measured.
  benchEnvironment(database.url);
  const rss = sampleRss();
  const db = createPrismaClient(database.url);
  const lines: Array<BenchLine & { bench: string; db: string }> = [];
  const report = (line: BenchLine, human: string) => {
    lines.push({ bench, db: provider, ...line });
    console.log(`${provider}: ${human}`);
  };
  try {
    await applyMigrations({ url: database.url, log: () => undefined });
    const stats: SeedStats = { customers: 0, orders: 0, lines: 0, refunds: 0, products: 0, variants: 0, owned: 0, notes: 0 };
    const seedStarted = performance.now();
    console.log(`${provider}: seeding ${flags.customers.toLocaleString("en")} customers, ${flags.orders.toLocaleString("en")} orders…`);
    await loadStore(db, database.url, flags, stats);
    if (provider === "postgres") await db.$executeRawUnsafe(`VACUUM (ANALYZE) "Customer", "Order"`);
    else await analyzeArchive(db);
    console.log(`${provider}: seeded in ${seconds(seedStarted).toFixed(1)} s (${stats.orders.toLocaleString("en")} orders, ${stats.refunds.toLocaleString("en")} refunds)`);
    await measure({ db, report });
    console.log(`${provider}: peak RSS ${rss.peakMb()} MB; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} CPUs\n`);
    for (const line of lines) console.log(JSON.stringify({ ...line, peakRssMb: rss.peakMb() }));
  } finally {
    rss.stop();
    await db.$disconnect();
    if (flags.keep) console.log(`${provider}: kept the database at ${database.url}`);
    else await database.cleanup();
  }
}
