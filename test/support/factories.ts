// Archive rows for tests, with overrides: `createCustomer({ shop, tags: "vip" })`.
import type { PrismaClient } from "~/db.server";

export async function createShop(db: PrismaClient, overrides: { shop: string; currencyCode?: string; name?: string }) {
  return db.shop.create({ data: { name: "Test shop", currencyCode: "USD", installedAt: new Date("2024-01-01T00:00:00Z"), ...overrides } });
}

type CustomerData = Parameters<PrismaClient["customer"]["create"]>[0]["data"];

export async function createCustomer(db: PrismaClient, overrides: Partial<CustomerData> & { shop: string; shopifyId: string }) {
  return db.customer.create({
    data: {
      firstName: "Ada",
      lastName: "Lovelace",
      displayName: "Ada Lovelace",
      email: `${overrides.shopifyId.split("/").pop()}@example.com`,
      currencyCode: "USD",
      shopifyCreatedAt: new Date("2020-01-01T00:00:00Z"),
      shopifyUpdatedAt: new Date("2020-01-01T00:00:00Z"),
      ...overrides,
    },
  });
}

/**
 * A WebhookEvent as intake records it, without going through a route: for payload text a route
 * cannot produce (a raw body whose ids exceed 2^53) and for exact triggered-at times.
 */
export async function createWebhookEvent(
  db: PrismaClient,
  { shop, topic, payload, triggeredAt = new Date(), eventId = crypto.randomUUID() }: { shop: string; topic: string; payload: string | object; triggeredAt?: Date; eventId?: string },
) {
  return db.webhookEvent.create({
    data: {
      shop,
      topic: topic.toUpperCase().replace(/[/.]/g, "_"),
      webhookId: crypto.randomUUID(),
      eventId,
      apiVersion: "2026-07",
      triggeredAt,
      payload: typeof payload === "string" ? payload : JSON.stringify(payload),
      status: "received",
    },
  });
}

type StaffData = Parameters<PrismaClient["staffMember"]["create"]>[0]["data"];

/** A staff member as actorFromSession records them (userId is Shopify's numeric user id as text). */
export async function createStaff(db: PrismaClient, overrides: Partial<StaffData> & { shop: string; userId: string }) {
  return db.staffMember.create({ data: { firstName: "Sam", lastName: `Staff ${overrides.userId}`, email: `staff-${overrides.userId}@example.com`, ...overrides } });
}

type OrderData = Parameters<PrismaClient["order"]["create"]>[0]["data"];

/** An archived order; its created/updated times default to processedAt. */
export async function createOrder(db: PrismaClient, overrides: Partial<OrderData> & { shop: string; shopifyId: string }) {
  const processedAt = overrides.processedAt ?? new Date("2025-01-01T00:00:00Z");
  return db.order.create({
    data: {
      name: `#${overrides.shopifyId.split("/").pop()}`,
      currencyCode: "USD",
      totalPriceMinor: 1000n,
      subtotalPriceMinor: 1000n,
      processedAt,
      shopifyCreatedAt: processedAt,
      shopifyUpdatedAt: processedAt,
      ...overrides,
    },
  });
}

type OrderLineData = Parameters<PrismaClient["orderLine"]["create"]>[0]["data"];

export async function createOrderLine(db: PrismaClient, overrides: Partial<OrderLineData> & { shop: string; shopifyId: string; orderId: string }) {
  const quantity = overrides.quantity ?? 1;
  const unitPriceMinor = overrides.unitPriceMinor ?? 500n;
  return db.orderLine.create({ data: { title: "Linen scarf", quantity, currentQuantity: quantity, unitPriceMinor, totalMinor: BigInt(unitPriceMinor) * BigInt(quantity), ...overrides } });
}

type RefundData = Parameters<PrismaClient["refund"]["create"]>[0]["data"];

export async function createRefund(db: PrismaClient, overrides: Partial<RefundData> & { shop: string; shopifyId: string; orderId: string }) {
  return db.refund.create({ data: { totalMinor: 500n, currencyCode: "USD", shopifyCreatedAt: new Date("2025-01-02T00:00:00Z"), ...overrides } });
}
