// One customer's profile: headline figures, orders with their lines and refunds, products bought,
// and a timeline that merges orders, refunds, notes, tier changes, RFM segment moves and the audit trail in time order.
import { prisma, type PrismaClient } from "../../db.server";
import { placeholders, providerOf } from "../db/provider.server";
import { listNotes } from "../notes/notes.server";
import { staffName } from "../staff/staff-name";

const DAY_MS = 86_400_000;
export const PROFILE_ORDERS = 50;
const TIMELINE_LIMIT = 100;

export type TimelineEntry =
  | {
      kind: "order";
      at: Date;
      orderId: string;
      name: string;
      totalMinor: bigint;
      currencyCode: string;
      cancelled: boolean;
    }
  | { kind: "order_cancelled"; at: Date; orderId: string; name: string }
  | {
      kind: "refund";
      at: Date;
      orderId: string;
      orderName: string;
      totalMinor: bigint;
      currencyCode: string;
    }
  | {
      kind: "note";
      at: Date;
      noteId: string;
      body: string;
      authorName: string;
      pinned: boolean;
    }
  | {
      kind: "tier";
      at: Date;
      fromName: string | null;
      toName: string | null;
      reason: string;
      actorName: string | null;
      note: string | null;
    }
  | { kind: "rfm"; at: Date; from: string | null; to: string | null }
  | {
      kind: "audit";
      at: Date;
      action: string;
      actorName: string | null;
      before: unknown;
      after: unknown;
    };

const TIMELINE_OWN_ENTRIES = new Set(["note.created", "loyalty.tier_overridden", "loyalty.override_removed"]);

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** The profile of a customer of `shop`, or null when the shop has no such customer. */
export async function getCustomerProfile({ shop, customerId, db = prisma }: { shop: string; customerId: string; db?: PrismaClient }) {
  const customer = await db.customer.findUnique({
    where: { shop_shopifyId: { shop, shopifyId: customerId } },
  });
  if (!customer) return null;

  const liveOrders = { shop, customerId, test: false, deletedAt: null };
  const [orders, orderStats, notes, audit, owner, tierChanges, rfmChanges] = await Promise.all([
    db.order.findMany({
      where: liveOrders,
      orderBy: [{ processedAt: "desc" }, { shopifyId: "desc" }],
      take: PROFILE_ORDERS,
    }),
    db.order.aggregate({
      where: liveOrders,
      _count: { _all: true },
      _min: { processedAt: true },
      _max: { processedAt: true },
    }),
    listNotes({ shop, customerId, db }),
    db.auditLog.findMany({
      where: { shop, subjectType: "customer", subjectId: customerId },
      orderBy: { createdAt: "desc" },
      take: TIMELINE_LIMIT,
    }),
    customer.ownerId
      ? db.staffMember.findUnique({
          where: { shop_userId: { shop, userId: customer.ownerId } },
        })
      : null,
    db.tierChange.findMany({ where: { shop, customerId }, orderBy: { id: "desc" }, take: TIMELINE_LIMIT }),
    db.rfmChange.findMany({ where: { shop, customerId }, orderBy: { id: "desc" }, take: TIMELINE_LIMIT }),
  ]);
  const orderIds = orders.map((order) => order.shopifyId);
  const [lines, refunds] = await Promise.all([
    // Ordered by order first, so SQLite reads them through (shop, orderId) instead of walking the
    // shop's whole key for the shopifyId order; each order's lines keep their shopifyId order.
    db.orderLine.findMany({
      where: { shop, orderId: { in: orderIds } },
      orderBy: [{ orderId: "asc" }, { shopifyId: "asc" }],
    }),
    db.refund.findMany({
      where: { shop, orderId: { in: orderIds } },
      orderBy: { shopifyCreatedAt: "asc" },
    }),
  ]);

  // Products bought, over every archived order (not only the page shown): quantity, orders, last time.
  // CROSS JOIN (an inner join, the conditions in WHERE) makes SQLite start from this customer's
  // orders: without statistics it otherwise walks every order line of the shop (seconds at 1M lines).
  const [shopParam, customerParam] = placeholders(providerOf(db), 2);
  const bought = await db.$queryRawUnsafe<
    Array<{
      productId: string | null;
      title: string;
      quantity: number | bigint;
      orders: number | bigint;
      lastAt: Date | string | number;
    }>
  >(
    `SELECT l."productId" AS "productId", MAX(l."title") AS "title", SUM(l."quantity") AS "quantity", COUNT(DISTINCT l."orderId") AS "orders", MAX(o."processedAt") AS "lastAt"
       FROM "Order" o CROSS JOIN "OrderLine" l
      WHERE l."shop" = o."shop" AND l."orderId" = o."shopifyId"
        AND o."shop" = ${shopParam} AND o."customerId" = ${customerParam} AND o."test" = FALSE AND o."deletedAt" IS NULL AND o."cancelledAt" IS NULL
      GROUP BY l."productId", CASE WHEN l."productId" IS NULL THEN l."title" END
      ORDER BY SUM(l."quantity") DESC, MAX(o."processedAt") DESC
      LIMIT 50`,
    shop,
    customerId
  );
  const productIds = bought.map((row) => row.productId).filter((id): id is string => id !== null);
  const products = productIds.length
    ? await db.product.findMany({
        where: { shop, shopifyId: { in: productIds } },
        select: {
          shopifyId: true,
          title: true,
          imageUrl: true,
          productType: true,
          status: true,
        },
      })
    : [];
  const productById = new Map(products.map((product) => [product.shopifyId, product]));

  const ordersCount = orderStats._count._all;
  const first = orderStats._min.processedAt;
  const last = orderStats._max.processedAt;
  const figures = {
    // Shopify's own figures: they count orders from before the app was installed and its exchange rules.
    lifetimeValueMinor: customer.amountSpentMinor,
    ordersCount: customer.numberOfOrders,
    averageOrderMinor: customer.numberOfOrders > 0 ? customer.amountSpentMinor / BigInt(customer.numberOfOrders) : null,
    currencyCode: customer.currencyCode,
    firstOrderAt: first,
    lastOrderAt: last,
    averageDaysBetweenOrders: first && last && ordersCount > 1 ? Math.round((last.getTime() - first.getTime()) / DAY_MS / (ordersCount - 1)) : null,
    archivedOrders: ordersCount,
  };

  const orderName = new Map(orders.map((order) => [order.shopifyId, order.name]));
  const timeline: TimelineEntry[] = [
    ...orders.map(
      (order): TimelineEntry => ({
        kind: "order",
        at: order.processedAt,
        orderId: order.shopifyId,
        name: order.name,
        totalMinor: order.totalPriceMinor,
        currencyCode: order.currencyCode,
        cancelled: order.cancelledAt !== null,
      })
    ),
    ...orders
      .filter((order) => order.cancelledAt)
      .map(
        (order): TimelineEntry => ({
          kind: "order_cancelled",
          at: order.cancelledAt!,
          orderId: order.shopifyId,
          name: order.name,
        })
      ),
    ...refunds.map(
      (refund): TimelineEntry => ({
        kind: "refund",
        at: refund.shopifyCreatedAt,
        orderId: refund.orderId,
        orderName: orderName.get(refund.orderId) ?? "",
        totalMinor: refund.totalMinor,
        currencyCode: refund.currencyCode,
      })
    ),
    ...notes.map(
      (note): TimelineEntry => ({
        kind: "note",
        at: note.createdAt,
        noteId: note.id,
        body: note.body,
        authorName: note.authorName,
        pinned: note.pinned,
      })
    ),
    ...tierChanges.map(
      (change): TimelineEntry => ({ kind: "tier", at: change.createdAt, fromName: change.fromName, toName: change.toName, reason: change.reason, actorName: change.actorName, note: change.note })
    ),
    // Moves between RFM segments (decision 011); the first placement is not news.
    ...rfmChanges.filter((change) => change.fromSegment !== null).map((change): TimelineEntry => ({ kind: "rfm", at: change.createdAt, from: change.fromSegment, to: change.toSegment })),
    // A note's creation and a tier override are their own entries above; the audit adds everything
    // else (edits, pins, deletes, owners, points adjustments).
    ...audit
      .filter((entry) => !TIMELINE_OWN_ENTRIES.has(entry.action))
      .map(
        (entry): TimelineEntry => ({
          kind: "audit",
          at: entry.createdAt,
          action: entry.action,
          actorName: entry.actorName,
          before: parseJson(entry.before),
          after: parseJson(entry.after),
        })
      ),
  ]
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, TIMELINE_LIMIT);

  return {
    customer,
    owner: owner
      ? {
          userId: owner.userId,
          name: staffName(owner),
        }
      : null,
    figures,
    orders: orders.map((order) => ({
      ...order,
      lines: lines.filter((line) => line.orderId === order.shopifyId),
      refunds: refunds.filter((refund) => refund.orderId === order.shopifyId),
    })),
    products: bought.map((row) => ({
      productId: row.productId,
      title: (row.productId && productById.get(row.productId)?.title) || row.title,
      imageUrl: (row.productId && productById.get(row.productId)?.imageUrl) || null,
      productType: (row.productId && productById.get(row.productId)?.productType) || null,
      quantity: Number(row.quantity),
      orders: Number(row.orders),
      lastBoughtAt: new Date(typeof row.lastAt === "string" && /^\d+$/.test(row.lastAt) ? Number(row.lastAt) : row.lastAt),
    })),
    notes,
    tags: customer.tags ? customer.tags.split(", ").filter(Boolean) : [],
    timeline,
  };
}

export type CustomerProfile = NonNullable<Awaited<ReturnType<typeof getCustomerProfile>>>;
