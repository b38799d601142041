// Recommendations against the database (decision 013): the build job reads the shop's orders, the
// profile's suggestions come from the customer's orders as they are now, what may not be sold never
// shows, replenishment and anniversaries come round, bought-together on a product, and one shop's
// orders never inform another's suggestions.
import { beforeAll, describe, expect, test } from "vitest";

import { bootApp } from "../support/app";
import { createCustomer, createOrder, createOrderLine, createShop } from "../support/factories";

const { prisma } = await bootApp();
const { customerSuggestions, productsBoughtWith, forgetRecommendations, EXCLUDE_TAG } = await import("~/modules/recommendations/recommendations.server");
const { runRecommendationsBuildJob } = await import("~/modules/recommendations/recommendation-jobs.server");

const SHOP = "recs.myshopify.com";
const OTHER = "recs-other.myshopify.com";
const NOW = new Date("2026-05-20T12:00:00Z");
const DAY = 86_400_000;
const product = (name: string) => `gid://shopify/Product/${name}`;
const customer = (n: number) => `gid://shopify/Customer/${n}`;
let orderSeq = 1;
let lineSeq = 1;

async function catalogue(shop: string) {
  const products: Array<[string, Partial<{ status: string; isGiftCard: boolean; tags: string; deletedAt: Date }>]> = [
    ["beans", {}],
    ["grinder", {}],
    ["filter", {}],
    ["kettle", {}],
    ["gift-box", {}],
    ["old-blend", { status: "ARCHIVED" }],
    ["gift-card", { isGiftCard: true }],
    ["sample", { tags: `promo, ${EXCLUDE_TAG.toUpperCase()}` }],
  ];
  for (const [name, overrides] of products) {
    await prisma.product.create({ data: { shop, shopifyId: product(name), title: name.replace("-", " "), handle: name, status: "ACTIVE", shopifyCreatedAt: NOW, shopifyUpdatedAt: NOW, ...overrides } });
  }
}

async function order(shop: string, buyer: number, daysAgo: number, items: string[], extra: { test?: boolean; cancelledAt?: Date } = {}) {
  const orderId = `gid://shopify/Order/${orderSeq++}`;
  await createOrder(prisma, { shop, shopifyId: orderId, customerId: customer(buyer), processedAt: new Date(NOW.getTime() - daysAgo * DAY), ...extra });
  for (const item of items) await createOrderLine(prisma, { shop, shopifyId: `gid://shopify/LineItem/${lineSeq++}`, orderId, productId: product(item) });
}

beforeAll(async () => {
  for (const shop of [SHOP, OTHER]) {
    await createShop(prisma, { shop });
    await catalogue(shop);
  }
  // 40 regulars: beans every ~30 days with a filter now and then; every one of them also picked up
  // the archived blend, a gift card and the excluded sample - which must never be suggested.
  for (let c = 1; c <= 40; c++) {
    await createCustomer(prisma, { shop: SHOP, shopifyId: customer(c) });
    await order(SHOP, c, 95, ["beans", "old-blend", "gift-card", "sample"]);
    await order(SHOP, c, 65, ["beans", "grinder"]);
    await order(SHOP, c, 35, c % 2 ? ["beans", "filter"] : ["beans"]);
  }
  // Customer 100 bought beans three times, 30 days apart, the last 28 days ago; and a gift box every May.
  await createCustomer(prisma, { shop: SHOP, shopifyId: customer(100) });
  await order(SHOP, 100, 88, ["beans"]);
  await order(SHOP, 100, 58, ["beans"]);
  await order(SHOP, 100, 28, ["beans"]);
  await order(SHOP, 100, 365, ["gift-box"]);
  await order(SHOP, 100, 730, ["gift-box"]);
  // Orders that say nothing about taste: a test order and a cancelled one.
  await order(SHOP, 100, 10, ["kettle"], { test: true });
  await order(SHOP, 100, 9, ["kettle"], { cancelledAt: NOW });
  // The other shop: kettle lovers only.
  for (let c = 1; c <= 10; c++) {
    await createCustomer(prisma, { shop: OTHER, shopifyId: customer(c) });
    await order(OTHER, c, 40, ["kettle"]);
    await order(OTHER, c, 20, ["kettle", "filter"]);
  }
  await runRecommendationsBuildJob({ shop: SHOP, name: "recommendations.build" }, { db: prisma, now: NOW });
  await runRecommendationsBuildJob({ shop: OTHER, name: "recommendations.build" }, { db: prisma, now: NOW });
});

describe("the shop's model", () => {
  test("is built from real orders only (no test, no cancelled) and stored with its figures", async () => {
    const stored = await prisma.recommendationModel.findUniqueOrThrow({ where: { shop: SHOP } });
    expect(stored).toMatchObject({ customers: 41, orders: 40 * 3 + 5, builtAt: NOW });
    expect(JSON.parse(stored.model).items).not.toContain(product("kettle"));
  });

  test("bought together: normalised, sellable only, and per shop", async () => {
    const beans = await productsBoughtWith(prisma, { shop: SHOP, productId: product("beans") });
    const titles = beans.map((entry) => entry.product.title);
    expect(titles).toContain("grinder");
    expect(titles).not.toContain("old blend");
    expect(titles).not.toContain("gift card");
    expect(titles).not.toContain("sample");
    expect(beans.find((entry) => entry.product.title === "grinder")).toMatchObject({ orders: 40 });
    const kettle = await productsBoughtWith(prisma, { shop: OTHER, productId: product("kettle") });
    expect(kettle.map((entry) => entry.product.title)).toEqual(["filter"]);
    expect(await productsBoughtWith(prisma, { shop: OTHER, productId: product("grinder") })).toEqual([]);
  });
});

describe("a customer's suggestions", () => {
  test("rank what they come back for first, with the reason, and never what may not be sold", async () => {
    const result = await customerSuggestions(prisma, { shop: SHOP, customerId: customer(1), now: NOW });
    expect(result.builtAt).toEqual(NOW);
    // Beans every 30 days, the last 35 days ago: due now, and said there, not again below.
    expect(result.due.map((item) => [item.product.title, item.reason.code])).toEqual([["beans", "replenish"]]);
    expect(result.suggestions[0]).toMatchObject({ product: { title: "filter" }, reason: { code: "again", times: 1, ordersAgo: 0 } });
    const ids = result.suggestions.map((suggestion) => suggestion.product.id);
    for (const never of ["old-blend", "gift-card", "sample"]) expect(ids).not.toContain(product(never));
  });

  test("a repurchase cycle coming round and the month they buy every year are due now", async () => {
    const result = await customerSuggestions(prisma, { shop: SHOP, customerId: customer(100), now: NOW });
    expect(result.due).toEqual([
      { product: expect.objectContaining({ title: "beans" }), reason: { code: "replenish", everyDays: 30, purchases: 3, dueAt: new Date(NOW.getTime() + 2 * DAY).toISOString() } },
      { product: expect.objectContaining({ title: "gift box" }), reason: { code: "anniversary", month: 4, years: [2024, 2025] } },
    ]);
    // Said once: what is due is not listed again among the likely next order, which still holds a full list.
    const titles = result.suggestions.map((suggestion) => suggestion.product.title);
    expect(titles).not.toContain("beans");
    expect(titles).not.toContain("gift box");
    expect(titles.length).toBeGreaterThan(0);
  });

  test("an order that just arrived counts at once, without a rebuild", async () => {
    await createCustomer(prisma, { shop: SHOP, shopifyId: customer(200) });
    const before = await customerSuggestions(prisma, { shop: SHOP, customerId: customer(200), now: NOW });
    expect(before.suggestions.every((suggestion) => suggestion.reason.code === "popular")).toBe(true);
    await order(SHOP, 200, 0, ["beans"]);
    const after = await customerSuggestions(prisma, { shop: SHOP, customerId: customer(200), now: NOW });
    expect(after.suggestions.find((suggestion) => suggestion.product.title === "beans")?.reason).toEqual({ code: "again", times: 1, ordersAgo: 0 });
    expect(after.suggestions.find((suggestion) => suggestion.product.title === "grinder")?.reason).toMatchObject({ code: "boughtWith", title: "beans" });
  });

  test("a product archived in Shopify leaves the suggestions once the catalogue is read again", async () => {
    await prisma.product.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: product("beans") } }, data: { status: "ARCHIVED" } });
    forgetRecommendations(SHOP);
    const result = await customerSuggestions(prisma, { shop: SHOP, customerId: customer(1), now: NOW });
    expect(result.suggestions.map((suggestion) => suggestion.product.title)).not.toContain("beans");
    await prisma.product.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: product("beans") } }, data: { status: "ACTIVE" } });
    forgetRecommendations(SHOP);
  });

  test("one shop's orders never inform another's: same customer id, different shop, different suggestions", async () => {
    const other = await customerSuggestions(prisma, { shop: OTHER, customerId: customer(1), now: NOW });
    // Customer 1 of the other shop bought a kettle and a filter: both come back, nothing of this shop's taste does.
    expect(other.suggestions.map((suggestion) => suggestion.product.title).sort()).toEqual(["filter", "kettle"]);
    expect(other.suggestions.every((suggestion) => suggestion.reason.code === "again")).toBe(true);
  });

  test("before the first build there are no suggestions, and the card says so", async () => {
    const shop = "recs-new.myshopify.com";
    await createShop(prisma, { shop });
    const result = await customerSuggestions(prisma, { shop, customerId: customer(1), now: NOW });
    expect(result).toEqual({ builtAt: null, suggestions: [], due: [] });
  });
});
