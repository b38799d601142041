// Rows the segments read beside the archive's customers and orders: insights, loyalty members and products, with overrides.
import type { PrismaClient } from "~/db.server";

type ProductData = Parameters<PrismaClient["product"]["create"]>[0]["data"];

export async function createProduct(db: PrismaClient, overrides: Partial<ProductData> & { shop: string; shopifyId: string }) {
  const id = overrides.shopifyId.split("/").pop();
  const at = new Date("2024-01-01T00:00:00Z");
  return db.product.create({ data: { title: `Product ${id}`, handle: `product-${id}`, status: "ACTIVE", shopifyCreatedAt: at, shopifyUpdatedAt: at, ...overrides } });
}

type InsightData = Parameters<PrismaClient["customerInsight"]["create"]>[0]["data"];

/** A customer's insight as the insights run writes it (churnRisk per mille, amounts in minor units). */
export async function createInsight(db: PrismaClient, overrides: Partial<InsightData> & { shop: string; customerId: string }) {
  return db.customerInsight.create({ data: { computedAt: new Date("2026-01-01T00:00:00Z"), ...overrides } });
}

type MemberData = Parameters<PrismaClient["loyaltyMember"]["create"]>[0]["data"];

export async function createLoyaltyMember(db: PrismaClient, overrides: Partial<MemberData> & { shop: string; customerId: string }) {
  return db.loyaltyMember.create({ data: { ...overrides } });
}
