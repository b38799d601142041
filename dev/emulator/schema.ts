// The real Shopify Admin GraphQL schema (API 2025-01, full introspection) shipped inside
// @shopify/dev-mcp. Loaded once per process; the emulator and the app's tests share it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";

import { buildClientSchema, extendSchema, parse, type GraphQLSchema, type IntrospectionQuery } from "graphql";

export const ADMIN_SCHEMA_VERSION = "2025-01";

/**
 * Fields Shopify added after 2025-01 that replace fields deprecated in 2025-01. Each one is listed,
 * with its changelog entry, in docs/decisions/004-admin-api-version-and-offline-schema.md; nothing else
 * may be added here.
 */
export const SCHEMA_ADDITIONS = /* GraphQL */ `
  extend type Customer {
    "Added in 2025-04, replaces the deprecated Customer.email and Customer.emailMarketingConsent."
    defaultEmailAddress: CustomerEmailAddress
    "Added in 2025-04, replaces Customer.phone and Customer.smsMarketingConsent."
    defaultPhoneNumber: CustomerPhoneNumber
  }
`;

let cached: GraphQLSchema | undefined;

function schemaPath(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@shopify/dev-mcp/package.json");
  return join(dirname(pkg), "data", `admin_schema_${ADMIN_SCHEMA_VERSION}.json.gz`);
}

/** Synchronous variant (the schema is local); cached. */
export function loadAdminSchemaSync(): GraphQLSchema {
  if (cached) return cached;
  const json = JSON.parse(gunzipSync(readFileSync(schemaPath())).toString("utf8")) as
    | { data: IntrospectionQuery }
    | IntrospectionQuery;
  const introspection = "data" in json ? json.data : json;
  cached = extendSchema(buildClientSchema(introspection, { assumeValid: true }), parse(SCHEMA_ADDITIONS), { assumeValid: true });
  return cached;
}

/** The real Admin schema as a graphql-js schema (cached after the first call). */
export async function loadAdminSchema(): Promise<GraphQLSchema> {
  return loadAdminSchemaSync();
}
