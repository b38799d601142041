// Insights and custom segments against the database (decision 011): RFM scores and segments for a
// whole shop and for one customer after an order, segment moves recorded, custom segments filled
// quietly on save and by events afterwards (with a Flow event and the day of entry), validation,
// shop isolation, CSV export, deletion, and the push of metafields and tags to the emulator.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import type { Emulator } from "../../dev/emulator/index";
import { bootApp } from "../support/app";
import { emulatorAdmin, startEmulatedShops } from "../support/emulated-shop";
import { createCustomer, createOrder, createShop } from "../support/factories";

const { prisma, database } = await bootApp();
const { refreshInsights, markInsightsDirty, forgetInsightModel } = await import("~/modules/segments/insights.server");
const { createSegment, updateSegment, deleteSegment, previewSegment, segmentCsvLines, segmentsOfCustomer, SegmentError } = await import("~/modules/segments/segments.server");
const { runSegmentsUpdateJob, runSegmentsRecomputeJob } = await import("~/modules/segments/segment-jobs.server");
const { pushSegments } = await import("~/modules/segments/segment-push.server");
const { rfmDistribution, rfmSegment, scoreRfm } = await import("~/modules/segments/rfm");
const { refreshOrderDates } = await import("~/modules/customers/customer-stats.server");

const SHOP = "segments.myshopify.com";
const OTHER = "segments-other.myshopify.com";
const ava = { shop: SHOP, userId: "101", name: "Ava Chen" };
const gid = (id: number) => `gid://shopify/Customer/${id}`;
const NOW = new Date("2026-06-01T00:00:00Z");
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);
let orderSeq = 1;

/** Orders of a customer, `days` ago each, of `amount` minor units. */
async function orders(shop: string, customer: number, days: number[], amount = 5_000n) {
  for (const day of days) await createOrder(prisma, { shop, shopifyId: `gid://shopify/Order/${orderSeq++}`, customerId: gid(customer), totalPriceMinor: amount, subtotalPriceMinor: amount, processedAt: daysAgo(day) });
}

/** Shopify's counters (as the customer webhooks bring them) and the archive's first/last order, after orders changed. */
async function syncCustomers(shop: string) {
  const counted = await prisma.order.groupBy({ by: ["customerId"], where: { shop, test: false, cancelledAt: null }, _count: { _all: true }, _sum: { totalPriceMinor: true } });
  for (const row of counted) await prisma.customer.update({ where: { shop_shopifyId: { shop, shopifyId: row.customerId! } }, data: { numberOfOrders: row._count._all, amountSpentMinor: row._sum.totalPriceMinor ?? 0n } });
  await refreshOrderDates(prisma, { shop });
}

const insight = (customer: number, shop = SHOP) => prisma.customerInsight.findUnique({ where: { shop_customerId: { shop, customerId: gid(customer) } } });

// Seven customers of SHOP with histories from champion to lost, one without orders; one of OTHER.
async function seed() {
  await createShop(prisma, { shop: SHOP });
  await createShop(prisma, { shop: OTHER });
  for (const id of [1, 2, 3, 4, 5, 6, 7, 8]) await createCustomer(prisma, { shop: SHOP, shopifyId: gid(id), displayName: `Customer ${id}`, tags: id === 2 ? "vip" : "" });
  await orders(SHOP, 1, [2, 30, 60, 90, 120, 150], 20_000n); // frequent, recent, big
  await orders(SHOP, 2, [10, 40, 70, 100], 15_000n);
  await orders(SHOP, 3, [5], 3_000n); // new
  await orders(SHOP, 4, [200, 260, 320, 380, 440], 18_000n); // was great, gone quiet
  await orders(SHOP, 5, [400], 2_000n); // one order long ago
  await orders(SHOP, 6, [60, 120], 6_000n);
  await orders(SHOP, 7, [700, 760], 4_000n);
  // A cancelled and a test order count for nothing.
  await createOrder(prisma, { shop: SHOP, shopifyId: "gid://shopify/Order/9001", customerId: gid(5), totalPriceMinor: 99_000n, processedAt: daysAgo(1), cancelledAt: daysAgo(1) });
  await createOrder(prisma, { shop: SHOP, shopifyId: "gid://shopify/Order/9002", customerId: gid(5), totalPriceMinor: 99_000n, processedAt: daysAgo(1), test: true });
  await createCustomer(prisma, { shop: OTHER, shopifyId: gid(1), displayName: "Other shop's customer" });
  await orders(OTHER, 1, [1], 1_000_000n);
  await syncCustomers(SHOP);
  await syncCustomers(OTHER);
}

beforeEach(async () => {
  await database.reset();
  forgetInsightModel(SHOP);
  forgetInsightModel(OTHER);
  orderSeq = 1;
  await seed();
});

describe("insights", () => {
  test("a full run scores every customer against the shop's distribution and maps the grid", async () => {
    const summary = await refreshInsights(prisma, { shop: SHOP, now: NOW });
    expect(summary.customers).toBe(8);
    const facts = [
      { id: 1, orders: 6, spent: 120_000n, last: 2 },
      { id: 2, orders: 4, spent: 60_000n, last: 10 },
      { id: 3, orders: 1, spent: 3_000n, last: 5 },
      { id: 4, orders: 5, spent: 90_000n, last: 200 },
      // Shopify counts neither the cancelled nor the test order; the archive's last order is the cancelled one (decision 009).
      { id: 5, orders: 1, spent: 2_000n, last: 1 },
      { id: 6, orders: 2, spent: 12_000n, last: 60 },
      { id: 7, orders: 2, spent: 8_000n, last: 700 },
    ].map((fact) => ({ ...fact, rfm: { lastOrderAt: daysAgo(fact.last), orders: fact.orders, spentMinor: fact.spent } }));
    const distribution = rfmDistribution(facts.map((fact) => fact.rfm));
    for (const fact of facts) {
      const row = await insight(fact.id);
      const scores = scoreRfm(fact.rfm, distribution)!;
      expect(row, `customer ${fact.id}`).toMatchObject({ orders: fact.orders, netSpentMinor: fact.spent, recency: scores.recency, frequency: scores.frequency, monetary: scores.monetary, rfmSegment: rfmSegment(scores) });
    }
    expect((await insight(1))!.rfmSegment).toBe("champions");
    expect((await insight(4))!.rfmSegment).toMatch(/atRisk|cantLose/);
    // No orders: no RFM, no prediction.
    expect(await insight(8)).toMatchObject({ orders: 0, rfmSegment: null, recency: 0, predictedValueMinor: 0n, reason: JSON.stringify({ code: "noOrders" }) });
    // The regular customer's next order is one of their gaps after the last; the reason says so.
    const regular = (await insight(1))!;
    expect(regular.expectedNextOrderAt!.toISOString()).toBe(new Date(daysAgo(2).getTime() + (148 / 5) * 86_400_000).toISOString());
    expect(JSON.parse(regular.reason)).toMatchObject({ code: "regular", everyDays: 30, lastDaysAgo: 2 });
    expect(regular.predictedValueMinor).toBeGreaterThan(0n);
    expect(regular.churnRisk).toBeLessThan((await insight(7))!.churnRisk);
    // The other shop's customer is not ranked here.
    expect(await insight(1, OTHER)).toBeNull();
    // A first ranking is no move between segments: no RfmChange, but every ranked customer's Shopify copy is behind.
    expect(await prisma.rfmChange.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.customerInsight.count({ where: { shop: SHOP, pushNeeded: true } })).toBe(7);
  });

  test("nobody moves on time alone and a rerun records no move; a move to another segment is recorded with its date", async () => {
    await refreshInsights(prisma, { shop: SHOP, now: NOW });
    const churnBefore = (await insight(7))!.churnRisk;
    expect((await refreshInsights(prisma, { shop: SHOP, now: NOW })).segmentMoves).toBe(0);
    const later = new Date(NOW.getTime() + 400 * 86_400_000);
    const summary = await refreshInsights(prisma, { shop: SHOP, now: later });
    // Ranking is by last-order time, so nobody moves on time alone; predictions do change.
    expect(summary.segmentMoves).toBe(0);
    expect((await insight(7))!.churnRisk).toBeGreaterThan(churnBefore);
    expect((await insight(1))!.rfmSince?.toISOString()).toBe(NOW.toISOString());
    expect(await prisma.rfmChange.count({ where: { shop: SHOP } })).toBe(0);
    const segmentBefore = (await insight(5))!.rfmSegment;
    await orders(SHOP, 5, [0, 3, 6, 9, 12], 50_000n);
    await syncCustomers(SHOP);
    const moved = await refreshInsights(prisma, { shop: SHOP, now: NOW });
    expect(moved.movedIds).toContain(gid(5));
    expect(moved.segmentMoves).toBeGreaterThanOrEqual(1);
    const change = await prisma.rfmChange.findFirstOrThrow({ where: { shop: SHOP, customerId: gid(5) } });
    expect(change.fromSegment).toBe(segmentBefore);
    expect(change.toSegment).toBe((await insight(5))!.rfmSegment);
    expect(change.fromSegment).not.toBe(change.toSegment);
    expect((await insight(5))!.rfmSince?.toISOString()).toBe(NOW.toISOString());
  });

  test("after an order, one customer is scored against the stored model without refitting", async () => {
    await refreshInsights(prisma, { shop: SHOP, now: NOW });
    const model = await prisma.insightModel.findUniqueOrThrow({ where: { shop: SHOP } });
    await orders(SHOP, 3, [0], 40_000n);
    await syncCustomers(SHOP);
    await markInsightsDirty(prisma, SHOP, [gid(3)]);
    await runSegmentsUpdateJob({ shop: SHOP, name: "segments.update" }, { db: prisma, now: NOW });
    const row = (await insight(3))!;
    expect(row).toMatchObject({ orders: 2, netSpentMinor: 43_000n, dirty: false });
    const distribution = JSON.parse(model.distribution);
    const scores = scoreRfm({ lastOrderAt: NOW, orders: 2, spentMinor: 43_000n }, distribution)!;
    expect([row.recency, row.frequency, row.monetary]).toEqual([scores.recency, scores.frequency, scores.monetary]);
    expect((await prisma.insightModel.findUniqueOrThrow({ where: { shop: SHOP } })).fittedAt).toEqual(model.fittedAt);
  });

  test("the daily sweep ranks everyone again but refits the prediction model only after an import or a week", async () => {
    const stored = async () => JSON.parse((await prisma.insightModel.findUniqueOrThrow({ where: { shop: SHOP } })).parameters) as { fittedAt: string };
    await runSegmentsRecomputeJob({ shop: SHOP, name: "segments.recompute", payload: { reason: "import" } }, { db: prisma, now: NOW });
    expect((await stored()).fittedAt).toBe(NOW.toISOString());
    const sweep = (days: number) => runSegmentsRecomputeJob({ shop: SHOP, name: "segments.recompute", payload: { reason: "sweep" } }, { db: prisma, now: new Date(NOW.getTime() + days * 86_400_000) });
    await sweep(3);
    expect((await stored()).fittedAt).toBe(NOW.toISOString());
    expect((await prisma.insightModel.findUniqueOrThrow({ where: { shop: SHOP } })).fittedAt.toISOString()).toBe(new Date(NOW.getTime() + 3 * 86_400_000).toISOString());
    await sweep(7);
    expect((await stored()).fittedAt).toBe(new Date(NOW.getTime() + 7 * 86_400_000).toISOString());
  });

  test("a whole-shop run leaves marks made by archive writes for the update job", async () => {
    await markInsightsDirty(prisma, SHOP, [gid(2)]);
    await runSegmentsRecomputeJob({ shop: SHOP, name: "segments.recompute", payload: { reason: "sweep" } }, { db: prisma, now: NOW });
    expect(await insight(2)).toMatchObject({ dirty: true, rfmSegment: expect.any(String) });
  });

  test("a shop never ranked gets a full run even when only one customer was marked", async () => {
    await markInsightsDirty(prisma, SHOP, [gid(1)]);
    await runSegmentsUpdateJob({ shop: SHOP, name: "segments.update" }, { db: prisma, now: NOW });
    expect(await prisma.customerInsight.count({ where: { shop: SHOP, computedAt: { not: null } } })).toBe(8);
  });
});

describe("custom segments", () => {
  const repeatBuyers = { match: "all", conditions: [{ field: "orders", operator: "gte", value: 2 }] };

  test("saving fills the segment quietly; later entries come from events, with the day they entered and a Flow event", async () => {
    await runSegmentsRecomputeJob({ shop: SHOP, name: "segments.recompute", payload: { reason: "import" } }, { db: prisma, now: NOW });
    expect(await previewSegment({ shop: SHOP, rules: repeatBuyers, now: NOW })).toBe(5);
    const segment = await createSegment({ actor: ava, draft: { name: "Repeat buyers", rules: repeatBuyers, tagName: "repeat" }, now: NOW });
    expect(segment.memberCount).toBe(5);
    expect(await prisma.flowEvent.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.auditLog.count({ where: { shop: SHOP, action: "segment.created", subjectId: segment.id } })).toBe(1);
    // Its members' metafields and tags go to Shopify: the push is queued.
    expect(await prisma.job.count({ where: { queue: "segments.push", shop: SHOP, status: "queued" } })).toBe(1);

    // Customer 3 orders again (Shopify's customer counter follows the order, as the webhook would bring it).
    await orders(SHOP, 3, [0]);
    await syncCustomers(SHOP);
    const later = new Date(NOW.getTime() + 86_400_000);
    await markInsightsDirty(prisma, SHOP, [gid(3)]);
    await runSegmentsUpdateJob({ shop: SHOP, name: "segments.update" }, { db: prisma, now: later });
    const entered = await prisma.segmentMember.findUniqueOrThrow({ where: { segmentId_customerId: { segmentId: segment.id, customerId: gid(3) } } });
    expect(entered.enteredAt.toISOString()).toBe(later.toISOString());
    const flow = await prisma.flowEvent.findFirstOrThrow({ where: { shop: SHOP, handle: "customer-entered-segment" } });
    expect(JSON.parse(flow.payload)).toEqual({ customer_id: 3, segment: "Repeat buyers" });
    expect((await prisma.segment.findUniqueOrThrow({ where: { id: segment.id } })).memberCount).toBe(6);
    expect((await segmentsOfCustomer({ shop: SHOP, customerId: gid(3) })).map((entry) => entry.name)).toEqual(["Repeat buyers"]);

    // Leaving: customer 6's count drops (say an order was deleted in Shopify).
    await prisma.customer.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: gid(6) } }, data: { numberOfOrders: 1 } });
    await markInsightsDirty(prisma, SHOP, [gid(6)]);
    await runSegmentsUpdateJob({ shop: SHOP, name: "segments.update" }, { db: prisma, now: later });
    expect(await prisma.segmentMember.count({ where: { segmentId: segment.id, customerId: gid(6) } })).toBe(0);
    expect((await insight(6))!.pushNeeded).toBe(true);
  });

  test("editing the rules moves membership at once; names are unique per shop; bad rules name the condition", async () => {
    await runSegmentsRecomputeJob({ shop: SHOP, name: "segments.recompute", payload: { reason: "import" } }, { db: prisma, now: NOW });
    const segment = await createSegment({ actor: ava, draft: { name: "VIP", rules: { match: "all", conditions: [{ field: "tag", operator: "hasAny", value: ["VIP"] }] } }, now: NOW });
    expect(segment.memberCount).toBe(1);
    const updated = await updateSegment({ actor: ava, id: segment.id, draft: { name: "VIP or big spenders", rules: { match: "any", conditions: [{ field: "tag", operator: "hasAny", value: ["vip"] }, { field: "spent", operator: "gte", value: "0" }] } }, now: NOW });
    expect(updated.memberCount).toBe(8);
    await expect(createSegment({ actor: ava, draft: { name: "vip OR BIG spenders", rules: repeatBuyers } })).rejects.toMatchObject({ code: "nameTaken" });
    const bad = await createSegment({ actor: ava, draft: { name: "Bad", rules: { match: "all", conditions: [{ field: "orders", operator: "gte", value: "many" }] } } }).catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(SegmentError);
    expect((bad as InstanceType<typeof SegmentError>).fieldErrors).toHaveProperty(["conditions.0.value"]);
    await expect(createSegment({ actor: ava, draft: { name: "JPY cents", rules: { match: "all", conditions: [{ field: "spent", operator: "gte", value: "not money" }] } } })).rejects.toMatchObject({ code: "rulesInvalid" });
    // The same name is free in another shop, whose segment holds only its own customers.
    const other = await createSegment({ actor: { ...ava, shop: OTHER }, draft: { name: "VIP or big spenders", rules: { match: "all", conditions: [{ field: "spent", operator: "gte", value: "0" }] } }, now: NOW });
    expect(other.memberCount).toBe(1);
    expect((await prisma.segmentMember.findMany({ where: { segmentId: other.id } })).every((member) => member.shop === OTHER)).toBe(true);
    await expect(updateSegment({ actor: { ...ava, shop: OTHER }, id: segment.id, draft: { name: "Stolen", rules: repeatBuyers } })).rejects.toMatchObject({ code: "notFound" });
  });

  test("a segment whose saved rules no longer fit the shop's currency is skipped; the others still update", async () => {
    await runSegmentsRecomputeJob({ shop: SHOP, name: "segments.recompute", payload: { reason: "import" } }, { db: prisma, now: NOW });
    const good = await createSegment({ actor: ava, draft: { name: "Repeat buyers", rules: repeatBuyers }, now: NOW });
    const broken = await prisma.segment.create({ data: { shop: SHOP, name: "Over $99.50", rules: JSON.stringify({ match: "all", conditions: [{ field: "spent", operator: "gte", value: "99.50" }] }) } });
    await prisma.shop.update({ where: { shop: SHOP }, data: { currencyCode: "JPY" } });
    await orders(SHOP, 3, [0]);
    await syncCustomers(SHOP);
    const { refreshMemberships } = await import("~/modules/segments/segments.server");
    const summary = await refreshMemberships(prisma, { shop: SHOP, now: NOW });
    expect(summary.skipped).toEqual([broken.id]);
    expect(await prisma.segmentMember.count({ where: { segmentId: good.id, customerId: gid(3) } })).toBe(1);
  });

  test("the CSV lists every member with the day they entered; deleting removes members and is audited", async () => {
    await runSegmentsRecomputeJob({ shop: SHOP, name: "segments.recompute", payload: { reason: "import" } }, { db: prisma, now: NOW });
    const segment = await createSegment({ actor: ava, draft: { name: "Repeat buyers", rules: repeatBuyers }, now: NOW });
    let csv = "";
    for await (const chunk of segmentCsvLines({ shop: SHOP, segmentId: segment.id })) csv += chunk;
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe("\uFEFFCustomer ID,Name,Email,Phone,Tags,Orders,Amount spent,Currency,First order,Last order,Owner,City,Country,Email marketing,RFM segment,Entered segment");
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(["1", "2", "4", "6", "7"]);
    expect(lines[1]!.endsWith(`,Champions,${NOW.toISOString().slice(0, 10)}`)).toBe(true);
    await deleteSegment({ actor: ava, id: segment.id });
    expect(await prisma.segmentMember.count({ where: { segmentId: segment.id } })).toBe(0);
    expect(await prisma.customerInsight.count({ where: { shop: SHOP, pushNeeded: true, customerId: { in: [gid(1), gid(2), gid(4), gid(6), gid(7)] } } })).toBe(5);
    expect(await prisma.auditLog.count({ where: { action: "segment.deleted", subjectId: segment.id } })).toBe(1);
  });
});

describe("back to Shopify", () => {
  let emulator: Emulator;
  const shop = "segments-push.myshopify.com";
  beforeAll(async () => {
    emulator = await startEmulatedShops([{ domain: shop, customers: 3, orders: 0, products: 1 }]);
  });
  afterAll(async () => {
    await emulator?.close();
  });

  test("members get the RFM and segments metafields and the segment's tag; leaving removes the tag; a second push calls nothing", async () => {
    await createShop(prisma, { shop });
    const store = emulator.store(shop);
    const seeded = store.customerIdxs().map((idx) => store.getCustomer(idx)!);
    const ids = seeded.map((customer) => `gid://shopify/Customer/${customer.id}`);
    for (const [index, customerId] of ids.entries()) {
      await createCustomer(prisma, { shop, shopifyId: customerId, tags: seeded[index]!.tags.join(", "), numberOfOrders: index + 1 });
      for (let order = 0; order <= index; order++) await createOrder(prisma, { shop, shopifyId: `gid://shopify/Order/${8000 + index * 10 + order}`, customerId, processedAt: daysAgo(10 + order * 30) });
    }
    await syncCustomers(shop);
    await runSegmentsRecomputeJob({ shop, name: "segments.recompute", payload: { reason: "import" } }, { db: prisma, now: NOW });
    await createSegment({ actor: { ...ava, shop }, draft: { name: "Regulars", tagName: "Regular", rules: { match: "all", conditions: [{ field: "orders", operator: "gte", value: 2 }] } }, now: NOW });
    const admin = emulatorAdmin(emulator, shop);
    const result = await pushSegments({ db: prisma, shop, admin });
    expect(result.customers).toBe(3);
    for (const [index, customerId] of ids.entries()) {
      const rfm = (await prisma.customerInsight.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId } } })).rfmSegment;
      expect(store.getMetafield(customerId, "$app", "rfm_segment")?.value).toBe(rfm ? (await import("~/modules/segments/segment-push.server")).RFM_SEGMENT_NAMES[rfm as "champions"] : "-");
      expect(JSON.parse(store.getMetafield(customerId, "$app", "segments")!.value)).toEqual(index >= 1 ? ["Regulars"] : []);
      const tags = store.getCustomer(store.customerIdxs()[index]!)!.tags;
      expect(tags.includes("Regular")).toBe(index >= 1);
    }
    // The archive mirrors Shopify's tags.
    expect((await prisma.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: ids[2]! } } })).tags.split(", ")).toContain("Regular");

    const calls = emulator.requests.length;
    expect((await pushSegments({ db: prisma, shop, admin })).customers).toBe(0);
    expect(emulator.requests.length).toBe(calls);

    // Customer 3 leaves: the tag goes, the metafield empties.
    await prisma.customer.update({ where: { shop_shopifyId: { shop, shopifyId: ids[2]! } }, data: { numberOfOrders: 1 } });
    await markInsightsDirty(prisma, shop, [ids[2]!]);
    await runSegmentsUpdateJob({ shop, name: "segments.update" }, { db: prisma, now: NOW });
    await pushSegments({ db: prisma, shop, admin });
    expect(store.getCustomer(store.customerIdxs()[2]!)!.tags).not.toContain("Regular");
    expect(JSON.parse(store.getMetafield(ids[2]!, "$app", "segments")!.value)).toEqual([]);

    // The segment's tag is renamed: members swap the old tag for the new one.
    const regulars = await prisma.segment.findFirstOrThrow({ where: { shop, name: "Regulars" } });
    await updateSegment({ actor: { ...ava, shop }, id: regulars.id, draft: { name: "Regulars", tagName: "Regular customer", rules: JSON.parse(regulars.rules) }, now: NOW });
    expect((await prisma.segment.findUniqueOrThrow({ where: { id: regulars.id } })).retiredTags).toBe("Regular");
    await pushSegments({ db: prisma, shop, admin });
    expect(store.getCustomer(store.customerIdxs()[1]!)!.tags).toContain("Regular customer");
    expect(store.getCustomer(store.customerIdxs()[1]!)!.tags).not.toContain("Regular");

    // Customer 1 orders again and enters: the Flow trigger Shopify validates against the extension's fields.
    await createOrder(prisma, { shop, shopifyId: "gid://shopify/Order/8999", customerId: ids[0]!, processedAt: daysAgo(1) });
    await syncCustomers(shop);
    await markInsightsDirty(prisma, shop, [ids[0]!]);
    await runSegmentsUpdateJob({ shop, name: "segments.update" }, { db: prisma, now: NOW });
    const pushed = await pushSegments({ db: prisma, shop, admin });
    expect(pushed.flowEvents).toBe(1);
    expect(emulator.flowTriggers.at(-1)).toMatchObject({ shop, handle: "customer-entered-segment", payload: { customer_id: seeded[0]!.id, segment: "Regulars" } });
    expect(await prisma.flowEvent.count({ where: { shop, sentAt: null } })).toBe(0);
    expect((await prisma.flowEvent.findFirstOrThrow({ where: { shop, handle: "customer-entered-segment" } })).error).toBeNull();
  });
});

describe("a large segment's CSV", () => {
  test("lists every one of more members than a page holds, each once, in id order", async () => {
    const shop = "segments-large-csv.myshopify.com";
    await createShop(prisma, { shop });
    const at = new Date("2026-01-01T00:00:00.000Z");
    const ids = Array.from({ length: 1_234 }, (_, index) => gid(100_000 + index));
    await prisma.customer.createMany({ data: ids.map((shopifyId) => ({ shop, shopifyId, currencyCode: "USD", shopifyCreatedAt: at, shopifyUpdatedAt: at })) });
    const segment = await prisma.segment.create({ data: { shop, name: "Everyone", rules: JSON.stringify({ match: "all", conditions: [] }) } });
    await prisma.segmentMember.createMany({ data: ids.map((customerId) => ({ shop, segmentId: segment.id, customerId, enteredAt: at })) });
    let csv = "";
    for await (const chunk of segmentCsvLines({ shop, segmentId: segment.id })) csv += chunk;
    const rows = csv.trimEnd().split("\r\n").slice(1).map((line) => line.split(",")[0]);
    expect(rows).toEqual(ids.map((id) => id.split("/").pop()).sort());
  });
});
