import { describe, expect, test } from "vitest";

import { redirectAdminApiFetch } from "./admin-api-origin.server";

function recordingFetch() {
  const seen: Request[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    seen.push(new Request(input, init));
    return new Response("{}");
  }) as typeof fetch;
  return { seen, fetchImpl };
}

describe("redirectAdminApiFetch", () => {
  test("sends Admin API calls to the emulator with the shop in X-Forwarded-Host, body intact", async () => {
    const { seen, fetchImpl } = recordingFetch();
    const redirected = redirectAdminApiFetch("http://127.0.0.1:4001", fetchImpl);
    await redirected("https://a-shop.myshopify.com/admin/api/2026-07/graphql.json", {
      method: "POST",
      headers: { "X-Shopify-Access-Token": "token" },
      body: JSON.stringify({ query: "{ shop { name } }" }),
    });
    const request = seen[0]!;
    expect(request.url).toBe("http://127.0.0.1:4001/admin/api/2026-07/graphql.json");
    expect(request.headers.get("X-Forwarded-Host")).toBe("a-shop.myshopify.com");
    expect(request.headers.get("X-Shopify-Access-Token")).toBe("token");
    expect(await request.text()).toBe('{"query":"{ shop { name } }"}');
  });

  test("leaves every other request alone", async () => {
    const { seen, fetchImpl } = recordingFetch();
    const redirected = redirectAdminApiFetch("http://127.0.0.1:4001", fetchImpl);
    await redirected("https://storage.googleapis.com/bulk/result.jsonl");
    await redirected("https://a-shop.myshopify.com/apps/crm");
    expect(seen.map((request) => request.url)).toEqual(["https://storage.googleapis.com/bulk/result.jsonl", "https://a-shop.myshopify.com/apps/crm"]);
  });
});
