// Local Shopify emulator: Admin GraphQL (real 2025-01 schema, validation, cost + throttling),
// bulk operations, token exchange, an Admin/App Bridge stand-in and webhook delivery.
// Dev/test only: never imported from app/.
import { randomBytes, randomUUID } from "node:crypto";
import { createReadStream, existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";

import { execute, GraphQLError, parse, validate, type DocumentNode, type GraphQLFormattedError } from "graphql";
import { parse as parseToml } from "smol-toml";

import { InvalidSessionToken, signSessionToken, verifySessionToken } from "./auth";
import { appBridgeScript } from "./app-bridge";
import { BulkRunner, type BulkOperationRecord } from "./bulk";
import { actualQueryCost, CostBucket, MAX_QUERY_COST, requestedQueryCost, selectOperation } from "./cost";
import { buildPayload } from "./payloads";
import { fieldResolver, typeResolver, type Context, type ResolverHooks, type UserError } from "./resolvers";
import { loadAdminSchemaSync } from "./schema";
import { gid, iso, Store, type StoreChange } from "./store";
import { DEFAULT_RETRY_SCHEDULE, WebhookSender, type SendOptions, type Subscription } from "./webhooks";

export { signSessionToken, verifySessionToken } from "./auth";
export { loadAdminSchema } from "./schema";
export { Store } from "./store";
export type { WebhookSender, DeliveryAttempt, WebhookEvent } from "./webhooks";

export interface ShopSeed {
  domain: string;
  customers?: number;
  orders?: number;
  products?: number;
  seed?: number;
}
export interface EmulatorOptions {
  port?: number;
  host?: string;
  apiSecret: string;
  apiKey: string;
  appUrl?: string;
  shops?: ShopSeed[];
  throttle?: { maximumAvailable: number; restoreRate: number };
  tomlPath?: string;
  webhookRetrySchedule?: number[];
  webhookTimeoutMs?: number;
  bulkRowsPerTick?: number;
  /** Max running bulk queries per shop (Shopify: 1 before API 2026-01, 5 after). Default 1. */
  bulkMaxConcurrent?: number;
  /** Fire webhooks for store changes (mutation helpers, GraphQL mutations). Default true. */
  autoWebhooks?: boolean;
  /** Fixed "now" for the seeded data (default 2026-11-20T12:00Z, so seeds are reproducible). */
  referenceDate?: number;
  log?: (message: string) => void;
}
export interface IssuedToken {
  token: string;
  shop: string;
  scope: string;
  online: boolean;
  userId?: string;
  expiresAt?: number;
}
export interface FlowTriggerCall {
  shop: string;
  handle: string | null;
  payload: unknown;
  at: string;
}
export interface GraphQLRequestLog {
  shop: string;
  version: string;
  query: string;
  variables: Record<string, unknown>;
  status: "ok" | "invalid" | "throttled" | "max_cost" | "unauthorized";
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
}
export interface Emulator {
  url: string;
  shops: Map<string, Store>;
  webhooks: WebhookSender;
  /** Offline access token for `shop` (as token exchange would issue). */
  issueAccessToken(shop: string, options?: { online?: boolean; userId?: string }): string;
  tokens: Map<string, IssuedToken>;
  /** Session token (App Bridge id token) for `shop`. */
  sessionToken(shop: string, options?: { userId?: string; ttlSeconds?: number }): string;
  /** Runs one GraphQL request in-process (same rules as HTTP); handy for tests. */
  graphql(shop: string, token: string, query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }>;
  bulk: BulkRunner;
  flowTriggers: FlowTriggerCall[];
  requests: GraphQLRequestLog[];
  subscriptions: Map<string, Subscription>;
  scopes: string;
  store(shop?: string): Store;
  /** Sends a webhook for a topic (payload built from Shopify's example + the store). */
  sendWebhook(shop: string, topic: string, options?: SendOptions): ReturnType<WebhookSender["send"]>;
  close(): Promise<void>;
}

export const DEFAULT_SHOP = "demo-shop.myshopify.com";

/** The staff accounts of every emulated shop (Shopify user ids); user 1 owns the store. */
export const EMULATED_STAFF = [
  { id: 1, first_name: "Ava", last_name: "Chen", account_owner: true, locale: "en" },
  { id: 2, first_name: "Ben", last_name: "Okafor", account_owner: false, locale: "en" },
  { id: 3, first_name: "伟", last_name: "李", account_owner: false, locale: "zh-CN" },
] as const;

/** Token exchange's associated_user for a session token's `sub`, as Shopify answers it. */
function associatedUser(shop: string, sub: string) {
  const staff = EMULATED_STAFF.find((member) => String(member.id) === sub) ?? { id: Number(sub) || 1, first_name: "Staff", last_name: sub, account_owner: false, locale: "en" };
  const store = shop.replace(".myshopify.com", "");
  return { ...staff, email: `staff${staff.id}@${store}.example.com`, collaborator: false, email_verified: true };
}
const SUPPORTED_VERSION = /^(2025-(01|04|07|10)|2026-(01|04|07|10)|unstable)$/;

export interface AppConfig {
  subscriptions: Map<string, Subscription>;
  scopes: string;
  /** App-owned (`$app`) customer metafield definitions: key -> type (declared in shopify.app.toml). */
  customerMetafields: Map<string, string>;
  /** Flow trigger extensions: handle -> the payload fields they declare (extensions/*.toml). */
  flowTriggers: Map<string, Array<{ type: string; key?: string }>>;
}

/** Reads webhook subscriptions and access scopes from shopify.app.toml. */
export function readAppConfig(tomlPath: string): AppConfig {
  const subscriptions = new Map<string, Subscription>();
  const customerMetafields = new Map<string, string>();
  const flowTriggers = new Map<string, Array<{ type: string; key?: string }>>();
  if (!existsSync(tomlPath)) return { subscriptions, scopes: "", customerMetafields, flowTriggers };
  const toml = parseToml(readFileSync(tomlPath, "utf8")) as {
    access_scopes?: { scopes?: string };
    webhooks?: { subscriptions?: Array<{ topics?: string[]; compliance_topics?: string[]; uri?: string; name?: string }> };
    customer?: { metafields?: { app?: Record<string, { type?: string }> } };
  };
  for (const [key, definition] of Object.entries(toml.customer?.metafields?.app ?? {})) if (definition.type) customerMetafields.set(key, definition.type);
  // Flow triggers are extensions of their own, next to the app's toml.
  const extensions = join(dirname(tomlPath), "extensions");
  for (const entry of existsSync(extensions) ? readdirSync(extensions, { withFileTypes: true }) : []) {
    const file = join(extensions, entry.name, "shopify.extension.toml");
    if (!entry.isDirectory() || !existsSync(file)) continue;
    const extension = parseToml(readFileSync(file, "utf8")) as { extensions?: Array<{ type?: string; handle?: string }>; settings?: { fields?: Array<{ type: string; key?: string }> } };
    for (const declared of extension.extensions ?? []) if (declared.type === "flow_trigger" && declared.handle) flowTriggers.set(declared.handle, extension.settings?.fields ?? []);
  }
  for (const sub of toml.webhooks?.subscriptions ?? []) {
    if (!sub.uri) continue;
    for (const topic of sub.topics ?? []) subscriptions.set(topic, { uri: sub.uri, name: sub.name, compliance: false });
    for (const topic of sub.compliance_topics ?? []) subscriptions.set(topic, { uri: sub.uri, name: sub.name, compliance: true });
  }
  return { subscriptions, scopes: toml.access_scopes?.scopes ?? "", customerMetafields, flowTriggers };
}

/** Shopify's checks of a flowTriggerReceive payload against the trigger's declared fields. */
export function flowPayloadErrors(fields: ReadonlyArray<{ type: string; key?: string }>, payload: unknown): UserError[] {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return [{ field: ["payload"], message: "Payload must be a JSON object" }];
  const values = payload as Record<string, unknown>;
  const errors: UserError[] = [];
  const REFERENCE_KEYS: Record<string, string> = { customer_reference: "customer_id", order_reference: "order_id", product_reference: "product_id" };
  const known = new Set<string>();
  for (const field of fields) {
    const key = field.key ?? REFERENCE_KEYS[field.type];
    if (!key) continue;
    known.add(key);
    const value = values[key];
    if (value === undefined || value === null) errors.push({ field: ["payload", key], message: `${key} is required` });
    else if (field.type in REFERENCE_KEYS || field.type === "number_integer") {
      if (!Number.isSafeInteger(typeof value === "string" ? Number(value) : value)) errors.push({ field: ["payload", key], message: `${key} must be an integer` });
    } else if (field.type === "single_line_text_field" && (typeof value !== "string" || value.includes("\n"))) errors.push({ field: ["payload", key], message: `${key} must be a single line of text` });
  }
  for (const key of Object.keys(values)) if (!known.has(key)) errors.push({ field: ["payload", key], message: `${key} is not a field of this trigger` });
  return errors;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
};
const CORS = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "*", "Access-Control-Allow-Methods": "GET, POST, OPTIONS" };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Shopify-like error code for a graphql-js validation message. */
function validationCode(message: string): string {
  if (/^Cannot query field/.test(message)) return "undefinedField";
  if (/^Unknown argument/.test(message)) return "argumentNotAccepted";
  if (/argument .* is required/.test(message)) return "missingRequiredArguments";
  if (/^Unknown type/.test(message)) return "undefinedType";
  if (/^Variable/.test(message)) return "variableMismatch";
  if (/must have a selection|must not have a selection/.test(message)) return "selectionMismatch";
  if (/^Syntax Error/.test(message)) return "parseError";
  if (/^Fragment/.test(message)) return "fragmentMismatch";
  return "validationError";
}
const formatError = (error: GraphQLError): GraphQLFormattedError & { extensions: Record<string, unknown> } => ({
  message: error.message,
  ...(error.locations ? { locations: error.locations.map((l) => ({ line: l.line, column: l.column })) } : {}),
  ...(error.path ? { path: error.path } : {}),
  extensions: { code: (error.extensions?.code as string | undefined) ?? validationCode(error.message), ...error.extensions },
});

export async function createEmulator(options: EmulatorOptions): Promise<Emulator> {
  const schema = loadAdminSchemaSync();
  const log = options.log ?? (() => undefined);
  const tomlPath = options.tomlPath ?? resolve(import.meta.dirname, "../../shopify.app.toml");
  const config = readAppConfig(tomlPath);
  const throttle = options.throttle ?? { maximumAvailable: 2000, restoreRate: 100 };
  const shops = new Map<string, Store>();
  for (const seed of options.shops ?? [{ domain: DEFAULT_SHOP, customers: 1000, orders: 3000, products: 200, seed: 42 }]) {
    shops.set(seed.domain, new Store({ ...seed, referenceDate: options.referenceDate }));
  }
  const tokens = new Map<string, IssuedToken>();
  const buckets = new Map<string, CostBucket>();
  const flowTriggers: FlowTriggerCall[] = [];
  const requests: GraphQLRequestLog[] = [];
  let baseUrl = "";

  const webhooks = new WebhookSender({
    apiSecret: options.apiSecret,
    appUrl: () => options.appUrl,
    subscriptions: () => config.subscriptions,
    retrySchedule: options.webhookRetrySchedule ?? DEFAULT_RETRY_SCHEDULE,
    timeoutMs: options.webhookTimeoutMs,
    log,
    buildPayload: (shop, topic, resourceId, extra) => {
      const store = shops.get(shop);
      if (!store) throw new Error(`Unknown shop ${shop}`);
      return buildPayload(store, topic, resourceId, extra);
    },
  });

  const onFinish = (op: BulkOperationRecord) => {
    webhooks.send(op.shop, "bulk_operations/finish", {
      extra: { admin_graphql_api_id: gid("BulkOperation", op.id), completed_at: op.completedAt ? iso(op.completedAt) : null, created_at: iso(op.createdAt), error_code: op.errorCode?.toLowerCase() ?? null, status: op.status.toLowerCase(), type: "query" },
    });
  };
  const hooks: ResolverHooks = {
    runBulkQuery: (store, query) => bulk.run(store, query),
    cancelBulkOperation: (store, id) => bulk.cancel(store.shop.domain, id),
    currentBulkOperation: (store) => {
      const op = bulk.current(store.shop.domain);
      return op ? bulk.view(op) : null;
    },
    bulkOperation: (store, id) => {
      const op = bulk.get(store.shop.domain, id);
      return op ? bulk.view(op) : null;
    },
    customerMetafieldType: (key) => config.customerMetafields.get(key),
    flowTriggerReceive: (store, handle, payload): UserError[] => {
      if (!handle) return [{ field: ["handle"], message: "Handle can't be blank" }];
      if (JSON.stringify(payload ?? {}).length > 50_000) return [{ field: ["payload"], message: "Payload exceeds 50 KB" }];
      const fields = config.flowTriggers.get(handle);
      if (!fields) return [{ field: ["handle"], message: `No Flow trigger with the handle ${handle}` }];
      const errors = flowPayloadErrors(fields, payload);
      if (errors.length) return errors;
      flowTriggers.push({ shop: store.shop.domain, handle, payload, at: new Date().toISOString() });
      return [];
    },
  };
  const bulk = new BulkRunner({ schema, baseUrl: () => baseUrl, rowsPerTick: options.bulkRowsPerTick ?? 250, maxConcurrent: options.bulkMaxConcurrent ?? 1, onFinish, hooks: () => hooks });

  if (options.autoWebhooks ?? true) {
    for (const [domain, store] of shops) {
      store.on("change", (change: StoreChange) => {
        webhooks.send(domain, change.topic, { resourceId: change.id, extra: change.extra });
      });
    }
  }

  const issueAccessToken = (shop: string, opts: { online?: boolean; userId?: string } = {}) => {
    const token = `${opts.online ? "shpua" : "shpat"}_${randomBytes(16).toString("hex")}`;
    tokens.set(token, { token, shop, scope: config.scopes, online: !!opts.online, userId: opts.userId, expiresAt: opts.online ? Date.now() + 86_399_000 : undefined });
    return token;
  };
  const sessionToken = (shop: string, opts: { userId?: string; ttlSeconds?: number } = {}) => signSessionToken({ shop, apiKey: options.apiKey, apiSecret: options.apiSecret, userId: opts.userId, ttlSeconds: opts.ttlSeconds });

  async function runGraphQL(shop: string, token: string | undefined, version: string, rawBody: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const store = shops.get(shop);
    const issued = token ? tokens.get(token) : undefined;
    if (!store || !issued || issued.shop !== shop || (issued.expiresAt !== undefined && issued.expiresAt < Date.now())) {
      requests.push({ shop, version, query: "", variables: {}, status: "unauthorized" });
      return { status: 401, body: { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" } };
    }
    let payload: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      payload = JSON.parse(rawBody) as typeof payload;
    } catch {
      return { status: 400, body: { errors: [{ message: "Invalid JSON in request body", extensions: { code: "BAD_REQUEST" } }] } };
    }
    if (typeof payload.query !== "string") return { status: 400, body: { errors: [{ message: "No query string was present", extensions: { code: "BAD_REQUEST" } }] } };
    const query = payload.query;
    const variables = (payload.variables && typeof payload.variables === "object" ? payload.variables : {}) as Record<string, unknown>;
    const operationName = typeof payload.operationName === "string" ? payload.operationName : undefined;
    const entry: GraphQLRequestLog = { shop, version, query, variables, status: "ok" };
    requests.push(entry);
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      entry.status = "invalid";
      return { status: 200, body: { errors: [formatError(error as GraphQLError)] } };
    }
    const errors = validate(schema, document);
    if (errors.length) {
      entry.status = "invalid";
      return { status: 200, body: { errors: errors.map(formatError) } };
    }
    const bucketKey = `${shop}\u0000${token}`;
    let bucket = buckets.get(bucketKey);
    if (!bucket) buckets.set(bucketKey, (bucket = new CostBucket(throttle.maximumAvailable, throttle.restoreRate)));
    const requested = requestedQueryCost(schema, document, operationName, variables);
    entry.requestedQueryCost = requested;
    if (requested > MAX_QUERY_COST) {
      entry.status = "max_cost";
      return {
        status: 200,
        body: {
          errors: [{ message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`, extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: MAX_QUERY_COST } }],
          extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } },
        },
      };
    }
    if (!bucket.take(requested)) {
      entry.status = "throttled";
      return {
        status: 200,
        body: {
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
          extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: bucket.status() } },
        },
      };
    }
    const op = selectOperation(document, operationName);
    const contextValue: Context = { store, hooks };
    const result = await execute({ schema, document, variableValues: variables, operationName, contextValue, fieldResolver, typeResolver });
    if (!result.data && result.errors?.length) {
      // Variable coercion failed: nothing ran; give the points back.
      bucket.refund(requested);
      entry.status = "invalid";
      return { status: 200, body: { errors: result.errors.map(formatError) } };
    }
    const actual = op?.operation === "mutation" ? requested : Math.min(requested, actualQueryCost(schema, document, operationName, variables, result.data));
    bucket.refund(requested - actual);
    entry.actualQueryCost = actual;
    const body: Record<string, unknown> = {};
    if (result.errors?.length) body.errors = result.errors.map(formatError);
    body.data = result.data ?? null;
    body.extensions = { cost: { requestedQueryCost: requested, actualQueryCost: actual, throttleStatus: bucket.status() } };
    return { status: 200, body };
  }

  async function tokenExchange(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req);
    let body: Record<string, string>;
    if ((req.headers["content-type"] ?? "").includes("application/json")) {
      try {
        body = JSON.parse(raw) as Record<string, string>;
      } catch {
        return json(res, 400, { error: "invalid_request", error_description: "Malformed JSON" });
      }
    } else body = Object.fromEntries(new URLSearchParams(raw));
    if (body.client_id !== options.apiKey || body.client_secret !== options.apiSecret) {
      return json(res, 401, { error: "invalid_client", error_description: "Client authentication failed" });
    }
    if (body.grant_type !== "urn:ietf:params:oauth:grant-type:token-exchange") {
      return json(res, 400, { error: "unsupported_grant_type", error_description: `Unsupported grant type ${body.grant_type}` });
    }
    if (body.subject_token_type && body.subject_token_type !== "urn:ietf:params:oauth:token-type:id_token") {
      return json(res, 400, { error: "invalid_request", error_description: "subject_token_type must be urn:ietf:params:oauth:token-type:id_token" });
    }
    let claims: ReturnType<typeof verifySessionToken>;
    try {
      claims = verifySessionToken(body.subject_token ?? "", { apiKey: options.apiKey, apiSecret: options.apiSecret });
    } catch (error) {
      if (error instanceof InvalidSessionToken) return json(res, 400, { error: "invalid_subject_token", error_description: error.message });
      throw error;
    }
    const shopFromHost = shopOf(req);
    const shop = claims.shop;
    if (!shops.has(shop) || (shopFromHost && shopFromHost !== shop && shops.has(shopFromHost))) {
      return json(res, 400, { error: "invalid_subject_token", error_description: "Token is for another shop" });
    }
    const online = body.requested_token_type === "urn:shopify:params:oauth:token-type:online-access-token";
    const token = issueAccessToken(shop, { online, userId: claims.sub });
    if (!online) return json(res, 200, { access_token: token, scope: config.scopes });
    return json(res, 200, {
      access_token: token,
      scope: config.scopes,
      expires_in: 86399,
      associated_user_scope: config.scopes,
      session: randomUUID(),
      associated_user: associatedUser(shop, claims.sub),
    });
  }

  const shopOf = (req: IncomingMessage): string => {
    const forwarded = req.headers["x-forwarded-host"];
    const host = (Array.isArray(forwarded) ? forwarded[0] : forwarded) ?? req.headers.host ?? "";
    return host.split(",")[0]!.trim().replace(/:\d+$/, "");
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://emulator.local");
    const path = url.pathname;
    if (req.method === "OPTIONS") {
      res.writeHead(204, CORS);
      return res.end();
    }
    const graphqlMatch = /^\/admin\/api\/([\w-]+)\/graphql\.json$/.exec(path);
    if (graphqlMatch) {
      if (req.method !== "POST") return json(res, 405, { errors: "Method not allowed" });
      const version = graphqlMatch[1]!;
      if (!SUPPORTED_VERSION.test(version)) return json(res, 404, { errors: "Not Found" });
      const tokenHeader = req.headers["x-shopify-access-token"];
      const result = await runGraphQL(shopOf(req), Array.isArray(tokenHeader) ? tokenHeader[0] : tokenHeader, version, await readBody(req));
      return json(res, result.status, result.body, { "X-Shopify-API-Version": version.startsWith("2026") ? version : version });
    }
    if (path === "/admin/oauth/access_token" && req.method === "POST") return tokenExchange(req, res);
    const bulkMatch = /^\/bulk\/(\d+)\.jsonl$/.exec(path);
    if (bulkMatch && req.method === "GET") {
      const op = bulk.operations.get(Number(bulkMatch[1]));
      if (!op || !existsSync(op.file) || (op.status !== "COMPLETED" && op.status !== "FAILED")) return json(res, 404, { errors: "Not Found" });
      res.writeHead(200, { "Content-Type": "application/jsonl", ...(op.fileSize !== null ? { "Content-Length": op.fileSize } : {}) });
      createReadStream(op.file).pipe(res);
      return;
    }
    if (path === "/admin/apps/open" && req.method === "GET") {
      const shop = url.searchParams.get("shop") ?? DEFAULT_SHOP;
      if (!shops.has(shop)) return json(res, 404, { errors: `Unknown shop ${shop}` });
      if (!options.appUrl) return json(res, 500, { errors: "Emulator has no appUrl" });
      const appPath = url.searchParams.get("path") ?? "/app";
      const target = new URL(appPath, options.appUrl);
      const storeName = shop.replace(/\.myshopify\.com$/, "");
      target.searchParams.set("embedded", "1");
      target.searchParams.set("shop", shop);
      target.searchParams.set("host", Buffer.from(`admin.shopify.com/store/${storeName}`).toString("base64url"));
      target.searchParams.set("locale", url.searchParams.get("locale") ?? "en");
      target.searchParams.set("id_token", sessionToken(shop, { userId: url.searchParams.get("user") ?? undefined }));
      res.writeHead(302, { Location: target.toString() });
      return res.end();
    }
    if (path === "/app-bridge.js") {
      const script = appBridgeScript(baseUrl);
      res.writeHead(200, { "Content-Type": "application/javascript; charset=utf-8", "Cache-Control": "no-store", ...CORS });
      return res.end(script);
    }
    if (path === "/app-bridge/id-token") {
      const shop = url.searchParams.get("shop") ?? "";
      if (!shops.has(shop)) return json(res, 404, { error: `Unknown shop ${shop}` }, CORS);
      // The stand-in asks for the user whose id token it was first given (?user=), as App Bridge
      // keeps the signed-in staff member.
      return json(res, 200, { idToken: sessionToken(shop, { userId: url.searchParams.get("user") ?? undefined }) }, { ...CORS, "Cache-Control": "no-store" });
    }
    if (path === "/" || path === "/health") {
      return json(res, 200, { ok: true, shops: [...shops.keys()], subscriptions: Object.fromEntries([...config.subscriptions].map(([t, s]) => [t, s.uri])) });
    }
    return json(res, 404, { errors: "Not Found" });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`internal error: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) json(res, 500, { errors: [{ message: "Internal error", extensions: { code: "INTERNAL_SERVER_ERROR" } }] });
      else res.end();
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url: baseUrl,
    shops,
    webhooks,
    tokens,
    bulk,
    flowTriggers,
    requests,
    subscriptions: config.subscriptions,
    scopes: config.scopes,
    issueAccessToken,
    sessionToken,
    graphql: (shop, token, query, variables = {}) => runGraphQL(shop, token, "2026-07", JSON.stringify({ query, variables })),
    store: (shop?: string) => {
      const store = shop ? shops.get(shop) : shops.values().next().value;
      if (!store) throw new Error(`Unknown shop ${shop}`);
      return store;
    },
    sendWebhook: (shop, topic, opts) => webhooks.send(shop, topic, opts),
    close: async () => {
      webhooks.close();
      bulk.close();
      for (const store of shops.values()) store.removeAllListeners("change");
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
