// The real webhook routes, fed Shopify's own example payloads with real signatures.
import { createHmac } from "node:crypto";

import { beforeEach, describe, expect, test } from "vitest";

import { bootApp, examplePayload, TEST_API_SECRET, webhookRequest } from "../support/app";

const { prisma, database } = await bootApp();
const customersRoute = await import("~/routes/webhooks.customers");
const uninstalledRoute = await import("~/routes/webhooks.app.uninstalled");

const shop = "webhook-shop.myshopify.com";

async function call(route: { action: (args: never) => Promise<Response> | Response }, request: Request): Promise<Response> {
  try {
    return await route.action({ request, params: {}, context: {} } as never);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown; // the Shopify library throws its 4xx responses
    throw thrown;
  }
}

beforeEach(() => database.reset());

describe("webhook intake", () => {
  test("a signed customers/create is recorded with its payload", async () => {
    const payload = examplePayload("customers/create");
    const response = await call(customersRoute, webhookRequest({ topic: "customers/create", shop, payload, path: "/webhooks/customers" }));
    expect(response.status).toBe(200);
    const events = await prisma.webhookEvent.findMany({ where: { shop } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ topic: "CUSTOMERS_CREATE", status: "received", apiVersion: "2026-07" });
    expect(JSON.parse(events[0]!.payload)).toEqual(payload);
  });

  test("a wrong signature gets 401 and changes nothing", async () => {
    const request = webhookRequest({ topic: "customers/create", shop, payload: examplePayload("customers/create"), path: "/webhooks/customers", secret: "not-the-secret" });
    const response = await call(customersRoute, request);
    expect(response.status).toBe(401);
    expect(await prisma.webhookEvent.count()).toBe(0);
  });

  test("a tampered body gets 401", async () => {
    const signed = webhookRequest({ topic: "customers/update", shop, payload: { id: 1 }, path: "/webhooks/customers" });
    const tampered = new Request(signed.url, { method: "POST", headers: signed.headers, body: JSON.stringify({ id: 2 }) });
    expect((await call(customersRoute, tampered)).status).toBe(401);
    expect(await prisma.webhookEvent.count()).toBe(0);
  });

  test("a request without Shopify's headers gets 400, a GET 405, and neither is stored", async () => {
    const signed = webhookRequest({ topic: "customers/create", shop, payload: examplePayload("customers/create"), path: "/webhooks/customers" });
    const headers = new Headers(signed.headers);
    headers.delete("X-Shopify-Topic");
    const withoutTopic = new Request(signed.url, { method: "POST", headers, body: await signed.clone().text() });
    expect((await call(customersRoute, withoutTopic)).status).toBe(400);
    expect((await call(customersRoute, new Request(signed.url, { method: "GET" }))).status).toBe(405);
    expect(await prisma.webhookEvent.count()).toBe(0);
  });

  test("a signed body that is not JSON is kept, then reported invalid by the worker, and nothing is applied", async () => {
    const { processWebhookEventById } = await import("~/modules/webhooks/process-event.server");
    const signed = webhookRequest({ topic: "customers/create", shop, payload: {}, path: "/webhooks/customers" });
    const body = '{"id": 1, "email": ';
    const headers = new Headers(signed.headers);
    headers.set("X-Shopify-Hmac-Sha256", createHmac("sha256", TEST_API_SECRET).update(body).digest("base64"));
    const response = await call(customersRoute, new Request(signed.url, { method: "POST", headers, body }));
    expect(response.status).toBe(200);
    const event = await prisma.webhookEvent.findFirstOrThrow({ where: { shop } });
    expect(event.payload).toBe(body);
    expect((await processWebhookEventById({ db: prisma, eventId: event.id })).status).toBe("invalid");
    expect(await prisma.webhookEvent.findUniqueOrThrow({ where: { id: event.id } })).toMatchObject({ status: "invalid" });
    expect(await prisma.customer.count()).toBe(0);
  });

  test("a signed delivery queues its shop's drain; a shop whose events were recorded but never queued is queued by the sweeper, once", async () => {
    const { requeueStrandedEvents, webhookIntake } = await import("~/modules/webhooks/handle-webhook.server");
    const { createWebhookEvent } = await import("../support/factories");
    await call(customersRoute, webhookRequest({ topic: "customers/create", shop, payload: examplePayload("customers/create"), path: "/webhooks/customers" }));
    await webhookIntake().idle();
    await expect.poll(() => prisma.job.count({ where: { queue: "webhook.drain", shop, uniqueKey: `webhook-drain:${shop}` } })).toBe(1);
    // More deliveries while that drain waits queue nothing more.
    await call(customersRoute, webhookRequest({ topic: "customers/update", shop, payload: examplePayload("customers/update"), path: "/webhooks/customers" }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await prisma.job.count({ where: { queue: "webhook.drain" } })).toBe(1);

    // As if the process died between recording events and queueing their drain.
    await prisma.job.deleteMany();
    const other = "stranded-shop.myshopify.com";
    const stranded = await createWebhookEvent(prisma, { shop: other, topic: "customers/update", payload: {} });
    await createWebhookEvent(prisma, { shop: other, topic: "customers/update", payload: {} });
    // Received two minutes ago (an event of this very millisecond is not "older than" anything).
    await prisma.webhookEvent.updateMany({ where: { shop: other }, data: { receivedAt: new Date(Date.now() - 120_000) } });
    expect(stranded.status).toBe("received");
    expect(await requeueStrandedEvents()).toBe(1);
    expect(await prisma.job.count({ where: { queue: "webhook.drain", shop: other } })).toBe(1);
    expect(await requeueStrandedEvents()).toBe(0);
  });

  test("deliveries that arrive together are committed together, each answered, copies dropped", async () => {
    const payload = examplePayload("customers/update");
    const eventIds = Array.from({ length: 40 }, () => crypto.randomUUID());
    // Every event twice, all at once: the copies land in the same group as their originals.
    const responses = await Promise.all(
      [...eventIds, ...eventIds].map((eventId) => call(customersRoute, webhookRequest({ topic: "customers/update", shop, payload, path: "/webhooks/customers", eventId }))),
    );
    expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
    expect(await prisma.webhookEvent.count({ where: { shop } })).toBe(40);
    expect(new Set((await prisma.webhookEvent.findMany({ where: { shop }, select: { eventId: true } })).map((event) => event.eventId))).toEqual(new Set(eventIds));
  });

  test("a duplicate delivery (same event id) is recorded once", async () => {
    const payload = examplePayload("customers/update");
    const eventId = crypto.randomUUID();
    for (let delivery = 0; delivery < 3; delivery++) {
      const response = await call(customersRoute, webhookRequest({ topic: "customers/update", shop, payload, path: "/webhooks/customers", eventId }));
      expect(response.status).toBe(200);
    }
    expect(await prisma.webhookEvent.count({ where: { shop, eventId } })).toBe(1);
  });

  test("app/uninstalled ends the shop's sessions, marks it uninstalled, and tolerates a repeat", async () => {
    await prisma.shop.create({ data: { shop, name: "Webhook shop", currencyCode: "USD", installedAt: new Date() } });
    await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: "token", scope: "read_customers" } });
    const payload = examplePayload("app/uninstalled");
    for (let delivery = 0; delivery < 2; delivery++) {
      const response = await call(uninstalledRoute, webhookRequest({ topic: "app/uninstalled", shop, payload, path: "/webhooks/app/uninstalled" }));
      expect(response.status).toBe(200);
    }
    expect(await prisma.session.count({ where: { shop } })).toBe(0);
    expect((await prisma.shop.findUnique({ where: { shop } }))?.uninstalledAt).toBeInstanceOf(Date);
    expect(await prisma.auditLog.count({ where: { shop, action: "app.uninstalled" } })).toBe(1);
  });
});
