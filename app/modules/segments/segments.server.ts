// Custom segments (decision 011): staff save AND/OR rules; membership is kept current by the
// segments jobs (who entered when, who left), pushed to Shopify, and fires Flow on entry.
import { prisma, type PrismaClient } from "../../db.server";
import { writeAudit } from "../audit/audit.server";
import { CUSTOMER_CSV_HEADER, csvLine, customerCsvFields, staffNames } from "../customers/customer-csv.server";
import { splitTags } from "../customers/customer-tags.server";
import { insertMany, placeholders, providerOf, selectRowsByIds, type Columns } from "../db/provider.server";
import type { Db } from "../loyalty/program.server";
import { currentProgram, shopTerms } from "../loyalty/program.server";
import { numericId } from "../shopify/gid";
import { listStaff, type Actor } from "../staff/staff.server";
import type { RfmSegment } from "./rfm";
import { RFM_SEGMENT_NAMES } from "./segment-push.server";
import { parseSegmentRules, SegmentRulesError, type SegmentRules } from "./segment-rules";
import { queueSegmentsPush } from "./segment-jobs.server";
import { countSegment, selectSegmentCustomerIds } from "./segment-sql.server";

const CHUNK = 500;
const NAME_MAX = 80;
/** Shopify's limit on one tag. */
const TAG_MAX = 255;

export type SegmentErrorCode = "nameRequired" | "nameTooLong" | "nameTaken" | "tagInvalid" | "rulesInvalid" | "notFound";

/** A refused segment edit; `fieldErrors` name what to fix (rule paths such as "conditions.2.value"). */
export class SegmentError extends Error {
  override name = "SegmentError";
  constructor(
    readonly code: SegmentErrorCode,
    message: string,
    readonly fieldErrors: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface SegmentDraft {
  name: string;
  description?: string | null;
  rules: unknown;
  tagName?: string | null;
  template?: string | null;
}

interface CheckedDraft {
  name: string;
  description: string | null;
  rules: SegmentRules;
  tagName: string | null;
  template: string | null;
}

function checkDraft(draft: SegmentDraft, currencyCode: string): CheckedDraft {
  const name = draft.name.trim();
  if (!name) throw new SegmentError("nameRequired", "A segment needs a name", { name: "nameRequired" });
  if (name.length > NAME_MAX) throw new SegmentError("nameTooLong", `A segment name has at most ${NAME_MAX} characters`, { name: "nameTooLong" });
  const tagName = draft.tagName?.trim() || null;
  if (tagName && (tagName.length > TAG_MAX || tagName.includes(","))) throw new SegmentError("tagInvalid", "A tag has at most 255 characters and no comma", { tagName: "tagInvalid" });
  let rules: SegmentRules;
  try {
    rules = parseSegmentRules(draft.rules, { currencyCode });
  } catch (error) {
    if (error instanceof SegmentRulesError) throw new SegmentError("rulesInvalid", error.message, error.fieldErrors);
    throw error;
  }
  return { name, description: draft.description?.trim() || null, rules, tagName, template: draft.template ?? null };
}

async function assertNameFree(db: Db, shop: string, name: string, exceptId?: string) {
  const taken = await db.segment.findMany({ where: { shop, deletedAt: null, NOT: exceptId ? { id: exceptId } : undefined }, select: { id: true, name: true } });
  if (taken.some((segment) => segment.name.toLowerCase() === name.toLowerCase())) throw new SegmentError("nameTaken", `A segment named "${name}" exists`, { name: "nameTaken" });
}

/** How many customers the rules select now (the builder's live count); throws SegmentError on bad rules. */
export async function previewSegment({ shop, rules, db = prisma, now = new Date() }: { shop: string; rules: unknown; db?: PrismaClient; now?: Date }): Promise<number> {
  const { currencyCode } = await shopTerms(db, shop);
  const checked = checkDraft({ name: "preview", rules }, currencyCode).rules;
  return countSegment(db, { shop, rules: checked, now, currencyCode });
}

const TRANSACTION = { timeout: 10 * 60_000, maxWait: 60_000 };

/** Saves a new segment and fills it (quietly: customers already matching are not news for Flow). */
export async function createSegment({ actor, draft, db = prisma, now = new Date() }: { actor: Actor; draft: SegmentDraft; db?: PrismaClient; now?: Date }) {
  const checked = checkDraft(draft, (await shopTerms(db, actor.shop)).currencyCode);
  const created = await db.$transaction(async (tx) => {
    await assertNameFree(tx, actor.shop, checked.name);
    const segment = await tx.segment.create({ data: { shop: actor.shop, name: checked.name, description: checked.description, rules: JSON.stringify(checked.rules), tagName: checked.tagName, template: checked.template, createdById: actor.userId, createdByName: actor.name } });
    await refreshMemberships(tx, { shop: actor.shop, now, segmentIds: [segment.id], quiet: true });
    await writeAudit(tx, { shop: actor.shop, actorType: "staff", actorId: actor.userId, actorName: actor.name, action: "segment.created", subjectType: "segment", subjectId: segment.id, after: { name: checked.name, rules: checked.rules, tagName: checked.tagName } });
    return tx.segment.findUniqueOrThrow({ where: { id: segment.id } });
  }, TRANSACTION);
  // Its members carry it to Shopify (metafield, tag).
  await queueSegmentsPush(actor.shop);
  return created;
}

/** Saves a segment's new name, rules or tag; membership follows at once (quietly), Shopify by the push. */
export async function updateSegment({ actor, id, draft, db = prisma, now = new Date() }: { actor: Actor; id: string; draft: SegmentDraft; db?: PrismaClient; now?: Date }) {
  const checked = checkDraft(draft, (await shopTerms(db, actor.shop)).currencyCode);
  const updated = await db.$transaction(async (tx) => {
    const before = await tx.segment.findFirst({ where: { id, shop: actor.shop, deletedAt: null } });
    if (!before) throw new SegmentError("notFound", "No such segment");
    await assertNameFree(tx, actor.shop, checked.name, id);
    // A tag given up stays the app's to remove from the customers who carry it.
    const retired = before.tagName && before.tagName !== checked.tagName ? [...new Set([...splitTags(before.retiredTags), before.tagName])].filter((tag) => tag !== checked.tagName) : splitTags(before.retiredTags);
    await tx.segment.update({ where: { id }, data: { name: checked.name, description: checked.description, rules: JSON.stringify(checked.rules), tagName: checked.tagName, retiredTags: retired.join(", ") } });
    // A new name or tag changes what every member carries in Shopify.
    if (before.name !== checked.name || before.tagName !== checked.tagName) await markMembersForPush(tx, actor.shop, id);
    await refreshMemberships(tx, { shop: actor.shop, now, segmentIds: [id], quiet: true });
    await writeAudit(tx, { shop: actor.shop, actorType: "staff", actorId: actor.userId, actorName: actor.name, action: "segment.updated", subjectType: "segment", subjectId: id, before: { name: before.name, rules: JSON.parse(before.rules), tagName: before.tagName }, after: { name: checked.name, rules: checked.rules, tagName: checked.tagName } });
    return tx.segment.findUniqueOrThrow({ where: { id } });
  }, TRANSACTION);
  await queueSegmentsPush(actor.shop);
  return updated;
}

/** Soft-deletes a segment; its members lose its metafield entry and tag at the next push. */
export async function deleteSegment({ actor, id, db = prisma }: { actor: Actor; id: string; db?: PrismaClient }) {
  await db.$transaction(async (tx) => {
    const segment = await tx.segment.findFirst({ where: { id, shop: actor.shop, deletedAt: null } });
    if (!segment) throw new SegmentError("notFound", "No such segment");
    await markMembersForPush(tx, actor.shop, id);
    await tx.segmentMember.deleteMany({ where: { segmentId: id } });
    await tx.segment.update({ where: { id }, data: { deletedAt: new Date(), memberCount: 0 } });
    await writeAudit(tx, { shop: actor.shop, actorType: "staff", actorId: actor.userId, actorName: actor.name, action: "segment.deleted", subjectType: "segment", subjectId: id, before: { name: segment.name, memberCount: segment.memberCount } });
  }, TRANSACTION);
  // Its former members lose its metafield entry and tag.
  await queueSegmentsPush(actor.shop);
}

async function markMembersForPush(db: Db, shop: string, segmentId: string) {
  const members = await db.segmentMember.findMany({ where: { segmentId }, select: { customerId: true } });
  await markForPush(db, shop, members.map((member) => member.customerId));
}

async function markForPush(db: Db, shop: string, customerIds: readonly string[]) {
  // One upsert (every live customer has an insight row once ranked).
  await insertMany(db, "CustomerInsight", [["customerId", "text"]], customerIds.map((id) => [id]), {
    constants: [["shop", "text", shop], ["pushNeeded", "bool", true], ["updatedAt", "date", new Date()]],
    conflict: `ON CONFLICT ("shop", "customerId") DO UPDATE SET "pushNeeded" = excluded."pushNeeded", "updatedAt" = excluded."updatedAt"`,
  });
}

/**
 * A segment's members (among `customerIds`, or all). Raw SQL: Prisma's findMany cost 25-40 ms here on SQLite
 * for a one-customer lookup, most of an incremental update's budget.
 */
async function currentMembers(db: Db, segmentId: string, customerIds?: readonly string[]): Promise<Set<string>> {
  const [segmentMark] = placeholders(providerOf(db), 1);
  const rows = await selectRowsByIds(db, [["customerId", "text"]], customerIds, `"customerId"`, (filter) => ({ sql: `SELECT "customerId" FROM "SegmentMember" WHERE "segmentId" = ${segmentMark}${filter}`, params: [segmentId] }));
  return new Set(rows.map(([id]) => id as string));
}

export interface MembershipSummary {
  entered: number;
  left: number;
  /** Segments left as they were because their saved rules no longer compile (say, an amount in cents after the shop's currency became JPY). */
  skipped: string[];
  /** Customers whose memberships changed (their Shopify copy is behind). */
  changedIds: string[];
}

const MEMBER_COLUMNS: Columns = [
  ["segmentId", "text"],
  ["customerId", "text"],
];
const FLOW_COLUMNS: Columns = [
  ["customerId", "text"],
  ["payload", "text"],
];

/**
 * Brings segment membership up to date for some customers (or all) and some segments (or all):
 * who now matches enters (enteredAt = now, and a "customer-entered-segment" Flow event unless
 * quiet), who no longer matches leaves. Their insights are marked for the push.
 */
export async function refreshMemberships(db: Db, { shop, now = new Date(), customerIds, segmentIds, quiet = false }: { shop: string; now?: Date; customerIds?: readonly string[]; segmentIds?: readonly string[]; quiet?: boolean }): Promise<MembershipSummary> {
  const segments = await db.segment.findMany({ where: { shop, deletedAt: null, ...(segmentIds ? { id: { in: [...segmentIds] } } : {}) }, orderBy: { createdAt: "asc" } });
  const summary: MembershipSummary = { entered: 0, left: 0, skipped: [], changedIds: [] };
  if (segments.length === 0 || customerIds?.length === 0) return summary;
  const { currencyCode } = await shopTerms(db, shop);
  const changed = new Set<string>();
  for (const segment of segments) {
    let matching: Set<string>;
    try {
      const rules = parseSegmentRules(JSON.parse(segment.rules));
      matching = new Set(await selectSegmentCustomerIds(db, { shop, rules, now, currencyCode, customerIds: customerIds ? [...customerIds] : undefined }));
    } catch (error) {
      // One broken segment must not stop the others (or the job's retries would stop them all); its page shows the error.
      if (!(error instanceof SegmentRulesError)) throw error;
      console.warn(`[segments] ${shop}: segment ${segment.id} (${segment.name}) kept as it was: ${error.message}`);
      summary.skipped.push(segment.id);
      continue;
    }
    const current = await currentMembers(db, segment.id, customerIds);
    const entered = [...matching].filter((id) => !current.has(id));
    const left = [...current].filter((id) => !matching.has(id));
    await insertMany(db, "SegmentMember", MEMBER_COLUMNS, entered.map((id) => [segment.id, id]), { constants: [["shop", "text", shop], ["enteredAt", "date", now]] });
    for (let start = 0; start < left.length; start += CHUNK) await db.segmentMember.deleteMany({ where: { segmentId: segment.id, customerId: { in: left.slice(start, start + CHUNK) } } });
    if (!quiet) {
      const payload = (id: string) => JSON.stringify({ customer_id: Number(numericId(id)), segment: segment.name });
      await insertMany(db, "FlowEvent", FLOW_COLUMNS, entered.map((id) => [id, payload(id)]), { constants: [["shop", "text", shop], ["handle", "text", "customer-entered-segment"], ["createdAt", "date", now]] });
    }
    if (entered.length > 0 || left.length > 0 || segment.countedAt === null) {
      const memberCount = await db.segmentMember.count({ where: { segmentId: segment.id } });
      await db.segment.update({ where: { id: segment.id }, data: { memberCount, countedAt: now } });
    }
    summary.entered += entered.length;
    summary.left += left.length;
    for (const id of [...entered, ...left]) changed.add(id);
  }
  summary.changedIds = [...changed];
  await markForPush(db, shop, summary.changedIds);
  return summary;
}

export interface SegmentListItem {
  id: string;
  name: string;
  description: string | null;
  template: string | null;
  tagName: string | null;
  memberCount: number;
  updatedAt: Date;
  createdByName: string | null;
}

export async function listSegments({ shop, db = prisma }: { shop: string; db?: PrismaClient }): Promise<SegmentListItem[]> {
  return db.segment.findMany({ where: { shop, deletedAt: null }, orderBy: { name: "asc" }, select: { id: true, name: true, description: true, template: true, tagName: true, memberCount: true, updatedAt: true, createdByName: true } });
}

export async function getSegment({ shop, id, db = prisma }: { shop: string; id: string; db?: PrismaClient }) {
  const segment = await db.segment.findFirst({ where: { id, shop, deletedAt: null } });
  if (!segment) return null;
  return { ...segment, rules: parseSegmentRules(JSON.parse(segment.rules)) };
}

/** The named segments a customer is in, with the day they entered (profile card, admin panel). */
export async function segmentsOfCustomer({ shop, customerId, db = prisma }: { shop: string; customerId: string; db?: PrismaClient }) {
  const members = await db.segmentMember.findMany({ where: { shop, customerId }, select: { segmentId: true, enteredAt: true } });
  if (members.length === 0) return [];
  const segments = await db.segment.findMany({ where: { shop, deletedAt: null, id: { in: members.map((member) => member.segmentId) } }, select: { id: true, name: true } });
  const entered = new Map(members.map((member) => [member.segmentId, member.enteredAt]));
  return segments.map((segment) => ({ id: segment.id, name: segment.name, enteredAt: entered.get(segment.id)! })).sort((a, b) => a.name.localeCompare(b.name));
}

// Members per page of the CSV: their ids are bound one value each, and Prisma binds at most 999 on
// SQLite (at 1,000 a segment of 1,000 members or more could not be exported there).
const EXPORT_PAGE = 500;

/** A segment's members as CSV lines (the customers export's columns, then RFM segment and the day they entered), in id order. */
export async function* segmentCsvLines({ shop, segmentId, db = prisma }: { shop: string; segmentId: string; db?: PrismaClient }) {
  const staff = await staffNames(db, shop);
  yield `\uFEFF${csvLine([...CUSTOMER_CSV_HEADER, "RFM segment", "Entered segment"])}`;
  let after: string | undefined;
  for (;;) {
    const members = await db.segmentMember.findMany({ where: { shop, segmentId, ...(after ? { customerId: { gt: after } } : {}) }, orderBy: { customerId: "asc" }, take: EXPORT_PAGE });
    if (members.length === 0) return;
    after = members.at(-1)!.customerId;
    const ids = members.map((member) => member.customerId);
    const [customers, insights] = await Promise.all([
      db.customer.findMany({ where: { shop, shopifyId: { in: ids }, deletedAt: null } }),
      db.customerInsight.findMany({ where: { shop, customerId: { in: ids } }, select: { customerId: true, rfmSegment: true } }),
    ]);
    const byId = new Map(customers.map((customer) => [customer.shopifyId, customer]));
    const rfmOf = new Map(insights.map((insight) => [insight.customerId, insight.rfmSegment]));
    yield members
      .flatMap((member) => {
        const customer = byId.get(member.customerId);
        if (!customer) return [];
        const rfm = rfmOf.get(member.customerId);
        return [csvLine([...customerCsvFields(customer, staff), rfm ? RFM_SEGMENT_NAMES[rfm as RfmSegment] : null, member.enteredAt.toISOString().slice(0, 10)])];
      })
      .join("");
  }
}

const PRODUCT_CHOICES = 500;

/** What the builder offers for option fields: the program's tiers, the shop's customers' countries, its staff, its products. */
export async function builderChoices({ shop, db = prisma }: { shop: string; db?: PrismaClient }) {
  const [{ program }, countries, staff, products] = await Promise.all([
    currentProgram(db, shop),
    db.customer.findMany({ where: { shop, deletedAt: null, countryCode: { not: null } }, distinct: ["countryCode"], select: { countryCode: true }, orderBy: { countryCode: "asc" } }),
    listStaff({ shop, db }),
    db.product.findMany({ where: { shop, deletedAt: null, isGiftCard: false }, select: { shopifyId: true, title: true }, orderBy: { title: "asc" }, take: PRODUCT_CHOICES }),
  ]);
  return {
    loyaltyTiers: program.tiers.map((tier) => ({ value: tier.key, label: tier.name })),
    countries: countries.flatMap((row) => (row.countryCode ? [row.countryCode] : [])),
    staff: staff.map((member) => ({ value: member.userId, label: member.name })),
    products: products.map((product) => ({ value: product.shopifyId, label: product.title })),
  };
}
