// The migration runner (scripts/setup-db.ts) on the database TEST_DB selects: applies in order,
// is idempotent, refuses edited or unknown migrations, rolls back a failing one.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll, describe, expect, test } from "vitest";

import { applyMigrations, defaultMigrationsDir, MigrationError, readMigrations } from "../../scripts/setup-db";
import { dropPostgresSchema, postgresSchemaUrl, testProvider } from "../support/db";

const provider = testProvider();
const scratch = mkdtempSync(path.join(os.tmpdir(), "crm-migrations-"));
const schemas: string[] = [];
let counter = 0;

/** A URL for a database nothing has touched yet. */
function freshUrl(): string {
  counter += 1;
  if (provider === "postgres") {
    const schema = `test_w${process.env.VITEST_POOL_ID ?? "1"}_mig${counter}`;
    schemas.push(schema);
    return postgresSchemaUrl(schema);
  }
  return `file:${path.join(scratch, `db-${counter}.db`)}`;
}

/** A writable copy of the real migrations folder. */
function copyOfMigrations(): string {
  const dir = path.join(scratch, `migrations-${++counter}`);
  cpSync(defaultMigrationsDir(provider === "postgres" ? "postgresql://x" : "file:x"), dir, { recursive: true });
  return dir;
}

afterAll(async () => {
  for (const schema of schemas) await dropPostgresSchema(schema);
  rmSync(scratch, { recursive: true, force: true });
});

describe(`migrations (${provider})`, () => {
  test("every migration applies to an empty database, and a second run applies nothing", async () => {
    const url = freshUrl();
    const all = readMigrations(defaultMigrationsDir(url)).map((migration) => migration.name);
    expect(all.length).toBeGreaterThan(0);

    const first = await applyMigrations({ url });
    expect(first.applied).toEqual(all);
    expect(first.alreadyApplied).toEqual([]);

    const second = await applyMigrations({ url });
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied.sort()).toEqual(all);
  });

  test("two runners at once apply each migration exactly once", async () => {
    const url = freshUrl();
    const results = await Promise.all([applyMigrations({ url }), applyMigrations({ url })]);
    const total = readMigrations(defaultMigrationsDir(url)).length;
    expect(results[0]!.applied.length + results[1]!.applied.length).toBe(total);
  });

  test("a migration changed after it was applied is refused", async () => {
    const url = freshUrl();
    const migrationsDir = copyOfMigrations();
    await applyMigrations({ url, migrationsDir });
    const first = readMigrations(migrationsDir)[0]!;
    const file = path.join(migrationsDir, first.name, "migration.sql");
    writeFileSync(file, readFileSync(file, "utf8") + "\n-- edited afterwards\n");

    await expect(applyMigrations({ url, migrationsDir })).rejects.toThrow(MigrationError);
    await expect(applyMigrations({ url, migrationsDir })).rejects.toThrow(/was changed after it was applied/);
  });

  test("a database with a migration the code does not know is refused", async () => {
    const url = freshUrl();
    const migrationsDir = copyOfMigrations();
    cpSync(path.join(migrationsDir, readMigrations(migrationsDir)[0]!.name), path.join(migrationsDir, "9998_from_the_future"), { recursive: true });
    writeFileSync(path.join(migrationsDir, "9998_from_the_future", "migration.sql"), "CREATE TABLE future_thing (id INTEGER);\n");
    await applyMigrations({ url, migrationsDir });

    await expect(applyMigrations({ url })).rejects.toThrow(/9998_from_the_future.*not in the migrations folder/);
  });

  test("a failing migration is rolled back entirely and not recorded", async () => {
    const url = freshUrl();
    const migrationsDir = copyOfMigrations();
    const broken = path.join(migrationsDir, "9999_broken");
    cpSync(path.join(migrationsDir, readMigrations(migrationsDir)[0]!.name), broken, { recursive: true });
    writeFileSync(path.join(broken, "migration.sql"), 'CREATE TABLE "half_done" (id INTEGER);\nTHIS IS NOT SQL;\n');

    await expect(applyMigrations({ url, migrationsDir })).rejects.toThrow();
    const after = await applyMigrations({ url }); // the real folder: everything but 9999 is in place
    expect(after.applied).toEqual([]);
    expect(after.alreadyApplied).not.toContain("9999_broken");
    // The table from the broken migration's first statement was rolled back with it.
    writeFileSync(path.join(broken, "migration.sql"), 'CREATE TABLE "half_done" (id INTEGER);\n');
    expect((await applyMigrations({ url, migrationsDir })).applied).toEqual(["9999_broken"]);
  });
});
