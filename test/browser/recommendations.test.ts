// Chromium on the demo: once the import's chain has built the shop's recommendation model
// (decision 013), a customer's profile shows "Suggested for this customer" with a reason under
// every product, in English and in Chinese; and the storefront's Recommendations block, on a page
// served the way a shop serves it, fills itself through an app proxy that signs requests as
// Shopify's does (the demo app checks the signature). Screenshots go to test-results/.
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, beforeAll, describe, expect, test } from "vitest";

import { blockAsset, blockCss, renderRecommendationsBlock } from "../support/liquid-storefront";
import { demoDatabase, startDemo, type Demo } from "./demo-support";

const DATABASE_FILE = "data/browser-recommendations.db";
let demo: Demo;
const { one } = demoDatabase(DATABASE_FILE);

beforeAll(async () => {
  demo = await startDemo({ customers: 150, orders: 600, databaseFile: DATABASE_FILE });
  // Import, loyalty recompute, segments recompute, then the recommendations build: in the background.
  const started = Date.now();
  while (one<{ n: number }>(`SELECT COUNT(*) AS n FROM "RecommendationModel"`).n === 0) {
    if (Date.now() - started > 120_000) throw new Error("the recommendations model was not built within 120 s");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}, 240_000);

afterAll(async () => {
  await demo?.stop();
});

describe("suggested for this customer", () => {
  test("the profile lists likely next products, each with its reason, linking to the product in Shopify admin", async () => {
    // A customer with several orders: their own repeat items and neighbours of what they bought.
    const target = one<{ customerId: string }>(`SELECT o."customerId" AS "customerId" FROM "Order" o WHERE o."customerId" IS NOT NULL AND o."test" = 0 AND o."cancelledAt" IS NULL GROUP BY o."customerId" ORDER BY COUNT(*) DESC, o."customerId" LIMIT 1`);
    const page = await demo.newPage();
    await demo.open(page, `/app/customers/${target.customerId.split("/").pop()}`);
    await page.getByRole("heading", { name: "Suggested for this customer" }).waitFor({ timeout: 60_000 });
    const list = page.getByTestId("suggestions-next");
    const links = list.getByRole("link");
    await expect.poll(() => links.count()).toBeGreaterThan(0);
    expect(await links.count()).toBeLessThanOrEqual(5);
    // Every suggestion is a product of the shop's catalogue with a reason line.
    const text = await list.innerText();
    expect(text).toMatch(/Bought (\d+ times|in their latest order|once before)|Bought with .+ in \d+ orders?|Popular: bought by \d+ customers?/);
    expect(await links.first().getAttribute("href")).toMatch(/^shopify:\/\/admin\/products\/\d+$/);
    // A product due again is said once, under "due", not again among the likely next.
    const due = page.getByTestId("suggestions-due").getByRole("link");
    const dueHrefs = (await due.count()) > 0 ? await due.evaluateAll((nodes) => nodes.map((node) => node.getAttribute("href"))) : [];
    const nextHrefs = await links.evaluateAll((nodes) => nodes.map((node) => node.getAttribute("href")));
    expect(nextHrefs.filter((href) => dueHrefs.includes(href))).toEqual([]);
    await page.getByRole("heading", { name: "Suggested for this customer" }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: "test-results/recommendations-profile.png", fullPage: true });

    const zh = await demo.newPage();
    await demo.open(zh, `/app/customers/${target.customerId.split("/").pop()}`, { locale: "zh-CN" });
    await zh.getByRole("heading", { name: "为该客户推荐" }).waitFor({ timeout: 60_000 });
    expect(await zh.getByTestId("suggestions-next").innerText()).toMatch(/买过|一起购买|热门/);
    await zh.screenshot({ path: "test-results/recommendations-profile-zh-CN.png", fullPage: true });
  });
});

describe("storefront Recommendations block", () => {
  let shopServer: Server;
  let shopUrl = "";
  let page = "";
  /** The signed-in shopper of the next page (what Shopify's proxy adds as logged_in_customer_id). */
  let shopper = "";

  beforeAll(async () => {
    const { shop } = one<{ shop: string }>(`SELECT "shop" FROM "Shop" LIMIT 1`);
    const secret = process.env.SHOPIFY_API_SECRET ?? "demo-api-secret";
    // The shop's storefront: the page, the block's script, and /apps/crm/* forwarded to the app's
    // proxy URL with Shopify's parameters and signature (sorted key=value pairs, HMAC-SHA256 hex).
    shopServer = createServer((request, response) => {
      const url = new URL(request.url ?? "/", "http://shop.test");
      if (url.pathname === "/assets/recommendations.js") return response.writeHead(200, { "Content-Type": "text/javascript" }).end(blockAsset("recommendations.js"));
      if (url.pathname.startsWith("/apps/crm/")) {
        const params = new URLSearchParams(url.search);
        params.set("shop", shop);
        params.set("logged_in_customer_id", shopper);
        params.set("path_prefix", "/apps/crm");
        params.set("timestamp", String(Math.trunc(Date.now() / 1000)));
        const message = [...params.entries()]
          .sort(([left], [right]) => left.localeCompare(right))
          .map(([key, value]) => `${key}=${value}`)
          .join("");
        params.set("signature", createHmac("sha256", secret).update(message).digest("hex"));
        void fetch(`${demo.appUrl}/proxy/${url.pathname.slice("/apps/crm/".length)}?${params}`).then(async (answer) => {
          response.writeHead(answer.status, { "Content-Type": answer.headers.get("Content-Type") ?? "application/json" }).end(await answer.text());
        });
        return;
      }
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(page);
    });
    await new Promise<void>((resolve) => shopServer.listen(0, "127.0.0.1", resolve));
    shopUrl = `http://127.0.0.1:${(shopServer.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => shopServer?.close(resolve));
  });

  const html = (blocks: string[]) =>
    `<!doctype html><html><head><meta charset="utf-8"><style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;padding:24px;max-width:60rem}${blockCss("recommendations")}</style></head><body>${blocks.join("")}</body></html>`;

  test("a signed-in shopper sees their own suggestions; on a product page, what is bought with it; a guest sees no personal block", async () => {
    const target = one<{ customerId: string }>(`SELECT o."customerId" AS "customerId" FROM "Order" o WHERE o."customerId" IS NOT NULL AND o."test" = 0 AND o."cancelledAt" IS NULL GROUP BY o."customerId" ORDER BY COUNT(*) DESC, o."customerId" LIMIT 1`);
    shopper = target.customerId.split("/").pop()!;
    page = html([await renderRecommendationsBlock({ locale: "en", customer: { first_name: "Ada" } })]);
    const browserPage = await demo.newPage();
    await browserPage.goto(`${shopUrl}/`);
    const items = browserPage.locator(".crm-recs__item");
    await expect.poll(() => items.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await browserPage.locator(".crm-recs").isVisible()).toBe(true);
    expect(await browserPage.locator(".crm-recs__heading").innerText()).toBe("Recommended for you");
    expect(await items.first().getAttribute("href")).toMatch(/^\/products\/[a-z0-9-]+$/);
    const personal = await items.allInnerTexts();
    await browserPage.screenshot({ path: "test-results/recommendations-block.png", fullPage: true });

    // Another shopper on the same page gets their own list (the proxy signs who is signed in).
    const other = one<{ customerId: string }>(`SELECT o."customerId" AS "customerId" FROM "Order" o WHERE o."customerId" IS NOT NULL AND o."customerId" <> ? AND o."test" = 0 GROUP BY o."customerId" ORDER BY COUNT(*) DESC LIMIT 1`, target.customerId);
    shopper = other.customerId.split("/").pop()!;
    await browserPage.goto(`${shopUrl}/?again`);
    await expect.poll(() => items.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await items.allInnerTexts()).not.toEqual(personal);

    // A product page: "Frequently bought together" for that product.
    const product = one<{ productId: string }>(`SELECT l."productId" AS "productId" FROM "OrderLine" l JOIN "Product" p ON p."shopifyId" = l."productId" WHERE p."status" = 'ACTIVE' AND l."productId" IS NOT NULL GROUP BY l."productId" ORDER BY COUNT(*) DESC LIMIT 1`);
    page = html([await renderRecommendationsBlock({ locale: "zh-CN", customer: null, product: { id: Number(product.productId.split("/").pop()) }, settings: { together_heading: "经常一起购买" } })]);
    await browserPage.goto(`${shopUrl}/products/x`);
    await expect.poll(() => items.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await browserPage.locator(".crm-recs__heading").innerText()).toBe("经常一起购买");
    await browserPage.screenshot({ path: "test-results/recommendations-block-product.png", fullPage: true });

    // A guest away from product pages: the block renders nothing and asks nothing.
    expect(await renderRecommendationsBlock({ locale: "en", customer: null })).not.toContain("data-crm-recs");
  });
});
