// The import thread (decision 007): downloads, parses and writes one large bulk result file, so
// that thread's heap - and with it the import's memory - is bounded by the limits the import gives
// it (import-file-thread.server.ts), whatever the file size. It loads no Prisma: the file import
// and the driver writer only.
import { parentPort, workerData } from "node:worker_threads";

import { openBulkWriter, type BulkWriter } from "./bulk-writer.server";
import { BulkDownloadError, importBulkFile } from "./import-file.server";
import type { ImportThreadData, ImportThreadReply } from "./import-thread-protocol";

class StopRequested extends Error {}

async function main(port: NonNullable<typeof parentPort>, { databaseUrl, indexesMaintained, file }: ImportThreadData) {
  const reply = (message: ImportThreadReply) => port.postMessage(message);
  let stopRequested = false;
  port.on("message", (message: { type: "stop" }) => {
    if (message.type === "stop") stopRequested = true;
  });
  let writer: BulkWriter | null = null;
  try {
    // SQLite writes on a thread of its own, as in the calling thread: the next batch is parsed
    // here while the last one is written.
    writer = await openBulkWriter(databaseUrl, { workerThread: true, indexesMaintained });
    await importBulkFile(writer, {
      ...file,
      onCommitted: (committed) => {
        reply({ type: "committed", progress: committed });
        if (stopRequested) throw new StopRequested("stopped by the import");
      },
    });
    await writer.close();
    reply({ type: "done" });
  } catch (error) {
    await writer?.close().catch(() => undefined);
    const failure = error as Error & { code?: string };
    if (failure instanceof StopRequested) reply({ type: "stopped" });
    else reply({ type: "failed", message: failure.message, code: failure.code, downloadStatus: failure instanceof BulkDownloadError ? failure.status : undefined });
  } finally {
    port.close();
  }
}

if (parentPort) void main(parentPort, workerData as ImportThreadData);
