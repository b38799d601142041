// Shops: what the app knows about each installed store, its install/uninstall lifecycle.
import { prisma, type PrismaClient } from "../../db.server";
import { writeAudit } from "../audit/audit.server";
import { adminGraphql, type AdminGraphql } from "../shopify/admin-graphql.server";
import { SHOP_DETAILS } from "../sync/bulk-documents";
import { runInitialImport } from "../sync/initial-import.server";

interface ShopDetails {
  shop: { name: string; currencyCode: string; ianaTimezone: string; plan: { displayName: string } };
}

// Imports started by this process, so a second auth during an import does not start another.
const runningImports = new Map<string, Promise<string>>();

export function importInProgress(shop: string): Promise<string> | undefined {
  return runningImports.get(shop);
}

/** Called after Shopify auth: records the shop and, on first install, starts the initial import. */
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
  if (!completed && !runningImports.has(shop)) {
    const job = runInitialImport({ shop, admin, db, currencyCode: details.currencyCode }).finally(() => runningImports.delete(shop));
    job.catch((error) => console.error(`[sync] initial import for ${shop} failed:`, error));
    runningImports.set(shop, job);
  }
}

/** app/uninstalled: may arrive more than once and after the sessions are gone. */
export async function recordUninstall({ shop, db = prisma }: { shop: string; db?: PrismaClient }) {
  await db.session.deleteMany({ where: { shop } });
  const updated = await db.shop.updateMany({ where: { shop, uninstalledAt: null }, data: { uninstalledAt: new Date() } });
  if (updated.count > 0) {
    await writeAudit(db, { shop, actorType: "webhook", action: "app.uninstalled", subjectType: "shop", subjectId: shop });
  }
}

export async function getShopOverview({ shop, db = prisma }: { shop: string; db?: PrismaClient }) {
  const [shopRecord, customers, orders, revenue, lastRun, topCustomers, recentOrders] = await Promise.all([
    db.shop.findUnique({ where: { shop } }),
    db.customer.count({ where: { shop, deletedAt: null } }),
    db.order.count({ where: { shop, cancelledAt: null, test: false } }),
    db.order.aggregate({ where: { shop, cancelledAt: null, test: false }, _sum: { totalPriceMinor: true, totalRefundedMinor: true } }),
    db.syncRun.findFirst({ where: { shop }, orderBy: { startedAt: "desc" } }),
    db.customer.findMany({ where: { shop, deletedAt: null }, orderBy: { amountSpentMinor: "desc" }, take: 5 }),
    db.order.findMany({ where: { shop }, orderBy: { processedAt: "desc" }, take: 5 }),
  ]);
  const netRevenueMinor = (revenue._sum.totalPriceMinor ?? 0n) - (revenue._sum.totalRefundedMinor ?? 0n);
  return { shop: shopRecord, customers, orders, netRevenueMinor, lastRun, topCustomers, recentOrders };
}
