// PostgreSQL's narrow copy of the customers search text (migration 0014), kept by triggers on
// Customer. GIVEN any write to Customer - Prisma's, the import's COPY or upsert, a redaction, a
// shop's deletion - THEN the copy holds exactly the live customers' searchText, and a short search
// counted from it finds what the customers index lists.
import { beforeEach, describe, expect, test } from "vitest";

import { listCustomers } from "~/modules/customers/customer-index.server";
import { openBulkWriter } from "~/modules/sync/bulk-writer.server";
import type { BulkRow, CustomerRow } from "~/modules/sync/bulk-rows";
import { getTestDatabase } from "../support/db";

const SHOP = "search-copy.myshopify.com";
const OTHER = "search-copy-other.myshopify.com";
const { prisma, reset, url, provider } = await getTestDatabase();

type Entry = { shop: string; shopifyId: string; searchText: string };
const copy = () => prisma.$queryRawUnsafe<Entry[]>(`SELECT "shop", "shopifyId", "searchText" FROM "CustomerSearch" ORDER BY 1, 2`);
const live = () => prisma.$queryRawUnsafe<Entry[]>(`SELECT "shop", "shopifyId", "searchText" FROM "Customer" WHERE "deletedAt" IS NULL ORDER BY 1, 2`);

async function expectCopyWhole() {
  const expected = await live();
  expect(await copy()).toEqual(expected);
  return expected;
}

const customer = (n: number, overrides: Partial<CustomerRow> = {}): BulkRow => ({
  table: "customer",
  row: {
    shop: SHOP,
    shopifyId: `gid://shopify/Customer/${n}`,
    firstName: null,
    lastName: null,
    displayName: ["王伟", "Li Na", "Ezra Lee", "Zoë Müller", "50% Off Club"][n % 5]!,
    email: `c${n}@example.com`,
    phone: null,
    emailMarketingState: null,
    smsMarketingState: null,
    locale: "en",
    state: "ENABLED",
    tags: n % 2 ? "VIP, wholesale" : "",
    note: null,
    verifiedEmail: true,
    countryCode: null,
    province: null,
    city: null,
    numberOfOrders: 0,
    amountSpentMinor: BigInt(n * 100),
    currencyCode: "USD",
    shopifyCreatedAt: new Date("2026-01-01T00:00:00Z"),
    shopifyUpdatedAt: new Date("2026-01-01T00:00:00Z"),
    ...overrides,
  },
});

beforeEach(async () => {
  await reset();
});

describe.runIf(provider === "postgres")("PostgreSQL's customers search copy (migration 0014)", () => {
  test("follows Prisma's writes: create, rename, tags, soft delete and undelete, hard delete - only live customers, each with its current text", async () => {
    const data = (n: number, name: string) => ({ shop: SHOP, shopifyId: `gid://shopify/Customer/${n}`, displayName: name, email: `c${n}@example.com`, tags: "VIP", currencyCode: "USD", amountSpentMinor: 0n, shopifyCreatedAt: new Date(), shopifyUpdatedAt: new Date() });
    await prisma.customer.createMany({ data: [data(1, "Ada"), data(2, "Grace"), data(3, "王伟")] });
    await prisma.customer.create({ data: data(4, "Li") });
    expect((await expectCopyWhole()).length).toBe(4);

    const key = (n: number) => ({ shop_shopifyId: { shop: SHOP, shopifyId: `gid://shopify/Customer/${n}` } });
    await prisma.customer.update({ where: key(1), data: { displayName: "Ada Lovelace", tags: "VIP, math" } });
    await prisma.customer.update({ where: key(2), data: { deletedAt: new Date() } });
    await prisma.customer.delete({ where: key(3) });
    await prisma.customer.update({ where: key(4), data: { amountSpentMinor: 5n, tierKey: "gold" } }); // no text change
    const entries = await expectCopyWhole();
    expect(entries.map((entry) => entry.shopifyId)).toEqual(["gid://shopify/Customer/1", "gid://shopify/Customer/4"]);
    expect(entries[0]!.searchText).toContain("ada lovelace");
    expect(entries[0]!.searchText).toContain("\u001fmath\u001f");

    await prisma.customer.update({ where: key(2), data: { deletedAt: null } });
    expect((await expectCopyWhole()).map((entry) => entry.shopifyId)).toContain("gid://shopify/Customer/2");
  });

  test("follows the import's writes: COPY on a first load, the upsert on a second; another shop's customers go with their shop", async () => {
    const writer = await openBulkWriter(url);
    try {
      await writer.write(Array.from({ length: 40 }, (_, n) => customer(n)));
      await writer.write([customer(40, { shop: OTHER })]);
      expect((await expectCopyWhole()).length).toBe(41);
      // A newer copy renames some; an older one changes nothing; new keys arrive among stored ones.
      const newer = new Date("2026-02-01T00:00:00Z");
      await writer.write([...Array.from({ length: 10 }, (_, n) => customer(n, { displayName: `Renamed ${n}`, shopifyUpdatedAt: newer })), customer(11, { displayName: "Older", shopifyUpdatedAt: new Date("2025-01-01T00:00:00Z") }), customer(41)]);
    } finally {
      await writer.close();
    }
    const entries = await expectCopyWhole();
    expect(entries.length).toBe(42);
    expect(entries.filter((entry) => entry.searchText.startsWith("renamed "))).toHaveLength(10);
    expect(entries.some((entry) => entry.searchText.startsWith("older"))).toBe(false);

    await prisma.customer.deleteMany({ where: { shop: OTHER } });
    expect((await expectCopyWhole()).every((entry) => entry.shop === SHOP)).toBe(true);
  });

  test("a short search alone is counted from the copy: the total is what the index lists, for one- and two-character terms, CJK and LIKE's wildcards", async () => {
    const writer = await openBulkWriter(url);
    try {
      await writer.write(Array.from({ length: 60 }, (_, n) => customer(n)));
    } finally {
      await writer.close();
    }
    await prisma.customer.updateMany({ where: { shop: SHOP, shopifyId: { in: ["gid://shopify/Customer/1", "gid://shopify/Customer/6"] } }, data: { deletedAt: new Date() } });
    // Another shop's namesakes are not counted.
    await prisma.customer.create({ data: { shop: OTHER, shopifyId: "gid://shopify/Customer/1", displayName: "Li Na", tags: "", currencyCode: "USD", amountSpentMinor: 0n, shopifyCreatedAt: new Date(), shopifyUpdatedAt: new Date() } });
    for (const q of ["王", "伟", "li", "LI", "ez", "ë", "%", "_", "50", "e"]) {
      const page = await listCustomers({ shop: SHOP, query: { q }, currencyCode: "USD", take: 100, db: prisma });
      const expected = await prisma.customer.count({ where: { shop: SHOP, deletedAt: null, searchText: { contains: q.toLowerCase().replace(/[%_\\]/g, (char) => `\\${char}`) } } });
      expect(page.total, q).toBe(expected);
      expect(page.customers.length, q).toBe(expected);
    }
    // Wildcards are literal: only the twelve "50% Off Club" customers (every fifth) hold a "%".
    expect((await listCustomers({ shop: SHOP, query: { q: "%" }, currencyCode: "USD", db: prisma })).total).toBe(12);
  });
});
