// The import thread as `npm run build` ships it: vite.import-thread.config.ts bundles
// app/modules/sync/import-thread.ts into one file beside the server build, which a worker thread
// starts from. Built here into a temporary folder and run on a real bulk file of the emulated
// store: its imports resolve outside the source tree, and it speaks the protocol the import expects.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";

import { afterAll, beforeAll, expect, test } from "vitest";

import type { Emulator } from "../../dev/emulator/index";
import { BULK_OPERATION_STATUS, CUSTOMERS_BULK_QUERY, RUN_BULK_QUERY } from "~/modules/sync/bulk-documents";
import type { ImportThreadData, ImportThreadReply } from "~/modules/sync/import-thread-protocol";
import { getTestDatabase } from "../support/db";
import { emulatorAdmin, startEmulatedShops } from "../support/emulated-shop";

const SHOP = "thread-build-shop.myshopify.com";
const { prisma, reset, url } = await getTestDatabase();
let emulator: Emulator;
let outDir: string;

beforeAll(async () => {
  await reset();
  emulator = await startEmulatedShops([{ domain: SHOP, customers: 45, orders: 10, products: 3, seed: 9 }]);
  // Inside the project, so the bundle's packages resolve from its node_modules as in build/server.
  mkdirSync(path.join("node_modules", ".cache"), { recursive: true });
  outDir = mkdtempSync(path.join("node_modules", ".cache", "import-thread-build-"));
  const build = spawnSync("npx", ["vite", "build", "-c", "vite.import-thread.config.ts"], { env: { ...process.env, IMPORT_THREAD_OUT_DIR: outDir }, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`vite build failed: ${build.stderr}`);
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** The URL of a completed customers bulk operation on the emulator. */
async function customersFileUrl(): Promise<string> {
  const admin = emulatorAdmin(emulator, SHOP);
  const ask = async <T>(query: string, variables: Record<string, unknown>) => ((await (await admin.graphql(query, { variables })).json()) as { data: T }).data;
  const started = await ask<{ bulkOperationRunQuery: { bulkOperation: { id: string } } }>(RUN_BULK_QUERY, { query: CUSTOMERS_BULK_QUERY });
  for (;;) {
    const { node } = await ask<{ node: { status: string; url: string | null } }>(BULK_OPERATION_STATUS, { id: started.bulkOperationRunQuery.bulkOperation.id });
    if (node.status === "COMPLETED") return node.url!;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("the built import thread imports a bulk file in batches, reporting each committed batch in order", async () => {
  await prisma.shop.create({ data: { shop: SHOP, name: "Thread Shop", currencyCode: "USD", installedAt: new Date() } });
  const run = await prisma.syncRun.create({ data: { shop: SHOP, kind: "initial", status: "running", resource: "customers" } });
  const data: ImportThreadData = {
    databaseUrl: url,
    indexesMaintained: true,
    file: {
      url: await customersFileUrl(),
      shop: SHOP,
      currencyCode: "USD",
      batchSize: 20,
      skip: 0,
      before: { runId: run.id, resource: "customers", bulkOperationId: null, linesProcessed: 0, objectsImported: 7, resourcesDone: "products" },
    },
  };

  const replies: ImportThreadReply[] = [];
  const worker = new Worker(path.resolve(outDir, "import-thread.js"), { workerData: data });
  worker.on("message", (reply: ImportThreadReply) => replies.push(reply));
  const exitCode = await new Promise<number>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", resolve);
  });

  expect(exitCode).toBe(0);
  // 45 customers in batches of 20: three commits, each carrying the run's state, then done.
  expect(replies.map((reply) => (reply.type === "committed" ? reply.progress.linesProcessed : reply.type))).toEqual([20, 40, 45, "done"]);
  expect(replies[2]).toMatchObject({ type: "committed", progress: { objectsImported: 52, resourcesDone: "products", runId: run.id } });
  expect(await prisma.customer.count({ where: { shop: SHOP } })).toBe(45);
  expect(await prisma.syncRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ linesProcessed: 45, objectsImported: 52 });
});
