// The import's write path: the raw driver for DATABASE_URL (better-sqlite3 or pg), not Prisma's
// model API (decision 007). Same upsert rule as writeArchiveRows (archive-sql.ts); each batch
// commits together with the SyncRun's resume state, so a crash never loses or double-counts work.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { finished } from "node:stream/promises";

import Database from "better-sqlite3";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

import { dbProvider, postgresConnection, repoRoot, sqliteFilePath } from "../db/database-url";
import { startSqliteThread } from "../db/sqlite-thread.server";
import { archiveIndexes, copyRowEncoder, copySql, encodeDate, insertColumns, searchIndexSql, stagedUpsertSql, stagingTable, stagingTableSql, TABLES, valuesUpsertSql, type ArchiveIndex, type SqlProvider, type SqlValue, type TableSpec } from "./archive-sql";
import type { BulkRow, BulkTable } from "./bulk-rows";

/** Resume state of a SyncRun, written in the same transaction as the batch it describes. */
export interface RunProgress {
  runId: string;
  resource: string | null;
  bulkOperationId: string | null;
  linesProcessed: number;
  objectsImported: number;
  resourcesDone: string;
}

/** Rows gathered for one write (newBatch): the SQLite writer encodes each row as it is added. */
export interface BulkBatch {
  add(row: BulkRow): void;
  /** Rows added so far. */
  readonly size: number;
}

export interface BulkWriter {
  readonly provider: SqlProvider;
  /** An empty batch for `write`. */
  newBatch(): BulkBatch;
  /**
   * Upserts `rows` (an array, or a batch of this writer's) and records `progress`, in one
   * transaction. Writes apply in call order; once one fails, every later one fails unwritten, so
   * a batch is never committed after one before it was lost (its progress would skip those lines).
   */
  write(rows: readonly BulkRow[] | BulkBatch, progress?: RunProgress): Promise<void>;
  /**
   * Before an import for `shop`: when the archive tables hold no other shop's rows, drops their
   * secondary indexes (built once after the load instead of maintained row by row) and returns
   * true; otherwise makes sure they all exist (repairing an import that crashed while they were
   * dropped) and returns false.
   */
  deferIndexes(shop: string): Promise<boolean>;
  /** Creates every secondary index the migrations define that is missing. Idempotent. */
  restoreIndexes(): Promise<void>;
  close(): Promise<void>;
}

// Tables the import writes (RefundLine comes from webhooks only: its indexes are never touched).
const IMPORT_TABLES: readonly TableSpec[] = TABLES.filter((spec) => spec.table !== "refundLine");

/** The migration files of `provider`, in order (null when they are not deployed). */
function migrationFiles(provider: SqlProvider): string[] | null {
  const dir = path.join(repoRoot(), "prisma/migrations", provider === "postgresql" ? "postgres" : "sqlite");
  if (!existsSync(dir)) return null;
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
}

/** The secondary indexes of the import's tables, from the migration files (null when they are not deployed). */
function importIndexes(files: string[] | null): ArchiveIndex[] | null {
  const indexes = files ? archiveIndexes(files, IMPORT_TABLES.map((spec) => spec.name)) : [];
  return indexes.length ? indexes : null;
}

// Whether any import table holds a row of another shop: two range probes per table on the
// (shop, shopifyId) unique index, so it costs the same whatever the tables hold.
const otherShopsSql = (placeholder: string) =>
  `SELECT CASE WHEN ${IMPORT_TABLES.map((spec) => `EXISTS (SELECT 1 FROM "${spec.name}" WHERE "shop" < ${placeholder}) OR EXISTS (SELECT 1 FROM "${spec.name}" WHERE "shop" > ${placeholder})`).join(" OR ")} THEN 1 ELSE 0 END AS "busy"`;

const PROGRESS_SQL = (placeholder: (n: number) => string) =>
  `UPDATE "SyncRun" SET "resource" = ${placeholder(1)}, "bulkOperationId" = ${placeholder(2)}, "linesProcessed" = ${placeholder(3)}, ` +
  `"objectsImported" = ${placeholder(4)}, "resourcesDone" = ${placeholder(5)}, "heartbeatAt" = ${placeholder(6)} WHERE "id" = ${placeholder(7)}`;

const progressValues = (progress: RunProgress, heartbeat: string) => [
  progress.resource,
  progress.bulkOperationId,
  progress.linesProcessed,
  progress.objectsImported,
  progress.resourcesDone,
  heartbeat,
  progress.runId,
];

// Rows per SQLite statement: multi-row VALUES amortises the per-statement cost; 100 rows of the
// widest table (24 columns) stay far below SQLite's 32766 parameters. Chunks of 100, then 10,
// then 1 rows: a handful of prepared statements per table serve any batch.
const SQLITE_CHUNKS = [100, 10, 1] as const;

/**
 * One batch for SQLite, compact enough to post to the worker cheaply: per table one flat array of
 * bound values (row after row, insertColumns order), then the progress row. No per-row objects.
 */
interface SqliteBatch {
  /** The batch's id when parts of it were posted ahead of it (`stage`), else null. */
  id: number | null;
  tables: SqliteTables;
  progress: SqlValue[] | null;
}

type SqliteTables = Array<[table: BulkTable, width: number, values: SqlValue[]]>;

// Rows of a batch posted to the writer at a time while it is gathered (SqliteBatchBuilder).
const SQLITE_STAGE_ROWS = 1_000;
let nextSqliteBatchId = 0;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A SQLite batch being gathered: each row is encoded into its table's flat value array as it is
 * added, so the import thread's row objects (and their dates and bigints) die young instead of
 * living until the batch is written - they were what the thread's collector spent its time
 * copying and marking (profile of bench:import). Every SQLITE_STAGE_ROWS rows the values go to the
 * writer ahead of the write (the writer's `stage`), so the values die young too: bench:import's
 * orders phase 10.6-12.3 -> 7.5-9.2 s in alternating runs. The writer writes the parts, then the
 * rest, in the batch's one transaction - each batch its own parts, whatever order batches are
 * written in; a batch never written (its import failed) leaves its parts with the writer until it
 * closes, never written. Rows stay in file order per table, no
 * de-duplication: SQLite applies a multi-row upsert row by row, so a later copy of a key meets the
 * earlier one through the same newer-wins clause (the result groupRows would give). Money binds
 * as a number while it is a safe integer (cheaper to post and bind; SQLite stores the same
 * INTEGER), as a bigint beyond.
 */
class SqliteBatchBuilder implements BulkBatch {
  size = 0;
  private readonly id = nextSqliteBatchId++;
  private readonly stamp = encodeDate(new Date(), "sqlite");
  private byTable = new Map<BulkTable, SqlValue[]>();
  private unstaged = 0;
  private staged = false;

  /** `stage` posts a part of the batch ahead of its write (the writer's); without it the batch is posted whole. */
  constructor(private readonly stage?: (id: number, tables: SqliteTables) => void) {}

  add({ table, row }: BulkRow): void {
    let values = this.byTable.get(table);
    if (!values) this.byTable.set(table, (values = []));
    SQLITE_ROW_ENCODERS.get(table)!(values, row as unknown as Record<string, unknown>, this.stamp);
    this.size += 1;
    if (this.stage && ++this.unstaged >= SQLITE_STAGE_ROWS) {
      this.stage(this.id, this.takeTables());
      this.staged = true;
    }
  }

  /** The rows not yet posted, per table in write order; emptied. */
  private takeTables(): SqliteTables {
    const tables: SqliteTables = [];
    for (const spec of TABLES) {
      const values = this.byTable.get(spec.table);
      if (values) tables.push([spec.table, SQLITE_WIDTHS.get(spec.table)!, values]);
    }
    this.byTable = new Map();
    this.unstaged = 0;
    return tables;
  }

  /** What the executor binds: the rest of the tables, then the progress row (the staged parts first). */
  build(progress: RunProgress | undefined): SqliteBatch {
    return { id: this.staged ? this.id : null, tables: this.takeTables(), progress: progress ? progressValues(progress, this.stamp) : null };
  }
}

const COPY_CHUNK_LINES = 512;
const COPY_ROW_ENCODERS = new Map(TABLES.map((spec) => [spec.table, copyRowEncoder(spec)]));

/**
 * A PostgreSQL batch being gathered: each row becomes its line of COPY text as it is added (per
 * table, in file order), so - as with SQLite's batch - the row objects die young instead of living
 * until the write with their dates and bigints (profile of bench:import's orders file: the import
 * thread collecting 3.6 -> 2.7 s, and no grouping pass). The same text serves the staged upsert.
 */
class CopyBatch implements BulkBatch {
  size = 0;
  readonly stamp = encodeDate(new Date(), "postgresql");
  private readonly byTable = new Map<BulkTable, { chunks: string[]; lines: string[] }>();

  add({ table, row }: BulkRow): void {
    let text = this.byTable.get(table);
    if (!text) this.byTable.set(table, (text = { chunks: [], lines: [] }));
    text.lines.push(COPY_ROW_ENCODERS.get(table)!(row as unknown as Record<string, unknown>, this.stamp));
    // A line is a chain of its ~30 concatenated parts; joined in chunks, what the batch holds is a
    // few flat strings (large enough to be left in place by the young generation's collector).
    if (text.lines.length === COPY_CHUNK_LINES) text.chunks.push(text.lines.splice(0).join(""));
    this.size += 1;
  }

  /** Each table's COPY text, in write order. */
  texts(): Array<{ spec: TableSpec; text: string }> {
    return TABLES.filter((spec) => this.byTable.has(spec.table)).map((spec) => {
      const { chunks, lines } = this.byTable.get(spec.table)!;
      return { spec, text: chunks.join("") + lines.join("") };
    });
  }
}

/** An array of rows as a batch of this kind (`Builder`), or the batch itself. */
function asBatch<Builder extends BulkBatch>(rows: readonly BulkRow[] | BulkBatch, Builder: new () => Builder): Builder {
  if (rows instanceof Builder) return rows;
  if (!Array.isArray(rows)) throw new TypeError("A batch from another writer");
  const batch = new Builder();
  for (const row of rows as readonly BulkRow[]) batch.add(row);
  return batch;
}

type RowEncoder = (values: SqlValue[], row: Record<string, unknown>, stamp: string) => void;

/**
 * One table's row appended to its flat value array, as SQLite binds it: dates as Prisma's text,
 * booleans 1/0, money a number while it is a safe integer and a bigint beyond. Compiled per table
 * from its columns, so each value is read by its own property name: a loop over the columns read
 * them by a computed key, which cost the import's thread ~1 s of 12 in the orders file (profile).
 */
function sqliteRowEncoder(spec: TableSpec): RowEncoder {
  const statements = spec.columns.map(([name, kind]) => {
    const read = `v = row[${JSON.stringify(name)}];`;
    if (kind === "date") return `${read} values.push(v == null ? null : encodeDate(v, "sqlite"));`;
    if (kind === "bool") return `${read} values.push(v == null ? null : v ? 1 : 0);`;
    if (kind === "bigint") return `${read} values.push(v == null ? null : v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v);`;
    return `${read} values.push(v === undefined ? null : v);`;
  });
  if (spec.timestamps !== "none") statements.push("values.push(stamp);");
  if (spec.timestamps === "both") statements.push("values.push(stamp);");
  return new Function("encodeDate", "MAX_SAFE", `return function encode(values, row, stamp) { let v; ${statements.join(" ")} };`)(encodeDate, MAX_SAFE) as RowEncoder;
}

const SQLITE_ROW_ENCODERS = new Map(TABLES.map((spec) => [spec.table, sqliteRowEncoder(spec)]));
// Values per row: the insert's columns (the row's, then the timestamps the encoder appends).
const SQLITE_WIDTHS = new Map(TABLES.map((spec) => [spec.table, insertColumns(spec).length]));

/** Every statement the executor prepares, by key (`customer:100`, `progress`). */
function sqliteStatements(): Record<string, string> {
  const sqlByKey: Record<string, string> = {};
  for (const spec of TABLES) for (const size of SQLITE_CHUNKS) sqlByKey[`${spec.table}:${size}`] = valuesUpsertSql(spec, "sqlite", size);
  sqlByKey.progress = PROGRESS_SQL(() => "?");
  return sqlByKey;
}

// The SQLite side of a batch, as plain JavaScript so the same text runs in this thread or in a
// worker thread (eval'd: no separate file for the Remix build to miss).
const SQLITE_EXECUTOR = `
function createExecutor(Database, { file, sql, indexesMaintained }) {
  const CHUNKS = ${JSON.stringify(SQLITE_CHUNKS)};
  const db = new Database(file, { timeout: 5000 });
  // This connection only: in WAL mode NORMAL is safe against a crashed process (a power loss may
  // lose the last batches, which the resume state then redoes) and never corrupts the database.
  db.pragma("synchronous = NORMAL");
  // 16 MB: without secondary indexes a load touches only the right edges of the table and its key;
  // 64 MB when they are maintained row by row (their pages are all over the file).
  db.pragma(indexesMaintained ? "cache_size = -65536" : "cache_size = -16384");
  // Checkpoint every ~40 MB of WAL instead of 4 MB: fewer copies of the pages each batch dirties.
  db.pragma("wal_autocheckpoint = 10000");
  const statements = new Map();
  const statement = (key) => {
    let prepared = statements.get(key);
    if (!prepared) statements.set(key, (prepared = db.prepare(sql[key])));
    return prepared;
  };
  const writeTables = (tables) => {
    for (const [table, width, values] of tables) {
      const rows = values.length / width;
      let start = 0;
      for (const size of CHUNKS) {
        if (rows - start < size) continue;
        const prepared = statement(table + ":" + size);
        for (; rows - start >= size; start += size) prepared.run(values.slice(start * width, (start + size) * width));
      }
    }
  };
  const write = db.transaction((parts, batch) => {
    for (const tables of parts) writeTables(tables);
    writeTables(batch.tables);
    if (batch.progress) statement("progress").run(batch.progress);
  });
  // Parts of batches posted ahead of their write, by batch id, in the order posted.
  const staged = new Map();
  const deferIndexes = db.transaction((otherShopsSql, shop, drop, ensure) => {
    const busy = db.prepare(otherShopsSql).pluck().get({ shop }) === 1;
    for (const sql of busy ? ensure : drop) db.exec(sql);
    // Indexes maintained row by row need their pages cached; a load without them does not.
    if (busy) db.pragma("cache_size = -65536");
    statements.clear();
    return !busy;
  });
  // Once a write fails, later ones - possibly already posted behind it - are refused unwritten.
  let failed = null;
  return {
    stage: (id, tables) => {
      if (failed) return;
      let parts = staged.get(id);
      if (!parts) staged.set(id, (parts = []));
      parts.push(tables);
    },
    // IMMEDIATE takes the write lock up front, so a concurrent writer waits instead of deadlocking.
    write: (batch) => {
      const parts = (batch.id === null ? null : staged.get(batch.id)) || [];
      staged.delete(batch.id);
      if (failed) throw new Error("Not written: an earlier batch failed (" + failed.message + ")");
      try {
        write.immediate(parts, batch);
      } catch (error) {
        failed = error;
        staged.clear(); // nothing staged can be written any more
        throw error;
      }
    },
    deferIndexes: (...args) => deferIndexes.immediate(...args),
    // Index builds sort on helper threads (PRAGMA threads) in runs of SQLite's default 2 MB cache,
    // merged: 3.4-2.6 s -> 1.8-2.2 s for the four largest, against one thread sorting in the
    // load's 16 MB. (Either alone did little.) The connection's settings are put back after.
    buildIndexes: (sqls) => {
      const cache = db.pragma("cache_size", { simple: true });
      const threads = db.pragma("threads", { simple: true });
      db.pragma("threads = 2");
      db.pragma("cache_size = -2000");
      try {
        for (const sql of sqls) db.exec(sql);
      } finally {
        db.pragma("threads = " + threads);
        db.pragma("cache_size = " + cache);
        statements.clear();
      }
    },
    close: () => db.close(),
  };
}`;

interface Executor {
  stage(id: number, tables: SqliteTables): void;
  write(batch: SqliteBatch): void;
  deferIndexes(otherShopsSql: string, shop: string, drop: string[], ensure: string[]): boolean;
  buildIndexes(sqls: string[]): void;
  close(): void;
}
type ExecutorCall = { [K in keyof Executor]: { call: K; args: Parameters<Executor[K]> } }[keyof Executor];

const createExecutor = new Function(`${SQLITE_EXECUTOR}; return createExecutor;`)() as (driver: typeof Database, data: { file: string; sql: Record<string, string>; indexesMaintained?: boolean }) => Executor;

/** The SQLite writer on top of an executor, here or in a worker (`call` runs one executor method). */
function sqliteWriter(call: <C extends ExecutorCall>(message: C) => Promise<unknown>, close: () => Promise<void>): BulkWriter {
  const files = migrationFiles("sqlite");
  const indexes = importIndexes(files);
  // The customer search index (migration 0013) is deferred with them: its triggers dropped, then
  // refilled in one statement and the triggers recreated when the indexes are restored.
  const search = files ? searchIndexSql(files) : null;
  const create = [...(indexes ?? []).map((index) => index.createSql), ...(search?.restore ?? [])];
  // Posted without waiting: the executor only keeps the part, and a failed thread fails the batch's write.
  const stage = (id: number, tables: SqliteTables) => void call({ call: "stage", args: [id, tables] }).catch(() => undefined);
  return {
    provider: "sqlite",
    newBatch: () => new SqliteBatchBuilder(stage),
    write: (rows, progress) => call({ call: "write", args: [asBatch(rows, SqliteBatchBuilder).build(progress)] }).then(() => undefined),
    async deferIndexes(shop) {
      if (!indexes) return false;
      const drop = [...indexes.map((index) => `DROP INDEX IF EXISTS "${index.name}"`), ...(search?.drop ?? [])];
      return (await call({ call: "deferIndexes", args: [otherShopsSql("@shop"), shop, drop, create] })) === true;
    },
    async restoreIndexes() {
      if (indexes) await call({ call: "buildIndexes", args: [create] });
    },
    close,
  };
}

function openSqlite(url: string, options: WriterOptions): BulkWriter {
  const executor = createExecutor(Database, { file: sqliteFilePath(url), sql: sqliteStatements(), indexesMaintained: options.indexesMaintained });
  return sqliteWriter(
    async ({ call, args }) => (executor[call] as (...values: unknown[]) => unknown)(...args),
    async () => executor.close(),
  );
}

// The writer thread holds the batch it writes (~5 MB of values for 10,000 rows) and the copies it
// received: a heap limit makes V8 collect them instead of growing the heap (bench:import).
const SQLITE_WRITER_LIMITS = { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 16 };

/**
 * SQLite writes in a worker thread: better-sqlite3 is synchronous, so in this thread parsing and
 * writing would take turns; in a worker the next batch is parsed while this one is written.
 */
async function openSqliteInWorker(url: string, options: WriterOptions): Promise<BulkWriter> {
  const thread = startSqliteThread(SQLITE_EXECUTOR, { file: sqliteFilePath(url), sql: sqliteStatements(), indexesMaintained: options.indexesMaintained }, SQLITE_WRITER_LIMITS);
  return sqliteWriter(({ call, args }) => thread.call(call, args), () => thread.close());
}

/**
 * `write` one call at a time in call order, and none after one that failed (BulkWriter.write).
 * (SQLite's executor does the same where its writes run: they may be posted before one fails.)
 */
function inOrder(write: BulkWriter["write"]): BulkWriter["write"] {
  let queue: Promise<unknown> = Promise.resolve();
  let failed: Error | null = null;
  return (rows, progress) => {
    const run = queue.then(async () => {
      if (failed) throw new Error(`Not written: an earlier batch failed (${failed.message})`);
      try {
        await write(rows, progress);
      } catch (error) {
        failed = error instanceof Error ? error : new Error(String(error));
        throw error;
      }
    });
    queue = run.catch(() => undefined);
    return run;
  };
}

const UNIQUE_VIOLATION = "23505";
const UPSERT_BATCHES_AFTER_CONFLICT = 10;

async function openPostgres(url: string): Promise<BulkWriter> {
  const { connectionString, schema } = postgresConnection(url);
  // synchronous_commit off for this connection only: a crash can lose the last few commits (never
  // corrupt anything), and those batches' resume state goes with them, so they are simply redone.
  const client = new pg.Client({ connectionString, options: `-c search_path=${schema} -c synchronous_commit=off` });
  await client.connect();
  const progressSql = PROGRESS_SQL((n) => `$${n}`);
  const indexes = importIndexes(migrationFiles("postgresql"));
  const inTransaction = async (connection: pg.Client, work: () => Promise<unknown>) => {
    await connection.query("BEGIN");
    try {
      await work();
      await connection.query("COMMIT");
    } catch (error) {
      await connection.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  };
  const transaction = (work: () => Promise<unknown>) => inTransaction(client, work);
  // Order lines (most of the rows) go through a second connection at the same time, so the server
  // works on two cores. They commit first and the rest, with the resume state, after: a crash in
  // between leaves lines committed ahead of their batch's progress, which the resume upserts again
  // (idempotent) - never progress ahead of rows.
  const lines = new pg.Client({ connectionString, options: `-c search_path=${schema} -c synchronous_commit=off` });
  await lines.connect();
  // The newer-wins upsert: the batch's text copied into the connection's staging table, then
  // upserted from it, one row per key (a batch may hold a key twice). Writing the default store a
  // second time (every batch an upsert): 15.6 s, against 20.2 s with one array per column (unnest).
  const upsert = async (connection: pg.Client, spec: TableSpec, text: string) => {
    await connection.query(stagingTableSql(spec));
    await finished(connection.query(copyFrom(copySql(spec, stagingTable(spec)))).end(text));
    await connection.query({ name: `archive-upsert-${spec.table}`, text: stagedUpsertSql(spec) });
  };
  // Batches per table still to go through the upsert after a COPY met an existing key.
  const upsertOnly = new Map<BulkTable, number>();
  // COPY first: a plain insert streamed in one message, much cheaper for the server than the upsert
  // (bench:import's orders 35 -> 25 s), and right whenever none of the batch's keys is stored - a first import. A
  // stored key (a resumed batch, a webhook's row, a re-import) fails the COPY with a unique
  // violation; its savepoint undoes it and the batch takes the newer-wins upsert, as do that
  // table's next few batches (a re-import conflicts on every batch: one failed COPY, not each).
  const write = async (connection: pg.Client, spec: TableSpec, text: string) => {
    const pending = upsertOnly.get(spec.table) ?? 0;
    if (pending > 0) {
      upsertOnly.set(spec.table, pending - 1);
      return upsert(connection, spec, text);
    }
    await connection.query("SAVEPOINT archive_copy");
    try {
      await finished(connection.query(copyFrom(copySql(spec))).end(text));
      await connection.query("RELEASE SAVEPOINT archive_copy");
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      await connection.query("ROLLBACK TO SAVEPOINT archive_copy");
      upsertOnly.set(spec.table, UPSERT_BATCHES_AFTER_CONFLICT);
      await upsert(connection, spec, text);
    }
  };
  return {
    provider: "postgresql",
    newBatch: () => new CopyBatch(),
    write: inOrder((rows, progress) =>
      transaction(async () => {
        const batch = asBatch(rows, CopyBatch);
        const texts = batch.texts();
        const lineText = texts.find(({ spec }) => spec.table === "orderLine");
        const linesDone = lineText ? inTransaction(lines, () => write(lines, lineText.spec, lineText.text)) : Promise.resolve();
        try {
          for (const { spec, text } of texts) if (spec.table !== "orderLine") await write(client, spec, text);
        } finally {
          // The lines' outcome first: a failure there fails the batch before its progress commits.
          await linesDone;
        }
        if (progress) await client.query({ name: "archive-progress", text: progressSql, values: progressValues(progress, batch.stamp) });
      }),
    ),
    async deferIndexes(shop) {
      if (!indexes) return false;
      let deferred = false;
      await transaction(async () => {
        // Serialises with other imports' checks, so two shops' imports cannot both see "only mine".
        await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`archive-indexes:${schema}`]);
        const { rows } = await client.query<{ busy: number }>(otherShopsSql("$1"), [shop]);
        deferred = rows[0]?.busy === 0;
        for (const index of indexes) await client.query(deferred ? `DROP INDEX IF EXISTS "${index.name}"` : index.createSql);
      });
      return deferred;
    },
    async restoreIndexes() {
      if (!indexes) return;
      // Two connections take the indexes from one queue: a GIN (trigram) build uses one core, and
      // the other connection builds the next index meanwhile. The builds sort in memory instead of
      // in temporary files (the server's memory, briefly).
      const second = new pg.Client({ connectionString, options: `-c search_path=${schema}` });
      await second.connect();
      try {
        const queue = [...indexes];
        const build = async (connection: pg.Client) => {
          await connection.query("SET maintenance_work_mem = '256MB'");
          for (let index = queue.shift(); index; index = queue.shift()) await connection.query(index.createSql);
        };
        await Promise.all([build(client), build(second)]);
      } finally {
        await second.end();
      }
    },
    async close() {
      await Promise.all([client.end(), lines.end()]);
    },
  };
}

interface WriterOptions {
  /** SQLite: write on a worker thread of its own. */
  workerThread?: boolean;
  /**
   * SQLite: the archive's secondary indexes are in place (another writer's deferIndexes returned
   * false), so this connection caches more of their pages, as deferIndexes does for its own.
   */
  indexesMaintained?: boolean;
}

/** A writer on its own connection to `url` (the same database the app's Prisma client uses). */
export async function openBulkWriter(url: string, options: WriterOptions = {}): Promise<BulkWriter> {
  if (dbProvider(url) === "postgresql") return openPostgres(url);
  return options.workerThread ? openSqliteInWorker(url, options) : openSqlite(url, options);
}
