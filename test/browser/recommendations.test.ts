// Chromium on the demo: once the import's chain has built the shop's recommendation model
// (decision 013), a customer's profile shows "Suggested for this customer" with a reason under
// every product, in English and in Chinese. Screenshots go to test-results/.
import { afterAll, beforeAll, describe, expect, test } from "vitest";

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
    await page.goto(demo.url(`/app/customers/${target.customerId.split("/").pop()}`));
    await page.getByRole("heading", { name: "Suggested for this customer" }).waitFor({ timeout: 60_000 });
    const list = page.getByTestId("suggestions-next");
    const links = list.getByRole("link");
    await expect.poll(() => links.count()).toBeGreaterThan(0);
    expect(await links.count()).toBeLessThanOrEqual(5);
    // Every suggestion is a product of the shop's catalogue with a reason line.
    const text = await list.innerText();
    expect(text).toMatch(/Bought (\d+ times|in their latest order|once before)|Bought with .+ in \d+ orders?|Popular: bought by \d+ customers?/);
    expect(await links.first().getAttribute("href")).toMatch(/^shopify:\/\/admin\/products\/\d+$/);
    await page.getByRole("heading", { name: "Suggested for this customer" }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: "test-results/recommendations-profile.png", fullPage: true });

    const zh = await demo.newPage();
    await zh.goto(demo.url(`/app/customers/${target.customerId.split("/").pop()}`, { locale: "zh-CN" }));
    await zh.getByRole("heading", { name: "为该客户推荐" }).waitFor({ timeout: 60_000 });
    expect(await zh.getByTestId("suggestions-next").innerText()).toMatch(/买过|一起购买|热门/);
    await zh.screenshot({ path: "test-results/recommendations-profile-zh-CN.png", fullPage: true });
  });
});
