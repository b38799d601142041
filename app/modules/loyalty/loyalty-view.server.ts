// The loyalty cards of a customer profile as the page shows them: formatted in the staff member's
// language, the shop's currency and time zone (admin context).
import type { AdminContext } from "../../admin-context.server";
import { prisma } from "../../db.server";
import { memberCard } from "./loyalty.server";
import { basisUnit } from "./tier-rules";

type Formatters = Pick<AdminContext, "shop" | "money" | "date" | "dateTime">;

export async function loyaltyCardView(context: Formatters, customerId: string, db = prisma) {
  const card = await memberCard({ shop: context.shop, customerId, db });
  const { program, member } = card;
  const unit = basisUnit(program.basis);
  const measure = (value: bigint) => (unit === "money" ? context.money(value) : value.toString());
  const orderIds = [...new Set(card.ledger.flatMap((entry) => (entry.orderId ? [entry.orderId] : [])))];
  const orderNames = new Map((orderIds.length ? await db.order.findMany({ where: { shop: context.shop, shopifyId: { in: orderIds } }, select: { shopifyId: true, name: true } }) : []).map((order) => [order.shopifyId, order.name]));
  const tierName = (key: string | null) => program.tiers.find((tier) => tier.key === key)?.name ?? null;
  return {
    evaluated: card.evaluated,
    version: card.version,
    basis: program.basis,
    window: program.window,
    unit,
    tiers: program.tiers.map((tier) => ({ key: tier.key, name: tier.name, color: tier.color })),
    tier: card.tier ? { key: card.tier.key, name: card.tier.name, color: card.tier.color, perks: card.tier.perks } : null,
    since: context.date(member?.tierSince ?? null),
    metric: measure(member?.metric ?? 0n),
    qualified: card.qualified?.name ?? null,
    override: member?.overrideKey ? { tier: tierName(member.overrideKey), reason: member.overrideReason, by: member.overrideByName, at: context.date(member.overrideAt) } : null,
    downgrade: member?.downgradeDueAt ? { to: tierName(member.qualifiedKey), on: context.date(member.downgradeDueAt) } : null,
    progress: card.progress.next ? { next: card.progress.next.name, remaining: measure(card.progress.remaining), percent: Math.round(card.progress.ratio * 100) } : null,
    points: {
      enabled: program.points.enabled,
      balance: member?.pointsBalance ?? 0,
      ledger: card.ledger.map((entry) => ({
        id: entry.id,
        at: context.dateTime(entry.createdAt),
        kind: entry.kind,
        points: entry.points,
        // A reversal that met a smaller balance: what the order gave back versus what could be taken.
        intended: entry.orderDelta !== null && entry.orderDelta !== entry.points ? entry.orderDelta : null,
        balanceAfter: entry.balanceAfter,
        reason: entry.reason,
        order: entry.orderId ? (orderNames.get(entry.orderId) ?? null) : null,
        by: entry.actorName,
      })),
    },
  };
}

export type LoyaltyCardView = Awaited<ReturnType<typeof loyaltyCardView>>;
