// Messages between an import and its import thread (import-file-thread.server.ts <-> import-thread.ts).
import type { RunProgress } from "./bulk-writer.server";
import type { BulkFile } from "./import-file.server";

export interface ImportThreadData {
  databaseUrl: string;
  /** The archive's secondary indexes are in place (not deferred): the thread's SQLite connection caches more. */
  indexesMaintained: boolean;
  file: Omit<BulkFile, "onCommitted">;
}

export type ImportThreadReply =
  | { type: "committed"; progress: RunProgress }
  | { type: "done" }
  /** Stopped after a batch because the import asked it to (its onBatchCommitted threw). */
  | { type: "stopped" }
  | { type: "failed"; message: string; code?: string; downloadStatus?: number };
