// Segments back to Shopify (decision 011): a customer whose RFM segment or custom segments changed
// gets the app-owned metafields `$app.rfm_segment` and `$app.segments` written (metafieldsSet, 25
// per call, through the throttled Admin client), and the tags of tagged segments added or removed.
// Shopify's segment editor, Shopify Email and Flow can then select on them. Idempotent: a metafield
// is set to the current state, and a customer's mark is cleared only if nothing changed meanwhile.
import type { PrismaClient } from "../../db.server";
import { changeCustomerTags, splitTags } from "../customers/customer-tags.server";
import { sendFlowEvents } from "../loyalty/push.server";
import { adminGraphql, type AdminGraphql, type UserError } from "../shopify/admin-graphql.server";
import type { RfmSegment } from "./rfm";

const METAFIELDS_SET = `#graphql
  mutation SegmentMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { key }
      userErrors { field message code elementIndex }
    }
  }`;

/** Keys of the app-owned customer metafields (namespace `$app`, declared in shopify.app.toml). */
export const SEGMENT_METAFIELD_KEYS = { rfm: "rfm_segment", segments: "segments" } as const;
const PER_CALL = 25;
const FIELDS_PER_CUSTOMER = 2;

/** The English names Shopify's copy carries: what a merchant types in Shopify's segment editor. */
export const RFM_SEGMENT_NAMES: Record<RfmSegment, string> = {
  champions: "Champions",
  loyal: "Loyal",
  potentialLoyalist: "Potential loyalist",
  new: "New",
  promising: "Promising",
  needAttention: "Need attention",
  aboutToSleep: "About to sleep",
  atRisk: "At risk",
  cantLose: "Can't lose them",
  hibernating: "Hibernating",
  lost: "Lost",
};

export interface SegmentPushResult {
  customers: number;
  calls: number;
  skipped: number;
  tagged: number;
  flowEvents: number;
}

/** Pushes up to `limit` marked customers and the Flow outbox; call again while customers > 0. */
export async function pushSegments({ db, shop, admin, limit = 400 }: { db: PrismaClient; shop: string; admin: AdminGraphql; limit?: number }): Promise<SegmentPushResult> {
  const result: SegmentPushResult = { customers: 0, calls: 0, skipped: 0, tagged: 0, flowEvents: 0 };
  const marked = await db.customerInsight.findMany({ where: { shop, pushNeeded: true, computedAt: { not: null } }, orderBy: { customerId: "asc" }, take: limit, select: { customerId: true, rfmSegment: true, updatedAt: true } });
  if (marked.length > 0) {
    const ids = marked.map((row) => row.customerId);
    const segments = await db.segment.findMany({ where: { shop }, select: { id: true, name: true, tagName: true, retiredTags: true, deletedAt: true } });
    const live = new Map(segments.filter((segment) => !segment.deletedAt).map((segment) => [segment.id, segment]));
    // Any tag a segment ever carried is the app's to remove (a deleted or renamed segment's too).
    const segmentTags = new Set(segments.flatMap((segment) => [...(segment.tagName ? [segment.tagName] : []), ...splitTags(segment.retiredTags)].map((tag) => tag.toLowerCase())));
    const memberships = await db.segmentMember.findMany({ where: { shop, customerId: { in: ids } }, select: { customerId: true, segmentId: true } });
    const customers = await db.customer.findMany({ where: { shop, shopifyId: { in: ids }, deletedAt: null }, select: { shopifyId: true, tags: true } });
    const tagsOf = new Map(customers.map((customer) => [customer.shopifyId, splitTags(customer.tags)]));
    const segmentsOf = new Map<string, Array<{ name: string; tagName: string | null }>>();
    for (const membership of memberships) {
      const segment = live.get(membership.segmentId);
      if (segment) segmentsOf.set(membership.customerId, [...(segmentsOf.get(membership.customerId) ?? []), segment]);
    }
    // A customer deleted in Shopify (or not in the archive) has nothing to receive.
    const gone = marked.filter((row) => !tagsOf.has(row.customerId));
    for (const row of gone) await db.customerInsight.updateMany({ where: { shop, customerId: row.customerId, updatedAt: row.updatedAt }, data: { pushNeeded: false } });
    result.skipped += gone.length;
    const perCall = Math.floor(PER_CALL / FIELDS_PER_CUSTOMER);
    const pending = marked.filter((row) => tagsOf.has(row.customerId));
    for (let start = 0; start < pending.length; start += perCall) {
      let batch = pending.slice(start, start + perCall);
      while (batch.length > 0) {
        const inputs = batch.flatMap((row) => [
          { ownerId: row.customerId, namespace: "$app", key: SEGMENT_METAFIELD_KEYS.rfm, type: "single_line_text_field", value: row.rfmSegment ? RFM_SEGMENT_NAMES[row.rfmSegment as RfmSegment] : "-" },
          { ownerId: row.customerId, namespace: "$app", key: SEGMENT_METAFIELD_KEYS.segments, type: "list.single_line_text_field", value: JSON.stringify((segmentsOf.get(row.customerId) ?? []).map((segment) => segment.name).sort()) },
        ]);
        const answer = await adminGraphql<{ metafieldsSet: { userErrors: Array<UserError & { elementIndex?: number | null }> } }>({ shop, admin }, METAFIELDS_SET, { metafields: inputs });
        result.calls++;
        const errors = answer.metafieldsSet.userErrors;
        if (errors.length === 0) break;
        // The call is atomic: drop the customers it refused and retry the rest.
        const refused = new Set(errors.map((error) => (typeof error.elementIndex === "number" ? Math.floor(error.elementIndex / FIELDS_PER_CUSTOMER) : -1)));
        if (refused.has(-1)) throw new Error(`metafieldsSet refused the batch: ${errors.map((error) => error.message).join("; ")}`);
        for (const row of batch.filter((_, index) => refused.has(index))) await db.customerInsight.updateMany({ where: { shop, customerId: row.customerId }, data: { pushNeeded: false } });
        result.skipped += refused.size;
        batch = batch.filter((_, index) => !refused.has(index));
      }
      for (const row of batch) {
        const tags = tagsOf.get(row.customerId)!;
        const wanted = [...new Set((segmentsOf.get(row.customerId) ?? []).flatMap((segment) => (segment.tagName ? [segment.tagName] : [])))];
        const wantedLower = new Set(wanted.map((tag) => tag.toLowerCase()));
        const present = new Set(tags.map((tag) => tag.toLowerCase()));
        const stale = tags.filter((tag) => segmentTags.has(tag.toLowerCase()) && !wantedLower.has(tag.toLowerCase()));
        const missing = wanted.filter((tag) => !present.has(tag.toLowerCase()));
        if (stale.length > 0 || missing.length > 0) {
          await changeCustomerTags({ db, shop, admin, customerId: row.customerId, tags, remove: stale, add: missing });
          result.tagged++;
        }
        // Up to date only if nothing changed since it was read (a newer change pushes again).
        await db.customerInsight.updateMany({ where: { shop, customerId: row.customerId, updatedAt: row.updatedAt }, data: { pushNeeded: false } });
        result.customers++;
      }
    }
  }
  result.flowEvents = await sendFlowEvents({ db, shop, admin });
  return result;
}
