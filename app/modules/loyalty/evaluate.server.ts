// Evaluates members: settles each order's points in the ledger, then judges the tier on the
// figures of the program's window (decision 010). One code path serves a single customer after a
// webhook, the daily sweep, a program change and the full recompute; it reads in a few set-based
// queries, applies the pure rules in memory and writes only what changed.
import type { Prisma, PrismaClient } from "../../db.server";
import { encodeDate, insertMany, placeholders, providerOf, selectRows, selectRowsByIds, type Columns, type SqlProvider } from "../db/provider.server";
import type { PointsRules, Program } from "./program";
import { currentProgram, shopTerms, type Db, type ProgramVersion, type ShopTerms } from "./program.server";
import { decideMovement, orderMovement, orderPointsTarget, pointsExpired, qualifiedTier, qualifyingMetric, windowRange, type Figures, type TierChangeReason } from "./tier-rules";

export interface EvaluationActor {
  type: "staff" | "system";
  id?: string | null;
  name?: string | null;
}

export interface EvaluateOptions {
  shop: string;
  /** These customers only; all the shop's customers when omitted. */
  customerIds?: readonly string[];
  now?: Date;
  /** Evaluate under this program (a change being applied) instead of the stored one. */
  programVersion?: ProgramVersion;
  actor?: EvaluationActor;
  /**
   * The first evaluation after an import: no Flow triggers (they would announce every existing
   * customer) and no "joined" rows in the tier history (placing members is not a change).
   */
  quiet?: boolean;
  /**
   * Settle every order's points against the ledger (default; the database returns only the orders
   * whose award is off). Off for a program change that leaves which orders earn as it was.
   */
  settlePoints?: boolean;
  /** A staff action behind the evaluation (an override): its reason and note go on the tier changes it causes. */
  change?: { reason: TierChangeReason; note: string };
}

export interface EvaluateSummary {
  evaluated: number;
  tierChanges: number;
  pointsEntries: number;
  /** Members whose Shopify metafields are now behind. */
  pushNeeded: number;
}

type Member = Prisma.LoyaltyMemberGetPayload<object>;

interface CustomerRow {
  id: string;
  createdAt: Date;
  firstOrderAt: Date | null;
}

interface PointsOrder {
  id: string;
  customerId: string;
  subtotalMinor: bigint;
  refundedMinor: bigint;
  cancelled: boolean;
  test: boolean;
  processedAt: Date;
  /** What the ledger gave the order so far, and at which rate; null when it never earned. */
  settled: { awarded: number; perUnit: number | null } | null;
}

const CHUNK = 500;
const EPOCH = new Date(0).toISOString();

/** Bind marks for a date parameter: PostgreSQL needs the column type. */
const dateMark = (provider: SqlProvider, mark: string) => (provider === "postgresql" ? `${mark}::timestamp(3)` : mark);

const CUSTOMER_COLUMNS: Columns = [
  ["id", "text"],
  ["createdAt", "date"],
  ["firstOrderAt", "date"],
];

export async function liveCustomers(db: Db, shop: string, ids: readonly string[] | undefined): Promise<CustomerRow[]> {
  const [shopMark] = placeholders(providerOf(db), 1);
  const rows = await selectRowsByIds(db, CUSTOMER_COLUMNS, ids, `"shopifyId"`, (filter) => ({
    sql: `SELECT "shopifyId" AS "id", "shopifyCreatedAt" AS "createdAt", "firstOrderAt" FROM "Customer" WHERE "shop" = ${shopMark} AND "deletedAt" IS NULL AND "redactedAt" IS NULL${filter}`,
    params: [shop],
  }));
  return rows.map(([id, createdAt, firstOrderAt]) => ({ id: id as string, createdAt: createdAt as Date, firstOrderAt: firstOrderAt as Date | null }));
}

const FIGURE_COLUMNS: Columns = [
  ["id", "text"],
  ["current", "bigint"],
  ["previous", "bigint"],
];

/** The tier figure of each customer with orders (or points) in the window: this window's, and last year's for a calendar year. */
export async function loadFigures(db: Db, shop: string, program: Program, terms: ShopTerms, now: Date, ids?: readonly string[]): Promise<Map<string, Figures>> {
  const provider = providerOf(db);
  const range = windowRange(program.window, now, terms.timeZone);
  // Each use of a value is its own parameter (SQLite's "?" are positional).
  const params: unknown[] = [];
  const bind = (value: unknown, isDate = false) => {
    params.push(isDate ? encodeDate(value as Date, provider) : value);
    const [mark] = placeholders(provider, 1, params.length - 1);
    return isDate ? dateMark(provider, mark!) : mark!;
  };
  const points = program.basis === "points";
  const table = points ? `"PointsEntry"` : `"Order"`;
  const at = points ? `"createdAt"` : `"processedAt"`;
  const value = program.basis === "spend" ? `("totalPriceMinor" - "totalRefundedMinor")` : program.basis === "orders" ? "1" : `"points"`;
  const current = range.start ? `SUM(CASE WHEN ${at} >= ${bind(range.start, true)} THEN ${value} ELSE 0 END)` : `SUM(${value})`;
  const last =
    range.previousStart && range.start ? `SUM(CASE WHEN ${at} >= ${bind(range.previousStart, true)} AND ${at} < ${bind(range.start, true)} THEN ${value} ELSE 0 END)` : "0";
  const filters = points
    ? `"shop" = ${bind(shop)} AND "kind" <> 'expiry'`
    : `"shop" = ${bind(shop)} AND "customerId" IS NOT NULL AND "test" = FALSE AND "cancelledAt" IS NULL AND "deletedAt" IS NULL`;
  const lowest = range.previousStart ?? range.start;
  const since = lowest ? ` AND ${at} >= ${bind(lowest, true)}` : "";
  const rows = await selectRowsByIds(db, FIGURE_COLUMNS, ids, `"customerId"`, (filter) => ({
    sql: `SELECT "customerId" AS "id", ${current} AS "current", ${last} AS "previous" FROM ${table} WHERE ${filters}${since}${filter} GROUP BY "customerId"`,
    params,
  }));
  const figures = new Map<string, Figures>();
  for (const [id, currentValue, previousValue] of rows)
    figures.set(id as string, { current: (currentValue as bigint | null) ?? 0n, previous: (previousValue as bigint | null) ?? 0n });
  return figures;
}

const ORDER_COLUMNS: Columns = [
  ["id", "text"],
  ["customerId", "text"],
  ["subtotal", "bigint"],
  ["refunded", "bigint"],
  ["cancelled", "bool"],
  ["test", "bool"],
  ["processedAt", "date"],
  ["awarded", "bigint"],
  ["perUnit", "int"],
];

/**
 * The orders whose points are not what they are worth now, with what the ledger gave them: the
 * database compares each order's worth (the rule of orderPointsTarget, as SQL) with the sum of
 * its ledger entries, so a recompute reads only what changed - in steady state nothing. Orders
 * count when processed since the program earns, or when already in the ledger (settled orders
 * keep their first rate). The caller decides each returned order with orderPointsTarget itself.
 */
async function unsettledOrders(db: Db, shop: string, rules: PointsRules, exponent: number, ids: readonly string[] | undefined): Promise<PointsOrder[]> {
  const provider = providerOf(db);
  // Parameters in the order they appear in the text (SQLite's "?" are positional); the customers'
  // ids appear twice, in the ledger's subquery (so it reads only their entries) and outside.
  const query = (chunk: readonly string[] | undefined) => {
    const params: unknown[] = [];
    // Numbers are bound as integers on both: Prisma binds a JS number to SQLite as REAL, which turns
    // the integer division below into a fractional one.
    const bind = (value: unknown, type?: "integer" | "bigint" | "timestamp(3)") => {
      params.push(value);
      const mark = placeholders(provider, 1, params.length - 1)[0]!;
      if (!type) return mark;
      return provider === "postgresql" ? `${mark}::${type}` : type === "timestamp(3)" ? mark : `CAST(${mark} AS INTEGER)`;
    };
    const customers = (column: string) => (chunk ? ` AND ${column} IN (${chunk.map((id) => bind(id)).join(", ")})` : "");
    // Each piece is bound as it is written, in the order the text has them.
    const ledger = `SELECT "orderId", SUM("orderDelta") AS "awarded", MAX("perUnit") AS "perUnit" FROM "PointsEntry" WHERE "shop" = ${bind(shop)} AND "orderId" IS NOT NULL${customers(`"customerId"`)} GROUP BY "orderId"`;
    const where = `o."shop" = ${bind(shop)} AND o."customerId" IS NOT NULL AND o."deletedAt" IS NULL${customers(`o."customerId"`)}`;
    const earns = rules.enabled ? `o."processedAt" >= ${bind(encodeDate(new Date(rules.from), provider), "timestamp(3)")}` : "FALSE";
    const net = `(o."subtotalPriceMinor" - o."totalRefundedMinor")`;
    const worth = `CASE WHEN o."cancelledAt" IS NOT NULL OR o."test" = TRUE OR ${net} <= 0 THEN 0 ELSE (${net} * COALESCE(l."perUnit", ${bind(rules.perUnit, "integer")})) / ${bind(10 ** exponent, "bigint")} END`;
    const sql =
      `SELECT o."shopifyId" AS "id", o."customerId", o."subtotalPriceMinor" AS "subtotal", o."totalRefundedMinor" AS "refunded", o."cancelledAt" IS NOT NULL AS "cancelled", o."test", o."processedAt", l."awarded", l."perUnit" ` +
      `FROM "Order" o LEFT JOIN (${ledger}) l ON l."orderId" = o."shopifyId" WHERE ${where} AND (l."orderId" IS NOT NULL OR ${earns}) AND ${worth} <> COALESCE(l."awarded", 0)`;
    return selectRows(db, ORDER_COLUMNS, sql, params);
  };
  let rows: unknown[][] = [];
  if (!ids) rows = await query(undefined);
  else for (let start = 0; start < ids.length; start += CHUNK) rows = rows.concat(await query(ids.slice(start, start + CHUNK)));
  const orders = rows.map(([id, customerId, subtotal, refunded, cancelled, test, processedAt, awarded, perUnit]) => ({
    id: id as string,
    customerId: customerId as string,
    subtotalMinor: subtotal as bigint,
    refundedMinor: refunded as bigint,
    cancelled: cancelled as boolean,
    test: test as boolean,
    processedAt: processedAt as Date,
    settled: awarded === null ? null : { awarded: Number(awarded as bigint), perUnit: perUnit as number | null },
  }));
  return orders.sort((a, b) => a.processedAt.getTime() - b.processedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Per customer: the one-off ledger keys already used (bonuses, expiries). */
async function ledgerKeys(db: Db, shop: string, ids: readonly string[] | undefined): Promise<Map<string, Set<string>>> {
  const [shopMark] = placeholders(providerOf(db), 1);
  const rows = await selectRowsByIds(db, [["customerId", "text"], ["key", "text"]], ids, `"customerId"`, (filter) => ({
    sql: `SELECT "customerId", "key" FROM "PointsEntry" WHERE "shop" = ${shopMark} AND "key" IS NOT NULL${filter}`,
    params: [shop],
  }));
  const keys = new Map<string, Set<string>>();
  for (const [customerId, key] of rows) {
    let set = keys.get(customerId as string);
    if (!set) keys.set(customerId as string, (set = new Set()));
    set.add(key as string);
  }
  return keys;
}

/** Only where each member stands (the impact preview's read). */
export async function memberStanding(db: Db, shop: string): Promise<Map<string, { tierKey: string | null; downgradeDueAt: Date | null; overrideKey: string | null }>> {
  const [shopMark] = placeholders(providerOf(db), 1);
  const rows = await selectRows(db, [["customerId", "text"], ["tierKey", "text"], ["downgradeDueAt", "date"], ["overrideKey", "text"]], `SELECT "customerId", "tierKey", "downgradeDueAt", "overrideKey" FROM "LoyaltyMember" WHERE "shop" = ${shopMark}`, [shop]);
  return new Map(rows.map(([customerId, tierKey, downgradeDueAt, overrideKey]) => [customerId as string, { tierKey: tierKey as string | null, downgradeDueAt: downgradeDueAt as Date | null, overrideKey: overrideKey as string | null }]));
}

export async function loadMembers(db: Db, shop: string, ids: readonly string[] | undefined): Promise<Map<string, Member>> {
  const [shopMark] = placeholders(providerOf(db), 1);
  const columns = MEMBER_COLUMNS.filter(([name]) => name !== "shop");
  const rows = await selectRowsByIds(db, columns, ids, `"customerId"`, (filter) => ({
    sql: `SELECT ${columns.map(([name]) => `"${name}"`).join(", ")} FROM "LoyaltyMember" WHERE "shop" = ${shopMark}${filter}`,
    params: [shop],
  }));
  const members = new Map<string, Member>();
  for (const row of rows) {
    const member = Object.fromEntries(columns.map(([name], index) => [name, row[index]])) as unknown as Member;
    members.set(member.customerId, { ...member, shop });
  }
  return members;
}

// ---------------------------------------------------------------------------------------------
// Writing

const MEMBER_COLUMNS: Columns = [
  ["shop", "text"],
  ["customerId", "text"],
  ["tierKey", "text"],
  ["tierSince", "date"],
  ["qualifiedKey", "text"],
  ["downgradeDueAt", "date"],
  ["overrideKey", "text"],
  ["overrideReason", "text"],
  ["overrideById", "text"],
  ["overrideByName", "text"],
  ["overrideAt", "date"],
  ["metric", "bigint"],
  ["pointsBalance", "int"],
  ["lastActivityAt", "date"],
  ["dirty", "bool"],
  ["pushNeeded", "bool"],
  ["evaluatedAt", "date"],
  ["updatedAt", "date"],
];
// dirty is never overwritten: a webhook may have marked the member since it was read; programVersion
// is the push's to set (a new member starts at 0: never written to Shopify).
const MEMBER_CONFLICT = `ON CONFLICT ("shop", "customerId") DO UPDATE SET ${MEMBER_COLUMNS.filter(([name]) => !["shop", "customerId", "dirty"].includes(name))
  .map(([name]) => `"${name}" = excluded."${name}"`)
  .join(", ")}`;

// shop, actor and time are the same for every row of an evaluation: bound once per statement.
const ENTRY_COLUMNS: Columns = [
  ["customerId", "text"],
  ["kind", "text"],
  ["points", "int"],
  ["balanceAfter", "int"],
  ["orderId", "text"],
  ["orderDelta", "int"],
  ["perUnit", "int"],
  ["key", "text"],
  ["reason", "text"],
];
const CHANGE_COLUMNS: Columns = [
  ["shop", "text"],
  ["customerId", "text"],
  ["fromKey", "text"],
  ["toKey", "text"],
  ["fromName", "text"],
  ["toName", "text"],
  ["reason", "text"],
  ["programVersion", "int"],
  ["actorType", "text"],
  ["actorId", "text"],
  ["actorName", "text"],
  ["note", "text"],
  ["createdAt", "date"],
];
const FLOW_COLUMNS: Columns = [
  ["shop", "text"],
  ["handle", "text"],
  ["customerId", "text"],
  ["payload", "text"],
  ["createdAt", "date"],
];

export type PointsKind = "earn" | "reversal" | "bonus" | "expiry" | "adjustment";

const numericId = (gid: string) => Number(gid.slice(gid.lastIndexOf("/") + 1));

// ---------------------------------------------------------------------------------------------

/**
 * Evaluates members of `shop` (some customers, or all) and writes what changed: ledger entries,
 * member rows, tier changes and the Flow outbox. Run it inside a transaction to make it one step.
 */
export async function evaluateMembers(db: Db, options: EvaluateOptions): Promise<EvaluateSummary> {
  const { shop } = options;
  const now = options.now ?? new Date();
  const actor = options.actor ?? { type: "system" as const };
  const terms = await shopTerms(db, shop);
  const { version, program } = options.programVersion ?? (await currentProgram(db, shop, now));
  const ids = options.customerIds ? [...new Set(options.customerIds)] : undefined;
  const summary: EvaluateSummary = { evaluated: 0, tierChanges: 0, pointsEntries: 0, pushNeeded: 0 };
  if (ids && ids.length === 0) return summary;

  const customers = await liveCustomers(db, shop, ids);
  const members = await loadMembers(db, shop, ids);
  const rules = program.points;
  const from = new Date(rules.from);
  const settle = options.settlePoints ?? true;
  const ledgerKeysOf = await ledgerKeys(db, shop, ids);
  const orders = settle ? await unsettledOrders(db, shop, rules, terms.exponent, ids) : [];
  const ordersOf = new Map<string, PointsOrder[]>();
  for (const order of orders) {
    let list = ordersOf.get(order.customerId);
    if (!list) ordersOf.set(order.customerId, (list = []));
    list.push(order);
  }
  const figures = await loadFigures(db, shop, program, terms, now, ids);
  const tierName = (key: string | null) => program.tiers.find((tier) => tier.key === key)?.name ?? key;

  const entries: unknown[][] = [];
  const changes: unknown[][] = [];
  const flows: unknown[][] = [];
  const memberRows: unknown[][] = [];

  for (const customer of customers) {
    summary.evaluated++;
    const member = members.get(customer.id);
    const keys = ledgerKeysOf.get(customer.id) ?? new Set<string>();
    let balance = member?.pointsBalance ?? 0;
    let lastActivityAt = member?.lastActivityAt ?? null;
    let earnedNow = 0;
    const entry = (kind: PointsKind, points: number, extra: { orderId?: string; orderDelta?: number; perUnit?: number; key?: string; reason?: string }) => {
      balance += points;
      if (points > 0) earnedNow += points;
      if (kind === "earn" || kind === "bonus") lastActivityAt = now;
      entries.push([
        customer.id,
        kind,
        points,
        balance,
        extra.orderId ?? null,
        extra.orderDelta ?? null,
        extra.perUnit ?? null,
        extra.key ?? null,
        extra.reason ?? null,
      ]);
      summary.pointsEntries++;
    };

    // Points: bonuses once each, every order settled to what it is worth now.
    if (rules.enabled && rules.signupBonus > 0 && customer.createdAt >= from && !keys.has("signup")) entry("bonus", rules.signupBonus, { key: "signup", reason: "signup" });
    for (const order of ordersOf.get(customer.id) ?? []) {
      const settled = order.settled ?? undefined;
      const perUnit = settled?.perUnit ?? rules.perUnit;
      // An order in the ledger stays settled at its first rate; a new one earns if the program does.
      const eligible = settled !== undefined || (rules.enabled && order.processedAt >= from);
      const target = eligible ? orderPointsTarget(order, { enabled: true, perUnit, from: EPOCH }, terms.exponent) : 0;
      const movement = orderMovement(settled?.awarded ?? 0, target, balance);
      if (!movement) continue;
      const kind: PointsKind = movement.delta > 0 ? "earn" : "reversal";
      const reason = kind === "earn" ? undefined : order.cancelled ? "cancelled" : order.refundedMinor > 0n ? "refunded" : "order-changed";
      entry(kind, movement.points, { orderId: order.id, orderDelta: movement.delta, perUnit, reason });
    }
    if (rules.enabled && rules.firstOrderBonus > 0 && customer.firstOrderAt && customer.firstOrderAt >= from && !keys.has("first-order"))
      entry("bonus", rules.firstOrderBonus, { key: "first-order", reason: "first-order" });
    if (balance > 0 && pointsExpired(lastActivityAt, rules.expiryMonths, now)) entry("expiry", -balance, { key: `expiry:${lastActivityAt!.toISOString()}`, reason: "inactive" });

    // Tier.
    const figure = figures.get(customer.id) ?? { current: 0n, previous: 0n };
    if (program.basis === "points") figure.current += BigInt(earnedNow);
    const metric = qualifyingMetric(program.window, figure);
    const qualified = qualifiedTier(program.tiers, metric)?.key ?? null;
    const state = { tierKey: member?.tierKey ?? null, downgradeDueAt: member?.downgradeDueAt ?? null, overrideKey: member?.overrideKey ?? null };
    // An override whose tier the program dropped ends with it.
    const overrideGone = state.overrideKey !== null && !program.tiers.some((tier) => tier.key === state.overrideKey);
    const movement = decideMovement(overrideGone ? { ...state, overrideKey: null } : state, qualified, program, now);

    const recorded = movement.change && !(options.quiet && movement.change.reason === "joined");
    if (movement.change && recorded) {
      summary.tierChanges++;
      const reason: TierChangeReason = options.change?.reason ?? movement.change.reason;
      changes.push([
        shop,
        customer.id,
        movement.change.from,
        movement.change.to,
        tierName(movement.change.from),
        tierName(movement.change.to),
        reason,
        version,
        actor.type,
        actor.id ?? null,
        actor.name ?? null,
        options.change?.note ?? null,
        now,
      ]);
      if (!options.quiet)
        flows.push([
          shop,
          "tier-changed",
          customer.id,
          JSON.stringify({ customer_id: numericId(customer.id), tier: tierName(movement.change.to) ?? "", previous_tier: tierName(movement.change.from) ?? "", reason }),
          now,
        ]);
    }
    const pointsBefore = member?.pointsBalance ?? 0;
    if (balance !== pointsBefore && !options.quiet) {
      flows.push([shop, "points-changed", customer.id, JSON.stringify({ customer_id: numericId(customer.id), points: balance, change: balance - pointsBefore }), now]);
    }

    const tierSince = movement.change ? now : member?.tierSince ?? (movement.tierKey ? now : null);
    const override = overrideGone ? null : member;
    const progressMetric = figure.current;
    // What the metafields show (tier, progress, points) decides the push; the rest only the row.
    const shown = !member || member.tierKey !== movement.tierKey || member.metric !== progressMetric || member.pointsBalance !== balance;
    const changed =
      !member ||
      shown ||
      member.qualifiedKey !== qualified ||
      (member.downgradeDueAt?.getTime() ?? null) !== (movement.downgradeDueAt?.getTime() ?? null) ||
      (member.lastActivityAt?.getTime() ?? null) !== (lastActivityAt?.getTime() ?? null) ||
      overrideGone;
    if (!changed) continue;
    const pushNeeded = shown || member.pushNeeded;
    if (pushNeeded) summary.pushNeeded++;
    memberRows.push([
      shop,
      customer.id,
      movement.tierKey,
      tierSince,
      qualified,
      movement.downgradeDueAt,
      override?.overrideKey ?? null,
      override?.overrideReason ?? null,
      override?.overrideById ?? null,
      override?.overrideByName ?? null,
      override?.overrideAt ?? null,
      progressMetric,
      balance,
      lastActivityAt,
      false,
      pushNeeded,
      now,
      now,
    ]);
  }
  await insertMany(db, "PointsEntry", ENTRY_COLUMNS, entries, {
    constants: [
      ["shop", "text", shop],
      ["actorId", "text", actor.id ?? null],
      ["actorName", "text", actor.name ?? null],
      ["createdAt", "date", now],
    ],
  });
  await insertMany(db, "TierChange", CHANGE_COLUMNS, changes);
  await insertMany(db, "FlowEvent", FLOW_COLUMNS, flows);
  await insertMany(db, "LoyaltyMember", MEMBER_COLUMNS, memberRows, { conflict: MEMBER_CONFLICT });
  return summary;
}

/** Members marked dirty by webhooks: clears the marks and evaluates them, in one transaction (a crash keeps the marks). */
export async function evaluateDirtyMembers(db: PrismaClient, shop: string, now = new Date()): Promise<EvaluateSummary & { customerIds: string[] }> {
  return db.$transaction(
    async (tx) => {
      const dirty = await tx.loyaltyMember.findMany({ where: { shop, dirty: true }, select: { customerId: true }, take: 5000 });
      const customerIds = dirty.map((row) => row.customerId);
      if (customerIds.length === 0) return { evaluated: 0, tierChanges: 0, pointsEntries: 0, pushNeeded: 0, customerIds };
      for (let start = 0; start < customerIds.length; start += CHUNK) {
        await tx.loyaltyMember.updateMany({ where: { shop, customerId: { in: customerIds.slice(start, start + CHUNK) } }, data: { dirty: false } });
      }
      return { ...(await evaluateMembers(tx, { shop, customerIds, now })), customerIds };
    },
    { timeout: 120_000, maxWait: 20_000 }
  );
}

/** Marks customers of `shop` for evaluation (archive writes, inside their transaction): one statement however many. */
export async function markDirty(db: Db, shop: string, customerIds: readonly string[]): Promise<void> {
  const unique = [...new Set(customerIds)];
  if (unique.length === 0) return;
  await insertMany(db, "LoyaltyMember", [["customerId", "text"]], unique.map((id) => [id]), {
    constants: [
      ["shop", "text", shop],
      ["dirty", "bool", true],
      ["updatedAt", "date", new Date()],
    ],
    conflict: `ON CONFLICT ("shop", "customerId") DO UPDATE SET "dirty" = excluded."dirty"`,
  });
}
