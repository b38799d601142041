// `npm run bench:customers [-- --customers N --orders N --db sqlite|postgres|both --runs N --keep]`:
// seeds a fresh database per engine with a realistic store (100,000 customers, 500,000 orders with
// 1-5 lines each, products, refunds, owners, notes) through the import's own driver writer, then
// times the customers index (`listCustomers`, as the index route calls it: withTotal) and the
// profile (`getCustomerProfile`) - the app's functions on a Prisma client, not copies - and prints
// p50/p95/max per scenario against the 100 ms p95 target (decision 009). Human lines first, then one
// JSON object per line: the seed, then each scenario.
//
// `--db both` (the default) runs each database in its own child process: the index reads the
// provider from DATABASE_URL once per process (getEnv), as the app does.
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import pg from "pg";

import { createPrismaClient, repoRoot, type Prisma, type PrismaClient } from "../app/db.server";
import { listCustomers, parseCustomerQuery, PAGE_SIZE } from "../app/modules/customers/customer-index.server";
import { getCustomerProfile } from "../app/modules/customers/customer-profile.server";
import { analyzeArchive, refreshOrderDates } from "../app/modules/customers/customer-stats.server";
import type { BulkRow } from "../app/modules/sync/bulk-rows";
import { openBulkWriter } from "../app/modules/sync/bulk-writer.server";
import { applyMigrations } from "./setup-db";

const SHOP = "bench-shop.myshopify.com";
const CURRENCY = "USD";
const TARGET_P95_MS = 100;
const WARMUPS = 5;
const BATCH_ROWS = 10_000;
const PRODUCTS = 500;
// A fixed "now", so every run seeds the same store: orders span the three years before it.
const END = Date.UTC(2026, 11, 1);
const YEAR_MS = 365 * 86_400_000;
const START = END - 3 * YEAR_MS;

const { values: args } = parseArgs({
  options: {
    customers: { type: "string", default: "100000" },
    orders: { type: "string", default: "500000" },
    db: { type: "string", default: "both" },
    runs: { type: "string", default: "40" },
    // Diagnosis: leave the seeded database behind (its URL is printed) for EXPLAIN and friends.
    keep: { type: "boolean", default: false },
  },
});
const flags = {
  customers: Number(args.customers!.replace(/_/g, "")),
  orders: Number(args.orders!.replace(/_/g, "")),
  db: args.db as "sqlite" | "postgres" | "both",
  runs: Number(args.runs),
  keep: args.keep === true,
};
if (!["sqlite", "postgres", "both"].includes(flags.db)) throw new Error("--db must be sqlite, postgres or both");
if (!(flags.customers > 0 && flags.orders >= 0 && flags.runs > 0)) throw new Error("--customers, --orders and --runs must be positive numbers");

// --- Deterministic data ------------------------------------------------------------------------

/** mulberry32: a small seeded generator, so every run (and both databases) get the same store. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
type Rng = () => number;
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
const between = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));

const FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William", "Barbara", "Maria", "José", "Ana", "Carlos", "Sofia", "Lucas", "Emma", "Olivia", "Noah", "Liam", "Chloe", "Hannah", "Ahmed", "Fatima", "Yuki", "Hiroshi", "Priya", "Raj", "Zoë", "Marcus"];
const LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Nguyen", "Kim", "Patel", "Müller", "O'Brien"];
// Chinese names as Shopify stores them for Chinese-speaking customers: family name first in displayName.
const CHINESE_FIRST: ReadonlyArray<readonly [string, string]> = [["伟", "wei"], ["芳", "fang"], ["娜", "na"], ["敏", "min"], ["静", "jing"], ["丽", "li"], ["强", "qiang"], ["磊", "lei"], ["洋", "yang"], ["艳", "yan"], ["秀英", "xiuying"], ["建华", "jianhua"]];
const CHINESE_LAST: ReadonlyArray<readonly [string, string]> = [["王", "wang"], ["李", "li"], ["张", "zhang"], ["刘", "liu"], ["陈", "chen"], ["杨", "yang"], ["黄", "huang"], ["赵", "zhao"]];
const DOMAINS = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "icloud.com", "hotmail.com", "proton.me", "example.org"];
const CHINESE_DOMAINS = ["qq.com", "163.com", "126.com", "gmail.com"];
// Tag vocabulary with the share of customers that carry each tag.
const TAGS: ReadonlyArray<readonly [string, number]> = [["at-risk", 0.08], ["b2b", 0.02], ["gift-buyer", 0.06], ["influencer", 0.01], ["local", 0.1], ["newsletter", 0.35], ["returning", 0.2], ["subscriber", 0.12], ["vip", 0.05], ["wholesale", 0.03]];
const CITIES: ReadonlyArray<readonly [string, string, string]> = [["US", "CA", "San Francisco"], ["US", "NY", "New York"], ["US", "TX", "Austin"], ["CA", "ON", "Toronto"], ["GB", "ENG", "London"], ["DE", "BE", "Berlin"], ["ES", "M", "Madrid"], ["AU", "NSW", "Sydney"]];
const CHINESE_CITIES: ReadonlyArray<readonly [string, string, string]> = [["CN", "SH", "上海"], ["CN", "BJ", "北京"], ["CN", "GD", "深圳"], ["TW", "TPE", "台北"]];
const STAFF = [
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
const customerGid = (index: number) => gid("Customer", 7_000_000_000_000 + index);
const orderGid = (index: number) => gid("Order", 5_000_000_000_000 + index);
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

function productRows(rng: Rng): { rows: BulkRow[]; products: Product[] } {
  const rows: BulkRow[] = [];
  const products: Product[] = [];
  for (let p = 0; p < PRODUCTS; p++) {
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

interface SeedStats {
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
async function generateStore(write: (rows: BulkRow[]) => Promise<void>, stats: SeedStats): Promise<{ owners: Int8Array; counts: Int32Array }> {
  const rng = random(4);
  const { rows: catalogue, products } = productRows(rng);
  stats.products = PRODUCTS;
  stats.variants = catalogue.length - PRODUCTS;
  const counts = orderCounts(rng, flags.customers, flags.orders);
  const owners = new Int8Array(flags.customers).fill(-1);
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
  for (let c = 0; c < flags.customers; c++) {
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
  stats.customers = flags.customers;
  stats.orders = orderIndex;
  stats.lines = lineIndex;
  stats.refunds = refundIndex;
  return { owners, counts };
}

// --- Seeding -----------------------------------------------------------------------------------

interface Seeded {
  stats: SeedStats;
  seconds: { load: number; indexes: number; owners: number; orderDates: number; notes: number; analyze: number; total: number };
  profileIds: string[];
  heavyIds: string[];
}

const elapsed = (since: number) => (performance.now() - since) / 1000;

async function seed(db: PrismaClient, url: string, provider: "sqlite" | "postgres"): Promise<Seeded> {
  const started = performance.now();
  const stats: SeedStats = { customers: 0, orders: 0, lines: 0, refunds: 0, products: 0, variants: 0, owned: 0, notes: 0 };
  await db.shop.create({ data: { shop: SHOP, name: "Bench", currencyCode: CURRENCY, installedAt: new Date(START) } });
  await db.staffMember.createMany({ data: STAFF.map((staff) => ({ shop: SHOP, ...staff, firstSeenAt: new Date(START), lastSeenAt: new Date(END) })) });

  // The import's writer: its own connection, secondary indexes dropped during the load and built after.
  const writer = await openBulkWriter(url, { workerThread: true });
  let owners: Int8Array;
  let counts: Int32Array;
  const loadStarted = performance.now();
  let indexesStarted = 0;
  let ownersSeconds = 0;
  try {
    await writer.deferIndexes(SHOP);
    ({ owners, counts } = await generateStore((rows) => writer.write(rows), stats));
    // Owners are app-owned (the archive upserts never name ownerId): set as staff would, by id.
    const ownersStarted = performance.now();
    const byOwner = STAFF.map(() => [] as string[]);
    owners.forEach((owner, c) => owner >= 0 && byOwner[owner]!.push(customerGid(c)));
    await db.$transaction(async (tx) => {
      for (const [owner, ids] of byOwner.entries()) {
        for (let start = 0; start < ids.length; start += 500) {
          const chunk = ids.slice(start, start + 500);
          const params = chunk.map((_, i) => (provider === "sqlite" ? "?" : `$${i + 3}`)).join(", ");
          await tx.$executeRawUnsafe(`UPDATE "Customer" SET "ownerId" = ${provider === "sqlite" ? "?" : "$1"} WHERE "shop" = ${provider === "sqlite" ? "?" : "$2"} AND "shopifyId" IN (${params})`, STAFF[owner]!.userId, SHOP, ...chunk);
        }
      }
    }, { timeout: 120_000 });
    ownersSeconds = elapsed(ownersStarted);
    indexesStarted = performance.now();
    await writer.restoreIndexes();
  } finally {
    await writer.close();
  }
  const loadSeconds = (indexesStarted - loadStarted) / 1000 - ownersSeconds;
  const indexesSeconds = elapsed(indexesStarted);

  const datesStarted = performance.now();
  await refreshOrderDates(db, { shop: SHOP });
  const orderDatesSeconds = elapsed(datesStarted);

  // Profiles to open: random customers (most with a few orders) and the ten with the most orders.
  const rng = random(99);
  const byOrders = Array.from(counts.keys()).sort((a, b) => counts[b]! - counts[a]!);
  const heavy = byOrders.slice(0, 10);
  const sampled = new Set<number>(heavy);
  while (sampled.size < Math.min(flags.customers, 60)) sampled.add(Math.floor(rng() * flags.customers));
  const profileIds = [...sampled].map(customerGid);

  // Notes (some pinned, some with follow-ups, some edited) and their audit trail, on the sampled
  // customers and on 1% of the others.
  const notesStarted = performance.now();
  const noted = new Set(sampled);
  for (let n = 0; n < flags.customers / 100; n++) noted.add(Math.floor(rng() * flags.customers));
  const notes: Prisma.NoteCreateManyInput[] = [];
  const revisions: Prisma.NoteRevisionCreateManyInput[] = [];
  const audits: Prisma.AuditLogCreateManyInput[] = [];
  const bodies = ["Called about a late delivery, sent a discount code.", "Prefers WeChat over email.", "Wholesale enquiry: wants net-30 terms.", "VIP: send the new collection preview.", "Allergic to wool, do not recommend merino.", "客户希望周末送货。", "Asked for an invoice with company VAT number.", "Complained about packaging waste."];
  let noteNumber = 0;
  for (const c of noted) {
    const customerId = customerGid(c);
    const howMany = sampled.has(c) ? between(rng, 0, 6) : between(rng, 1, 3);
    for (let k = 0; k < howMany; k++) {
      const author = pick(rng, STAFF);
      const id = `bench-note-${noteNumber++}`;
      const createdAt = new Date(END - between(rng, 1, 700) * 86_400_000);
      const body = pick(rng, bodies);
      const followUp = rng() < 0.25;
      const edited = rng() < 0.2;
      notes.push({ id, shop: SHOP, customerId, body, pinned: k === 0 && rng() < 0.3, authorId: author.userId, authorName: `${author.firstName} ${author.lastName}`, followUpAt: followUp ? new Date(END + between(rng, -30, 30) * 86_400_000) : null, followUpAssigneeId: followUp ? pick(rng, STAFF).userId : null, createdAt, updatedAt: createdAt, editedAt: edited ? new Date(createdAt.getTime() + 3_600_000) : null });
      audits.push({ shop: SHOP, actorType: "staff", actorId: author.userId, actorName: `${author.firstName} ${author.lastName}`, action: "note.created", subjectType: "customer", subjectId: customerId, after: JSON.stringify({ noteId: id, body }), createdAt });
      if (edited) {
        revisions.push({ shop: SHOP, noteId: id, body: `${body} (draft)`, editedById: author.userId, editedByName: `${author.firstName} ${author.lastName}`, createdAt: new Date(createdAt.getTime() + 3_600_000) });
        audits.push({ shop: SHOP, actorType: "staff", actorId: author.userId, actorName: `${author.firstName} ${author.lastName}`, action: "note.edited", subjectType: "customer", subjectId: customerId, before: JSON.stringify({ body: `${body} (draft)` }), after: JSON.stringify({ body }), createdAt: new Date(createdAt.getTime() + 3_600_000) });
      }
    }
    if (owners[c]! >= 0) {
      const owner = STAFF[owners[c]!]!;
      audits.push({ shop: SHOP, actorType: "staff", actorId: STAFF[0]!.userId, actorName: "Alice Ng", action: "customer.owner_changed", subjectType: "customer", subjectId: customerId, before: JSON.stringify({ ownerId: null }), after: JSON.stringify({ ownerId: owner.userId }), createdAt: new Date(END - between(rng, 1, 300) * 86_400_000) });
    }
  }
  for (let start = 0; start < notes.length; start += 1000) await db.note.createMany({ data: notes.slice(start, start + 1000) });
  for (let start = 0; start < revisions.length; start += 1000) await db.noteRevision.createMany({ data: revisions.slice(start, start + 1000) });
  for (let start = 0; start < audits.length; start += 1000) await db.auditLog.createMany({ data: audits.slice(start, start + 1000) });
  stats.notes = notes.length;
  const notesSeconds = elapsed(notesStarted);

  // PostgreSQL: what autovacuum does within a minute or two of a load this size (the order-date
  // refresh rewrote every customer row). SQLite has no automatic statistics and the app gathers
  // none, so it plans without them here too.
  const analyzeStarted = performance.now();
  if (provider === "postgres") await db.$executeRawUnsafe(`VACUUM (ANALYZE) "Customer", "Order", "OrderLine", "Refund", "Note", "NoteRevision", "AuditLog", "Product", "ProductVariant", "StaffMember"`);
  // SQLite: the statistics the app's import gathers when it ends (analyzeArchive).
  else await analyzeArchive(db);
  const analyzeSeconds = elapsed(analyzeStarted);

  // The store must be what was generated: counts, and per customer numberOfOrders = its orders.
  const where = { where: { shop: SHOP } };
  const [customers, orders, lines, spent] = await Promise.all([db.customer.count(where), db.order.count(where), db.orderLine.count(where), db.customer.aggregate({ ...where, _sum: { numberOfOrders: true } })]);
  if (customers !== stats.customers || orders !== stats.orders || lines !== stats.lines || spent._sum.numberOfOrders !== stats.orders) {
    throw new Error(`seeded ${customers} customers / ${orders} orders / ${lines} lines (sum of numberOfOrders ${spent._sum.numberOfOrders}), expected ${stats.customers} / ${stats.orders} / ${stats.lines}`);
  }
  return {
    stats,
    seconds: { load: loadSeconds, indexes: indexesSeconds, owners: ownersSeconds, orderDates: orderDatesSeconds, notes: notesSeconds, analyze: analyzeSeconds, total: elapsed(started) },
    profileIds,
    heavyIds: heavy.map(customerGid),
  };
}

// --- Measuring ---------------------------------------------------------------------------------

interface Scenario {
  name: string;
  what: string;
  /** The i-th timed call (negative: warm-ups); returns how many customers matched (for the table). */
  run: (i: number) => Promise<number>;
}

interface ScenarioResult {
  bench: "customers";
  db: "sqlite" | "postgres";
  scenario: string;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  runs: number;
  medianMatches: number;
  target95Ms: number;
  met: boolean;
}

const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

async function time(scenario: Scenario, db: ScenarioResult["db"]): Promise<ScenarioResult> {
  for (let i = -WARMUPS; i < 0; i++) await scenario.run(i);
  const times: number[] = [];
  const matches: number[] = [];
  for (let i = 0; i < flags.runs; i++) {
    const started = performance.now();
    matches.push(await scenario.run(i));
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  matches.sort((a, b) => a - b);
  const p95 = percentile(times, 95);
  return { bench: "customers", db, scenario: scenario.name, p50Ms: round(percentile(times, 50), 2), p95Ms: round(p95, 2), maxMs: round(times.at(-1)!, 2), runs: flags.runs, medianMatches: percentile(matches, 50), target95Ms: TARGET_P95_MS, met: p95 < TARGET_P95_MS };
}

const at = <T>(list: readonly T[], i: number): T => list[((i % list.length) + list.length) % list.length]!;

function scenarios(db: PrismaClient, seeded: Seeded, page50: Array<{ params: Record<string, string>; cursor: string }>): Scenario[] {
  const index = async (params: Record<string, string>, cursor?: string) => {
    // Exactly what the index route does with the URL's search params.
    const page = await listCustomers({ shop: SHOP, query: parseCustomerQuery(new URLSearchParams(params)), currencyCode: CURRENCY, cursor, withTotal: true, db });
    return page.total;
  };
  const rng = random(1234);
  const spendRanges = Array.from({ length: 64 }, () => {
    const min = between(rng, 0, 40) * 10;
    return { spentMin: String(min), spentMax: String(min + between(rng, 5, 200) * 10), ordersMin: String(between(rng, 1, 4)), ordersMax: String(between(rng, 5, 30)) };
  });
  const dateRanges = Array.from({ length: 64 }, () => {
    const from = START + Math.floor(rng() * (END - START - 200 * 86_400_000));
    const to = from + between(rng, 7, 180) * 86_400_000;
    return { lastOrderFrom: new Date(from).toISOString().slice(0, 10), lastOrderTo: new Date(to).toISOString().slice(0, 10) };
  });
  const nameTerms = ["wang", "son", "mar", "Chen", "王", "john", "lee", "ez", "li", "ana", "Müller", "patel", "伟", "o'b", "sofia"];
  const emailTerms = ["@gmail", "yahoo.com", "john.", "qq.com", "smith4", "outlook", "example.org", "maria.g", "@icloud", "163.com", "wei.zhang1", "proton.me"];
  const tags = TAGS.map(([tag]) => tag);
  const owners = [...STAFF.map((staff) => staff.userId), "none"];
  return [
    { name: "default", what: "page 1, sort spent desc", run: () => index({}) },
    { name: "search-name", what: `q = name fragment (${nameTerms.length} terms)`, run: (i) => index({ q: at(nameTerms, i) }) },
    { name: "search-email", what: `q = email fragment (${emailTerms.length} terms)`, run: (i) => index({ q: at(emailTerms, i) }) },
    { name: "search-tag", what: "q = a tag word", run: (i) => index({ q: at(tags, i) }) },
    { name: "filter-tag", what: "tag = one tag", run: (i) => index({ tag: at(tags, i + 3) }) },
    { name: "filter-spend-orders", what: "spent range + orders range", run: (i) => index(at(spendRanges, i)) },
    { name: "filter-last-order", what: "last order between two dates", run: (i) => index(at(dateRanges, i)) },
    { name: "filter-owner", what: "owner = one of 5 staff, or none", run: (i) => index({ owner: at(owners, i) }) },
    { name: "sort-name", what: "sort name asc, page 1", run: () => index({ sort: "name", direction: "asc" }) },
    { name: "sort-last-order", what: "sort last order desc, page 1", run: () => index({ sort: "lastOrder", direction: "desc" }) },
    { name: "page-50", what: `page 50 by cursor (${page50.length} queries)`, run: (i) => (page50.length ? index(at(page50, i).params, at(page50, i).cursor) : Promise.resolve(0)) },
    {
      name: "profile",
      what: `random customers, incl. the 10 with most orders (${seeded.profileIds.length}); matches = their orders`,
      run: async (i) => {
        const profile = await getCustomerProfile({ shop: SHOP, customerId: at(seeded.profileIds, i), db });
        if (!profile) throw new Error("profile not found");
        return profile.figures.archivedOrders;
      },
    },
  ];
}

/** The 50th page's cursor of each query: the previous 49 pages followed by their nextCursor (not timed). */
async function page50Cursors(db: PrismaClient): Promise<Array<{ params: Record<string, string>; cursor: string }>> {
  // Sorts and an index-served filter: what page 50 adds over page 1 (search and tag filters cost
  // the same on every page, and are measured on their own).
  const queries: Array<Record<string, string>> = [{}, { sort: "name", direction: "asc" }, { sort: "name", direction: "desc" }, { sort: "lastOrder", direction: "desc" }, { sort: "orders", direction: "desc" }, { sort: "created", direction: "asc" }, { owner: "none", sort: "lastOrder", direction: "asc" }];
  const cursors: Array<{ params: Record<string, string>; cursor: string }> = [];
  for (const params of queries) {
    let cursor: string | null = null;
    let pages = 0;
    for (; pages < 49; pages++) {
      const page = await listCustomers({ shop: SHOP, query: parseCustomerQuery(new URLSearchParams(params)), currencyCode: CURRENCY, cursor, withTotal: false, db });
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    if (cursor && pages === 49) cursors.push({ params, cursor });
  }
  return cursors;
}

// --- One database ------------------------------------------------------------------------------

async function postgresBase(): Promise<string | null> {
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

async function runOne(provider: "sqlite" | "postgres"): Promise<void> {
  let url: string;
  let cleanup: () => Promise<void>;
  if (provider === "sqlite") {
    const dir = path.join(os.tmpdir(), "crm-bench-customers");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `bench-${process.pid}.db`);
    url = `file:${file}`;
    cleanup = async () => {
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${file}${suffix}`, { force: true });
    };
  } else {
    const base = await postgresBase();
    if (!base) return;
    const schema = `bench_customers_${process.pid}`;
    const parsed = new URL(base);
    parsed.searchParams.set("schema", schema);
    url = parsed.toString();
    cleanup = async () => {
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    };
  }
  // The app's environment: the index picks LIKE / ILIKE from DATABASE_URL (read once, at first use).
  process.env.DATABASE_URL = url;
  process.env.SHOPIFY_API_KEY ??= "bench";
  process.env.SHOPIFY_API_SECRET ??= "bench";
  process.env.SHOPIFY_APP_URL ??= "http://127.0.0.1";

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const db = createPrismaClient(url);
  try {
    await applyMigrations({ url, log: () => undefined });
    console.log(`${provider}: seeding ${flags.customers.toLocaleString("en")} customers, ${flags.orders.toLocaleString("en")} orders…`);
    const seeded = await seed(db, url, provider);
    const { stats, seconds } = seeded;
    const seedRss = peakRss;
    console.log(
      `${provider}: seeded in ${seconds.total.toFixed(1)} s (load ${seconds.load.toFixed(1)} s, owners ${seconds.owners.toFixed(1)} s, indexes ${seconds.indexes.toFixed(1)} s, order dates ${seconds.orderDates.toFixed(1)} s, notes ${seconds.notes.toFixed(1)} s${provider === "postgres" ? `, vacuum analyze ${seconds.analyze.toFixed(1)} s` : `, analyze ${seconds.analyze.toFixed(1)} s`}): ` +
        `${stats.customers.toLocaleString("en")} customers (${stats.owned.toLocaleString("en")} owned), ${stats.orders.toLocaleString("en")} orders, ${stats.lines.toLocaleString("en")} lines, ${stats.refunds.toLocaleString("en")} refunds, ${stats.products} products / ${stats.variants} variants, ${stats.notes.toLocaleString("en")} notes; peak RSS ${round(seedRss / 2 ** 20)} MB`,
    );
    const walkStarted = performance.now();
    const page50 = await page50Cursors(db);
    console.log(`${provider}: followed 49 pages of ${page50.length} queries for their page-50 cursors in ${elapsed(walkStarted).toFixed(1)} s; timing ${flags.runs} runs per scenario after ${WARMUPS} warm-ups…`);
    const results: ScenarioResult[] = [];
    const list = scenarios(db, seeded, page50);
    const loadBefore = os.loadavg()[0]!;
    for (const scenario of list) results.push(await time(scenario, provider));
    // The machine's other work inflates every figure: say how busy it was (1-minute load average).
    const load = `load average ${loadBefore.toFixed(1)} before timing, ${os.loadavg()[0]!.toFixed(1)} after, on ${os.availableParallelism()} CPUs`;

    console.log(`\n${provider} (${stats.customers.toLocaleString("en")} customers, ${stats.orders.toLocaleString("en")} orders, page size ${PAGE_SIZE}, server time per call)`);
    console.log(`${"scenario".padEnd(20)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"max ms".padStart(8)} ${"matches".padStart(9)}  p95 < ${TARGET_P95_MS} ms  what`);
    for (const [n, result] of results.entries()) {
      console.log(`${result.scenario.padEnd(20)} ${result.p50Ms.toFixed(1).padStart(8)} ${result.p95Ms.toFixed(1).padStart(8)} ${result.maxMs.toFixed(1).padStart(8)} ${result.medianMatches.toLocaleString("en").padStart(9)}  ${(result.met ? "met" : "MISSED").padEnd(13)} ${list[n]!.what}`);
    }
    console.log(`${provider}: peak RSS ${round(peakRss / 2 ** 20)} MB; ${load}\n`);
    const seedLine = { bench: "customers-seed", db: provider, analyzed: true, loadAverage: round(os.loadavg()[0]!, 2), customers: stats.customers, orders: stats.orders, lines: stats.lines, refunds: stats.refunds, notes: stats.notes, seedSeconds: round(seconds.total, 2), loadSeconds: round(seconds.load, 2), indexSeconds: round(seconds.indexes, 2), orderDatesSeconds: round(seconds.orderDates, 2), peakRssMb: round(peakRss / 2 ** 20) };
    console.log(JSON.stringify(seedLine));
    for (const result of results) console.log(JSON.stringify(result));
  } finally {
    clearInterval(sampler);
    await db.$disconnect();
    if (flags.keep) console.log(`${provider}: kept the database at ${url}`);
    else await cleanup();
  }
}

// --- Both databases: one child process each ----------------------------------------------------

async function runBoth(): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  const json: string[] = [];
  for (const provider of ["sqlite", "postgres"] as const) {
    const child = spawn(process.execPath, ["--import", "tsx", script, "--db", provider, "--customers", String(flags.customers), "--orders", String(flags.orders), "--runs", String(flags.runs), ...(flags.keep ? ["--keep"] : [])], { cwd: repoRoot(), stdio: ["ignore", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => (line.startsWith('{"bench":"customers') ? json.push(line) : console.log(line)));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    if (code !== 0) {
      process.exitCode = 1;
      console.log(`${provider}: the benchmark process exited with ${code}`);
    }
  }
  const results = json.map((line) => JSON.parse(line) as ScenarioResult & { bench: string });
  const sqlite = new Map(results.filter((r) => r.bench === "customers" && r.db === "sqlite").map((r) => [r.scenario, r]));
  const postgres = new Map(results.filter((r) => r.bench === "customers" && r.db === "postgres").map((r) => [r.scenario, r]));
  const names = [...new Set([...sqlite.keys(), ...postgres.keys()])];
  const cell = (r: ScenarioResult | undefined) => (r ? `${r.p50Ms.toFixed(1)} / ${r.p95Ms.toFixed(1)}${r.met ? "" : " !"}` : "-").padStart(16);
  console.log(`${"p50 / p95 ms".padEnd(20)} ${"sqlite".padStart(16)} ${"postgres".padStart(16)}   (! = p95 over ${TARGET_P95_MS} ms)`);
  for (const name of names) console.log(`${name.padEnd(20)} ${cell(sqlite.get(name))} ${cell(postgres.get(name))}`);
  for (const line of json) console.log(line);
}

if (flags.db === "both") await runBoth();
else await runOne(flags.db);
