// Every GraphQL document the app sends is valid against the real Admin schema (decision 004),
// uses no deprecated field, and every bulk query respects Shopify's bulk rules.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

import { NoDeprecatedCustomRule, parse, specifiedRules, validate } from "graphql";
import { describe, expect, test } from "vitest";

import { loadAdminSchema } from "../../dev/emulator/schema";
import { CUSTOMERS_BULK_QUERY, ORDERS_BULK_QUERY, PRODUCTS_BULK_QUERY } from "../../app/modules/sync/bulk-documents";

const appDir = join(import.meta.dirname, "../../app");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "generated" ? [] : sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Every `#graphql` template literal in app/, with where it came from. */
function collectDocuments() {
  return sourceFiles(appDir).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/`#graphql([^`]*)`/g)].map((match) => ({
      title: `${relative(appDir, file)}: ${/(query|mutation)\s+(\w+)/.exec(match[1]!)?.[2] ?? "anonymous"}`,
      source: match[1]!,
    })),
  );
}

const schema = await loadAdminSchema();
const check = (source: string) => validate(schema, parse(source), [...specifiedRules, NoDeprecatedCustomRule]).map((error) => error.message);
const documents = collectDocuments();

describe("Admin GraphQL documents", () => {
  test("the app has documents to check", () => {
    expect(documents.length).toBeGreaterThanOrEqual(6);
  });

  test.each(documents)("$title is valid and uses no deprecated field", ({ source }) => {
    expect(check(source)).toEqual([]);
  });

  test("the check itself catches unknown and deprecated fields", () => {
    expect(check("query { shop { nameX } }")).toEqual([expect.stringContaining("nameX")]);
    expect(check('query { customer(id: "gid://shopify/Customer/1") { email } }')).toEqual([expect.stringContaining("deprecated")]);
  });

  test.each([
    { title: "customers", source: CUSTOMERS_BULK_QUERY },
    { title: "products", source: PRODUCTS_BULK_QUERY },
    { title: "orders", source: ORDERS_BULK_QUERY },
  ])("the $title bulk query has 1-5 connections and at most 2 levels", ({ source }) => {
    const connections = [...source.matchAll(/(\w+)\s*(?:\([^)]*\))?\s*\{\s*edges\s*\{/g)];
    expect(connections.length).toBeGreaterThanOrEqual(1);
    expect(connections.length).toBeLessThanOrEqual(5);
    expect(source.match(/edges/g)!.length).toBeLessThanOrEqual(2);
  });
});
