// A large bulk file imported on a thread of its own (decision 007). A bulk file streams through
// the importing thread's heap at tens of megabytes a second; V8 lets that garbage grow the heap to
// ~190 MB before collecting it (the main thread's heap, bench:import), whatever the import actually
// holds. On a thread with a heap limit V8 collects instead, so the import's memory stays flat, and
// the calling thread (the app, the job worker) is left alone. The thread reports each committed
// batch here, in order; the run's state and onBatchCommitted stay on this side.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, type ResourceLimits } from "node:worker_threads";

import { dbProvider, type DbProvider } from "../db/database-url";
import { BulkDownloadError, type BulkFile } from "./import-file.server";
import type { ImportThreadData, ImportThreadReply } from "./import-thread-protocol";

// The thread's heap: a batch of 10,000 rows being parsed plus the one being written is ~30 MB live.
// A bound this close to it makes V8 collect often instead of letting garbage accumulate; each step
// tighter costs time in collecting (decision 007 has the measurements). On SQLite the writer thread
// and SQLite's page cache are in this process too, so its bound is the tighter one; on PostgreSQL
// the database's memory is the server's.
const IMPORT_THREAD_LIMITS: Record<DbProvider, ResourceLimits> = {
  sqlite: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 24 },
  postgresql: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 32 },
};

/**
 * The thread's entry: `import-thread.js` in build/server/, which `npm run build` emits there
 * (vite.import-thread.config.ts); from source (tsx, vitest, Vite's dev server) the TypeScript module
 * next to this one, loaded through tsx's `tsImport` - tsx's `--import` hooks do not reach worker
 * threads (privatenumber/tsx#354). Null when the built entry is missing (a build made without it).
 */
function threadEntry(): string | URL | null {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".ts")) {
    // This code is in build/server/index.js or in one of its chunks under build/server/assets/.
    const built = [path.dirname(here), path.dirname(path.dirname(here))].map((dir) => path.join(dir, "import-thread.js"));
    return built.find((file) => existsSync(file)) ?? null;
  }
  const require = createRequire(import.meta.url);
  const tsxDir = path.dirname(require.resolve("tsx/package.json"));
  const { exports } = JSON.parse(readFileSync(path.join(tsxDir, "package.json"), "utf8")) as { exports: Record<string, { import: { default: string } }> };
  const api = pathToFileURL(path.join(tsxDir, exports["./esm/api"]!.import.default)).href;
  const entry = pathToFileURL(path.join(path.dirname(here), "import-thread.ts")).href;
  return new URL(`data:text/javascript,${encodeURIComponent(`const { tsImport } = await import(${JSON.stringify(api)}); await tsImport(${JSON.stringify(entry)}, ${JSON.stringify(api)});`)}`);
}

// Looked up once per process (undefined until then; null when there is none).
let entry: string | URL | null | undefined;

/** Whether this installation can start an import thread (a server build made without its entry cannot). */
export function importThreadAvailable(): boolean {
  if (entry === undefined) {
    entry = threadEntry();
    if (!entry) console.warn("[import] build/server/import-thread.js is missing (run `npm run build`): large files are imported on the calling thread");
  }
  return entry !== null;
}

/**
 * Imports `file` on an import thread: `onCommitted` runs here for every committed batch, in file
 * order - when it throws, the thread stops after the batch it is writing and this rejects with that
 * error.
 */
export function importFileInThread(databaseUrl: string, indexesMaintained: boolean, { onCommitted, ...file }: BulkFile): Promise<void> {
  if (!importThreadAvailable()) throw new Error("no import thread entry");
  const data: ImportThreadData = { databaseUrl, indexesMaintained, file };
  const worker = new Worker(entry!, { workerData: data, resourceLimits: IMPORT_THREAD_LIMITS[dbProvider(databaseUrl)] });
  return new Promise<void>((resolve, reject) => {
    let failure: Error | null = null;
    let outcome: ImportThreadReply | null = null;
    let reporting = Promise.resolve();
    worker.on("message", (reply: ImportThreadReply) => {
      if (reply.type !== "committed") {
        outcome = reply;
        return;
      }
      reporting = reporting
        .then(() => (failure ? undefined : onCommitted(reply.progress)))
        .catch((error: unknown) => {
          failure ??= error instanceof Error ? error : new Error(String(error));
          worker.postMessage({ type: "stop" });
        });
    });
    worker.on("error", (error) => (failure ??= error)); // e.g. ERR_WORKER_OUT_OF_MEMORY
    worker.on("exit", (code) => {
      void reporting.then(() => {
        const ended = outcome as ImportThreadReply | null;
        if (failure) reject(failure);
        else if (ended?.type === "done") resolve();
        else if (ended?.type === "failed") reject(ended.downloadStatus !== undefined ? new BulkDownloadError(ended.downloadStatus) : Object.assign(new Error(ended.message), { code: ended.code }));
        else reject(new Error(`the import thread ended without finishing its file (exit code ${code})`));
      });
    });
  });
}
