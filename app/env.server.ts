// Every environment variable the server reads, validated once at boot.
import { z } from "zod";

const url = z.string().url();

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  SHOPIFY_API_KEY: z.string().min(1, "is required (the app's client id)"),
  SHOPIFY_API_SECRET: z.string().min(1, "is required (the app's client secret)"),
  SHOPIFY_APP_URL: url,
  SCOPES: z
    .string()
    .default("read_customers,write_customers,read_orders,read_all_orders,read_products,write_app_proxy")
    .transform((value) => value.split(",").map((scope) => scope.trim()).filter(Boolean)),
  DATABASE_URL: z
    .string()
    .default("file:./data/app.db")
    .refine((value) => /^(file:|postgres(ql)?:\/\/)/.test(value), "must start with file: (SQLite) or postgres:// (PostgreSQL)"),
  SHOP_CUSTOM_DOMAIN: z.string().optional(),
  // Points the Admin API at the local emulator (demo and tests). Unset in production.
  SHOPIFY_ADMIN_API_URL: url.optional(),
  // Serves App Bridge from the emulator instead of Shopify's CDN (demo and browser tests). Unset in production.
  APP_BRIDGE_URL: url.optional(),
  LOG_LEVEL: z.enum(["error", "warn", "info", "debug"]).default("info"),
  // Background jobs (decision 006): "database" (embedded, default) or "pg-boss" (PostgreSQL, several instances).
  JOB_DRIVER: z.enum(["database", "pg-boss"]).default("database"),
  // "embedded": the web process also runs the worker (one machine); "off": run `npm run worker` separately.
  JOB_WORKER: z.enum(["embedded", "off"]).optional(),
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  // Minutes between reconciliation runs per shop (repairs what missed webhooks left stale).
  RECONCILE_EVERY_MINUTES: z.coerce.number().int().min(1).default(15),
}).superRefine((env, context) => {
  if (env.JOB_DRIVER === "pg-boss" && !/^postgres(ql)?:/.test(env.DATABASE_URL)) {
    context.addIssue({ code: z.ZodIssueCode.custom, path: ["JOB_DRIVER"], message: "pg-boss needs DATABASE_URL to be a postgresql:// URL" });
  }
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(public readonly issues: string[]) {
    super(`Invalid environment:\n${issues.map((issue) => `  - ${issue}`).join("\n")}`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Treat empty strings like unset variables, as shells and .env files produce them.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ""));
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new EnvError(
    result.error.issues.map((issue) => {
      const name = issue.path.join(".");
      const message = issue.code === "invalid_type" && issue.received === "undefined" ? "is required" : issue.message;
      return `${name} ${message}`;
    }),
  );
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
