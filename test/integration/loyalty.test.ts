// Tiers and the points ledger against the database (decision 010): orders earn exactly once,
// refunds and cancellations reverse, the balance never goes negative, points expire, tiers follow
// the full order history with grace, overrides are audited, and a program change shows its impact
// and applies in one step.
import { beforeEach, describe, expect, test } from "vitest";

import type { Program } from "~/modules/loyalty/program";

import { bootApp } from "../support/app";
import { createCustomer, createOrder, createShop } from "../support/factories";
import { testProgram } from "../support/loyalty";

const { prisma, database } = await bootApp();
const { evaluateMembers, evaluateDirtyMembers, markDirty } = await import("~/modules/loyalty/evaluate.server");
const { adjustPoints, overrideTier, previewProgram, saveProgram, memberCard, tierDistribution, LoyaltyError } = await import("~/modules/loyalty/loyalty.server");
const { currentProgram } = await import("~/modules/loyalty/program.server");

const SHOP = "loyal.myshopify.com";
const OTHER = "other-loyal.myshopify.com";
const ava = { shop: SHOP, userId: "101", name: "Ava Chen" };
const gid = (id: number) => `gid://shopify/Customer/${id}`;
const orderGid = (id: number) => `gid://shopify/Order/${id}`;
const T0 = new Date("2026-03-01T00:00:00Z");
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);

const program = (overrides: Partial<Program> = {}) => testProgram(overrides);

const member = (customerId: string, shop = SHOP) => prisma.loyaltyMember.findUniqueOrThrow({ where: { shop_customerId: { shop, customerId } } });
const ledger = (customerId: string) => prisma.pointsEntry.findMany({ where: { shop: SHOP, customerId }, orderBy: { id: "asc" } });
const changes = (customerId: string) => prisma.tierChange.findMany({ where: { shop: SHOP, customerId }, orderBy: { id: "asc" } });
const evaluate = (now: Date, customerIds?: string[]) => evaluateMembers(prisma, { shop: SHOP, now, customerIds });

beforeEach(async () => {
  await database.reset();
  await createShop(prisma, { shop: SHOP });
  await createShop(prisma, { shop: OTHER });
  await saveProgram({ actor: ava, draft: program(), now: days(-1) });
  await createCustomer(prisma, { shop: SHOP, shopifyId: gid(1), displayName: "Grace Hopper" });
});

describe("points ledger", () => {
  test("an order earns once per currency unit of its subtotal, however often it is evaluated", async () => {
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(1), customerId: gid(1), subtotalPriceMinor: 12_399n, totalPriceMinor: 13_500n, processedAt: days(0) });
    await evaluate(days(0));
    await evaluate(days(0));
    await markDirty(prisma, SHOP, [gid(1)]);
    await evaluateDirtyMembers(prisma, SHOP, days(1));
    const entries = await ledger(gid(1));
    expect(entries.map((entry) => [entry.kind, entry.points, entry.balanceAfter, entry.orderId])).toEqual([["earn", 123, 123, orderGid(1)]]);
    expect((await member(gid(1))).pointsBalance).toBe(123);
  });

  test("orders before the program's start earn nothing, but count for the tier", async () => {
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(1), customerId: gid(1), subtotalPriceMinor: 150_000n, totalPriceMinor: 150_000n, processedAt: new Date("2024-05-01T00:00:00Z") });
    await evaluate(days(0));
    expect(await ledger(gid(1))).toHaveLength(0);
    expect((await member(gid(1))).tierKey).toBe("gold");
  });

  test("a partial refund reverses its share, a cancellation the rest", async () => {
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(1), customerId: gid(1), subtotalPriceMinor: 10_000n, totalPriceMinor: 10_000n, processedAt: days(0) });
    await evaluate(days(0));
    await prisma.order.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: orderGid(1) } }, data: { totalRefundedMinor: 4_000n } });
    await evaluate(days(1));
    await prisma.order.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: orderGid(1) } }, data: { cancelledAt: days(2) } });
    await evaluate(days(2));
    await evaluate(days(3));
    const entries = await ledger(gid(1));
    expect(entries.map((entry) => [entry.kind, entry.points, entry.orderDelta, entry.balanceAfter, entry.reason])).toEqual([
      ["earn", 100, 100, 100, null],
      ["reversal", -40, -40, 60, "refunded"],
      ["reversal", -60, -60, 0, "cancelled"],
    ]);
  });

  test("a reversal never takes the balance below 0, and the ledger shows what it could not take", async () => {
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(1), customerId: gid(1), subtotalPriceMinor: 10_000n, totalPriceMinor: 10_000n, processedAt: days(0) });
    await evaluate(days(0));
    await adjustPoints({ actor: ava, customerId: gid(1), points: -70, reason: "Redeemed for a tote bag", now: days(1) });
    await prisma.order.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: orderGid(1) } }, data: { totalRefundedMinor: 10_000n } });
    await evaluate(days(2));
    await evaluate(days(3));
    const entries = await ledger(gid(1));
    expect(entries.map((entry) => [entry.kind, entry.points, entry.orderDelta, entry.balanceAfter])).toEqual([
      ["earn", 100, 100, 100],
      ["adjustment", -70, null, 30],
      ["reversal", -30, -100, 0],
    ]);
    expect((await member(gid(1))).pointsBalance).toBe(0);
  });

  test("a staff adjustment needs a reason and cannot overdraw", async () => {
    await expect(adjustPoints({ actor: ava, customerId: gid(1), points: 50, reason: "  " })).rejects.toThrow(LoyaltyError);
    await expect(adjustPoints({ actor: ava, customerId: gid(1), points: -1, reason: "Oops" })).rejects.toThrow(/cannot go below 0/);
    await adjustPoints({ actor: ava, customerId: gid(1), points: 25, reason: "Apology for a late parcel", now: days(0) });
    expect((await member(gid(1))).pointsBalance).toBe(25);
    const audit = await prisma.auditLog.findMany({ where: { shop: SHOP, action: "loyalty.points_adjusted" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorName).toBe("Ava Chen");
    expect(JSON.parse(audit[0]!.after!)).toMatchObject({ points: 25, reason: "Apology for a late parcel" });
  });

  test("bonuses are paid once: sign-up and first order", async () => {
    await saveProgram({ actor: ava, draft: program({ points: { ...program().points, signupBonus: 50, firstOrderBonus: 20 } }), now: days(0) });
    await createCustomer(prisma, { shop: SHOP, shopifyId: gid(2), shopifyCreatedAt: days(1) });
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(2), customerId: gid(2), subtotalPriceMinor: 1_000n, processedAt: days(2) });
    await prisma.customer.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: gid(2) } }, data: { firstOrderAt: days(2) } });
    await evaluate(days(2));
    await evaluate(days(3));
    expect((await ledger(gid(2))).map((entry) => [entry.kind, entry.points, entry.key])).toEqual([
      ["bonus", 50, "signup"],
      ["earn", 10, null],
      ["bonus", 20, "first-order"],
    ]);
    // Grace Hopper signed up in 2020, before the program: no sign-up bonus.
    expect(await ledger(gid(1))).toHaveLength(0);
  });

  test("points expire after the months without earning, and the ledger says so", async () => {
    await saveProgram({ actor: ava, draft: program({ points: { ...program().points, expiryMonths: 6 } }), now: days(0) });
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(1), customerId: gid(1), subtotalPriceMinor: 5_000n, processedAt: days(1) });
    await evaluate(days(1));
    await evaluate(days(150));
    expect((await member(gid(1))).pointsBalance).toBe(50);
    await evaluate(days(190));
    await evaluate(days(200));
    const entries = await ledger(gid(1));
    expect(entries.map((entry) => [entry.kind, entry.points, entry.balanceAfter, entry.reason])).toEqual([
      ["earn", 50, 50, null],
      ["expiry", -50, 0, "inactive"],
    ]);
  });

  test("a changed earn rate applies to new orders; an old order's refund reverses at the rate it earned", async () => {
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(1), customerId: gid(1), subtotalPriceMinor: 10_000n, processedAt: days(0) });
    await evaluate(days(0));
    await saveProgram({ actor: ava, draft: program({ points: { ...program().points, perUnit: 5 } }), now: days(1) });
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(2), customerId: gid(1), subtotalPriceMinor: 10_000n, processedAt: days(2) });
    await prisma.order.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: orderGid(1) } }, data: { totalRefundedMinor: 5_000n } });
    await evaluate(days(2));
    expect((await ledger(gid(1))).map((entry) => [entry.orderId, entry.points, entry.perUnit])).toEqual([
      [orderGid(1), 100, 1],
      [orderGid(1), -50, 1],
      [orderGid(2), 500, 5],
    ]);
  });
});

describe("every order's award equals its worth by the rules (the database's shortcut and orderPointsTarget agree)", () => {
  test.each([
    ["USD", 2],
    ["JPY", 0],
    ["KWD", 3],
  ] as const)("%s", async (currencyCode, exponent) => {
    const { orderPointsTarget } = await import("~/modules/loyalty/tier-rules");
    await prisma.shop.update({ where: { shop: SHOP }, data: { currencyCode } });
    await saveProgram({ actor: ava, draft: program({ points: { ...program().points, perUnit: 3 } }), now: days(-1) });
    const orders = [
      { subtotalPriceMinor: 12_345n },
      { subtotalPriceMinor: 12_345n, totalRefundedMinor: 2_000n },
      { subtotalPriceMinor: 5_000n, totalRefundedMinor: 9_000n },
      { subtotalPriceMinor: 7_777n, cancelledAt: days(1) },
      { subtotalPriceMinor: 7_777n, test: true },
      { subtotalPriceMinor: 0n },
      { subtotalPriceMinor: 99n },
      { subtotalPriceMinor: 4_321n, processedAt: new Date("2025-06-01T00:00:00Z") },
    ];
    for (const [index, order] of orders.entries()) await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(100 + index), customerId: gid(1), currencyCode, processedAt: days(0), ...order });
    await evaluate(days(2));
    // Changes after the first award: more refunded, a cancellation, an edit upwards.
    await prisma.order.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: orderGid(100) } }, data: { totalRefundedMinor: 345n } });
    await prisma.order.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: orderGid(101) } }, data: { cancelledAt: days(3) } });
    await prisma.order.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: orderGid(106) } }, data: { subtotalPriceMinor: 20_099n } });
    await evaluate(days(4));
    const entries = await ledger(gid(1));
    for (const order of await prisma.order.findMany({ where: { shop: SHOP, customerId: gid(1) } })) {
      const awarded = entries.filter((entry) => entry.orderId === order.shopifyId).reduce((sum, entry) => sum + (entry.orderDelta ?? 0), 0);
      const worth = orderPointsTarget({ subtotalMinor: order.subtotalPriceMinor, refundedMinor: order.totalRefundedMinor, cancelled: order.cancelledAt !== null, test: order.test, processedAt: order.processedAt }, { enabled: true, perUnit: 3, from: "2026-01-01T00:00:00.000Z" }, exponent);
      expect(awarded, order.shopifyId).toBe(worth);
    }
    expect(entries.some((entry) => entry.reason === "order-changed")).toBe(false);
    expect(entries.filter((entry) => entry.kind === "earn").length).toBeGreaterThanOrEqual(3);
  });
});

describe("tiers", () => {
  test("tiers come from the full order history; promotion is immediate and recorded", async () => {
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(1), customerId: gid(1), totalPriceMinor: 15_000n, processedAt: new Date("2023-01-01T00:00:00Z") });
    await evaluate(days(0));
    expect((await member(gid(1))).tierKey).toBe("member");
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(2), customerId: gid(1), totalPriceMinor: 6_000n, processedAt: days(1) });
    await evaluate(days(1));
    expect((await member(gid(1))).tierKey).toBe("silver");
    expect((await changes(gid(1))).map((change) => [change.fromName, change.toName, change.reason])).toEqual([
      [null, "Member", "joined"],
      ["Member", "Silver", "promoted"],
    ]);
    const flows = await prisma.flowEvent.findMany({ where: { shop: SHOP, handle: "tier-changed" }, orderBy: { id: "asc" } });
    expect(JSON.parse(flows.at(-1)!.payload)).toEqual({ customer_id: 1, tier: "Silver", previous_tier: "Member", reason: "promoted" });
  });

  test("test, cancelled and deleted orders do not count; refunds do", async () => {
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(1), customerId: gid(1), totalPriceMinor: 50_000n, test: true, processedAt: days(0) });
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(2), customerId: gid(1), totalPriceMinor: 50_000n, cancelledAt: days(1), processedAt: days(0) });
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(3), customerId: gid(1), totalPriceMinor: 50_000n, deletedAt: days(1), processedAt: days(0) });
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(4), customerId: gid(1), totalPriceMinor: 50_000n, totalRefundedMinor: 40_000n, processedAt: days(0) });
    await evaluate(days(2));
    expect(await member(gid(1))).toMatchObject({ tierKey: "member", metric: 10_000n });
  });

  test("a downgrade waits for the grace period, then the sweep moves the member", async () => {
    await saveProgram({ actor: ava, draft: program({ window: { kind: "rollingMonths", months: 3 } }), now: days(0) });
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(1), customerId: gid(1), totalPriceMinor: 30_000n, processedAt: days(0) });
    await evaluate(days(0));
    expect((await member(gid(1))).tierKey).toBe("silver");
    // The order leaves the 3-month window: grace starts, the tier holds.
    await evaluate(days(100));
    expect(await member(gid(1))).toMatchObject({ tierKey: "silver", qualifiedKey: "member", downgradeDueAt: days(130) });
    await evaluate(days(129));
    expect((await member(gid(1))).tierKey).toBe("silver");
    await evaluate(days(130));
    expect(await member(gid(1))).toMatchObject({ tierKey: "member", downgradeDueAt: null });
    expect((await changes(gid(1))).at(-1)).toMatchObject({ fromName: "Silver", toName: "Member", reason: "grace-ended" });
  });

  test.each([
    ["orders", { basis: "orders" as const, tiers: [{ key: "member", name: "Member", color: "#8c9196", threshold: 0, perks: "" }, { key: "regular", name: "Regular", color: "#6d7175", threshold: 3, perks: "" }] }, "regular"],
    ["points", { basis: "points" as const, tiers: [{ key: "member", name: "Member", color: "#8c9196", threshold: 0, perks: "" }, { key: "star", name: "Star", color: "#b98900", threshold: 250, perks: "" }] }, "star"],
  ])("%s basis", async (_basis, change, expected) => {
    await saveProgram({ actor: ava, draft: program(change), now: days(0) });
    for (let n = 1; n <= 3; n++) await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(n), customerId: gid(1), subtotalPriceMinor: 10_000n, totalPriceMinor: 10_000n, processedAt: days(n) });
    await evaluate(days(4));
    expect((await member(gid(1))).tierKey).toBe(expected);
  });

  test("calendar year: last year's tier is kept through this year", async () => {
    await saveProgram({ actor: ava, draft: program({ window: { kind: "calendarYear", months: 12 }, graceDays: 0 }), now: days(0) });
    await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(1), customerId: gid(1), totalPriceMinor: 120_000n, processedAt: new Date("2025-06-01T00:00:00Z") });
    await evaluate(new Date("2026-05-01T00:00:00Z"));
    expect((await member(gid(1))).tierKey).toBe("gold");
    await evaluate(new Date("2027-01-02T00:00:00Z"));
    expect((await member(gid(1))).tierKey).toBe("member");
  });

  test("a staff override holds the tier, is audited with its reason, and its removal lets the rules decide again", async () => {
    await evaluate(days(0));
    await expect(overrideTier({ actor: ava, customerId: gid(1), tierKey: "gold", reason: "" })).rejects.toThrow(/reason/);
    await overrideTier({ actor: ava, customerId: gid(1), tierKey: "gold", reason: "Wholesale partner", now: days(1) });
    await evaluate(days(2));
    expect(await member(gid(1))).toMatchObject({ tierKey: "gold", overrideKey: "gold", overrideReason: "Wholesale partner", qualifiedKey: "member" });
    expect((await changes(gid(1))).at(-1)).toMatchObject({ toName: "Gold", reason: "override", note: "Wholesale partner", actorName: "Ava Chen" });
    await overrideTier({ actor: ava, customerId: gid(1), tierKey: null, reason: "Partnership ended", now: days(3) });
    // Removing it is a downgrade like any other: it waits for the grace period.
    expect(await member(gid(1))).toMatchObject({ tierKey: "gold", overrideKey: null, downgradeDueAt: days(33) });
    const audit = await prisma.auditLog.findMany({ where: { shop: SHOP, subjectId: gid(1) }, orderBy: { createdAt: "asc" } });
    expect(audit.map((entry) => entry.action)).toEqual(["loyalty.tier_overridden", "loyalty.override_removed"]);
  });
});

describe("program changes", () => {
  beforeEach(async () => {
    // Spends: 1 -> 150 (Silver), 2 -> 500 (Silver), 3 -> 1,500 (Gold), 4 -> nothing (Member).
    const spends = [15_000n, 50_000n, 150_000n];
    for (const [index, spend] of spends.entries()) {
      const id = index + 1;
      if (id > 1) await createCustomer(prisma, { shop: SHOP, shopifyId: gid(id), displayName: `Customer ${id}` });
      await createOrder(prisma, { shop: SHOP, shopifyId: orderGid(id), customerId: gid(id), totalPriceMinor: spend, processedAt: new Date("2025-01-01T00:00:00Z") });
    }
    await createCustomer(prisma, { shop: SHOP, shopifyId: gid(4), displayName: "Customer 4" });
    await evaluate(days(0));
  });

  test("the impact preview counts who moves up and down, and lists them, without writing", async () => {
    const before = await prisma.loyaltyMember.findMany({ where: { shop: SHOP }, orderBy: { customerId: "asc" } });
    const draft = program({ tiers: [program().tiers[0]!, { ...program().tiers[1]!, threshold: 10_000 }, { ...program().tiers[2]!, threshold: 200_000 }] });
    const impact = await previewProgram({ shop: SHOP, draft, now: days(1) });
    expect(impact).toMatchObject({ up: 1, down: 1, downAfterGrace: 1, unchanged: 2 });
    expect(impact.moves.up).toEqual([{ customerId: gid(1), name: "Grace Hopper", from: "Member", to: "Silver" }]);
    expect(impact.moves.down).toEqual([{ customerId: gid(3), name: "Customer 3", from: "Gold", to: "Silver" }]);
    expect(await prisma.loyaltyMember.findMany({ where: { shop: SHOP }, orderBy: { customerId: "asc" } })).toEqual(before);
  });

  test("saving applies the change in one step under a new version, and a renamed tier keeps its members", async () => {
    const draft = program({ graceDays: 0, tiers: [program().tiers[0]!, { ...program().tiers[1]!, name: "Argent", threshold: 10_000 }, { ...program().tiers[2]!, threshold: 200_000 }] });
    const saved = await saveProgram({ actor: ava, draft, now: days(1) });
    expect(saved.version).toBe((await currentProgram(prisma, SHOP)).version);
    expect(Object.fromEntries((await prisma.loyaltyMember.findMany({ where: { shop: SHOP } })).map((row) => [row.customerId, row.tierKey]))).toEqual({
      [gid(1)]: "silver",
      [gid(2)]: "silver",
      [gid(3)]: "silver",
      [gid(4)]: "member",
    });
    // The moves are recorded under the new version, by the staff member who saved it.
    expect(await prisma.tierChange.findMany({ where: { shop: SHOP, programVersion: saved.version }, select: { customerId: true, reason: true, actorName: true } })).toEqual([
      { customerId: gid(1), reason: "promoted", actorName: "Ava Chen" },
      { customerId: gid(3), reason: "downgraded", actorName: "Ava Chen" },
    ]);
    expect(await tierDistribution({ shop: SHOP })).toMatchObject({ tiers: [{ name: "Member", members: 1 }, { name: "Argent", members: 3 }, { name: "Gold", members: 0 }] });
    // A customer deleted in Shopify leaves the chart.
    await prisma.customer.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: gid(2) } }, data: { deletedAt: days(2) } });
    expect(await tierDistribution({ shop: SHOP })).toMatchObject({ tiers: [{ name: "Member", members: 1 }, { name: "Argent", members: 2 }, { name: "Gold", members: 0 }] });
    const card = await memberCard({ shop: SHOP, customerId: gid(2) });
    expect(card.tier?.name).toBe("Argent");
    expect(card.progress.next?.name).toBe("Gold");
    expect(card.progress.remaining).toBe(150_000n);
  });

  test("an invalid program is refused with the reason and changes nothing", async () => {
    const version = (await currentProgram(prisma, SHOP)).version;
    await expect(saveProgram({ actor: ava, draft: { ...program(), tiers: [] } })).rejects.toThrow(LoyaltyError);
    expect((await currentProgram(prisma, SHOP)).version).toBe(version);
  });

  test("each shop's members are its own", async () => {
    await createCustomer(prisma, { shop: OTHER, shopifyId: gid(1) });
    await createOrder(prisma, { shop: OTHER, shopifyId: orderGid(1), customerId: gid(1), totalPriceMinor: 500_000n });
    await evaluateMembers(prisma, { shop: OTHER, now: days(0) });
    expect((await member(gid(1), OTHER)).tierKey).toBe("gold");
    expect((await member(gid(1))).tierKey).toBe("member");
  });
});
