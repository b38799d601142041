// Shops: what the app knows about each installed store, its install/uninstall lifecycle.
import { prisma, type PrismaClient } from "../../db.server";
import { writeAudit } from "../audit/audit.server";
import { adminGraphql, type AdminGraphql } from "../shopify/admin-graphql.server";
import { jobQueue } from "../jobs/index.server";
import { SHOP_DETAILS } from "../sync/bulk-documents";

interface ShopDetails {
  shop: { name: string; currencyCode: string; ianaTimezone: string; plan: { displayName: string } };
}

/** Called after Shopify auth: records the shop and, until one has completed, queues the initial import. */
export async function recordInstall({ shop, admin, db = prisma }: { shop: string; admin: AdminGraphql; db?: PrismaClient }) {
  const { shop: details } = await adminGraphql<ShopDetails>({ shop, admin }, SHOP_DETAILS);
  const fields = {
    name: details.name,
    currencyCode: details.currencyCode,
    ianaTimezone: details.ianaTimezone,
    planName: details.plan.displayName,
    uninstalledAt: null,
  };
  const existing = await db.shop.findUnique({ where: { shop } });
  await db.shop.upsert({ where: { shop }, create: { shop, ...fields, installedAt: new Date() }, update: fields });
  if (!existing || existing.uninstalledAt) {
    await writeAudit(db, { shop, actorType: "system", action: "app.installed", subjectType: "shop", subjectId: shop });
  }
  const completed = await db.syncRun.findFirst({ where: { shop, kind: "initial", status: "completed" } });
  // The key keeps a second sign-in during the import from queueing another; a queued import resumes
  // a run that stopped half-way (worker restart) instead of starting over.
  if (!completed) await jobQueue().enqueue("sync.import", {}, { shop, uniqueKey: `import:${shop}` });
}

export async function getShopOverview({ shop, db = prisma }: { shop: string; db?: PrismaClient }) {
  const [shopRecord, customers, orders, revenue, lastRun, topCustomers, recentOrders] = await Promise.all([
    db.shop.findUnique({ where: { shop } }),
    db.customer.count({ where: { shop, deletedAt: null } }),
    db.order.count({ where: { shop, cancelledAt: null, test: false } }),
    db.order.aggregate({ where: { shop, cancelledAt: null, test: false }, _sum: { totalPriceMinor: true, totalRefundedMinor: true } }),
    // The import's run; reconciliation runs are reported with the sync health.
    db.syncRun.findFirst({ where: { shop, kind: "initial" }, orderBy: { startedAt: "desc" } }),
    db.customer.findMany({ where: { shop, deletedAt: null }, orderBy: { amountSpentMinor: "desc" }, take: 5 }),
    db.order.findMany({ where: { shop }, orderBy: { processedAt: "desc" }, take: 5 }),
  ]);
  const netRevenueMinor = (revenue._sum.totalPriceMinor ?? 0n) - (revenue._sum.totalRefundedMinor ?? 0n);
  return { shop: shopRecord, customers, orders, netRevenueMinor, lastRun, topCustomers, recentOrders };
}
