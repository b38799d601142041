// Durable webhook intake with group commit (decision 008). Every verified delivery must be
// committed before Shopify gets its 200, and one transaction per delivery would cost one fsync
// each. Deliveries are gathered until the end of the current turn of the event loop (everything
// the server read in that turn) and then inserted in one transaction: one commit for the group.
//
// It writes through the database driver, not Prisma: Prisma's raw queries still pass every
// parameter through its query compiler, which cost ~0.3 ms per 2 KB payload here - more than the
// rest of a delivery. SQLite: a connection of its own on a worker thread, so neither the fsync nor
// a wait for the lock (held by a worker's transaction, perhaps of this very process) stops the
// event loop. PostgreSQL: a one-connection pg pool.
import { randomUUID } from "node:crypto";

import pg from "pg";

import { dbProvider, postgresConnection, sqliteFilePath } from "../../db.server";
import { startSqliteThread } from "../db/sqlite-thread.server";
import { encodeDate, type SqlProvider } from "../sync/archive-sql";
import type { RecordResult, VerifiedWebhook } from "./webhook-events.server";

// 12 parameters per row: 500 rows stay far below PostgreSQL's 65,535.
const MAX_GROUP = 500;
// How long a group waits for SQLite's write lock (held by another connection) before failing.
const LOCK_WAIT_MS = 5000;
const COLUMNS = ["id", "shop", "topic", "webhookId", "eventId", "apiVersion", "triggeredAt", "subjectId", "payload", "status", "attempts", "receivedAt"] as const;
const COLUMN_LIST = COLUMNS.map((column) => `"${column}"`).join(", ");

type Row = Array<string | number | null>;

/** Inserts rows (in COLUMNS order) unless their (shop, eventId) exists; returns which were inserted. */
interface EventStore {
  insert(rows: Row[]): Promise<boolean[]>;
  close(): Promise<void>;
}

// The SQLite side, run on its own thread: there it may wait for another connection's lock (a
// worker's transaction) and fsync without stopping this thread from reading more deliveries.
// SQLite's own busy handler sleeps ever longer between tries (up to 100 ms) and so loses the lock,
// again and again, to a worker that takes it back within a millisecond of committing; this thread
// instead tries every quarter of a millisecond.
const SQLITE_EXECUTOR = `
function createExecutor(Database, { file, sql }) {
  const db = new Database(file, { timeout: 0 });
  const insertOne = db.prepare(sql);
  const insertAll = db.transaction((rows) => rows.map((row) => insertOne.run(row).changes === 1));
  const pause = new Int32Array(new SharedArrayBuffer(4));
  return {
    insert(rows) {
      const deadline = Date.now() + ${LOCK_WAIT_MS};
      for (;;) {
        // IMMEDIATE: take the write lock first, so a busy database fails before anything is written.
        try { return insertAll.immediate(rows); }
        catch (error) {
          if (error.code !== "SQLITE_BUSY" || Date.now() > deadline) throw error;
          Atomics.wait(pause, 0, 0, 0.25);
        }
      }
    },
    close: () => db.close(),
  };
}`;

function sqliteStore(url: string): EventStore {
  const sql = `INSERT INTO "WebhookEvent" (${COLUMN_LIST}) VALUES (${COLUMNS.map(() => "?").join(", ")}) ON CONFLICT ("shop", "eventId") DO NOTHING`;
  const thread = startSqliteThread(SQLITE_EXECUTOR, { file: sqliteFilePath(url), sql });
  return {
    insert: async (rows) => (await thread.call("insert", [rows])) as boolean[],
    close: () => thread.close(),
  };
}

function postgresStore(url: string): EventStore {
  const { connectionString, schema } = postgresConnection(url);
  const pool = new pg.Pool({ connectionString, options: `-c search_path=${schema}`, max: 1 });
  pool.on("error", (error) => console.error("[webhooks] intake connection failed:", error.message));
  return {
    async insert(rows) {
      let n = 0;
      const tuples = rows.map(() => `(${COLUMNS.map(() => `$${++n}`).join(", ")})`);
      const ids = rows.map((row) => row[0]);
      const result = await pool.query<{ id: string }>(
        `INSERT INTO "WebhookEvent" (${COLUMN_LIST}) VALUES ${tuples.join(", ")} ON CONFLICT ("shop", "eventId") DO NOTHING RETURNING "id"`,
        rows.flat(),
      );
      const inserted = new Set(result.rows.map((row) => row.id));
      return ids.map((id) => inserted.has(id as string));
    },
    close: () => pool.end(),
  };
}

interface Waiting {
  webhook: VerifiedWebhook;
  resolve(result: RecordResult): void;
  reject(error: unknown): void;
}

export interface IntakeOptions {
  databaseUrl: string;
  /** Called after each commit with the shops that got new events (their drain job is queued there). */
  onRecorded?: (shops: Set<string>) => void;
}

export interface Intake {
  /** Resolves once the event is committed, or found to be a copy of a stored one. */
  record(webhook: VerifiedWebhook): Promise<RecordResult>;
  /** Resolves when nothing is waiting or being written. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** The event id a delivery is deduplicated on: X-Shopify-Event-Id, else (older deliveries) the webhook id. */
export const dedupeKey = (webhook: VerifiedWebhook) => webhook.eventId ?? webhook.webhookId;

function toRow(webhook: VerifiedWebhook, id: string, now: string, provider: SqlProvider): Row {
  const triggeredAt = webhook.triggeredAt ? new Date(webhook.triggeredAt) : null;
  return [
    id,
    webhook.shop,
    webhook.topic,
    webhook.webhookId,
    dedupeKey(webhook),
    webhook.apiVersion,
    triggeredAt && !Number.isNaN(triggeredAt.getTime()) ? encodeDate(triggeredAt, provider) : null,
    null, // subjectId: set when the event is applied
    webhook.rawBody,
    "received",
    0,
    now,
  ];
}

export function createIntake({ databaseUrl, onRecorded }: IntakeOptions): Intake {
  const provider = dbProvider(databaseUrl);
  const store = provider === "sqlite" ? sqliteStore(databaseUrl) : postgresStore(databaseUrl);
  const waiting: Waiting[] = [];
  let writing: Promise<void> | null = null;

  async function write(group: Waiting[]) {
    const now = encodeDate(new Date(), provider);
    const ids = group.map(() => randomUUID());
    const inserted = await store.insert(group.map(({ webhook }, index) => toRow(webhook, ids[index]!, now, provider)));
    const shops = new Set<string>();
    group.forEach((item, index) => {
      if (inserted[index]) shops.add(item.webhook.shop);
      // Not inserted: a copy of a stored event (perhaps of one earlier in this same group).
      item.resolve(inserted[index] ? { status: "recorded", id: ids[index]! } : { status: "duplicate" });
    });
    if (shops.size > 0) onRecorded?.(shops);
  }

  async function drain() {
    // Let the rest of this turn's requests join the group.
    await new Promise((resolve) => setImmediate(resolve));
    while (waiting.length > 0) {
      const group = waiting.splice(0, MAX_GROUP);
      try {
        await write(group);
      } catch (error) {
        // Nothing of the group is committed: each delivery in it gets an error, and Shopify retries it.
        for (const item of group) item.reject(error);
      }
    }
  }

  function kick() {
    if (writing) return;
    writing = drain().finally(() => {
      writing = null;
      // A delivery may have arrived after the loop's last look and before this callback.
      if (waiting.length > 0) kick();
    });
  }

  return {
    record(webhook) {
      return new Promise<RecordResult>((resolve, reject) => {
        waiting.push({ webhook, resolve, reject });
        kick();
      });
    },
    async idle() {
      while (writing) await writing;
    },
    async close() {
      while (writing) await writing;
      await store.close();
    },
  };
}
