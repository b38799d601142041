// Shop A's data can never be read through shop B's session: the home page, authenticated
// with a real session token for one shop, shows only that shop's archive.
import { RequestType, setUpValidRequest } from "@shopify/shopify-api/test-helpers";
import { beforeAll, describe, expect, test } from "vitest";

import { bootApp, createStaffSession, TEST_API_KEY, TEST_API_SECRET, TEST_APP_URL } from "../support/app";

const { prisma, database } = await bootApp();
const home = await import("~/routes/app._index");

async function seedShop(store: string, customerNames: string[]) {
  const shop = `${store}.myshopify.com`;
  await prisma.shop.create({ data: { shop, name: `${store} store`, currencyCode: "USD", installedAt: new Date() } });
  await prisma.session.create({ data: { id: `offline_${shop}`, shop, state: "", isOnline: false, accessToken: `token-${store}`, scope: "read_customers,read_orders" } });
  await createStaffSession(shop);
  for (const [index, name] of customerNames.entries()) {
    const shopifyId = `gid://shopify/Customer/${index + 1}`; // the same ids in both shops on purpose
    await prisma.customer.create({
      data: {
        shop,
        shopifyId,
        displayName: name,
        firstName: name,
        email: `${name.toLowerCase()}@${store}.test`,
        tags: "",
        numberOfOrders: 1,
        amountSpentMinor: BigInt(1000 * (index + 1)),
        currencyCode: "USD",
        shopifyCreatedAt: new Date(),
        shopifyUpdatedAt: new Date(),
      },
    });
    await prisma.order.create({
      data: {
        shop,
        shopifyId: `gid://shopify/Order/${index + 1}`,
        customerId: shopifyId,
        name: `#${store}-${index + 1}`,
        currencyCode: "USD",
        totalPriceMinor: BigInt(1000 * (index + 1)),
        subtotalPriceMinor: BigInt(1000 * (index + 1)),
        totalDiscountsMinor: 0n,
        totalRefundedMinor: 0n,
        processedAt: new Date(),
        shopifyCreatedAt: new Date(),
        shopifyUpdatedAt: new Date(),
      },
    });
  }
}

async function loadHomeAs(store: string) {
  const request = await setUpValidRequest(
    { type: RequestType.Bearer, store, apiKey: TEST_API_KEY, apiSecretKey: TEST_API_SECRET },
    new Request(`${TEST_APP_URL}/app?_data=routes/app._index`),
  );
  return home.loader({ request, params: {}, context: {} });
}

beforeAll(async () => {
  await database.reset();
  await seedShop("shop-a", ["Alice", "Arthur"]);
  await seedShop("shop-b", ["Bella", "Boris", "Bruno"]);
});

describe("shop isolation", () => {
  test("shop B's session sees only shop B's customers and orders", async () => {
    const result = await loadHomeAs("shop-b");
    expect(result.shopName).toBe("shop-b store");
    expect(result.stats.customers).toBe("3");
    expect(result.topCustomers.map((customer) => customer.name).sort()).toEqual(["Bella", "Boris", "Bruno"]);
    expect(result.recentOrders.every((order) => order.name.startsWith("#shop-b-"))).toBe(true);
  });

  test("shop A's session sees only shop A's", async () => {
    const result = await loadHomeAs("shop-a");
    expect(result.topCustomers.map((customer) => customer.name).sort()).toEqual(["Alice", "Arthur"]);
    expect(result.stats.netRevenue).toBe("$30.00");
  });

  test("a request without a valid session token is refused", async () => {
    const forged = new Request(`${TEST_APP_URL}/app?_data=routes/app._index`, { headers: { Authorization: "Bearer not-a-jwt" } });
    const outcome = await home.loader({ request: forged, params: {}, context: {} }).then(
      () => "served",
      (thrown: unknown) => (thrown instanceof Response ? thrown.status : "error"),
    );
    expect(outcome).toBe(401);
  });
});
