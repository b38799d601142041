// The Prisma client. One logical model on two databases (decision 001): DATABASE_URL picks SQLite
// (file:...) or PostgreSQL (postgres://...), and with it the driver adapter and generated client.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type BetterSqlite3 from "better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

import { PrismaClient as PostgresPrismaClient } from "./generated/prisma/postgres/client";
import { PrismaClient as SqlitePrismaClient } from "./generated/prisma/sqlite/client";

/** The app's client type. Both generated clients have identical model APIs; the SQLite one names it. */
export type PrismaClient = SqlitePrismaClient;
export { Prisma } from "./generated/prisma/sqlite/client";
import type { Prisma } from "./generated/prisma/sqlite/client";
export type * from "./generated/prisma/sqlite/models";

// Plain functions of the URL, in a module without Prisma so the import's thread can load them alone.
export { DEFAULT_DATABASE_URL, dbProvider, postgresConnection, repoRoot, sqliteFilePath, type DbProvider } from "./modules/db/database-url";
import { DEFAULT_DATABASE_URL, dbProvider, postgresConnection, sqliteFilePath } from "./modules/db/database-url";

// How long a SQLite writer waits for another connection's lock before failing (ms).
const SQLITE_BUSY_TIMEOUT_MS = 5000;

export function createPrismaClient(url: string = process.env.DATABASE_URL || DEFAULT_DATABASE_URL): PrismaClient {
  if (dbProvider(url) === "postgresql") {
    const { connectionString, schema } = postgresConnection(url);
    // The adapter qualifies Prisma's queries with the schema; search_path covers raw SQL.
    const adapter = new PrismaPg({ connectionString, options: `-c search_path=${schema}` }, { schema });
    // Same models, same API: the PostgreSQL client is used through the SQLite client's type.
    const client = new PostgresPrismaClient({ adapter }) as unknown as PrismaClient;
    // The app's own connections (postgresConnectionOf) read and bind timestamp(3) as UTC, whatever the server's zone.
    Object.defineProperty(client, POSTGRES_CONNECTION, { value: { connectionString, options: `-c search_path=${schema} -c TimeZone=UTC` } });
    return client;
  }
  // WAL is set on the file by setup-db (it persists); busy timeout lets concurrent writers queue.
  const adapter = new DriverKeepingSqliteAdapter({ url: sqliteFilePath(url), timeout: SQLITE_BUSY_TIMEOUT_MS });
  const client = new SqlitePrismaClient({ adapter });
  Object.defineProperty(client, SQLITE_CONNECTION, { value: { adapter, client } });
  return client;
}

const SQLITE_CONNECTION = Symbol("sqliteConnection");
const POSTGRES_CONNECTION = Symbol("postgresConnection");

/**
 * A new node-postgres connection to the database and schema of a PostgreSQL client, for what the
 * adapter cannot do - a cursor that streams a whole shop's rows (decision 013); null on SQLite and
 * for a transaction client (whose statements must run in its transaction). The caller ends it.
 */
export async function postgresConnectionOf(db: PrismaClient | Prisma.TransactionClient): Promise<pg.Client | null> {
  const config = (db as unknown as Record<symbol, pg.ClientConfig | undefined>)[POSTGRES_CONNECTION];
  // A transaction client carries the symbol too (it derives from the client) but has no $transaction.
  if (!config || typeof (db as { $transaction?: unknown }).$transaction !== "function") return null;
  const connection = new pg.Client(config);
  await connection.connect();
  return connection;
}

/** The SQLite adapter, keeping the better-sqlite3 connection it opens (its one connection, where Prisma's transactions run too). */
class DriverKeepingSqliteAdapter extends PrismaBetterSQLite3 {
  connection: BetterSqlite3.Database | null = null;
  override async connect() {
    const opened = await super.connect();
    // The adapter keeps its better-sqlite3 Database as `client` (not public API: an upgrade that moves it fails here, loudly).
    const connection = (opened as unknown as { client?: BetterSqlite3.Database }).client;
    if (typeof connection?.prepare !== "function") throw new Error("@prisma/adapter-better-sqlite3 no longer exposes its connection as `client`: see decision 012");
    this.connection = connection;
    return opened;
  }
}

/**
 * The better-sqlite3 connection under a SQLite client or one of its transactions (whose statements
 * run on it), for the bulk reads and writes Prisma's raw queries make slow (decision 012); null on
 * PostgreSQL. Statements run on it join the transaction the client is in, like Prisma's own.
 */
export async function sqliteConnectionOf(db: PrismaClient | Prisma.TransactionClient): Promise<BetterSqlite3.Database | null> {
  const kept = (db as unknown as Record<symbol, { adapter: DriverKeepingSqliteAdapter; client: PrismaClient } | undefined>)[SQLITE_CONNECTION];
  if (!kept) return null;
  if (!kept.adapter.connection) await kept.client.$connect();
  return kept.adapter.connection;
}

const globalForPrisma = globalThis as unknown as { __prisma?: PrismaClient };
let client: PrismaClient | undefined;

/** The app's client, built on first use from DATABASE_URL; kept on globalThis in dev so HMR reuses it. */
export function getPrisma(): PrismaClient {
  if (client) return client;
  if (process.env.NODE_ENV !== "production") {
    globalForPrisma.__prisma ??= createPrismaClient();
    client = globalForPrisma.__prisma;
  } else {
    client = createPrismaClient();
  }
  return client;
}

/** Lazy: importing this module never connects, so DATABASE_URL may be set after import (tests, demo). */
export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const target = getPrisma();
    const value = Reflect.get(target, property, target);
    return typeof value === "function" ? value.bind(target) : value;
  },
  has(_target, property) {
    return Reflect.has(getPrisma(), property);
  },
});

export default prisma;
