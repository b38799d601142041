// The archive writer on the real database (SQLite, or PostgreSQL with TEST_DB=postgres), both ways
// it writes: through Prisma (webhooks, reconciliation) and through the driver (the import).
// GIVEN a stored record, WHEN an older or newer copy arrives, THEN only the newer one lands; a
// soft-deleted record stays deleted; money survives to the minor unit; Prisma reads it all back.
import { afterAll, beforeEach, describe, expect, test } from "vitest";

import { writeArchiveRows } from "~/modules/sync/archive-writer.server";
import { openBulkWriter, type BulkWriter } from "~/modules/sync/bulk-writer.server";
import { minorUnits, toBulkRow, toBulkRows, type BulkRow, type CustomerRow, type OrderRow } from "~/modules/sync/bulk-rows";
import { getTestDatabase } from "../support/db";

const SHOP = "writer-shop.myshopify.com";
const OTHER = "other-shop.myshopify.com";
const { prisma, reset, url } = await getTestDatabase();
let bulk: BulkWriter | undefined;

afterAll(async () => {
  await bulk?.close();
});

const customer = (overrides: Partial<CustomerRow> = {}): BulkRow => ({
  table: "customer",
  row: {
    shop: SHOP,
    shopifyId: "gid://shopify/Customer/1",
    firstName: "Ada",
    lastName: "Lovelace",
    displayName: "Ada Lovelace",
    email: "ada@example.com",
    phone: null,
    emailMarketingState: "SUBSCRIBED",
    smsMarketingState: null,
    locale: "en",
    state: "ENABLED",
    tags: "VIP",
    note: null,
    verifiedEmail: true,
    countryCode: "GB",
    province: null,
    city: "London",
    numberOfOrders: 3,
    amountSpentMinor: 1999n,
    currencyCode: "USD",
    shopifyCreatedAt: new Date("2025-01-01T00:00:00Z"),
    shopifyUpdatedAt: new Date("2026-01-01T10:00:00.250Z"),
    ...overrides,
  },
});

const order = (overrides: Partial<OrderRow> = {}): BulkRow => ({
  table: "order",
  row: {
    shop: SHOP,
    shopifyId: "gid://shopify/Order/1",
    customerId: "gid://shopify/Customer/1",
    name: "#1001",
    email: null,
    test: false,
    currencyCode: "USD",
    financialStatus: "PAID",
    fulfillmentStatus: "FULFILLED",
    totalPriceMinor: 10n,
    subtotalPriceMinor: 1999n,
    totalDiscountsMinor: 0n,
    totalRefundedMinor: 123456789n,
    processedAt: new Date("2026-01-01T00:00:00Z"),
    cancelledAt: null,
    shopifyCreatedAt: new Date("2026-01-01T00:00:00Z"),
    shopifyUpdatedAt: new Date("2026-01-01T00:00:00Z"),
    ...overrides,
  },
});

const findCustomer = (shopifyId = "gid://shopify/Customer/1", shop = SHOP) => prisma.customer.findUnique({ where: { shop_shopifyId: { shop, shopifyId } } });

type Write = (rows: BulkRow[]) => Promise<void>;
const writers: Array<{ title: string; write: Write }> = [
  { title: "through Prisma (writeArchiveRows)", write: (rows) => writeArchiveRows(prisma, rows) },
  {
    title: "through the driver (bulk writer)",
    write: async (rows) => {
      bulk ??= await openBulkWriter(url);
      await bulk.write(rows);
    },
  },
  {
    // As the import writes: a batch gathered row by row (the SQLite writer encodes each row as it is added).
    title: "through the driver, a batch gathered row by row",
    write: async (rows) => {
      bulk ??= await openBulkWriter(url);
      const batch = bulk.newBatch();
      for (const row of rows) batch.add(row);
      expect(batch.size).toBe(rows.length);
      await bulk.write(batch);
    },
  },
  {
    // A new writer per call: on PostgreSQL every call starts with COPY (an earlier conflict sends a
    // writer's next batches through the upsert), so each rule is checked on that path too.
    title: "through a new driver writer per call",
    write: async (rows) => {
      const writer = await openBulkWriter(url);
      try {
        await writer.write(rows);
      } finally {
        await writer.close();
      }
    },
  },
];

beforeEach(async () => {
  await reset();
});

describe.each(writers)("archive writer $title", ({ write }) => {
  test("inserts, and Prisma reads back every field and type", async () => {
    await write([customer()]);
    const row = await findCustomer();
    expect(row).toMatchObject({
      firstName: "Ada",
      verifiedEmail: true,
      numberOfOrders: 3,
      amountSpentMinor: 1999n,
      shopifyCreatedAt: new Date("2025-01-01T00:00:00Z"),
      shopifyUpdatedAt: new Date("2026-01-01T10:00:00.250Z"),
      deletedAt: null,
    });
    expect(row!.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(row!.updatedAt.getTime() - Date.now())).toBeLessThan(60_000);
  });

  test("a newer copy replaces the stored row; an older one changes nothing", async () => {
    await write([customer()]);
    await write([customer({ email: "newer@example.com", shopifyUpdatedAt: new Date("2026-01-02T00:00:00Z") })]);
    expect((await findCustomer())!.email).toBe("newer@example.com");

    await write([customer({ email: "older@example.com", shopifyUpdatedAt: new Date("2026-01-01T23:59:59.999Z") })]);
    expect((await findCustomer())!.email).toBe("newer@example.com");

    // The same version again (a re-run of the import) is applied: it is not older.
    await write([customer({ email: "same@example.com", shopifyUpdatedAt: new Date("2026-01-02T00:00:00Z") })]);
    expect((await findCustomer())!.email).toBe("same@example.com");
  });

  test("within one call, the newest copy of a record wins whatever the order", async () => {
    await write([
      customer({ email: "new@example.com", shopifyUpdatedAt: new Date("2026-03-01T00:00:00Z") }),
      customer({ email: "old@example.com", shopifyUpdatedAt: new Date("2026-02-01T00:00:00Z") }),
    ]);
    expect((await findCustomer())!.email).toBe("new@example.com");
  });

  test("within one call, of copies equally new (or without a version) the last one wins", async () => {
    const line = (title: string): BulkRow => ({
      table: "orderLine",
      row: { shop: SHOP, shopifyId: "gid://shopify/LineItem/7", orderId: "gid://shopify/Order/1", productId: null, variantId: null, title, variantTitle: null, sku: null, quantity: 1, currentQuantity: 1, unitPriceMinor: 5n, totalMinor: 5n },
    });
    await write([customer({ email: "first@example.com" }), line("first"), customer({ email: "second@example.com" }), line("second"), line("third")]);
    expect((await findCustomer())!.email).toBe("second@example.com");
    expect((await prisma.orderLine.findFirstOrThrow({ where: { shop: SHOP } })).title).toBe("third");
  });

  test("a soft-deleted record is not resurrected, even by a newer copy", async () => {
    await write([customer(), order()]);
    await prisma.customer.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: "gid://shopify/Customer/1" } }, data: { deletedAt: new Date() } });
    await prisma.order.update({ where: { shop_shopifyId: { shop: SHOP, shopifyId: "gid://shopify/Order/1" } }, data: { deletedAt: new Date() } });
    await write([customer({ email: "back@example.com", shopifyUpdatedAt: new Date("2027-01-01T00:00:00Z") }), order({ name: "#back", shopifyUpdatedAt: new Date("2027-01-01T00:00:00Z") })]);
    const row = await findCustomer();
    expect(row!.email).toBe("ada@example.com");
    expect(row!.deletedAt).not.toBeNull();
    expect((await prisma.order.findFirstOrThrow({ where: { shop: SHOP } })).name).toBe("#1001");
  });

  test("rows without shopifyUpdatedAt (lines, variants, refunds) upsert unconditionally", async () => {
    const line = (quantity: number): BulkRow => ({
      table: "orderLine",
      row: { shop: SHOP, shopifyId: "gid://shopify/LineItem/1", orderId: "gid://shopify/Order/1", productId: null, variantId: null, title: "Tee", variantTitle: null, sku: null, quantity, currentQuantity: quantity, unitPriceMinor: 1999n, totalMinor: 1999n * BigInt(quantity) },
    });
    const variant = (sku: string): BulkRow => ({ table: "variant", row: { shop: SHOP, shopifyId: "gid://shopify/ProductVariant/1", productId: "gid://shopify/Product/1", title: "S", sku, priceMinor: 10n } });
    const refund = (note: string): BulkRow => ({
      table: "refund",
      row: { shop: SHOP, shopifyId: "gid://shopify/Refund/1", orderId: "gid://shopify/Order/1", note, totalMinor: 1999n, currencyCode: "USD", shopifyCreatedAt: new Date("2026-01-03T00:00:00Z") },
    });
    await write([line(1), variant("A"), refund("first")]);
    await write([line(2), variant("B"), refund("second")]);
    expect(await prisma.orderLine.findFirstOrThrow({ where: { shop: SHOP } })).toMatchObject({ quantity: 2, totalMinor: 3998n });
    expect((await prisma.productVariant.findFirstOrThrow({ where: { shop: SHOP } })).sku).toBe("B");
    expect(await prisma.refund.findFirstOrThrow({ where: { shop: SHOP } })).toMatchObject({ note: "second", totalMinor: 1999n, shopifyCreatedAt: new Date("2026-01-03T00:00:00Z") });
  });

  test("money stays exact: 0.10, 19.99, 1234567.89, yen, and beyond 2^53", async () => {
    const amounts = [
      { amount: "0.10", currency: "USD", minor: 10n },
      { amount: "19.99", currency: "USD", minor: 1999n },
      { amount: "1234567.89", currency: "EUR", minor: 123456789n },
      { amount: "1234567", currency: "JPY", minor: 1234567n },
      { amount: "92233720368547758.07", currency: "USD", minor: 9223372036854775807n },
    ];
    const rows = amounts.map(({ amount, currency }, index) => {
      const mapped = toBulkRow(
        SHOP,
        {
          id: `gid://shopify/Order/${index + 1}`,
          name: `#${index}`,
          currencyCode: currency,
          totalPriceSet: { shopMoney: { amount, currencyCode: currency } },
          subtotalPriceSet: { shopMoney: { amount, currencyCode: currency } },
          createdAt: "2026-01-01T00:00:00Z",
          updatedAt: "2026-01-01T00:00:00Z",
        },
        "USD",
      );
      return mapped!;
    });
    await write(rows);
    const stored = await prisma.order.findMany({ where: { shop: SHOP }, orderBy: { name: "asc" } });
    expect(stored.map((row) => [row.totalPriceMinor, row.currencyCode])).toEqual(amounts.map(({ minor, currency }) => [minor, currency]));
    const sum = await prisma.order.aggregate({ where: { shop: SHOP, currencyCode: "USD", totalPriceMinor: { lt: 10_000n } }, _sum: { totalPriceMinor: true } });
    expect(sum._sum.totalPriceMinor).toBe(2009n);
  });

  test("text with tabs, line breaks, backslashes, a literal \\N, quotes and CJK is stored as sent", async () => {
    const awkward = ["tab\there", "line\nbreak\r\nwindows", "back\\slash \\N \\t", "\\N", 'quote " and \' and ,', "会员 VIP ✨", ""];
    await write(awkward.map((note, index) => customer({ shopifyId: `gid://shopify/Customer/${index + 1}`, note, firstName: note || null })));
    const stored = await prisma.customer.findMany({ where: { shop: SHOP }, orderBy: { shopifyId: "asc" }, select: { note: true, firstName: true } });
    expect(stored).toEqual(awkward.map((note) => ({ note, firstName: note || null })));
  });

  test("a batch of new records and one already stored newer: every new one lands, the stored one keeps its newer data", async () => {
    await write([customer({ email: "webhook@example.com", shopifyUpdatedAt: new Date("2026-06-01T00:00:00Z") })]);
    const batch = Array.from({ length: 50 }, (_, index) => customer({ shopifyId: `gid://shopify/Customer/${index + 1}`, email: `bulk${index + 1}@example.com` }));
    await write(batch);
    const stored = await prisma.customer.findMany({ where: { shop: SHOP }, select: { shopifyId: true, email: true } });
    expect(stored).toHaveLength(50);
    expect(stored.find((row) => row.shopifyId === "gid://shopify/Customer/1")!.email).toBe("webhook@example.com");
    expect(stored.filter((row) => row.email?.startsWith("bulk"))).toHaveLength(49);
  });

  test("keys are per shop: the same id in another shop is another row", async () => {
    await write([customer(), customer({ shop: OTHER, email: "other@example.com" })]);
    expect((await findCustomer())!.email).toBe("ada@example.com");
    expect((await findCustomer("gid://shopify/Customer/1", OTHER))!.email).toBe("other@example.com");
  });

  test("thousands of rows in one call", async () => {
    const rows = Array.from({ length: 2500 }, (_, index) => customer({ shopifyId: `gid://shopify/Customer/${index + 10}`, amountSpentMinor: BigInt(index) }));
    await write(rows);
    expect(await prisma.customer.count({ where: { shop: SHOP } })).toBe(2500);
    const sum = await prisma.customer.aggregate({ where: { shop: SHOP }, _sum: { amountSpentMinor: true } });
    expect(sum._sum.amountSpentMinor).toBe(BigInt((2499 * 2500) / 2));
  });
});

describe.each([
  { where: "on the calling thread", workerThread: false },
  { where: "on a writer thread", workerThread: true },
])("the bulk writer's queued writes $where", ({ workerThread }) => {
  /** `run` with a writer of this kind, closed after. */
  const withWriter = async (run: (writer: BulkWriter) => Promise<void>) => {
    const writer = await openBulkWriter(url, { workerThread });
    try {
      await run(writer);
    } finally {
      await writer.close();
    }
  };
  const gather = (writer: BulkWriter, rows: BulkRow[]) => {
    const batch = writer.newBatch();
    for (const row of rows) batch.add(row);
    return batch;
  };

  // A caller may post a write before the last one has committed: a batch that commits after one
  // that failed would record progress past lines that were never written.
  test("GIVEN writes queued behind one that fails, THEN none of them is written, nor any later one", () =>
    withWriter(async (writer) => {
      const broken = writer.write([customer({ shopifyId: "gid://shopify/Customer/before" }), order({ name: null as unknown as string })]);
      const queued = writer.write([customer({ shopifyId: "gid://shopify/Customer/queued" })]);
      await expect(broken).rejects.toThrow(/null/i);
      await expect(queued).rejects.toThrow(/earlier batch failed/);
      await expect(writer.write([customer({ shopifyId: "gid://shopify/Customer/later" })])).rejects.toThrow(/earlier batch failed/);
      expect(await prisma.customer.count()).toBe(0);
      expect(await prisma.order.count()).toBe(0);
    }));

  // SQLite posts a batch to its writer in parts while it is gathered: the parts belong to that batch's write alone.
  const customers = (from: number, count: number) => Array.from({ length: count }, (_, index) => customer({ shopifyId: `gid://shopify/Customer/${from + index}` }));

  test("a batch gathered but never written (its import failed) leaves nothing behind: the next write holds only its own rows", () =>
    withWriter(async (writer) => {
      gather(writer, customers(1, 2500)); // abandoned
      await writer.write(gather(writer, customers(5001, 10)));
      expect(await prisma.customer.count()).toBe(10);
    }));

  test("batches gathered side by side and written in any order each write exactly their own rows", () =>
    withWriter(async (writer) => {
      const first = gather(writer, customers(1, 2500));
      const small = gather(writer, customers(3001, 10));
      const last = gather(writer, customers(4001, 2500));
      await writer.write(small);
      expect(await prisma.customer.count()).toBe(10);
      await writer.write(last);
      await writer.write(first);
      expect(await prisma.customer.count()).toBe(5010);
    }));

  test("a large batch is one transaction: when its last row fails, none of the thousands gathered before it is kept", () =>
    withWriter(async (writer) => {
      const batch = gather(writer, [...customers(1, 2500), order({ name: null as unknown as string })]);
      await expect(writer.write(batch)).rejects.toThrow(/null/i);
      expect(await prisma.customer.count()).toBe(0);
    }));

  test("queued writes that succeed commit in order: the later copy of a row wins", () =>
    withWriter(async (writer) => {
      const first = writer.write([customer({ email: "first@example.com", shopifyUpdatedAt: new Date("2026-01-01T00:00:00Z") })]);
      const second = writer.write([customer({ email: "second@example.com", shopifyUpdatedAt: new Date("2026-01-01T00:00:00Z") })]);
      await Promise.all([first, second]);
      expect(await findCustomer()).toMatchObject({ email: "second@example.com" });
    }));
});

describe("bulk row mapping", () => {
  test("an order's inline refunds become refund rows in the order's currency", () => {
    const rows = toBulkRows(
      SHOP,
      {
        id: "gid://shopify/Order/9",
        name: "#9",
        totalPriceSet: { shopMoney: { amount: "5000", currencyCode: "JPY" } },
        createdAt: "2026-01-01T00:00:00Z",
        updatedAt: "2026-01-02T00:00:00Z",
        refunds: [{ id: "gid://shopify/Refund/3", createdAt: "2026-01-02T00:00:00Z", note: null, totalRefundedSet: { shopMoney: { amount: "1500", currencyCode: "JPY" } } }],
      },
      "USD",
    );
    expect(rows.map((row) => row.table)).toEqual(["order", "refund"]);
    expect(rows[1]!.row).toMatchObject({ orderId: "gid://shopify/Order/9", totalMinor: 1500n, currencyCode: "JPY" });
  });

  test.each([
    { title: "ten cents", amount: "0.10", currency: "USD", minor: 10n },
    { title: "no fraction", amount: "7", currency: "USD", minor: 700n },
    { title: "yen", amount: "1500", currency: "JPY", minor: 1500n },
    { title: "dinar (3 places)", amount: "1.234", currency: "KWD", minor: 1234n },
    { title: "negative", amount: "-3.20", currency: "EUR", minor: -320n },
    { title: "one decimal", amount: "12.5", currency: "USD", minor: 1250n },
    { title: "zeros beyond the exponent", amount: "5.000", currency: "USD", minor: 500n },
    { title: "yen with a zero fraction", amount: "1200.0", currency: "JPY", minor: 1200n },
    { title: "surrounding spaces", amount: " 12.50 ", currency: "USD", minor: 1250n },
    { title: "largest safe integer", amount: "90071992547409.91", currency: "USD", minor: 9007199254740991n },
    { title: "beyond 2^53 (exact path)", amount: "123456789012345678.91", currency: "USD", minor: 12345678901234567891n },
    { title: "negative beyond 2^53", amount: "-90071992547409.93", currency: "USD", minor: -9007199254740993n },
  ])("minorUnits: $title", ({ amount, currency, minor }) => {
    expect(minorUnits(amount, currency)).toBe(minor);
  });

  test.each(["1.005", "1e3", "", "-", ".5", "5.", "12,50", "1.2.3", "0x10", "1200.5"])("minorUnits refuses %j (USD; JPY for the last)", (amount) => {
    expect(() => minorUnits(amount, amount === "1200.5" ? "JPY" : "USD")).toThrow(RangeError);
  });
});
