import { createPrismaClient } from "/work/main/app/db.server";
process.env.DATABASE_URL = process.argv[2];
process.env.SHOPIFY_API_KEY ??= "b"; process.env.SHOPIFY_API_SECRET ??= "b"; process.env.SHOPIFY_APP_URL ??= "http://x"; process.env.JOB_WORKER = "off";
const db = createPrismaClient(process.argv[2]);
const { refreshInsights, markInsightsDirty } = await import("/work/main/app/modules/segments/insights.server");
const { refreshMemberships } = await import("/work/main/app/modules/segments/segments.server");
const { runSegmentsUpdateJob } = await import("/work/main/app/modules/segments/segment-jobs.server");
const SHOP = "bench-shop.myshopify.com";
const now = new Date(Date.UTC(2026, 11, 5));
const t = async (label: string, fn: () => Promise<unknown>) => { const s = performance.now(); const r = await fn(); console.log(label, (performance.now() - s).toFixed(0), "ms"); return r; };
await t("insights full", () => db.$transaction((tx) => refreshInsights(tx, { shop: SHOP, now }), { timeout: 600000 }));
await t("memberships all", () => db.$transaction((tx) => refreshMemberships(tx, { shop: SHOP, now }), { timeout: 600000 }));
const id = "gid://shopify/Customer/7000000000123";
for (let i = 0; i < 3; i++) {
  await markInsightsDirty(db, SHOP, [id]);
  await t("update one", () => runSegmentsUpdateJob({ shop: SHOP, name: "segments.update" }, { db, now }));
}
await t("insights one", () => refreshInsights(db, { shop: SHOP, now, customerIds: [id] }));
await t("memberships one", () => refreshMemberships(db, { shop: SHOP, now, customerIds: [id] }));
await db.$disconnect();
