// Customer."tierKey" and Customer."rfmSegment" are copies that database triggers keep (migration
// 0007, decision 009) - on the database TEST_DB selects. Whatever writes the member or the insight
// (Prisma, the driver's bulk writer, in any order with the customer), the customer's copy follows,
// and a rollback takes both back.
import { describe, expect, test } from "vitest";

import { bootApp } from "../support/app";
import { createCustomer, createShop } from "../support/factories";

const { prisma } = await bootApp();
const { insertMany } = await import("~/modules/db/provider.server");

const gid = (id: number) => `gid://shopify/Customer/${id}`;
const copies = async (shop: string, id: number) => prisma.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: gid(id) } }, select: { tierKey: true, rfmSegment: true } });

describe("the customer's tier and RFM segment copies", () => {
  test("follow the member and the insight through insert, update and delete - and only that shop's customer", async () => {
    const shop = "copies-a.myshopify.com";
    const other = "copies-b.myshopify.com";
    for (const name of [shop, other]) {
      await createShop(prisma, { shop: name });
      await createCustomer(prisma, { shop: name, shopifyId: gid(1) });
    }
    expect(await copies(shop, 1)).toEqual({ tierKey: null, rfmSegment: null });

    await prisma.loyaltyMember.create({ data: { shop, customerId: gid(1), tierKey: "silver" } });
    await prisma.customerInsight.create({ data: { shop, customerId: gid(1), rfmSegment: "promising" } });
    expect(await copies(shop, 1)).toEqual({ tierKey: "silver", rfmSegment: "promising" });
    expect(await copies(other, 1)).toEqual({ tierKey: null, rfmSegment: null });

    await prisma.loyaltyMember.update({ where: { shop_customerId: { shop, customerId: gid(1) } }, data: { tierKey: "gold" } });
    await prisma.customerInsight.update({ where: { shop_customerId: { shop, customerId: gid(1) } }, data: { rfmSegment: "champions" } });
    expect(await copies(shop, 1)).toEqual({ tierKey: "gold", rfmSegment: "champions" });

    // A write that leaves the tier alone leaves the copy alone.
    await prisma.loyaltyMember.update({ where: { shop_customerId: { shop, customerId: gid(1) } }, data: { pointsBalance: 120 } });
    expect(await copies(shop, 1)).toEqual({ tierKey: "gold", rfmSegment: "champions" });

    await prisma.loyaltyMember.update({ where: { shop_customerId: { shop, customerId: gid(1) } }, data: { tierKey: null } });
    await prisma.customerInsight.delete({ where: { shop_customerId: { shop, customerId: gid(1) } } });
    expect(await copies(shop, 1)).toEqual({ tierKey: null, rfmSegment: null });
  });

  test("a customer that arrives after its member and insight (a webhook's order before the customer) picks them up", async () => {
    const shop = "copies-late.myshopify.com";
    await createShop(prisma, { shop });
    await prisma.loyaltyMember.create({ data: { shop, customerId: gid(7), tierKey: "gold" } });
    await prisma.customerInsight.create({ data: { shop, customerId: gid(7), rfmSegment: "new" } });
    await createCustomer(prisma, { shop, shopifyId: gid(7) });
    expect(await copies(shop, 7)).toEqual({ tierKey: "gold", rfmSegment: "new" });
  });

  test.each([30, 1_200])("the driver's bulk upserts (a recompute's path) of %i members are copied too, and a rollback takes the copies back", async (count) => {
    // Two sizes: PostgreSQL's insert triggers loop over a few new rows and join over many (its update
    // triggers are row by row, migration 0011).
    const shop = `copies-bulk-${count}.myshopify.com`;
    await createShop(prisma, { shop });
    const at = new Date("2026-01-01T00:00:00.000Z");
    await prisma.customer.createMany({ data: Array.from({ length: count }, (_, index) => ({ shop, shopifyId: gid(index + 1), currencyCode: "USD", shopifyCreatedAt: at, shopifyUpdatedAt: at })) });
    const write = (db: Parameters<typeof insertMany>[0], tier: (id: number) => string | null) =>
      insertMany(db, "LoyaltyMember", [["customerId", "text"], ["tierKey", "text"]], Array.from({ length: count }, (_, index) => [gid(index + 1), tier(index + 1)]), {
        constants: [["shop", "text", shop], ["updatedAt", "date", at]],
        conflict: `ON CONFLICT ("shop", "customerId") DO UPDATE SET "tierKey" = excluded."tierKey"`,
      });
    await write(prisma, (id) => (id % 3 === 0 ? "gold" : "member"));
    const gold = Math.floor(count / 3);
    expect(await prisma.customer.count({ where: { shop, tierKey: "gold" } })).toBe(gold);
    expect(await prisma.customer.count({ where: { shop, tierKey: "member" } })).toBe(count - gold);
    // An upsert that moves every member (the conflict path: updates).
    await write(prisma, (id) => (id % 3 === 0 ? "member" : "gold"));
    expect(await prisma.customer.count({ where: { shop, tierKey: "gold" } })).toBe(count - gold);

    await expect(
      prisma.$transaction(async (tx) => {
        await write(tx, () => "silver");
        expect(await tx.customer.count({ where: { shop, tierKey: "silver" } })).toBe(count);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await prisma.customer.count({ where: { shop, tierKey: "gold" } })).toBe(count - gold);
    expect(await prisma.customer.count({ where: { shop, tierKey: "silver" } })).toBe(0);
  });
});
