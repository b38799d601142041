// customers/redact leaves no trace: after a redaction, no text column of any table - discovered
// from the database catalog, not from a list someone could forget to update - holds the
// customer's email, names or phone; their shop's aggregates, the shop's other customers and the
// same customer id in another shop are untouched.
import { beforeEach, describe, expect, test } from "vitest";

import type { PrismaClient } from "~/db.server";
import { redactCustomer, requestDataExport } from "~/modules/privacy/privacy.server";
import { processWebhookEventById } from "~/modules/webhooks/process-event.server";

import { MIGRATIONS_TABLE } from "../../scripts/setup-db";
import { bootApp, examplePayload } from "../support/app";
import { SQLITE_TABLES } from "../support/db";
import { createCustomer, createShop, createWebhookEvent } from "../support/factories";

const { prisma, database } = await bootApp();

const shopA = "redact-a.myshopify.com";
const shopB = "redact-b.myshopify.com";
const zenobia = { id: "1001", firstName: "Zenobia", lastName: "Quackenbush", email: "zenobia.q@mail.test", phone: "+15557654321" };
const otto = { id: "1002", firstName: "Otto", lastName: "Brandtmeyer", email: "otto.b@mail.test", phone: "+15550001111" };
const gid = (type: string, id: string) => `gid://shopify/${type}/${id}`;

interface Hit {
  table: string;
  column: string;
  shop: string | null;
}

/** Every (table, text column) of the database, read from its catalog. */
async function textColumns(db: PrismaClient): Promise<{ table: string; column: string; hasShop: boolean }[]> {
  if (database.provider === "sqlite") {
    const tables = await db.$queryRawUnsafe<{ name: string }[]>(SQLITE_TABLES, MIGRATIONS_TABLE);
    const result = [];
    for (const { name } of tables) {
      const columns = await db.$queryRawUnsafe<{ name: string; type: string }[]>(`SELECT name, type FROM pragma_table_info(?)`, name);
      const hasShop = columns.some((column) => column.name === "shop");
      for (const column of columns) if (/TEXT|CHAR|CLOB/i.test(column.type)) result.push({ table: name, column: column.name, hasShop });
    }
    return result;
  }
  const columns = await db.$queryRawUnsafe<{ table_name: string; column_name: string; data_type: string }[]>(
    `SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, c.data_type::text AS data_type
       FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> $1`,
    MIGRATIONS_TABLE,
  );
  const withShop = new Set(columns.filter((column) => column.column_name === "shop").map((column) => column.table_name));
  return columns
    .filter((column) => ["text", "character varying", "character", "json", "jsonb"].includes(column.data_type))
    .map((column) => ({ table: column.table_name, column: column.column_name, hasShop: withShop.has(column.table_name) }));
}

/** Every row of every table whose text columns contain `needle` (case-insensitive). */
async function findEverywhere(db: PrismaClient, needle: string): Promise<Hit[]> {
  const hits: Hit[] = [];
  for (const { table, column, hasShop } of await textColumns(db)) {
    const shopColumn = hasShop ? `"shop"` : "NULL";
    const sql =
      database.provider === "sqlite"
        ? `SELECT ${shopColumn} AS shop FROM "${table}" WHERE instr(lower("${column}"), lower(?)) > 0`
        : `SELECT ${shopColumn} AS shop FROM "${table}" WHERE strpos(lower("${column}"::text), lower($1)) > 0`;
    const rows = await db.$queryRawUnsafe<{ shop: string | null }[]>(sql, needle);
    hits.push(...rows.map((row) => ({ table, column, shop: row.shop })));
  }
  return hits;
}

const needles = [zenobia.email, zenobia.firstName, zenobia.lastName, zenobia.phone];

function customerPayload(person: typeof zenobia) {
  return {
    id: Number(person.id),
    admin_graphql_api_id: gid("Customer", person.id),
    first_name: person.firstName,
    last_name: person.lastName,
    email: person.email,
    phone: person.phone,
    updated_at: "2024-05-01T00:00:00Z",
    default_address: { first_name: person.firstName, last_name: person.lastName, city: "Ottawa", phone: person.phone },
  };
}

function orderPayload(orderId: string, person: typeof zenobia | null, email: string) {
  return {
    id: Number(orderId),
    admin_graphql_api_id: gid("Order", orderId),
    email,
    customer: person ? { id: Number(person.id), first_name: person.firstName, last_name: person.lastName, email: person.email } : null,
    billing_address: person ? { name: `${person.firstName} ${person.lastName}`, phone: person.phone } : null,
  };
}

async function seedOrder(shop: string, { id, customerId, email, total, refunded = 0n }: { id: string; customerId: string | null; email: string | null; total: bigint; refunded?: bigint }) {
  const date = new Date("2024-03-01T00:00:00Z");
  await prisma.order.create({
    data: {
      shop,
      shopifyId: gid("Order", id),
      customerId,
      name: `#${id}`,
      email,
      currencyCode: "USD",
      totalPriceMinor: total,
      subtotalPriceMinor: total,
      totalRefundedMinor: refunded,
      processedAt: date,
      shopifyCreatedAt: date,
      shopifyUpdatedAt: date,
    },
  });
  await prisma.orderLine.create({
    data: { shop, shopifyId: gid("LineItem", `${id}1`), orderId: gid("Order", id), title: "Wool scarf", quantity: 1, currentQuantity: 1, unitPriceMinor: total, totalMinor: total },
  });
}

/** A customer with their whole footprint: row, orders, lines, a refund, webhook events, audit entries. */
async function seedPerson(shop: string, person: typeof zenobia, orderIds: string[]) {
  await createCustomer(prisma, {
    shop,
    shopifyId: gid("Customer", person.id),
    firstName: person.firstName,
    lastName: person.lastName,
    displayName: `${person.firstName} ${person.lastName}`,
    email: person.email,
    phone: person.phone,
    tags: `vip, ${person.lastName.toLowerCase()}-family`,
    note: `${person.firstName} prefers phone calls`,
    city: "Ottawa",
    province: "Ontario",
    countryCode: "CA",
    locale: "en",
    emailMarketingState: "SUBSCRIBED",
    numberOfOrders: orderIds.length,
    amountSpentMinor: 1000n * BigInt(orderIds.length),
  });
  for (const orderId of orderIds) {
    await seedOrder(shop, { id: orderId, customerId: gid("Customer", person.id), email: person.email, total: 1000n });
    // Processed (subject known) and still waiting (subject unknown until applied).
    await createWebhookEvent(prisma, { shop, topic: "orders/create", payload: orderPayload(orderId, person, person.email) });
  }
  const firstOrder = orderIds[0]!;
  await prisma.refund.create({
    data: { shop, shopifyId: gid("Refund", `${firstOrder}9`), orderId: gid("Order", firstOrder), note: `${person.firstName} returned the scarf`, totalMinor: 500n, currencyCode: "USD", shopifyCreatedAt: new Date() },
  });
  await prisma.refundLine.create({ data: { shop, shopifyId: gid("RefundLineItem", `${firstOrder}8`), refundId: gid("Refund", `${firstOrder}9`), orderLineId: gid("LineItem", `${firstOrder}1`), quantity: 1, subtotalMinor: 500n } });
  const processed = await createWebhookEvent(prisma, { shop, topic: "customers/update", payload: customerPayload(person) });
  await prisma.webhookEvent.update({ where: { id: processed.id }, data: { status: "processed", subjectId: gid("Customer", person.id) } });
  await prisma.appliedVersion.create({ data: { shop, subjectId: gid("Customer", person.id), aspect: `tag:${person.lastName.toLowerCase()}-family`, version: new Date() } });
  await prisma.appliedVersion.create({ data: { shop, subjectId: gid("Customer", person.id), aspect: "record", version: new Date() } });
  await prisma.auditLog.create({
    data: {
      shop,
      actorType: "staff",
      actorName: "Store owner",
      action: "customer.note_changed",
      subjectType: "customer",
      subjectId: gid("Customer", person.id),
      before: JSON.stringify({ firstName: person.firstName, note: null }),
      after: JSON.stringify({ lastName: person.lastName, note: `Call ${person.phone}` }),
    },
  });
  // Staff notes about her, one edited, one deleted (soft-deleted text is still held).
  const note = await prisma.note.create({
    data: { shop, customerId: gid("Customer", person.id), body: `${person.firstName} ${person.lastName} wants a call on ${person.phone}`, authorId: "1", authorName: "Store owner", pinned: true },
  });
  await prisma.noteRevision.create({ data: { shop, noteId: note.id, body: `Email ${person.email} first`, editedById: "1", editedByName: "Store owner" } });
  await prisma.note.create({ data: { shop, customerId: gid("Customer", person.id), body: `${person.lastName}: size M`, authorId: "1", authorName: "Store owner", deletedAt: new Date() } });
  // Loyalty: an override whose reason names her by email, an adjustment by surname.
  const customerId = gid("Customer", person.id);
  await prisma.loyaltyMember.create({ data: { shop, customerId, tierKey: "gold", overrideKey: "gold", overrideReason: `Asked by ${person.email}`, pointsBalance: 10 } });
  await prisma.tierChange.create({ data: { shop, customerId, toKey: "gold", toName: "Gold", reason: "override", programVersion: 1, actorType: "staff", note: `Asked by ${person.email}` } });
  await prisma.pointsEntry.create({ data: { shop, customerId, kind: "adjustment", points: 10, balanceAfter: 10, reason: `Sorry, ${person.lastName} family` } });
  await prisma.flowEvent.create({ data: { shop, handle: "points-changed", customerId, payload: JSON.stringify({ customer_id: Number(person.id), points: 10, change: 10 }) } });
  // Segments: her scores and predictions, a segment move, a membership (decision 011).
  await prisma.customerInsight.create({ data: { shop, customerId, orders: 2, recency: 4, frequency: 3, monetary: 3, rfmSegment: "loyal", churnRisk: 300, predictedValueMinor: 5_000n, computedAt: new Date() } });
  await prisma.rfmChange.create({ data: { shop, customerId, fromSegment: "new", toSegment: "loyal" } });
  const segment = await prisma.segment.create({ data: { shop, name: "Regulars", rules: "{}", memberCount: 1 } });
  await prisma.segmentMember.create({ data: { shop, segmentId: segment.id, customerId, enteredAt: new Date() } });
  await prisma.auditLog.create({
    data: { shop, actorType: "system", action: "order.synced", subjectType: "order", subjectId: gid("Order", firstOrder), after: JSON.stringify({ email: person.email }) },
  });
}

async function aggregates(shop: string) {
  const [orders, customers] = await Promise.all([
    prisma.order.aggregate({ where: { shop }, _count: { _all: true }, _sum: { totalPriceMinor: true, totalRefundedMinor: true } }),
    prisma.customer.aggregate({ where: { shop }, _count: { _all: true }, _sum: { numberOfOrders: true, amountSpentMinor: true } }),
  ]);
  const lines = await prisma.orderLine.aggregate({ where: { shop }, _sum: { totalMinor: true }, _count: { _all: true } });
  const refunds = await prisma.refund.aggregate({ where: { shop }, _sum: { totalMinor: true } });
  return { orders, customers, lines, refunds };
}

/** Every row of a shop in the tables a redaction could touch, to compare before and after. */
async function snapshot(shop: string, where: { customerId?: string; orderIds?: string[] } = {}) {
  const orderIds = where.orderIds ?? [];
  return {
    customers: await prisma.customer.findMany({ where: { shop, ...(where.customerId ? { shopifyId: where.customerId } : {}) }, orderBy: { shopifyId: "asc" } }),
    orders: await prisma.order.findMany({ where: { shop, ...(where.orderIds ? { shopifyId: { in: orderIds } } : {}) }, orderBy: { shopifyId: "asc" } }),
    events: (await prisma.webhookEvent.findMany({ where: { shop }, orderBy: { id: "asc" } })).filter(
      (event) => !where.customerId || event.payload.includes(`"id":${where.customerId.split("/").pop()}`) || orderIds.some((id) => event.payload.includes(id)),
    ),
    audit: await prisma.auditLog.findMany({ where: { shop, ...(where.customerId ? { subjectId: { in: [where.customerId, ...orderIds] } } : {}) }, orderBy: { id: "asc" } }),
  };
}

beforeEach(async () => {
  await database.reset();
  await createShop(prisma, { shop: shopA });
  await createShop(prisma, { shop: shopB });
  await seedPerson(shopA, zenobia, ["5001", "5002"]);
  // A guest order with her email and no customer: hers all the same.
  await seedOrder(shopA, { id: "5003", customerId: null, email: zenobia.email, total: 1500n, refunded: 0n });
  await createWebhookEvent(prisma, { shop: shopA, topic: "orders/create", payload: orderPayload("5003", null, zenobia.email) });
  await seedPerson(shopA, otto, ["5004"]);
  // The same person, same ids, in another shop: that shop's data, not to be touched.
  await seedPerson(shopB, zenobia, ["5001", "5002"]);
  // Her earlier data request: the export holds everything about her.
  await requestDataExport({ db: prisma, shop: shopA, payload: { customer: { id: zenobia.id, email: zenobia.email, phone: zenobia.phone }, orders_requested: [], data_request: { id: "77" } } });
});

function redactEvent(shop: string) {
  const payload = {
    ...examplePayload("customers/redact"),
    shop_domain: shop,
    customer: { id: Number(zenobia.id), email: zenobia.email, phone: zenobia.phone },
    orders_to_redact: [5001, 5002, 5003],
  };
  return createWebhookEvent(prisma, { shop, topic: "customers/redact", payload });
}

describe("customers/redact", () => {
  test("leaves no trace of the customer in any text column of any table of her shop", async () => {
    // GIVEN her footprint is everywhere (the search itself works: it finds her in every kind of table)
    const before = await findEverywhere(prisma, zenobia.email);
    // (PostgreSQL's search copy, migration 0014, holds her name and email too.)
    const searchCopy = database.provider === "postgres" ? ["CustomerSearch"] : [];
    expect(new Set(before.filter((hit) => hit.shop === shopA).map((hit) => hit.table))).toEqual(new Set(["Customer", "Order", "NoteRevision", "WebhookEvent", "AuditLog", "DataExport", "LoyaltyMember", "TierChange", ...searchCopy]));
    const lastNameTables = new Set((await findEverywhere(prisma, zenobia.lastName)).filter((hit) => hit.shop === shopA).map((hit) => hit.table));
    expect(lastNameTables).toEqual(new Set(["Customer", "Note", "WebhookEvent", "AuditLog", "DataExport", "AppliedVersion", "PointsEntry", ...searchCopy]));
    expect((await findEverywhere(prisma, zenobia.firstName)).some((hit) => hit.table === "Refund")).toBe(true);

    // WHEN Shopify's customers/redact runs through the webhook pipeline
    const event = await redactEvent(shopA);
    const outcome = await processWebhookEventById({ db: prisma, eventId: event.id });
    expect(outcome).toMatchObject({ status: "processed" });

    // THEN nothing of hers is left in her shop, in any table (the redact event's own payload included)
    for (const needle of needles) {
      const hits = await findEverywhere(prisma, needle);
      expect(hits.filter((hit) => hit.shop !== shopB), needle).toEqual([]);
      // ... while the other shop's copy of the same person is still found.
      expect(hits.some((hit) => hit.shop === shopB && hit.table === "Customer"), needle).toBe(true);
    }
  });

  test.runIf(database.provider === "sqlite")("SQLite: the customers search index keeps no trigram of her (a redaction merges it: purgeSearchIndex)", async () => {
    // Her trigrams that nobody else's text has (the index holds lowercased text, migration 0013).
    const trigrams = (text: string) => new Set(Array.from({ length: Math.max(0, [...text].length - 2) }, (_, index) => [...text].slice(index, index + 3).join("")));
    const others = [...trigrams([otto.firstName, otto.lastName, otto.email, otto.phone].join("\n").toLowerCase())];
    const hers = [...trigrams([zenobia.firstName, zenobia.lastName, zenobia.email, zenobia.phone].join("\n").toLowerCase())].filter((trigram) => !others.includes(trigram));
    // The index's pages, and the copy of each row's text it keeps (its content table).
    const blobsHolding = async () => {
      const blocks = await prisma.$queryRawUnsafe<Array<{ block: Uint8Array | null }>>(`SELECT "block" FROM "CustomerSearch_data" UNION ALL SELECT CAST("c0" AS BLOB) FROM "CustomerSearch_content"`);
      return hers.filter((trigram) => blocks.some(({ block }) => block && Buffer.from(block).includes(Buffer.from(trigram))));
    };
    // GIVEN her copy in the other shop is gone (deleted outright), and the index still holds her in this one
    await prisma.customer.deleteMany({ where: { shop: shopB } });
    expect((await blobsHolding()).length).toBeGreaterThan(5);
    // WHEN customers/redact runs
    expect(await processWebhookEventById({ db: prisma, eventId: (await redactEvent(shopA)).id })).toMatchObject({ status: "processed" });
    // THEN none of her trigrams is left in the index's pages (a changed row's stay in older segments until a merge)
    expect(await blobsHolding()).toEqual([]);
  });

  test("keeps the customer row and every number the shop's aggregates are made of", async () => {
    const before = await aggregates(shopA);
    await redactCustomer({ db: prisma, shop: shopA, payload: { customer: { id: zenobia.id, email: zenobia.email, phone: zenobia.phone }, orders_to_redact: ["5001", "5002", "5003"] } });
    expect(await aggregates(shopA)).toEqual(before);
    // Her scores, predictions, segment moves and memberships are gone; the segment counts one fewer.
    const her = { shop: shopA, customerId: gid("Customer", zenobia.id) };
    expect([await prisma.customerInsight.count({ where: her }), await prisma.rfmChange.count({ where: her }), await prisma.segmentMember.count({ where: her })]).toEqual([0, 0, 0]);
    expect((await prisma.segment.findFirstOrThrow({ where: { shop: shopA, name: "Regulars" } })).memberCount).toBe(0);

    const row = await prisma.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop: shopA, shopifyId: gid("Customer", zenobia.id) } } });
    expect(row).toMatchObject({ email: null, firstName: null, lastName: null, displayName: null, phone: null, note: null, tags: "", city: null, province: null, numberOfOrders: 2, amountSpentMinor: 2000n });
    expect(row.redactedAt).toBeInstanceOf(Date);
    // Her orders stay hers (per-customer value keeps adding up), without her email.
    const orders = await prisma.order.findMany({ where: { shop: shopA, shopifyId: { in: ["5001", "5002", "5003"].map((id) => gid("Order", id)) } } });
    expect(orders.map((order) => order.email)).toEqual([null, null, null]);
    expect(await prisma.orderLine.count({ where: { shop: shopA } })).toBe(4);
    // Events about her are kept as delivery records, blanked.
    const events = await prisma.webhookEvent.findMany({ where: { shop: shopA, redactedAt: { not: null } } });
    expect(events.length).toBe(4);
    expect(events.every((event) => event.payload === "{}")).toBe(true);
    // Her exports are gone; the proof of redaction stays, by id only.
    expect(await prisma.dataExport.count({ where: { shop: shopA } })).toBe(0);
    const proof = await prisma.auditLog.findFirstOrThrow({ where: { shop: shopA, action: "privacy.customer_redacted" } });
    expect(proof.subjectId).toBe(gid("Customer", zenobia.id));
    // The archive's version guard for her record stays (an old delivery cannot bring her back); tag texts go.
    expect(await prisma.appliedVersion.findMany({ where: { shop: shopA, subjectId: gid("Customer", zenobia.id) }, select: { aspect: true } })).toEqual([{ aspect: "record" }]);
  });

  test("leaves the shop's other customers and the same customer id in another shop untouched", async () => {
    const ottoBefore = await snapshot(shopA, { customerId: gid("Customer", otto.id), orderIds: [gid("Order", "5004")] });
    const shopBBefore = await snapshot(shopB);
    const shopBAggregates = await aggregates(shopB);

    await redactCustomer({ db: prisma, shop: shopA, payload: { customer: { id: zenobia.id, email: zenobia.email, phone: zenobia.phone }, orders_to_redact: ["5001", "5002"] } });

    expect(await snapshot(shopA, { customerId: gid("Customer", otto.id), orderIds: [gid("Order", "5004")] })).toEqual(ottoBefore);
    expect(ottoBefore.events.length).toBeGreaterThan(0);
    expect(await snapshot(shopB)).toEqual(shopBBefore);
    expect(await aggregates(shopB)).toEqual(shopBAggregates);
    expect(await prisma.customer.count({ where: { shop: shopB, redactedAt: { not: null } } })).toBe(0);
  });

  test("a repeated delivery changes nothing more", async () => {
    const payload = { customer: { id: zenobia.id, email: zenobia.email, phone: zenobia.phone }, orders_to_redact: ["5001"] };
    const first = await redactCustomer({ db: prisma, shop: shopA, payload });
    expect(Object.values(first.changed).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
    const afterFirst = await snapshot(shopA);
    const second = await redactCustomer({ db: prisma, shop: shopA, payload });
    expect(Object.values(second.changed).every((count) => count === 0)).toBe(true);
    expect(await snapshot(shopA)).toEqual(afterFirst);
    expect(await prisma.auditLog.count({ where: { shop: shopA, action: "privacy.customer_redacted" } })).toBe(1);
  });

  test("finds the customer by email when the id in the payload cannot be trusted", async () => {
    // An id beyond 2^53 that went through JSON.parse arrives rounded: its GID would name nobody.
    const bigId = "9007199254740993";
    await createCustomer(prisma, { shop: shopA, shopifyId: gid("Customer", bigId), firstName: "Bartholomew", lastName: "Largenumber", email: "bart@mail.test", phone: "+15559998888" });
    await redactCustomer({ db: prisma, shop: shopA, payload: { customer: { id: Number(bigId), email: "bart@mail.test", phone: null }, orders_to_redact: [] } });
    const row = await prisma.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop: shopA, shopifyId: gid("Customer", bigId) } } });
    expect(row).toMatchObject({ email: null, firstName: null, lastName: null, phone: null });
    expect(await findEverywhere(prisma, "Largenumber")).toEqual([]);
  });
});
