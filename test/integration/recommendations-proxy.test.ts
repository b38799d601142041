// The storefront's recommendations endpoint behind Shopify's app proxy: refused without a valid,
// fresh proxy signature; a shopper's list comes only from the signed logged_in_customer_id, so
// nobody sees another shopper's suggestions; guests get none; a product's "bought together" list.
import { createHmac } from "node:crypto";

import { beforeAll, describe, expect, test } from "vitest";

import { bootApp, TEST_API_SECRET, TEST_APP_URL } from "../support/app";
import { createCustomer, createOrder, createOrderLine, createShop } from "../support/factories";

const { prisma } = await bootApp();
const route = await import("~/routes/proxy.recommendations");
const { runRecommendationsBuildJob } = await import("~/modules/recommendations/recommendation-jobs.server");

const SHOP = "recs-proxy.myshopify.com";
const product = (name: string) => `gid://shopify/Product/${name}`;
let sequence = 1;

/** A request as Shopify's app proxy forwards it: every query parameter signed (sorted key=value pairs, HMAC-SHA256 hex). */
function proxyRequest(params: Record<string, string>, { secret = TEST_API_SECRET, timestamp = Math.trunc(Date.now() / 1000), tamper }: { secret?: string; timestamp?: number; tamper?: (url: URL) => void } = {}) {
  const all = { shop: SHOP, path_prefix: "/apps/crm", timestamp: String(timestamp), ...params };
  const message = Object.keys(all)
    .sort()
    .map((key) => `${key}=${all[key as keyof typeof all]}`)
    .join("");
  const url = new URL(`${TEST_APP_URL}/proxy/recommendations`);
  for (const [key, value] of Object.entries(all)) url.searchParams.set(key, value);
  url.searchParams.set("signature", createHmac("sha256", secret).update(message).digest("hex"));
  tamper?.(url);
  return new Request(url);
}

async function call(request: Request): Promise<Response> {
  try {
    return await route.loader({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

async function order(buyer: number, items: string[]) {
  const orderId = `gid://shopify/Order/${sequence++}`;
  await createOrder(prisma, { shop: SHOP, shopifyId: orderId, customerId: `gid://shopify/Customer/${buyer}`, processedAt: new Date(Date.now() - (100 - sequence) * 86_400_000) });
  for (const item of items) await createOrderLine(prisma, { shop: SHOP, shopifyId: `gid://shopify/LineItem/${sequence++}`, orderId, productId: product(item) });
}

beforeAll(async () => {
  await createShop(prisma, { shop: SHOP });
  for (const [id, title] of [["1", "Tea"], ["2", "Teapot"], ["3", "Coffee"], ["4", "Grinder"]]) {
    await prisma.product.create({ data: { shop: SHOP, shopifyId: product(id!), title: title!, handle: title!.toLowerCase(), status: "ACTIVE", shopifyCreatedAt: new Date(), shopifyUpdatedAt: new Date() } });
  }
  // Customer 11 drinks tea, customer 12 coffee; others buy tea with a teapot, coffee with a grinder.
  await createCustomer(prisma, { shop: SHOP, shopifyId: "gid://shopify/Customer/11" });
  await createCustomer(prisma, { shop: SHOP, shopifyId: "gid://shopify/Customer/12" });
  for (let i = 0; i < 3; i++) await order(11, ["1"]);
  for (let i = 0; i < 3; i++) await order(12, ["3"]);
  for (let c = 20; c < 30; c++) {
    await order(c, ["1", "2"]);
    await order(c, ["3", "4"]);
  }
  await runRecommendationsBuildJob({ shop: SHOP, name: "recommendations.build" }, { db: prisma });
});

describe("the app proxy signature", () => {
  test("a valid, fresh signature is answered", async () => {
    expect((await call(proxyRequest({ logged_in_customer_id: "11" }))).status).toBe(200);
  });

  test.each([
    ["no signature", { tamper: (url: URL) => url.searchParams.delete("signature") }],
    ["signed with another secret", { secret: "not-the-app-secret" }],
    ["a parameter changed after signing (another shopper's id)", { tamper: (url: URL) => url.searchParams.set("logged_in_customer_id", "12") }],
    ["a parameter added after signing", { tamper: (url: URL) => url.searchParams.set("product_id", "1") }],
    ["signed ten minutes ago (stale)", { timestamp: Math.trunc(Date.now() / 1000) - 600 }],
  ])("%s is refused, with nothing in the answer", async (_, options) => {
    const response = await call(proxyRequest({ logged_in_customer_id: "11" }, options));
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(await response.text()).not.toContain("/products/");
  });
});

describe("what the storefront gets", () => {
  test("each logged-in shopper gets their own list; a guest gets none", async () => {
    const tea = (await (await call(proxyRequest({ logged_in_customer_id: "11" }))).json()) as { kind: string; products: Array<{ title: string; url: string }> };
    const coffee = (await (await call(proxyRequest({ logged_in_customer_id: "12" }))).json()) as typeof tea;
    expect(tea.kind).toBe("personal");
    expect(tea.products[0]).toEqual({ title: "Tea", url: "/products/tea", imageUrl: null });
    expect(coffee.products[0]!.title).toBe("Coffee");
    const guest = await call(proxyRequest({ logged_in_customer_id: "" }));
    expect(await guest.json()).toEqual({ kind: "guest", products: [] });
  });

  test("a shopper's list is private to their browser; a product's list may be cached by anyone", async () => {
    expect((await call(proxyRequest({ logged_in_customer_id: "11" }))).headers.get("Cache-Control")).toBe("private, max-age=60");
    const together = await call(proxyRequest({ product_id: "1" }));
    expect(together.headers.get("Cache-Control")).toBe("public, max-age=300");
    expect(await together.json()).toEqual({ kind: "together", products: [{ title: "Teapot", url: "/products/teapot", imageUrl: null }] });
  });

  test("a malformed product id is a clear 400", async () => {
    const response = await call(proxyRequest({ product_id: "gid://shopify/Product/1" }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "product_id must be a product's number" });
  });
});
