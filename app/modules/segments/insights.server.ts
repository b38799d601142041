// Customer insights (decision 011): each customer's order facts, RFM scores and segment, and
// predictions, written to CustomerInsight. A full run ranks the whole shop and fits the prediction
// model (kept in InsightModel); between full runs one customer is scored against the stored model.
import { insertMany, placeholders, providerOf, selectRows, selectRowsByIds, type Columns } from "../db/provider.server";
import type { Db } from "../loyalty/program.server";
import { fitModel, predict, type ModelParameters, type PredictionReason, type PurchaseHistory } from "./predictions";
import { rfmDistribution, rfmSegment, scoreRfm, type RfmDistribution, type RfmFacts, type RfmSegment } from "./rfm";

const CHUNK = 500;

/** Why the predictions say what they say; a customer without orders has none. */
export type InsightReason = PredictionReason | { code: "noOrders" };

export interface InsightRow {
  customerId: string;
  orders: number;
  netSpentMinor: bigint;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  recency: number;
  frequency: number;
  monetary: number;
  rfmSegment: RfmSegment | null;
  rfmSince: Date | null;
  expectedNextOrderAt: Date | null;
  churnRisk: number;
  predictedValueMinor: bigint;
  reason: string;
}

export interface InsightSummary {
  /** Customers evaluated (and written). */
  customers: number;
  /** Customers whose RFM segment changed (each is an RfmChange row). */
  segmentMoves: number;
  /** Customers whose RFM segment changed: Shopify's copy is behind. */
  movedIds: string[];
  model: ModelParameters;
}

interface OrderFacts {
  orders: number;
  netSpentMinor: bigint;
  firstOrderAt: Date;
  lastOrderAt: Date;
}

/**
 * The shop's live customers (not deleted, not redacted) and the facts they are ranked on: Shopify's
 * own order count and amount spent (what the customers index shows and segment rules test), and
 * the first and last order in the archive (kept current by every archive write).
 */
async function loadFacts(db: Db, shop: string, ids?: readonly string[]): Promise<Map<string, OrderFacts | undefined>> {
  const provider = providerOf(db);
  const columns: Columns = [
    ["shopifyId", "text"],
    ["orders", "int"],
    ["spent", "bigint"],
    ["first", "date"],
    ["last", "date"],
  ];
  const rows = await selectRowsByIds(db, columns, ids, `c."shopifyId"`, (filter) => ({
      sql: `SELECT c."shopifyId" AS "shopifyId", c."numberOfOrders" AS "orders", c."amountSpentMinor" AS "spent", c."firstOrderAt" AS "first", c."lastOrderAt" AS "last"
        FROM "Customer" c WHERE c."shop" = ${placeholders(provider, 1)[0]} AND c."deletedAt" IS NULL AND c."redactedAt" IS NULL${filter}`,
      params: [shop],
    }));
  // A customer Shopify counts orders for whose orders the archive does not hold (yet) has nothing to rank on.
  return new Map(rows.map(([id, orders, spent, first, last]) => [id as string, Number(orders) > 0 && first && last ? { orders: Number(orders), netSpentMinor: spent as bigint, firstOrderAt: first as Date, lastOrderAt: last as Date } : undefined]));
}

const INSIGHT_COLUMNS: Columns = [
  ["customerId", "text"],
  ["orders", "int"],
  ["netSpentMinor", "bigint"],
  ["firstOrderAt", "date"],
  ["lastOrderAt", "date"],
  ["recency", "int"],
  ["frequency", "int"],
  ["monetary", "int"],
  ["rfmSegment", "text"],
  ["rfmSince", "date"],
  ["expectedNextOrderAt", "date"],
  ["churnRisk", "int"],
  ["predictedValueMinor", "bigint"],
  ["reason", "text"],
];

/** Each customer's current RFM segment and since when (a move is recorded against it). */
async function loadSegments(db: Db, shop: string, ids?: readonly string[]): Promise<Map<string, { rfmSegment: string | null; rfmSince: Date | null }>> {
  const provider = providerOf(db);
  const columns: Columns = [
    ["customerId", "text"],
    ["rfmSegment", "text"],
    ["rfmSince", "date"],
  ];
  const rows = await selectRowsByIds(db, columns, ids, `i."customerId"`, (filter) => ({ sql: `SELECT i."customerId", i."rfmSegment", i."rfmSince" FROM "CustomerInsight" i WHERE i."shop" = ${placeholders(provider, 1)[0]} AND i."computedAt" IS NOT NULL${filter}`, params: [shop] }));
  return new Map(rows.map(([customerId, rfmSegment, rfmSince]) => [customerId as string, { rfmSegment: rfmSegment as string | null, rfmSince: rfmSince as Date | null }]));
}

interface StoredModel {
  distribution: RfmDistribution;
  parameters: ModelParameters;
  /** When the shop was last ranked (InsightModel.fittedAt). */
  fittedAt: Date;
  /** When the prediction model was last fitted (kept with the parameters). */
  parametersFittedAt: Date;
}

// One customer is scored against the stored model many times between full runs: keep it parsed.
const modelCache = new Map<string, StoredModel>();

async function loadModel(db: Db, shop: string): Promise<StoredModel | null> {
  const head = await db.insightModel.findUnique({ where: { shop }, select: { fittedAt: true } });
  if (!head) return null;
  const cached = modelCache.get(shop);
  if (cached && cached.fittedAt.getTime() === head.fittedAt.getTime()) return cached;
  const row = await db.insightModel.findUnique({ where: { shop } });
  if (!row) return null;
  const parameters = JSON.parse(row.parameters) as { fittedAt: string; model: ModelParameters };
  const model = { distribution: JSON.parse(row.distribution) as RfmDistribution, parameters: parameters.model, fittedAt: row.fittedAt, parametersFittedAt: new Date(parameters.fittedAt) };
  modelCache.set(shop, model);
  return model;
}

async function storeModel(db: Db, shop: string, model: StoredModel, customers: number) {
  const data = { distribution: JSON.stringify(model.distribution), parameters: JSON.stringify({ fittedAt: model.parametersFittedAt.toISOString(), model: model.parameters }), customers, fittedAt: model.fittedAt };
  await db.insightModel.upsert({ where: { shop }, create: { shop, ...data }, update: data });
  modelCache.set(shop, model);
}

/** The insight of one customer from their order facts and the shop's model. */
export function insightOf(customerId: string, facts: OrderFacts | undefined, model: Pick<StoredModel, "distribution" | "parameters">, now: Date): Omit<InsightRow, "rfmSince"> {
  if (!facts) {
    const none: InsightReason = { code: "noOrders" };
    return { customerId, orders: 0, netSpentMinor: 0n, firstOrderAt: null, lastOrderAt: null, recency: 0, frequency: 0, monetary: 0, rfmSegment: null, expectedNextOrderAt: null, churnRisk: 0, predictedValueMinor: 0n, reason: JSON.stringify(none) };
  }
  const scores = scoreRfm({ lastOrderAt: facts.lastOrderAt, orders: facts.orders, spentMinor: facts.netSpentMinor }, model.distribution);
  const history: PurchaseHistory = { customerId, firstOrderAt: facts.firstOrderAt, lastOrderAt: facts.lastOrderAt, orders: facts.orders, spentMinor: facts.netSpentMinor };
  const prediction = predict(history, model.parameters, now);
  return {
    customerId,
    orders: facts.orders,
    netSpentMinor: facts.netSpentMinor,
    firstOrderAt: facts.firstOrderAt,
    lastOrderAt: facts.lastOrderAt,
    recency: scores?.recency ?? 0,
    frequency: scores?.frequency ?? 0,
    monetary: scores?.monetary ?? 0,
    rfmSegment: scores ? rfmSegment(scores) : null,
    expectedNextOrderAt: prediction.expectedNextOrderAt,
    churnRisk: prediction.churnRisk,
    predictedValueMinor: prediction.predictedValueMinor,
    reason: JSON.stringify(prediction.reason),
  };
}

export interface RefreshOptions {
  shop: string;
  now?: Date;
  /** Only these customers, scored against the stored model; the whole shop (ranked again) when absent. */
  customerIds?: readonly string[];
  /** A whole-shop run fits the prediction model again (after an import); otherwise only when it is REFIT_DAYS old. */
  refit?: boolean;
}

/** A shop's buying habits change slowly: the daily sweep reuses a fit this recent (fitting is about a second). */
export const REFIT_DAYS = 7;

/**
 * Computes the insights of the shop's customers (or some) and writes their rows, with an
 * RfmChange row for every segment move. Run it in a transaction to make it one step.
 */
export async function refreshInsights(db: Db, { shop, now = new Date(), customerIds, refit = false }: RefreshOptions): Promise<InsightSummary> {
  const stored = await loadModel(db, shop);
  let model = customerIds ? stored : null;
  // Without a model yet (nothing was ever ranked), one customer is ranked with the whole shop.
  const ids = model ? customerIds : undefined;
  const [facts, before] = await Promise.all([loadFacts(db, shop, ids), loadSegments(db, shop, ids)]);
  const liveIds = [...facts.keys()];
  if (!model) {
    const buyers = [...facts].flatMap(([customerId, fact]) => (fact ? [{ customerId, ...fact }] : []));
    const rfmFacts: RfmFacts[] = buyers.map((fact) => ({ lastOrderAt: fact.lastOrderAt, orders: fact.orders, spentMinor: fact.netSpentMinor }));
    const histories: PurchaseHistory[] = buyers.map((fact) => ({ ...fact, spentMinor: fact.netSpentMinor }));
    const age = stored ? now.getTime() - stored.parametersFittedAt.getTime() : Infinity;
    const reuse = !refit && stored !== null && age >= 0 && age < REFIT_DAYS * 86_400_000;
    model = reuse
      ? { distribution: rfmDistribution(rfmFacts), parameters: stored.parameters, fittedAt: now, parametersFittedAt: stored.parametersFittedAt }
      : { distribution: rfmDistribution(rfmFacts), parameters: fitModel(histories, now), fittedAt: now, parametersFittedAt: now };
    await storeModel(db, shop, model, liveIds.length);
  }
  // Every row is written: predictions move with time, so a daily run changes nearly all of them.
  // Rows are value arrays in INSIGHT_COLUMNS order, then pushNeeded (100,000 customers: no object
  // is made that is not written).
  const rows: unknown[][] = [];
  const moves: Array<[string, string, string | null, Date]> = [];
  const movedIds = new Set<string>();
  for (const customerId of liveIds) {
    const previous = before.get(customerId);
    const computed = insightOf(customerId, facts.get(customerId), model, now);
    const moved = (previous?.rfmSegment ?? null) !== computed.rfmSegment;
    const rfmSince = moved ? (computed.rfmSegment ? now : null) : (previous?.rfmSince ?? null);
    rows.push([customerId, computed.orders, computed.netSpentMinor, computed.firstOrderAt, computed.lastOrderAt, computed.recency, computed.frequency, computed.monetary, computed.rfmSegment, rfmSince, computed.expectedNextOrderAt, computed.churnRisk, computed.predictedValueMinor, computed.reason, moved]);
    if (!moved) continue;
    movedIds.add(customerId);
    // A first ranking (after the import, or a first order) is no move between segments: nothing shows or counts it.
    if (previous?.rfmSegment) moves.push([customerId, previous.rfmSegment, computed.rfmSegment, now]);
  }
  await insertMany(
    db,
    "CustomerInsight",
    [...INSIGHT_COLUMNS, ["pushNeeded", "bool"]],
    rows,
    {
      constants: [
        ["shop", "text", shop],
        ["dirty", "bool", false],
        ["computedAt", "date", now],
        ["updatedAt", "date", now],
      ],
      // "dirty" is left alone: a mark an archive write made after this run read its facts must survive it.
      conflict: `ON CONFLICT ("shop", "customerId") DO UPDATE SET ${[...INSIGHT_COLUMNS.slice(1).map(([name]) => name), "computedAt", "updatedAt"].map((name) => `"${name}" = excluded."${name}"`).join(", ")}, "pushNeeded" = "CustomerInsight"."pushNeeded" OR excluded."pushNeeded"`,
    },
  );
  await insertMany(
    db,
    "RfmChange",
    [
      ["customerId", "text"],
      ["fromSegment", "text"],
      ["toSegment", "text"],
      ["createdAt", "date"],
    ],
    moves,
    { constants: [["shop", "text", shop]] },
  );
  return { customers: liveIds.length, segmentMoves: moves.length, movedIds: [...movedIds], model: model.parameters };
}

/**
 * Marks customers whose orders or rule fields changed - archive writes, and staff actions on tier,
 * points, owner or tags - in the writer's transaction (one statement however many); the writer
 * queues the segments update once it committed.
 */
export async function markInsightsDirty(db: Db, shop: string, customerIds: readonly string[]): Promise<void> {
  const unique = [...new Set(customerIds)];
  if (unique.length === 0) return;
  await insertMany(db, "CustomerInsight", [["customerId", "text"]], unique.map((id) => [id]), {
    constants: [
      ["shop", "text", shop],
      ["dirty", "bool", true],
      ["updatedAt", "date", new Date()],
    ],
    conflict: `ON CONFLICT ("shop", "customerId") DO UPDATE SET "dirty" = excluded."dirty"`,
  });
}

/** Takes up to `limit` marked customers of the shop, clearing their marks (inside the caller's transaction: a crash keeps them). */
export async function takeDirtyInsights(db: Db, shop: string, limit = 5000): Promise<string[]> {
  // Raw and unordered: on SQLite Prisma's findMany took 40-60 ms for no rows here, this query 1-4 ms (the
  // (shop, dirty) index), and an ORDER BY would walk the primary key past every clean row.
  const rows = await selectRows(db, [["customerId", "text"]], `SELECT "customerId" FROM "CustomerInsight" WHERE "shop" = ${placeholders(providerOf(db), 1)[0]} AND "dirty" = TRUE LIMIT ${Math.floor(limit)}`, [shop]);
  const ids = rows.map(([id]) => id as string);
  const provider = providerOf(db);
  for (let start = 0; start < ids.length; start += CHUNK) {
    const chunk = ids.slice(start, start + CHUNK);
    const marks = placeholders(provider, chunk.length + 1);
    await db.$executeRawUnsafe(`UPDATE "CustomerInsight" SET "dirty" = FALSE WHERE "shop" = ${marks[0]} AND "customerId" IN (${marks.slice(1).join(", ")})`, shop, ...chunk);
  }
  return ids;
}

/** Forgets the cached model of a shop (tests, shop redact). */
export const forgetInsightModel = (shop: string) => modelCache.delete(shop);
