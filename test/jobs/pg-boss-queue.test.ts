// The pg-boss driver against PostgreSQL, with the same behaviour suite as the database driver. Runs in
// both passes of the suite (it needs only TEST_POSTGRES_URL); skipped without PostgreSQL, failed under CI.
import { randomUUID } from "node:crypto";

import pg from "pg";
import { afterAll, test } from "vitest";

import { createPgBossQueue } from "~/modules/jobs/pg-boss-queue.server";

import { postgresAvailable, testPostgresUrl } from "../support/db";
import { PG_BOSS_TEST_OPTIONS } from "./fixtures/pg-boss-options";
import { describeQueueBehaviour } from "./queue-behaviour";

const available = await postgresAvailable();
// Its own pg-boss schema per file and run, so parallel runs (SQLite and PostgreSQL passes) never meet.
const schema = `pgboss_test_${randomUUID().replace(/-/g, "").slice(0, 10)}`;
const url = testPostgresUrl();

async function sql(text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

if (!available && process.env.CI === "true") {
  test("pg-boss driver", () => {
    throw new Error(`PostgreSQL is required under CI but none answers at ${url}`);
  });
} else if (!available) {
  test.skip(`pg-boss driver SKIPPED: no PostgreSQL at ${url}`, () => undefined);
} else {
  afterAll(async () => {
    await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  let installed = false;
  describeQueueBehaviour("pg-boss driver", () => ({
    async createQueue() {
      // pg-boss installs its schema on first start; after that each test starts from empty tables.
      if (installed) await sql(`TRUNCATE ${schema}.job, ${schema}.archive`);
      installed = true;
      return createPgBossQueue({ databaseUrl: url, schema, ...PG_BOSS_TEST_OPTIONS });
    },
    childWorkerArgs: ["pg-boss", url, schema],
    workerOptions: { pollIntervalMs: 20 },
    busyShopJobs: 60,
    async lastError() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ message: string | null }>(`SELECT output->>'message' AS message FROM ${schema}.job WHERE state = 'failed' ORDER BY completed_on DESC LIMIT 1`);
        return rows[0]?.message;
      } finally {
        await client.end();
      }
    },
  }));
}
