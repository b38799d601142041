// The insights card of a customer profile (and the admin panel): RFM segment with its scores,
// the predictions with their reason, and the custom segments the customer is in - formatted in
// the staff member's language and the shop's currency and time zone.
import type { AdminContext } from "../../admin-context.server";
import { prisma } from "../../db.server";
import type { InsightReason } from "./insights.server";
import { segmentsOfCustomer } from "./segments.server";

type Formatters = Pick<AdminContext, "shop" | "money" | "date">;

export async function insightCardView(context: Formatters, customerId: string, { db = prisma, now = new Date() } = {}) {
  const [insight, segments] = await Promise.all([db.customerInsight.findUnique({ where: { shop_customerId: { shop: context.shop, customerId } } }), segmentsOfCustomer({ shop: context.shop, customerId, db })]);
  const computed = insight?.computedAt != null;
  return {
    computed,
    rfm: computed && insight.rfmSegment ? { key: insight.rfmSegment, recency: insight.recency, frequency: insight.frequency, monetary: insight.monetary, since: context.date(insight.rfmSince) } : null,
    prediction:
      computed && insight.orders > 0
        ? {
            nextOrder: context.date(insight.expectedNextOrderAt),
            overdue: insight.expectedNextOrderAt !== null && insight.expectedNextOrderAt.getTime() < now.getTime(),
            churnPercent: Math.round(insight.churnRisk / 10),
            predictedValue: context.money(insight.predictedValueMinor),
            reason: JSON.parse(insight.reason) as InsightReason,
          }
        : null,
    segments: segments.map((segment) => ({ id: segment.id, name: segment.name, enteredAt: context.date(segment.enteredAt) })),
  };
}

export type InsightCardView = Awaited<ReturnType<typeof insightCardView>>;
