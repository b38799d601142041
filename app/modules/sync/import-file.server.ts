// One bulk result file into the archive: its JSONL streamed line by line (memory stays flat
// whatever the file size), mapped to rows and written through the driver writer in batches, each
// committed together with the run's resume state. No Prisma here: the import thread
// (import-thread.ts) runs this same code for a large file.
import { toBulkRows } from "./bulk-rows";
import type { BulkWriter, RunProgress } from "./bulk-writer.server";

/** The download of a bulk result failed (e.g. its URL expired after 7 days): run the query again. */
export class BulkDownloadError extends Error {
  constructor(public readonly status: number) {
    super(`Could not download bulk result (HTTP ${status})`);
    this.name = "BulkDownloadError";
  }
}

/** JSONL lines of a URL, streamed: only one network chunk and one partial line are held at a time. */
export async function* readLines(url: string): AsyncGenerator<string> {
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new BulkDownloadError(response.status);
  const decoder = new TextDecoder();
  let rest = "";
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    const text = rest + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      if (end > start) yield text.slice(start, end);
      start = end + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.decode();
  if (rest.trim()) yield rest;
}

export interface BulkFile {
  url: string;
  shop: string;
  currencyCode: string;
  /** Rows per transaction (a batch also ends at 8 MB of JSONL). */
  batchSize: number;
  /** Lines already committed by an earlier attempt: read past, not written again. */
  skip: number;
  /** The run's resume state before this file (objectsImported: the objects of the resources already done). */
  before: RunProgress;
  /** Called once per committed batch, in file order, with the state it committed; throwing stops the import. */
  onCommitted(progress: RunProgress): void | Promise<void>;
}

// A batch also ends at this many characters of JSONL, so rows far larger than usual (long customer
// notes) cannot grow a batch past what the import thread's heap limit allows. A typical batch
// (10,000 order lines) is ~5.5 MB.
const MAX_BATCH_CHARS = 8 * 2 ** 20;

/** Imports one bulk result file through `writer`. */
export async function importBulkFile(writer: BulkWriter, file: BulkFile): Promise<void> {
  const { shop, currencyCode, batchSize, skip } = file;
  let line = 0;
  let committedLines = skip;
  let batch = writer.newBatch();
  let batchChars = 0;
  // One write in flight while the next batch is parsed: the database works while Node parses.
  let inflight: Promise<unknown> | null = null;
  const settle = async () => {
    const outcome = await inflight;
    inflight = null;
    if (outcome instanceof Error) throw outcome;
  };
  const flush = async () => {
    if (line === committedLines) return;
    await settle();
    const progress: RunProgress = { ...file.before, linesProcessed: line, objectsImported: file.before.objectsImported + line };
    const rows = batch;
    batch = writer.newBatch();
    batchChars = 0;
    committedLines = line;
    // Settled to a value (never rejected) so an error waits for settle() instead of going unhandled.
    inflight = writer
      .write(rows, progress)
      .then(() => file.onCommitted(progress))
      .then(() => null)
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  };
  for await (const text of readLines(file.url)) {
    line += 1;
    if (line <= skip) continue;
    for (const row of toBulkRows(shop, JSON.parse(text) as Record<string, unknown>, currencyCode)) batch.add(row);
    batchChars += text.length;
    if (batch.size >= batchSize || batchChars >= MAX_BATCH_CHARS) await flush();
  }
  await flush();
  await settle();
}
