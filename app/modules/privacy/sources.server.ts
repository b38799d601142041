// The registry of personal data sources: each table family that can hold something about a
// customer contributes one source, which both the data export (collect) and the erasure (redact)
// go through. A feature that stores customer data (notes, points, tiers, recommendations) adds
// its source to PERSONAL_DATA_SOURCES; a test fails while any model is claimed by neither a source
// nor MODELS_WITHOUT_CUSTOMER_DATA, so a new table cannot be forgotten.
import type { Prisma } from "../../db.server";
import { parseWebhookJson } from "../webhooks/payloads";
import type { ModelName } from "./models.server";
import { payloadMentions, type CustomerSubject } from "./subject";

export type Tx = Prisma.TransactionClient;

export interface SourceContext {
  db: Tx;
  subject: CustomerSubject;
}

export interface PersonalDataSource {
  /** The section of the export this source fills. */
  key: string;
  /** The models whose rows this source exports and redacts. */
  models: readonly ModelName[];
  /** Everything this source holds about the subject, as JSON-ready data; omitted from the export when undefined. */
  collect?(context: SourceContext): Promise<unknown>;
  /** Erases the subject's personal data from these models; returns how many rows it changed. Must be idempotent. */
  redact(context: SourceContext & { now: Date }): Promise<number>;
}

/** Audit actions of the privacy module itself: they name the customer by id only and stay as proof of what was done. */
export const PRIVACY_AUDIT_ACTIONS = ["privacy.data_requested", "privacy.customer_redacted"];

// Keeps `IN (...)` lists well under the bind-parameter limits of SQLite and PostgreSQL.
const CHUNK = 500;
function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += CHUNK) result.push(items.slice(start, start + CHUNK));
  return result;
}

const parseJson = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return parseWebhookJson(text);
  } catch {
    return text;
  }
};

const customerSource: PersonalDataSource = {
  key: "customers",
  models: ["Customer"],
  // searchText is the database's lowercased copy of the row's own fields (migration 0008): nothing of its own to export.
  collect: ({ db, subject }) => db.customer.findMany({ where: { shop: subject.shop, shopifyId: { in: subject.customerIds } }, orderBy: { shopifyId: "asc" }, omit: { searchText: true } }),
  async redact({ db, subject, now }) {
    // The row stays, without anything that identifies the person: its order count and spend keep
    // the shop's aggregates (revenue, customer counts, averages) true.
    const { count } = await db.customer.updateMany({
      where: {
        shop: subject.shop,
        shopifyId: { in: subject.customerIds },
        OR: [{ redactedAt: null }, { email: { not: null } }, { phone: { not: null } }, { firstName: { not: null } }, { lastName: { not: null } }, { displayName: { not: null } }],
      },
      data: {
        firstName: null,
        lastName: null,
        displayName: null,
        email: null,
        phone: null,
        emailMarketingState: null,
        smsMarketingState: null,
        locale: null,
        state: null,
        tags: "",
        note: null,
        verifiedEmail: false,
        countryCode: null,
        province: null,
        city: null,
        redactedAt: now,
      },
    });
    return count;
  },
};

const orderSource: PersonalDataSource = {
  key: "orders",
  models: ["Order", "OrderLine", "Refund", "RefundLine"],
  async collect({ db, subject }) {
    const shop = subject.shop;
    const orders = [];
    for (const ids of chunks(subject.orderIds)) {
      const [rows, lines, refunds] = await Promise.all([
        db.order.findMany({ where: { shop, shopifyId: { in: ids } }, orderBy: { processedAt: "asc" } }),
        db.orderLine.findMany({ where: { shop, orderId: { in: ids } }, orderBy: { shopifyId: "asc" } }),
        db.refund.findMany({ where: { shop, orderId: { in: ids } }, orderBy: { shopifyCreatedAt: "asc" } }),
      ]);
      const refundLines = await db.refundLine.findMany({ where: { shop, refundId: { in: refunds.map((refund) => refund.shopifyId) } }, orderBy: { shopifyId: "asc" } });
      for (const order of rows) {
        orders.push({
          ...order,
          lines: lines.filter((line) => line.orderId === order.shopifyId),
          refunds: refunds
            .filter((refund) => refund.orderId === order.shopifyId)
            .map((refund) => ({ ...refund, lines: refundLines.filter((line) => line.refundId === refund.shopifyId) })),
        });
      }
    }
    return orders;
  },
  async redact({ db, subject }) {
    // Lines and amounts are kept (they are the shop's sales, not the person); the order's contact
    // email and the free-text refund notes are what identify or describe the customer.
    let changed = 0;
    for (const ids of chunks(subject.orderIds)) {
      changed += (await db.order.updateMany({ where: { shop: subject.shop, shopifyId: { in: ids }, email: { not: null } }, data: { email: null } })).count;
      changed += (await db.refund.updateMany({ where: { shop: subject.shop, orderId: { in: ids }, note: { not: null } }, data: { note: null } })).count;
    }
    return changed;
  },
};

/** Unredacted events of the shop that concern the subject: by subject id, else by what their payload mentions. */
async function eventsAbout({ db, subject }: SourceContext) {
  const gids = [...subject.customerIds, ...subject.orderIds];
  const texts = [...subject.emails, ...subject.phones, ...subject.customerIds.map((gid) => gid.slice(gid.lastIndexOf("/") + 1))];
  const candidates = await db.webhookEvent.findMany({
    where: {
      shop: subject.shop,
      redactedAt: null,
      // The text filter is a cheap pre-selection (an id's digits can occur in other numbers); payloadMentions decides.
      OR: [...chunks(gids).map((ids) => ({ subjectId: { in: ids } })), ...texts.map((text) => ({ payload: { contains: text } }))],
    },
    orderBy: { receivedAt: "asc" },
  });
  const gidSet = new Set(gids);
  return candidates.filter((event) => (event.subjectId !== null && gidSet.has(event.subjectId)) || payloadMentions(event.payload, event.topic, subject));
}

const webhookEventSource: PersonalDataSource = {
  key: "webhookEvents",
  models: ["WebhookEvent"],
  async collect(context) {
    const events = await eventsAbout(context);
    return events.map(({ payload, ...event }) => ({ ...event, payload: parseJson(payload) }));
  },
  async redact(context) {
    // The row stays (delivery bookkeeping, dedupe by event id); the raw payload goes.
    let changed = 0;
    const events = await eventsAbout(context);
    for (const ids of chunks(events.map((event) => event.id))) {
      changed += (await context.db.webhookEvent.updateMany({ where: { shop: context.subject.shop, id: { in: ids } }, data: { payload: "{}", redactedAt: context.now } })).count;
    }
    return changed;
  },
};

async function auditEntriesAbout({ db, subject }: SourceContext) {
  const gids = [...subject.customerIds, ...subject.orderIds];
  const texts = [...subject.emails, ...subject.phones, ...subject.customerIds];
  return db.auditLog.findMany({
    where: {
      shop: subject.shop,
      action: { notIn: PRIVACY_AUDIT_ACTIONS },
      OR: [
        ...chunks(gids).flatMap((ids) => [{ subjectId: { in: ids } }, { actorId: { in: ids } }]),
        ...texts.flatMap((text) => [{ before: { contains: text } }, { after: { contains: text } }, { actorName: { contains: text } }]),
      ],
    },
    orderBy: { createdAt: "asc" },
  });
}

const auditSource: PersonalDataSource = {
  key: "auditLog",
  models: ["AuditLog"],
  async collect(context) {
    const entries = await auditEntriesAbout(context);
    return entries.map((entry) => ({ ...entry, before: parseJson(entry.before), after: parseJson(entry.after) }));
  },
  async redact(context) {
    // What happened, when and by whom stays in the trail; the values it recorded about them go.
    const gids = new Set([...context.subject.customerIds, ...context.subject.orderIds]);
    let changed = 0;
    for (const entry of await auditEntriesAbout(context)) {
      const actorIsSubject = entry.actorId !== null && gids.has(entry.actorId);
      if (entry.before === null && entry.after === null && !(actorIsSubject && entry.actorName !== null)) continue;
      await context.db.auditLog.update({ where: { id: entry.id }, data: { before: null, after: null, ...(actorIsSubject ? { actorName: null } : {}) } });
      changed++;
    }
    return changed;
  },
};

const dataExportSource: PersonalDataSource = {
  key: "dataExports",
  models: ["DataExport"],
  // Earlier exports are listed, not nested: each one is a copy of the sections above.
  collect: ({ db, subject }) =>
    db.dataExport.findMany({
      where: { shop: subject.shop, customerId: { in: subject.customerIds } },
      select: { id: true, requestId: true, status: true, requestedAt: true, completedAt: true },
      orderBy: { requestedAt: "asc" },
    }),
  async redact({ db, subject }) {
    return (await db.dataExport.deleteMany({ where: { shop: subject.shop, customerId: { in: subject.customerIds } } })).count;
  },
};

const appliedVersionSource: PersonalDataSource = {
  key: "appliedVersions",
  models: ["AppliedVersion"],
  // Bookkeeping of ids and timestamps, except that tag aspects carry the tag's text (`tag:<tag>`),
  // which the merchant may have written about the person. The other aspects stay: they keep an
  // older delivery from bringing a deleted record back.
  async redact({ db, subject }) {
    return (await db.appliedVersion.deleteMany({ where: { shop: subject.shop, subjectId: { in: subject.customerIds }, aspect: { startsWith: "tag:" } } })).count;
  },
};

const noteSource: PersonalDataSource = {
  key: "notes",
  models: ["Note", "NoteRevision"],
  // Deleted notes too: soft-deleted text is still held.
  async collect({ db, subject }) {
    const notes = await db.note.findMany({ where: { shop: subject.shop, customerId: { in: subject.customerIds } }, orderBy: { createdAt: "asc" } });
    const revisions = await db.noteRevision.findMany({ where: { shop: subject.shop, noteId: { in: notes.map((note) => note.id) } }, orderBy: { createdAt: "asc" } });
    return notes.map((note) => ({ ...note, revisions: revisions.filter((revision) => revision.noteId === note.id) }));
  },
  async redact({ db, subject }) {
    // What staff wrote about a person is personal data through and through: the notes go whole.
    const notes = await db.note.findMany({ where: { shop: subject.shop, customerId: { in: subject.customerIds } }, select: { id: true } });
    let changed = 0;
    for (const ids of chunks(notes.map((note) => note.id))) {
      changed += (await db.noteRevision.deleteMany({ where: { shop: subject.shop, noteId: { in: ids } } })).count;
      changed += (await db.note.deleteMany({ where: { shop: subject.shop, id: { in: ids } } })).count;
    }
    return changed;
  },
};

const loyaltySource: PersonalDataSource = {
  key: "loyalty",
  models: ["LoyaltyMember", "TierChange", "PointsEntry", "FlowEvent"],
  async collect({ db, subject }) {
    const where = { shop: subject.shop, customerId: { in: subject.customerIds } };
    const [members, tierChanges, points, flowEvents] = await Promise.all([
      db.loyaltyMember.findMany({ where }),
      db.tierChange.findMany({ where, orderBy: { id: "asc" } }),
      db.pointsEntry.findMany({ where, orderBy: { id: "asc" } }),
      db.flowEvent.findMany({ where, orderBy: { id: "asc" } }),
    ]);
    return { members, tierChanges, points, flowEvents: flowEvents.map(({ payload, ...event }) => ({ ...event, payload: parseJson(payload) })) };
  },
  async redact({ db, subject }) {
    // Membership, its history, the ledger (staff reasons are free text about the person) and the
    // Flow outbox go whole; the shop's tier counts simply lose one member.
    const where = { shop: subject.shop, customerId: { in: subject.customerIds } };
    let changed = 0;
    changed += (await db.pointsEntry.deleteMany({ where })).count;
    changed += (await db.tierChange.deleteMany({ where })).count;
    changed += (await db.flowEvent.deleteMany({ where })).count;
    changed += (await db.loyaltyMember.deleteMany({ where })).count;
    return changed;
  },
};

const segmentSource: PersonalDataSource = {
  key: "segments",
  models: ["CustomerInsight", "RfmChange", "SegmentMember"],
  async collect({ db, subject }) {
    const where = { shop: subject.shop, customerId: { in: subject.customerIds } };
    const [insights, rfmChanges, memberships] = await Promise.all([db.customerInsight.findMany({ where }), db.rfmChange.findMany({ where, orderBy: { id: "asc" } }), db.segmentMember.findMany({ where })]);
    const segments = await db.segment.findMany({ where: { shop: subject.shop, id: { in: memberships.map((member) => member.segmentId) } }, select: { id: true, name: true } });
    const names = new Map(segments.map((segment) => [segment.id, segment.name]));
    return { insights: insights.map(({ reason, ...insight }) => ({ ...insight, reason: parseJson(reason) })), rfmChanges, memberships: memberships.map((member) => ({ ...member, segmentName: names.get(member.segmentId) ?? null })) };
  },
  async redact({ db, subject }) {
    // Scores, predictions, segment moves and memberships go whole; segment counts lose one member
    // (recounted here), the shop's fitted model keeps anonymous distributions only.
    const where = { shop: subject.shop, customerId: { in: subject.customerIds } };
    const memberships = await db.segmentMember.findMany({ where, select: { segmentId: true } });
    let changed = 0;
    changed += (await db.segmentMember.deleteMany({ where })).count;
    changed += (await db.rfmChange.deleteMany({ where })).count;
    changed += (await db.customerInsight.deleteMany({ where })).count;
    for (const segmentId of new Set(memberships.map((member) => member.segmentId))) {
      await db.segment.updateMany({ where: { id: segmentId }, data: { memberCount: await db.segmentMember.count({ where: { segmentId } }) } });
    }
    return changed;
  },
};

/** Every source, in export order. Add a feature's source here. */
export const PERSONAL_DATA_SOURCES: readonly PersonalDataSource[] = [customerSource, orderSource, noteSource, loyaltySource, segmentSource, webhookEventSource, auditSource, dataExportSource, appliedVersionSource];

/** Models that hold nothing about a customer as a person, and why. */
export const MODELS_WITHOUT_CUSTOMER_DATA: Partial<Record<ModelName, string>> = {
  Shop: "the store itself",
  Session: "staff sessions (the merchant's users, not customers)",
  Product: "the catalogue",
  ProductVariant: "the catalogue",
  Job: "job payloads carry record ids (webhook event ids, sync runs), never customer data",
  SyncRun: "import progress counters",
  StaffMember: "the merchant's staff (from their online sessions), not customers",
  SavedView: "named index filters written by staff (spend ranges, tags, owners)",
  LoyaltyProgram: "the merchant's tier and points rules",
  Segment: "the merchant's segment definitions (names and rules)",
  InsightModel: "the shop's fitted model: sorted spend, order-count and last-order figures with no customer ids, and model parameters",
  RecommendationModel: "per-product order counts, co-purchase neighbours and fitted weights, with no customer ids",
};
