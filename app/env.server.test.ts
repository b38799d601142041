import { spawnSync } from "node:child_process";

import { describe, expect, test } from "vitest";

import { EnvError, parseEnv } from "./env.server";

const valid = { SHOPIFY_API_KEY: "key", SHOPIFY_API_SECRET: "secret", SHOPIFY_APP_URL: "https://app.example.com" };

describe("parseEnv", () => {
  test("accepts a complete environment and applies defaults", () => {
    const env = parseEnv(valid);
    expect(env.DATABASE_URL).toBe("file:./data/app.db");
    expect(env.SCOPES).toContain("read_all_orders");
  });

  test.each([
    { title: "missing secret", patch: { SHOPIFY_API_SECRET: undefined }, message: /SHOPIFY_API_SECRET is required/ },
    { title: "empty key", patch: { SHOPIFY_API_KEY: "" }, message: /SHOPIFY_API_KEY is required/ },
    { title: "app url not a url", patch: { SHOPIFY_APP_URL: "localhost" }, message: /SHOPIFY_APP_URL Invalid url/ },
    { title: "unknown database", patch: { DATABASE_URL: "mysql://x" }, message: /DATABASE_URL must start with file:/ },
    { title: "emulator url malformed", patch: { SHOPIFY_ADMIN_API_URL: "nope" }, message: /SHOPIFY_ADMIN_API_URL/ },
    { title: "pg-boss on SQLite", patch: { JOB_DRIVER: "pg-boss" }, message: /JOB_DRIVER pg-boss needs DATABASE_URL/ },
    { title: "unknown job driver", patch: { JOB_DRIVER: "bullmq" }, message: /JOB_DRIVER/ },
  ])("$title is refused with the variable's name", ({ patch, message }) => {
    expect(() => parseEnv({ ...valid, ...patch })).toThrowError(EnvError);
    expect(() => parseEnv({ ...valid, ...patch })).toThrowError(message);
  });

  test("the app refuses to boot and names the missing variable", () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production" as const, SHOPIFY_API_KEY: "key", SHOPIFY_APP_URL: "https://app.example.com" };
    const boot = "await import('./app/shopify.server.ts')";
    const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", boot], { env, encoding: "utf8", timeout: 60_000 });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("Invalid environment");
    expect(result.stderr).toContain("SHOPIFY_API_SECRET is required");
  });
});
