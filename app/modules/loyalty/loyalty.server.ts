// What staff do with the loyalty program (decision 010): change the program (with its impact
// shown first, applied in one step), override a member's tier, adjust points; and what the admin
// pages read. Every write is audited.
import { prisma, type Prisma, type PrismaClient } from "../../db.server";
import { writeAudit } from "../audit/audit.server";
import { placeholders, providerOf, selectRows } from "../db/provider.server";
import type { Actor } from "../staff/staff.server";
import { evaluateMembers, liveCustomers, loadFigures, memberStanding } from "./evaluate.server";
import { markInsightsDirty } from "../segments/insights.server";
import { queueSegmentsRecompute, queueSegmentsUpdate } from "../segments/segment-jobs.server";
import { queueLoyaltyPush } from "./loyalty-jobs.server";
import { programSchema, type Program } from "./program";
import { currentProgram, shopTerms, type ProgramVersion } from "./program.server";
import { decideMovement, progressToNext, qualifiedTier, qualifyingMetric } from "./tier-rules";

export type LoyaltyErrorCode = "reasonRequired" | "reasonTooLong" | "noCustomer" | "noTier" | "pointsInvalid" | "pointsTooMany" | "belowZero" | "invalidProgram";

/** A refused staff action; `code` names it for the page's translations, the message says it in English. */
export class LoyaltyError extends Error {
  override name = "LoyaltyError";
  constructor(
    readonly code: LoyaltyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const TRANSACTION = { timeout: 10 * 60_000, maxWait: 60_000 };

export interface ImpactMove {
  customerId: string;
  name: string | null;
  from: string | null;
  to: string | null;
}

export interface Impact {
  up: number;
  down: number;
  /** Of `down`: moves that wait for the grace period. */
  downAfterGrace: number;
  unchanged: number;
  /** Up to `limit` of each direction, largest change first. */
  moves: { up: ImpactMove[]; down: ImpactMove[] };
  /** Members per tier key after the change (immediately). */
  distribution: Record<string, number>;
}

/**
 * What saving `draft` would do to the members, without writing anything: the same figures and
 * rules the save uses. Points-based tiers see the ledger as it is (a changed earn rate affects
 * future orders only).
 */
export async function previewProgram({ shop, draft, limit = 50, db = prisma, now = new Date() }: { shop: string; draft: Program; limit?: number; db?: PrismaClient; now?: Date }): Promise<Impact> {
  const terms = await shopTerms(db, shop);
  const [figures, customers, members, { program: current }] = await Promise.all([loadFigures(db, shop, draft, terms, now), liveCustomers(db, shop, undefined), memberStanding(db, shop), currentProgram(db, shop, now)]);
  const rank = (program: Program, key: string | null) => (key === null ? -1 : program.tiers.findIndex((tier) => tier.key === key));
  const name = (program: Program, key: string | null) => program.tiers.find((tier) => tier.key === key)?.name ?? null;
  const impact: Impact = { up: 0, down: 0, downAfterGrace: 0, unchanged: 0, moves: { up: [], down: [] }, distribution: Object.fromEntries(draft.tiers.map((tier) => [tier.key, 0])) };
  type Move = { customerId: string; from: string | null; to: string | null; span: number };
  const up: Move[] = [];
  const down: Move[] = [];
  for (const customer of customers) {
    const member = members.get(customer.id);
    const figure = figures.get(customer.id) ?? { current: 0n, previous: 0n };
    const qualified = qualifiedTier(draft.tiers, qualifyingMetric(draft.window, figure))?.key ?? null;
    const state = { tierKey: member?.tierKey ?? null, downgradeDueAt: member?.downgradeDueAt ?? null, overrideKey: member?.overrideKey ?? null };
    const movement = decideMovement(state, qualified, draft, now);
    if (movement.tierKey) impact.distribution[movement.tierKey] = (impact.distribution[movement.tierKey] ?? 0) + 1;
    // Where the member ends up, a downgrade after its grace included: that is what the merchant decides on.
    const target = movement.downgradeDueAt && !movement.change ? qualified : movement.tierKey;
    // Compared by key in the draft, so an added or renamed tier is not a move; a removed tier by its place in the current program.
    const kept = state.tierKey !== null && rank(draft, state.tierKey) >= 0;
    const before = state.tierKey === null ? -1 : kept ? rank(draft, state.tierKey) : rank(current, state.tierKey);
    const after = target === null ? -1 : kept || state.tierKey === null ? rank(draft, target) : rank(current, target) >= 0 ? rank(current, target) : rank(draft, target);
    const move = { customerId: customer.id, from: name(current, state.tierKey) ?? state.tierKey, to: name(draft, target), span: Math.abs(after - before) };
    if (target === state.tierKey) impact.unchanged++;
    else if (after >= before) {
      impact.up++;
      up.push(move);
    } else {
      impact.down++;
      if (movement.downgradeDueAt) impact.downAfterGrace++;
      down.push(move);
    }
  }
  // Names only for the customers listed: the largest moves first.
  const top = (moves: Move[]) => moves.sort((a, b) => b.span - a.span || (a.customerId < b.customerId ? -1 : 1)).slice(0, limit);
  const listed = [...top(up), ...top(down)];
  const names = new Map((await db.customer.findMany({ where: { shop, shopifyId: { in: listed.map((move) => move.customerId) } }, select: { shopifyId: true, displayName: true } })).map((row) => [row.shopifyId, row.displayName]));
  const named = (moves: Move[]) => moves.slice(0, limit).map(({ span: _span, ...move }) => ({ ...move, name: names.get(move.customerId) ?? null }));
  impact.moves = { up: named(up), down: named(down) };
  return impact;
}

/** Saves `draft` as the next version and moves every member under it, in one transaction. */
export async function saveProgram({ actor, draft, db = prisma, now = new Date() }: { actor: Actor; draft: unknown; db?: PrismaClient; now?: Date }): Promise<ProgramVersion & { summary: Awaited<ReturnType<typeof evaluateMembers>> }> {
  const parsed = programSchema.safeParse(draft);
  if (!parsed.success) throw new LoyaltyError("invalidProgram", parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "));
  const program = parsed.data;
  const shop = actor.shop;
  const saved = await db.$transaction(async (tx) => {
    const previous = await currentProgram(tx, shop, now);
    const version = previous.version + 1;
    const row = await tx.loyaltyProgram.create({ data: { shop, version, settings: JSON.stringify(program), createdById: actor.userId, createdByName: actor.name, createdAt: now } });
    // Orders are settled again only when the change decides which orders earn (a new earn rate
    // applies to orders from now on; settled orders keep theirs).
    const settlePoints = previous.program.points.enabled !== program.points.enabled || previous.program.points.from !== program.points.from;
    const summary = await evaluateMembers(tx, { shop, now, settlePoints, programVersion: { version, program, createdAt: row.createdAt, createdByName: actor.name }, actor: { type: "staff", id: actor.userId, name: actor.name } });
    await writeAudit(tx, { shop, actorType: "staff", actorId: actor.userId, actorName: actor.name, action: "loyalty.program_changed", subjectType: "loyalty-program", subjectId: String(version), before: previous.program, after: program });
    return { version, program, createdAt: row.createdAt, createdByName: actor.name, summary };
  }, TRANSACTION);
  await queueLoyaltyPush(shop);
  // Tiers are segment fields: every segment is refreshed once the members moved.
  await queueSegmentsRecompute(shop, "sweep");
  return saved;
}

/** A staff action's reason, trimmed: required, at most 500 characters. */
function staffReason(reason: string): string {
  const why = reason.trim();
  if (!why) throw new LoyaltyError("reasonRequired", "A reason is required");
  if (why.length > 500) throw new LoyaltyError("reasonTooLong", "The reason is too long (500 characters at most)");
  return why;
}

/** A live (not deleted, not redacted) customer of the shop, or LoyaltyError. */
async function requireLiveCustomer(tx: Prisma.TransactionClient, shop: string, customerId: string) {
  const customer = await tx.customer.findFirst({ where: { shop, shopifyId: customerId, deletedAt: null, redactedAt: null }, select: { shopifyId: true } });
  if (!customer) throw new LoyaltyError("noCustomer", "No such customer");
}

/** Sets (tierKey) or removes (null) a staff override of a customer's tier; a reason is required either way. */
export async function overrideTier({ actor, customerId, tierKey, reason, db = prisma, now = new Date() }: { actor: Actor; customerId: string; tierKey: string | null; reason: string; db?: PrismaClient; now?: Date }) {
  const why = staffReason(reason);
  const shop = actor.shop;
  const result = await db.$transaction(async (tx) => {
    await requireLiveCustomer(tx, shop, customerId);
    const { program, version } = await currentProgram(tx, shop, now);
    if (tierKey !== null && !program.tiers.some((tier) => tier.key === tierKey)) throw new LoyaltyError("noTier", "No such tier");
    const before = await tx.loyaltyMember.findUnique({ where: { shop_customerId: { shop, customerId } } });
    const override = tierKey === null ? { overrideKey: null, overrideReason: null, overrideById: null, overrideByName: null, overrideAt: null } : { overrideKey: tierKey, overrideReason: why, overrideById: actor.userId, overrideByName: actor.name, overrideAt: now };
    await tx.loyaltyMember.upsert({ where: { shop_customerId: { shop, customerId } }, create: { shop, customerId, ...override }, update: override });
    const staff = { type: "staff" as const, id: actor.userId, name: actor.name };
    const summary = await evaluateMembers(tx, { shop, customerIds: [customerId], now, actor: staff, change: { reason: tierKey === null ? "override-removed" : "override", note: why } });
    const after = await tx.loyaltyMember.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId } } });
    // The reason goes on the tier change the override caused (or, when the tier stayed, a record of the override itself).
    if (summary.tierChanges === 0) {
      // The tier stayed (an override of the tier the member has): the override is still recorded in the history.
      const name = (key: string | null) => program.tiers.find((tier) => tier.key === key)?.name ?? key;
      await tx.tierChange.create({ data: { shop, customerId, fromKey: before?.tierKey ?? null, toKey: after.tierKey, fromName: name(before?.tierKey ?? null), toName: name(after.tierKey), reason: tierKey === null ? "override-removed" : "override", programVersion: version, actorType: "staff", actorId: actor.userId, actorName: actor.name, note: why, createdAt: now } });
    }
    await writeAudit(tx, { shop, actorType: "staff", actorId: actor.userId, actorName: actor.name, action: tierKey === null ? "loyalty.override_removed" : "loyalty.tier_overridden", subjectType: "customer", subjectId: customerId, before: { tier: before?.tierKey ?? null, override: before?.overrideKey ?? null }, after: { tier: after.tierKey, override: after.overrideKey, reason: why } });
    await markInsightsDirty(tx, shop, [customerId]);
    return { member: after, summary };
  });
  await queueLoyaltyPush(shop);
  await queueSegmentsUpdate(shop);
  return result;
}

/** A staff adjustment of a customer's points, with a reason; it never takes the balance below 0. */
export async function adjustPoints({ actor, customerId, points, reason, db = prisma, now = new Date() }: { actor: Actor; customerId: string; points: number; reason: string; db?: PrismaClient; now?: Date }) {
  if (!Number.isSafeInteger(points) || points === 0) throw new LoyaltyError("pointsInvalid", "Points must be a whole number other than 0");
  if (Math.abs(points) > 10_000_000) throw new LoyaltyError("pointsTooMany", "That is more points than one adjustment may move");
  const why = staffReason(reason);
  const shop = actor.shop;
  const entry = await db.$transaction(async (tx) => {
    await requireLiveCustomer(tx, shop, customerId);
    // Claim the member row first: on PostgreSQL this locks it, so two adjustments cannot both read the old balance.
    await tx.loyaltyMember.upsert({ where: { shop_customerId: { shop, customerId } }, create: { shop, customerId }, update: { pointsBalance: { increment: 0 } } });
    const member = await tx.loyaltyMember.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId } } });
    const balance = member.pointsBalance + points;
    if (balance < 0) throw new LoyaltyError("belowZero", `The balance is ${member.pointsBalance}: it cannot go below 0`);
    const created = await tx.pointsEntry.create({ data: { shop, customerId, kind: "adjustment", points, balanceAfter: balance, reason: why, actorId: actor.userId, actorName: actor.name, createdAt: now } });
    await tx.loyaltyMember.update({ where: { shop_customerId: { shop, customerId } }, data: { pointsBalance: balance, pushNeeded: true, evaluatedAt: now, ...(points > 0 ? { lastActivityAt: now } : {}) } });
    await tx.flowEvent.create({ data: { shop, handle: "points-changed", customerId, payload: JSON.stringify({ customer_id: Number(customerId.slice(customerId.lastIndexOf("/") + 1)), points: balance, change: points }), createdAt: now } });
    await writeAudit(tx, { shop, actorType: "staff", actorId: actor.userId, actorName: actor.name, action: "loyalty.points_adjusted", subjectType: "customer", subjectId: customerId, before: { points: member.pointsBalance }, after: { points: balance, change: points, reason: why } });
    // Points-based tiers move with the balance's earnings.
    await evaluateMembers(tx, { shop, customerIds: [customerId], now, actor: { type: "staff", id: actor.userId, name: actor.name } });
    await markInsightsDirty(tx, shop, [customerId]);
    return created;
  });
  await queueLoyaltyPush(shop);
  await queueSegmentsUpdate(shop);
  return entry;
}

/** The tier and points card of a customer profile (the tier history is the profile's timeline's); `ledgerTake` 0 reads no ledger. */
export async function memberCard({ shop, customerId, db = prisma, ledgerTake = 20 }: { shop: string; customerId: string; db?: PrismaClient; ledgerTake?: number }) {
  const { program, version } = await currentProgram(db, shop);
  const [member, ledger] = await Promise.all([
    db.loyaltyMember.findUnique({ where: { shop_customerId: { shop, customerId } } }),
    ledgerTake > 0 ? db.pointsEntry.findMany({ where: { shop, customerId }, orderBy: { id: "desc" }, take: ledgerTake }) : Promise.resolve([]),
  ]);
  const tier = program.tiers.find((candidate) => candidate.key === member?.tierKey) ?? null;
  const qualified = program.tiers.find((candidate) => candidate.key === member?.qualifiedKey) ?? null;
  const progress = progressToNext(program.tiers, member?.tierKey ?? null, member?.metric ?? 0n);
  return { program, version, member, tier, qualified, progress, ledger, evaluated: Boolean(member?.evaluatedAt) };
}

/** Members per tier (the tiers page's chart): live customers only, with the count of those in no tier. */
export async function tierDistribution({ shop, db = prisma }: { shop: string; db?: PrismaClient }) {
  const { program } = await currentProgram(db, shop);
  const [shopMark] = placeholders(providerOf(db), 1);
  const rows = await selectRows(
    db,
    [["tierKey", "text"], ["members", "int"]],
    `SELECT m."tierKey", COUNT(*) AS "members" FROM "LoyaltyMember" m JOIN "Customer" c ON c."shop" = m."shop" AND c."shopifyId" = m."customerId" ` +
      `WHERE m."shop" = ${shopMark} AND m."evaluatedAt" IS NOT NULL AND c."deletedAt" IS NULL AND c."redactedAt" IS NULL GROUP BY m."tierKey"`,
    [shop],
  );
  const count = (key: string | null) => Number(rows.find(([tierKey]) => tierKey === key)?.[1] ?? 0);
  return { tiers: program.tiers.map((tier) => ({ key: tier.key, name: tier.name, color: tier.color, members: count(tier.key) })), none: count(null) };
}
