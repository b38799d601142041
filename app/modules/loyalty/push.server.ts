// Back to Shopify (decision 010): members whose state changed get their app-owned metafields
// written (metafieldsSet, at most 25 per call, through the throttled Admin client), and the Flow
// outbox is sent (flowTriggerReceive). Both are idempotent: a metafield is set to the current state,
// a Flow event is marked sent once Shopify took it.
import type { PrismaClient } from "../../db.server";
import { changeCustomerTags, splitTags } from "../customers/customer-tags.server";
import { adminGraphql, type AdminGraphql, type UserError } from "../shopify/admin-graphql.server";
import type { Program } from "./program";
import { currentProgram, shopTerms, type ShopTerms } from "./program.server";
import { basisUnit, progressToNext } from "./tier-rules";

const METAFIELDS_SET = `#graphql
  mutation LoyaltyMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { key }
      userErrors { field message code elementIndex }
    }
  }`;

const FLOW_TRIGGER = `#graphql
  mutation LoyaltyFlowTrigger($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors { field message }
    }
  }`;

/** Keys of the app-owned customer metafields (namespace `$app`, declared in shopify.app.toml). */
export const METAFIELD_KEYS = { tier: "loyalty_tier", points: "loyalty_points", status: "loyalty_status" } as const;
const PER_CALL = 25;
const FIELDS_PER_MEMBER = 3;

export interface MemberForStatus {
  tierKey: string | null;
  metric: bigint;
  pointsBalance: number;
  tierSince: Date | null;
}

/** What the storefront block renders, from the member and the program: no request to the app. */
export function loyaltyStatus(member: MemberForStatus, program: Program, terms: Pick<ShopTerms, "currencyCode" | "exponent">) {
  const tier = program.tiers.find((candidate) => candidate.key === member.tierKey) ?? null;
  const progress = progressToNext(program.tiers, member.tierKey, member.metric);
  const unit = basisUnit(program.basis);
  // Liquid's money filters take hundredths of the currency unit whatever its decimals.
  const remaining = unit === "money" ? scaleToHundredths(progress.remaining, terms.exponent) : Number(progress.remaining);
  return {
    v: 1,
    tier: tier ? { name: tier.name, color: tier.color, perks: tier.perks } : null,
    next: progress.next ? { name: progress.next.name, remaining, unit } : null,
    progress: Math.round(progress.ratio * 100),
    points: member.pointsBalance,
    points_enabled: program.points.enabled,
    since: member.tierSince?.toISOString().slice(0, 10) ?? null,
  };
}

function scaleToHundredths(minor: bigint, exponent: number): number {
  if (exponent === 2) return Number(minor);
  if (exponent < 2) return Number(minor * 10n ** BigInt(2 - exponent));
  const divisor = 10n ** BigInt(exponent - 2);
  return Number((minor + divisor - 1n) / divisor); // round up: never promise less than is missing
}

export interface PushResult {
  members: number;
  calls: number;
  skipped: number;
  flowEvents: number;
  tagged: number;
}

/** The tag a member of `tierName` carries when the program tags members ("Tier: Gold"). */
export const TIER_TAG_PREFIX = "Tier: ";
export const tierTag = (tierName: string) => `${TIER_TAG_PREFIX}${tierName}`;

/**
 * Tags each member with their tier and removes tags of other tiers, in Shopify (tagsAdd /
 * tagsRemove) and then in the archive; members already tagged right cost no call. Tags are
 * Shopify's: a tag only the archive knew would be lost at the next sync.
 */
async function tagMembers({ db, shop, admin, members, program }: { db: PrismaClient; shop: string; admin: AdminGraphql; members: Array<{ customerId: string; tierKey: string | null }>; program: Program }): Promise<number> {
  const customers = await db.customer.findMany({ where: { shop, shopifyId: { in: members.map((member) => member.customerId) }, deletedAt: null }, select: { shopifyId: true, tags: true } });
  const tagsOf = new Map(customers.map((customer) => [customer.shopifyId, splitTags(customer.tags)]));
  let tagged = 0;
  for (const member of members) {
    const tags = tagsOf.get(member.customerId);
    if (!tags) continue;
    const tier = program.tiers.find((candidate) => candidate.key === member.tierKey);
    const wanted = tier ? tierTag(tier.name) : null;
    const stale = tags.filter((tag) => tag.startsWith(TIER_TAG_PREFIX) && tag !== wanted);
    const missing = wanted !== null && !tags.includes(wanted) ? [wanted] : [];
    if (stale.length === 0 && missing.length === 0) continue;
    await changeCustomerTags({ db, shop, admin, customerId: member.customerId, tags, remove: stale, add: missing });
    tagged++;
  }
  return tagged;
}

/** Pushes up to `limit` members and the Flow outbox; returns what it did (call again while members > 0). */
export async function pushLoyalty({ db, shop, admin, limit = 400 }: { db: PrismaClient; shop: string; admin: AdminGraphql; limit?: number }): Promise<PushResult> {
  const result: PushResult = { members: 0, calls: 0, skipped: 0, flowEvents: 0, tagged: 0 };
  const { program, version } = await currentProgram(db, shop);
  const terms = await shopTerms(db, shop);
  // Behind: changed since the last push, or written under an older program (a saved change rewrites
  // everyone's status). Only evaluated members: a row a webhook marked for a customer the archive
  // does not hold yet has nothing to say.
  const members = await db.loyaltyMember.findMany({ where: { shop, evaluatedAt: { not: null }, OR: [{ pushNeeded: true }, { programVersion: { lt: version } }] }, orderBy: { customerId: "asc" }, take: limit });
  const perCall = Math.floor(PER_CALL / FIELDS_PER_MEMBER);
  for (let start = 0; start < members.length; start += perCall) {
    let batch = members.slice(start, start + perCall);
    while (batch.length > 0) {
      const inputs = batch.flatMap((member) => {
        const status = loyaltyStatus(member, program, terms);
        return [
          { ownerId: member.customerId, namespace: "$app", key: METAFIELD_KEYS.tier, type: "single_line_text_field", value: status.tier?.name ?? "-" },
          { ownerId: member.customerId, namespace: "$app", key: METAFIELD_KEYS.points, type: "number_integer", value: String(member.pointsBalance) },
          { ownerId: member.customerId, namespace: "$app", key: METAFIELD_KEYS.status, type: "json", value: JSON.stringify(status) },
        ];
      });
      const answer = await adminGraphql<{ metafieldsSet: { userErrors: Array<UserError & { elementIndex?: number | null }> } }>({ shop, admin }, METAFIELDS_SET, { metafields: inputs });
      result.calls++;
      const errors = answer.metafieldsSet.userErrors;
      if (errors.length === 0) {
        if (program.tagMembers) result.tagged += await tagMembers({ db, shop, admin, members: batch, program });
        for (const member of batch) {
          // Written under this version; and up to date only if nothing changed since it was read (a newer evaluation pushes again).
          await db.loyaltyMember.updateMany({ where: { shop, customerId: member.customerId }, data: { programVersion: version } });
          await db.loyaltyMember.updateMany({ where: { shop, customerId: member.customerId, evaluatedAt: member.evaluatedAt }, data: { pushNeeded: false } });
        }
        result.members += batch.length;
        break;
      }
      // The call is atomic: drop the members it refused (e.g. a customer deleted in Shopify) and retry the rest.
      const refused = new Set(errors.map((error) => (typeof error.elementIndex === "number" ? Math.floor(error.elementIndex / FIELDS_PER_MEMBER) : -1)));
      if (refused.has(-1)) throw new Error(`metafieldsSet refused the batch: ${errors.map((error) => error.message).join("; ")}`);
      const dropped = batch.filter((_, index) => refused.has(index));
      for (const member of dropped) await db.loyaltyMember.updateMany({ where: { shop, customerId: member.customerId }, data: { pushNeeded: false, programVersion: version } });
      result.skipped += dropped.length;
      batch = batch.filter((_, index) => !refused.has(index));
    }
  }
  result.flowEvents = await sendFlowEvents({ db, shop, admin });
  return result;
}

/** Sends the shop's unsent Flow events, oldest first. */
export async function sendFlowEvents({ db, shop, admin, limit = 200 }: { db: PrismaClient; shop: string; admin: AdminGraphql; limit?: number }): Promise<number> {
  const events = await db.flowEvent.findMany({ where: { shop, sentAt: null }, orderBy: { id: "asc" }, take: limit });
  let sent = 0;
  for (const event of events) {
    const answer = await adminGraphql<{ flowTriggerReceive: { userErrors: UserError[] } }>({ shop, admin }, FLOW_TRIGGER, { handle: event.handle, payload: JSON.parse(event.payload) });
    const errors = answer.flowTriggerReceive.userErrors;
    // A refused event is kept with its error rather than retried forever: Flow would refuse it again.
    await db.flowEvent.update({ where: { id: event.id }, data: { sentAt: new Date(), attempts: { increment: 1 }, error: errors.length ? errors.map((error) => error.message).join("; ") : null } });
    if (errors.length === 0) sent++;
  }
  return sent;
}
