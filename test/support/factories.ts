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
