// One bulk file through importBulkFile on the real database, served over HTTP as Shopify serves a
// bulk result. GIVEN a line that is not JSON, THEN the import fails on it - after the batches before
// it have been written and reported, none still in flight - and a resume from the last reported
// line ends with every customer.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import { openBulkWriter } from "~/modules/sync/bulk-writer.server";
import { importBulkFile, type BulkFile } from "~/modules/sync/import-file.server";
import { getTestDatabase } from "../support/db";

const SHOP = "file-shop.myshopify.com";
const { prisma, reset, url } = await getTestDatabase();

const customerLine = (n: number) =>
  JSON.stringify({ id: `gid://shopify/Customer/${n}`, displayName: `Customer ${n}`, tags: [], numberOfOrders: "0", amountSpent: { amount: "0.00", currencyCode: "USD" }, createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z" });

let body = "";
let server: Server;
let fileUrl = "";

beforeAll(async () => {
  server = createServer((_request, response) => response.end(body));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fileUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bulk.jsonl`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(async () => {
  await reset();
});

const before = { runId: "no-run", resource: "customers", bulkOperationId: null, linesProcessed: 0, objectsImported: 0, resourcesDone: "" };

describe("importBulkFile", () => {
  test("GIVEN line 26 of 40 is not JSON, THEN the import fails on it after writing and reporting the two batches before it; resumed from there, it ends with all 40 customers", async () => {
    const lines = Array.from({ length: 40 }, (_, index) => customerLine(index + 1));
    lines[25] = '{"id":"gid://shopify/Customer/26", "displayName": '; // cut off mid-object
    body = `${lines.join("\n")}\n`;
    const reported: number[] = [];
    const writer = await openBulkWriter(url, { workerThread: true });
    const file: BulkFile = { url: fileUrl, shop: SHOP, currencyCode: "USD", batchSize: 10, skip: 0, before, onCommitted: (progress) => void reported.push(progress.linesProcessed) };
    try {
      await expect(importBulkFile(writer, file)).rejects.toThrow(SyntaxError);
      // Nothing still in flight: both batches before the bad line were written and reported by then.
      expect(reported).toEqual([10, 20]);
      expect(await prisma.customer.count({ where: { shop: SHOP } })).toBe(20);

      // The merchant's data fixed (Shopify's next bulk file), the resume skips what was reported.
      lines[25] = customerLine(26);
      body = `${lines.join("\n")}\n`;
      await importBulkFile(writer, { ...file, skip: reported.at(-1)! });
      expect(reported).toEqual([10, 20, 30, 40]);
      expect(await prisma.customer.count({ where: { shop: SHOP } })).toBe(40);
    } finally {
      await writer.close();
    }
  });
});
