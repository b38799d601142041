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
import os from "node:os";

import { createPrismaClient, type Prisma, type PrismaClient } from "../app/db.server";
import { listCustomers, parseCustomerQuery, PAGE_SIZE } from "../app/modules/customers/customer-index.server";
import { getCustomerProfile } from "../app/modules/customers/customer-profile.server";
import { analyzeArchive } from "../app/modules/customers/customer-stats.server";
import { evaluateMembers } from "../app/modules/loyalty/evaluate.server";
import { currentProgram } from "../app/modules/loyalty/program.server";
import { RFM_SEGMENTS } from "../app/modules/segments/rfm";
import { runSegmentsRecomputeJob } from "../app/modules/segments/segment-jobs.server";
import { SEGMENT_TEMPLATES } from "../app/modules/segments/segment-rules";
import { createSegment } from "../app/modules/segments/segments.server";
import { benchDatabase, between, CURRENCY, customerGid, END, loadStore, pick, random, SHOP, STAFF, START, TAGS, type SeedStats } from "./bench-store";
import { benchFlags, childArgs, runEachEngine } from "./bench-support";
import { applyMigrations } from "./setup-db";

const TARGET_P95_MS = 100;
const WARMUPS = 5;

const flags = benchFlags({ runs: 40 });

// --- Seeding -----------------------------------------------------------------------------------

interface Seeded {
  stats: SeedStats;
  seconds: { load: number; indexes: number; owners: number; orderDates: number; notes: number; classify: number; analyze: number; total: number };
  /** The template segments' ids. */
  segmentIds: string[];
  profileIds: string[];
  heavyIds: string[];
}

const elapsed = (since: number) => (performance.now() - since) / 1000;

async function seed(db: PrismaClient, url: string, provider: "sqlite" | "postgres"): Promise<Seeded> {
  const started = performance.now();
  const stats: SeedStats = { customers: 0, orders: 0, lines: 0, refunds: 0, products: 0, variants: 0, owned: 0, notes: 0 };
  await db.staffMember.createMany({ data: STAFF.map((staff) => ({ shop: SHOP, ...staff, firstSeenAt: new Date(START), lastSeenAt: new Date(END) })) });
  // Owners are app-owned (the archive upserts never name ownerId): set as staff would, by id, before the indexes are built.
  const setOwners = async ({ owners }: { owners: Int8Array }) => {
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
  };
  const { owners, counts, seconds: loaded } = await loadStore(db, url, flags, stats, setOwners);
  const loadSeconds = loaded.load;
  const ownersSeconds = loaded.afterLoad;
  const indexesSeconds = loaded.indexes;
  const orderDatesSeconds = loaded.orderDates;

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

  // Tiers (the default program), RFM segments and the template segments, as the import's jobs
  // leave them: the index filters on them.
  const classifyStarted = performance.now();
  await currentProgram(db, SHOP, new Date(END));
  await db.$transaction((tx) => evaluateMembers(tx, { shop: SHOP, now: new Date(END), quiet: true }), { timeout: 600_000 });
  for (const template of SEGMENT_TEMPLATES) await createSegment({ actor: { shop: SHOP, userId: STAFF[0]!.userId, name: "Alice Ng" }, draft: { name: template.key, rules: template.rules, template: template.key }, db, now: new Date(END) });
  await runSegmentsRecomputeJob({ shop: SHOP, name: "segments.recompute", payload: { reason: "import" } }, { db, now: new Date(END) });
  const segmentIds = (await db.segment.findMany({ where: { shop: SHOP }, select: { id: true }, orderBy: { name: "asc" } })).map((segment) => segment.id);
  const classifySeconds = elapsed(classifyStarted);

  // PostgreSQL: what autovacuum does within a minute or two of a load this size (the order-date
  // refresh rewrote every customer row). SQLite has no automatic statistics and the app gathers
  // none, so it plans without them here too.
  const analyzeStarted = performance.now();
  if (provider === "postgres") await db.$executeRawUnsafe(`VACUUM (ANALYZE) "Customer", "Order", "OrderLine", "Refund", "Note", "NoteRevision", "AuditLog", "Product", "ProductVariant", "StaffMember", "LoyaltyMember", "CustomerInsight", "SegmentMember"`);
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
    seconds: { load: loadSeconds, indexes: indexesSeconds, owners: ownersSeconds, orderDates: orderDatesSeconds, notes: notesSeconds, classify: classifySeconds, analyze: analyzeSeconds, total: elapsed(started) },
    segmentIds,
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
    { name: "filter-spend", what: "spent range", run: (i) => index({ spentMin: at(spendRanges, i).spentMin, spentMax: at(spendRanges, i).spentMax }) },
    { name: "filter-spend-orders", what: "spent range + orders range", run: (i) => index(at(spendRanges, i)) },
    { name: "filter-last-order", what: "last order between two dates", run: (i) => index(at(dateRanges, i)) },
    { name: "filter-owner", what: "owner = one of 5 staff, or none", run: (i) => index({ owner: at(owners, i) }) },
    { name: "filter-tier", what: "tier = member, silver, gold or none", run: (i) => index({ tier: at(["member", "silver", "gold", "none"], i) }) },
    { name: "filter-rfm", what: `RFM segment = one of ${RFM_SEGMENTS.length}`, run: (i) => index({ rfm: at(RFM_SEGMENTS, i) }) },
    { name: "filter-segment", what: `custom segment = one of ${seeded.segmentIds.length} templates`, run: (i) => index({ segment: at(seeded.segmentIds, i) }) },
    { name: "filter-tier-spend", what: "tier = gold + spent range, sort orders", run: (i) => index({ tier: "gold", spentMin: at(spendRanges, i).spentMin, sort: "orders" }) },
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

async function runOne(provider: "sqlite" | "postgres"): Promise<void> {
  const database = await benchDatabase(provider, "customers");
  if (!database) return;
  const { url, cleanup } = database;
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
      `${provider}: seeded in ${seconds.total.toFixed(1)} s (load ${seconds.load.toFixed(1)} s, owners ${seconds.owners.toFixed(1)} s, indexes ${seconds.indexes.toFixed(1)} s, order dates ${seconds.orderDates.toFixed(1)} s, notes ${seconds.notes.toFixed(1)} s, tiers and segments ${seconds.classify.toFixed(1)} s${provider === "postgres" ? `, vacuum analyze ${seconds.analyze.toFixed(1)} s` : `, analyze ${seconds.analyze.toFixed(1)} s`}): ` +
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
  const json = await runEachEngine({ script: import.meta.url, bench: "customers", args: childArgs(flags) });
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
