// adminGraphql against a fake Admin API that keeps Shopify's leaky bucket and answers with
// Shopify-shaped bodies (throttleStatus on every answer, THROTTLED as HTTP 200). Fake timers drive
// the clock, so waits are measured exactly and the tests take no real time.
import { GraphqlQueryError } from "@shopify/shopify-api";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";

import { AdminApiError, adminGraphql, assertNoUserErrors, estimatedAvailable, UserErrorsError, type AdminGraphql, type ThrottleStatus } from "./admin-graphql.server";

interface Sent {
  operation: string;
  at: number;
  status: "ok" | "throttled";
}

/** A shop's Admin API: `costs` gives each operation's requested cost; the bucket refills with the (fake) clock. */
interface FakeBucket {
  maximumAvailable?: number;
  restoreRate?: number;
  currentlyAvailable?: number;
  costs?: Record<string, number>;
}

function fakeShopify({ maximumAvailable = 1000, restoreRate = 50, currentlyAvailable, costs = {} }: FakeBucket = {}) {
  let available = currentlyAvailable ?? maximumAvailable;
  let last = Date.now();
  const sent: Sent[] = [];
  const status = (): ThrottleStatus => {
    const now = Date.now();
    available = Math.min(maximumAvailable, available + ((now - last) / 1000) * restoreRate);
    last = now;
    return { maximumAvailable, currentlyAvailable: Math.floor(available), restoreRate };
  };
  const admin: AdminGraphql = {
    async graphql(query) {
      const operation = /(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "anonymous";
      const requested = costs[operation] ?? 10;
      const before = status();
      if (before.currentlyAvailable < requested) {
        sent.push({ operation, at: Date.now(), status: "throttled" });
        return Response.json({
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
          extensions: { cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: before } },
        });
      }
      available -= requested;
      sent.push({ operation, at: Date.now(), status: "ok" });
      return Response.json({ data: { operation }, extensions: { cost: { requestedQueryCost: requested, actualQueryCost: requested, throttleStatus: status() } } });
    },
  };
  return { admin, sent };
}

const call = (shop: string, admin: AdminGraphql, operation: string, expectedCost?: number) =>
  adminGraphql<{ operation: string }>({ shop, admin, expectedCost }, `query ${operation} { shop { id } }`);

let t0 = 0;
beforeEach(() => {
  vi.useFakeTimers();
  t0 = Date.now();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("adminGraphql rate limiting", () => {
  test("waits for the bucket instead of being throttled", async () => {
    // GIVEN a bucket of 100 points refilling 50/s and a query costing 60
    const shopify = fakeShopify({ maximumAvailable: 100, restoreRate: 50, costs: { Sixty: 60 } });
    // WHEN five callers send it at once
    const results = Promise.all(Array.from({ length: 5 }, () => call("wait.myshopify.com", shopify.admin, "Sixty")));
    await vi.advanceTimersByTimeAsync(10_000);
    // THEN all succeed, Shopify never answered THROTTLED, and the calls were spaced by the refill time
    expect(await results).toHaveLength(5);
    expect(shopify.sent.map((entry) => entry.status)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
    const gaps = shopify.sent.slice(1).map((entry, index) => entry.at - shopify.sent[index]!.at);
    // 100 - 60 = 40 left: the second needs 20 more points (400 ms), then each empties the bucket and the next waits for 60 (1200 ms)
    expect(gaps).toEqual([400, 1200, 1200, 1200]);
    const lastSent = shopify.sent.at(-1)!.at;
    expect(estimatedAvailable("wait.myshopify.com", lastSent)).toBe(0);
    expect(estimatedAvailable("wait.myshopify.com", lastSent + 1200)).toBe(60);
    expect(estimatedAvailable("wait.myshopify.com", lastSent + 5000)).toBe(100);
  });

  test("learns an operation's cost from the answer and waits for it next time", async () => {
    const shopify = fakeShopify({ maximumAvailable: 1000, restoreRate: 100, costs: { Expensive: 700 } });
    await call("learn.myshopify.com", shopify.admin, "Expensive"); // 300 left; the next needs 400 more
    const second = call("learn.myshopify.com", shopify.admin, "Expensive");
    await vi.advanceTimersByTimeAsync(3_999);
    expect(shopify.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await second;
    expect(shopify.sent.map((entry) => entry.status)).toEqual(["ok", "ok"]);
  });

  test("retries a THROTTLED answer after the bucket has refilled", async () => {
    // GIVEN a shop whose bucket another app client has just drained
    const shopify = fakeShopify({ maximumAvailable: 1000, restoreRate: 100, currentlyAvailable: 0, costs: { Orders: 250 } });
    // WHEN the call goes out with no knowledge of that
    const result = call("retry.myshopify.com", shopify.admin, "Orders");
    await vi.advanceTimersByTimeAsync(5_000);
    // THEN it is throttled once, waits the 2.5 s the bucket needs, and succeeds
    await expect(result).resolves.toEqual({ operation: "Orders" });
    expect(shopify.sent.map((entry) => [entry.status, entry.at - t0])).toEqual([
      ["throttled", 0],
      ["ok", 2500],
    ]);
  });

  test("retries a THROTTLED error thrown by the library's client", async () => {
    const throttleStatus = { maximumAvailable: 1000, currentlyAvailable: 0, restoreRate: 100 };
    const graphql = vi
      .fn<AdminGraphql["graphql"]>()
      .mockRejectedValueOnce(
        new GraphqlQueryError({
          message: "Throttled",
          response: {} as Record<string, unknown>,
          body: {
            data: undefined,
            errors: { graphQLErrors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }] },
            extensions: { cost: { requestedQueryCost: 50, actualQueryCost: null, throttleStatus } },
          },
        }),
      )
      .mockResolvedValueOnce(Response.json({ data: { ok: true }, extensions: { cost: { requestedQueryCost: 50, actualQueryCost: 50, throttleStatus: { ...throttleStatus, currentlyAvailable: 950 } } } }));
    const result = adminGraphql({ shop: "library.myshopify.com", admin: { graphql } }, "query Library { shop { id } }");
    await vi.advanceTimersByTimeAsync(499);
    expect(graphql).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toEqual({ ok: true });
    expect(graphql).toHaveBeenCalledTimes(2);
  });

  test("gives up after maxRetries with a THROTTLED AdminApiError", async () => {
    const throttled = () =>
      Response.json({
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
        extensions: { cost: { requestedQueryCost: 10, actualQueryCost: null, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 0, restoreRate: 100 } } },
      });
    const graphql = vi.fn<AdminGraphql["graphql"]>(async () => throttled());
    const result = adminGraphql({ shop: "give-up.myshopify.com", admin: { graphql }, maxRetries: 2 }, "query GiveUp { shop { id } }");
    const assertion = expect(result).rejects.toMatchObject({ name: "AdminApiError", code: "THROTTLED" });
    await vi.advanceTimersByTimeAsync(60_000);
    await assertion;
    expect(graphql).toHaveBeenCalledTimes(3);
  });

  test("a query costing more than the whole bucket fails at once instead of retrying forever", async () => {
    const shopify = fakeShopify({ maximumAvailable: 100, restoreRate: 50, costs: { Huge: 500 } });
    await expect(call("huge.myshopify.com", shopify.admin, "Huge")).rejects.toMatchObject({ code: "THROTTLED", message: expect.stringContaining("more than the bucket holds") });
    expect(shopify.sent).toHaveLength(1);
  });

  test("shop B's call is not delayed by shop A's exhausted bucket", async () => {
    // GIVEN shop A's bucket is empty and refills slowly, with a call of A waiting 50 s for it
    const shopA = fakeShopify({ maximumAvailable: 1000, restoreRate: 10, costs: { Drain: 1000, Sync: 500 } });
    await call("a.myshopify.com", shopA.admin, "Drain");
    const waitingA = call("a.myshopify.com", shopA.admin, "Sync", 500);
    let aDone = false;
    void waitingA.then(() => (aDone = true));
    // WHEN shop B calls
    const shopB = fakeShopify({ maximumAvailable: 1000, restoreRate: 100, costs: { Sync: 500 } });
    const startedB = Date.now();
    await vi.advanceTimersByTimeAsync(0);
    const b = call("b.myshopify.com", shopB.admin, "Sync");
    await vi.advanceTimersByTimeAsync(0);
    // THEN B is answered at once while A still waits
    await expect(b).resolves.toEqual({ operation: "Sync" });
    expect(shopB.sent.map((entry) => entry.at - startedB)).toEqual([0]);
    expect(aDone).toBe(false);
    await vi.advanceTimersByTimeAsync(49_999);
    expect(aDone).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waitingA;
    expect(shopA.sent.map((entry) => [entry.status, entry.at - t0])).toEqual([
      ["ok", 0],
      ["ok", 50_000],
    ]);
  });

  test("callers of one shop are served first in, first out", async () => {
    // GIVEN an empty bucket refilling 10 points/s
    const shopify = fakeShopify({ maximumAvailable: 1000, restoreRate: 10, costs: { Warm: 1000, Big: 50, Small: 5, Tiny: 1 } });
    await call("fifo.myshopify.com", shopify.admin, "Warm");
    // WHEN a big call queues before small ones
    const order: string[] = [];
    const calls = [call("fifo.myshopify.com", shopify.admin, "Big", 50), call("fifo.myshopify.com", shopify.admin, "Small", 5), call("fifo.myshopify.com", shopify.admin, "Tiny", 1)].map((promise) =>
      promise.then(({ operation }) => order.push(operation)),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all(calls);
    // THEN the small ones did not jump the queue although they would have fitted sooner
    expect(shopify.sent.slice(1).map((entry) => [entry.operation, entry.at - t0])).toEqual([
      ["Big", 5000],
      ["Small", 5500],
      ["Tiny", 5600],
    ]);
    expect(order).toEqual(["Big", "Small", "Tiny"]);
    expect(shopify.sent.every((entry) => entry.status === "ok")).toBe(true);
  });
});

describe("adminGraphql errors", () => {
  test("MAX_COST_EXCEEDED is an AdminApiError and is not retried", async () => {
    const graphql = vi.fn<AdminGraphql["graphql"]>(async () =>
      Response.json({
        errors: [{ message: "Query cost is 1252, which exceeds the single query max cost limit (1000).", extensions: { code: "MAX_COST_EXCEEDED", cost: 1252, maxCost: 1000 } }],
        extensions: { cost: { requestedQueryCost: 1252, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 2000, restoreRate: 100 } } },
      }),
    );
    const error = await adminGraphql({ shop: "max-cost.myshopify.com", admin: { graphql } }, "query TooBig { shop { id } }").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdminApiError);
    expect(error).toMatchObject({ code: "MAX_COST_EXCEEDED" });
    expect(graphql).toHaveBeenCalledTimes(1);
  });

  test.each([
    { title: "a validation error", body: { errors: [{ message: "Field 'nameX' doesn't exist on type 'Shop'", extensions: { code: "undefinedField" } }] }, status: 200, code: "undefinedField" },
    { title: "an invalid token", body: { errors: "[API] Invalid API key or access token" }, status: 401, code: "UNAUTHORIZED" },
    { title: "a body without data", body: {}, status: 200, code: "NO_DATA" },
  ])("$title becomes an AdminApiError with code $code", async ({ body, status, code }) => {
    const graphql = vi.fn<AdminGraphql["graphql"]>(async () => Response.json(body, { status }));
    await expect(adminGraphql({ shop: "errors.myshopify.com", admin: { graphql } }, "query Broken { shop { id } }")).rejects.toMatchObject({ name: "AdminApiError", code });
    expect(graphql).toHaveBeenCalledTimes(1);
  });

  test("a network failure becomes an AdminApiError carrying its cause; a thrown Response passes through", async () => {
    const failure = new TypeError("fetch failed");
    const error = await adminGraphql({ shop: "network.myshopify.com", admin: { graphql: () => Promise.reject(failure) } }, "query Net { shop { id } }").catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "AdminApiError", code: "REQUEST_FAILED", cause: failure });
    const redirect = new Response(null, { status: 302 });
    await expect(adminGraphql({ shop: "network.myshopify.com", admin: { graphql: () => Promise.reject(redirect) } }, "query Net { shop { id } }")).rejects.toBe(redirect);
  });

  test("field errors with partial data are returned only when the caller allows it", async () => {
    const body = { data: { customer: { id: "gid://shopify/Customer/1", defaultEmailAddress: null } }, errors: [{ message: "Access denied for defaultEmailAddress", path: ["customer", "defaultEmailAddress"], extensions: { code: "ACCESS_DENIED" } }] };
    const admin: AdminGraphql = { graphql: async () => Response.json(body) };
    await expect(adminGraphql({ shop: "pii.myshopify.com", admin }, "query Pii { shop { id } }")).rejects.toMatchObject({ code: "ACCESS_DENIED" });
    await expect(adminGraphql({ shop: "pii.myshopify.com", admin, allowPartialData: true }, "query Pii { shop { id } }")).resolves.toEqual(body.data);
  });

  test("assertNoUserErrors throws a UserErrorsError naming the operation", () => {
    expect(() => assertNoUserErrors("tagsAdd", { userErrors: [] })).not.toThrow();
    expect(() => assertNoUserErrors("tagsAdd", { userErrors: [{ field: ["id"], message: "Customer does not exist" }] })).toThrow(UserErrorsError);
  });
});
