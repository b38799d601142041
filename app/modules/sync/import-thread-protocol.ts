// Messages between an import and its import thread (import-file-thread.server.ts <-> import-thread.ts).
import type { RunProgress } from "./bulk-writer.server";
import type { BulkFile } from "./import-file.server";

export interface ImportThreadData {
  databaseUrl: string;
  file: Omit<BulkFile, "progressAt" | "onCommitted">;
  /** The run's resume state before this file: objectsImported counts the objects of the resources already done. */
  progress: RunProgress;
}

export type ImportThreadReply =
  | { type: "committed"; progress: RunProgress }
  | { type: "done" }
  /** Stopped after a batch because the import asked it to (its onBatchCommitted threw). */
  | { type: "stopped" }
  | { type: "failed"; message: string; code?: string; downloadStatus?: number };
