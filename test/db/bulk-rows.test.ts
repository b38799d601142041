// The bulk row helpers (insertMany, selectRows) on the database TEST_DB selects: on SQLite they run
// on the driver's own connection (decision 012), on PostgreSQL through one JSON parameter - either
// way every column kind comes back as written, rows keep their order, a conflict clause applies,
// and they belong to the caller's transaction (a rollback takes them back).
import { describe, expect, test } from "vitest";

import { bootApp } from "../support/app";

const { prisma } = await bootApp();
const { insertMany, selectRows, forEachRow, providerOf } = await import("~/modules/db/provider.server");
const { sqliteConnectionOf } = await import("~/db.server");

const SHOP = "bulk-rows.myshopify.com";
const COLUMNS = [
  ["customerId", "text"],
  ["orders", "int"],
  ["netSpentMinor", "bigint"],
  ["dirty", "bool"],
  ["computedAt", "date"],
  ["rfmSegment", "text"],
] as const;
const SELECT = `SELECT "customerId", "orders", "netSpentMinor", "dirty", "computedAt", "rfmSegment" FROM "CustomerInsight" WHERE "shop" = ${
  providerOf(prisma) === "sqlite" ? "?" : "$1"
} ORDER BY "customerId"`;
const read = (shop = SHOP) => selectRows(prisma, COLUMNS, SELECT, [shop]);
const at = new Date("2026-03-04T05:06:07.089Z");

describe("bulk rows", () => {
  test("every column kind comes back as written: text, int, bigint past 2^53, bool, date to the millisecond, null", async () => {
    const rows = [
      ["gid://shopify/Customer/1", 3, 9_007_199_254_740_993n, true, at, "champions"],
      ["gid://shopify/Customer/2", 0, -125n, false, null, null],
    ];
    await insertMany(prisma, "CustomerInsight", COLUMNS, rows, {
      constants: [
        ["shop", "text", SHOP],
        ["updatedAt", "date", at],
      ],
    });
    expect(await read()).toEqual(rows);
    // Prisma reads the same values back: the helpers store what Prisma stores.
    const viaPrisma = await prisma.customerInsight.findUniqueOrThrow({ where: { shop_customerId: { shop: SHOP, customerId: "gid://shopify/Customer/1" } } });
    expect(viaPrisma).toMatchObject({ orders: 3, netSpentMinor: 9_007_199_254_740_993n, dirty: true, computedAt: at, updatedAt: at });
    // A date bound as a parameter compares as the stored ones do.
    const later = await selectRows(
      prisma,
      [["customerId", "text"]],
      `SELECT "customerId" FROM "CustomerInsight" WHERE "shop" = ${providerOf(prisma) === "sqlite" ? '? AND "computedAt" >= ?' : '$1 AND "computedAt" >= $2'}`,
      [SHOP, at]
    );
    expect(later).toEqual([["gid://shopify/Customer/1"]]);
  });

  test("a conflict clause updates the existing row; rows keep their order (autoincrement ids follow it)", async () => {
    const shop = "bulk-rows-conflict.myshopify.com";
    await insertMany(
      prisma,
      "CustomerInsight",
      [
        ["customerId", "text"],
        ["orders", "int"],
      ],
      [["gid://shopify/Customer/1", 1]],
      {
        constants: [
          ["shop", "text", shop],
          ["updatedAt", "date", at],
        ],
      }
    );
    await insertMany(
      prisma,
      "CustomerInsight",
      [
        ["customerId", "text"],
        ["orders", "int"],
      ],
      [["gid://shopify/Customer/1", 5]],
      {
        constants: [
          ["shop", "text", shop],
          ["updatedAt", "date", at],
        ],
        conflict: `ON CONFLICT ("shop", "customerId") DO UPDATE SET "orders" = "CustomerInsight"."orders" + excluded."orders"`,
      }
    );
    expect((await read(shop)).map((row) => row[1])).toEqual([6]);

    const segments = ["lost", "champions", "atRisk", "new"];
    await insertMany(
      prisma,
      "RfmChange",
      [
        ["customerId", "text"],
        ["toSegment", "text"],
      ],
      segments.map((segment, index) => [`gid://shopify/Customer/${index}`, segment]),
      {
        constants: [
          ["shop", "text", shop],
          ["createdAt", "date", at],
        ],
      }
    );
    const changes = await prisma.rfmChange.findMany({ where: { shop }, orderBy: { id: "asc" } });
    expect(changes.map((change) => change.toSegment)).toEqual(segments);
  });

  test("they are part of the caller's transaction: a rollback takes the rows back, a commit keeps them", async () => {
    const shop = "bulk-rows-tx.myshopify.com";
    const row = (id: number) => [`gid://shopify/Customer/${id}`, id, BigInt(id), false, at, null];
    await expect(
      prisma.$transaction(async (tx) => {
        await insertMany(tx, "CustomerInsight", COLUMNS, [row(1), row(2)], {
          constants: [
            ["shop", "text", shop],
            ["updatedAt", "date", at],
          ],
        });
        // Seen inside the transaction...
        expect(await selectRows(tx, COLUMNS, SELECT, [shop])).toHaveLength(2);
        throw new Error("rolled back");
      })
    ).rejects.toThrow("rolled back");
    // ...and gone after it rolled back.
    expect(await read(shop)).toEqual([]);
    await prisma.$transaction(async (tx) =>
      insertMany(tx, "CustomerInsight", COLUMNS, [row(3)], {
        constants: [
          ["shop", "text", shop],
          ["updatedAt", "date", at],
        ],
      })
    );
    expect(await read(shop)).toEqual([row(3)]);
  });

  test("forEachRow hands over a whole shop's rows one at a time, in order, decoded as selectRows decodes them - past one cursor batch on PostgreSQL", async () => {
    const shop = "bulk-rows-stream.myshopify.com";
    const rows = Array.from({ length: 25_000 }, (_, index) => [`gid://shopify/Customer/${String(index).padStart(6, "0")}`, index, BigInt(index) * 1_000_000_007n, index % 2 === 0, new Date(at.getTime() + index), index % 3 ? "loyal" : null]);
    await insertMany(prisma, "CustomerInsight", COLUMNS, rows, { constants: [["shop", "text", shop], ["updatedAt", "date", at]] });
    const streamed: unknown[][] = [];
    await forEachRow(prisma, COLUMNS, SELECT, [shop], (row) => streamed.push(row));
    expect(streamed.length).toBe(rows.length);
    expect(streamed).toEqual(rows);
    // A date bound as a parameter compares as the stored ones do (UTC, whatever the server's zone).
    let later = 0;
    await forEachRow(prisma, COLUMNS, SELECT.replace(`ORDER BY`, `AND "computedAt" >= ${providerOf(prisma) === "sqlite" ? "?" : "$2"} ORDER BY`), [shop, new Date(at.getTime() + 24_990)], () => later++);
    expect(later).toBe(10);
    // In a transaction it reads what the transaction sees, its own uncommitted rows included.
    await expect(
      prisma.$transaction(async (tx) => {
        await insertMany(tx, "CustomerInsight", COLUMNS, [["gid://shopify/Customer/999999", 1, 1n, true, at, null]], { constants: [["shop", "text", shop], ["updatedAt", "date", at]] });
        let seen = 0;
        await forEachRow(tx, COLUMNS, SELECT, [shop], () => seen++);
        expect(seen).toBe(rows.length + 1);
        throw new Error("rolled back");
      })
    ).rejects.toThrow("rolled back");
  });

  test("the driver's connection is there on SQLite only, and is the one Prisma's transactions run on", async () => {
    const connection = await sqliteConnectionOf(prisma);
    if (providerOf(prisma) === "postgresql") {
      expect(connection).toBeNull();
      return;
    }
    expect(connection).not.toBeNull();
    expect(connection!.inTransaction).toBe(false);
    await prisma.$transaction(async (tx) => {
      expect(await sqliteConnectionOf(tx)).toBe(connection);
      expect(connection!.inTransaction).toBe(true);
    });
  });
});
