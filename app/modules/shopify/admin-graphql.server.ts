// One way to call the Admin GraphQL API: waits for the shop's rate-limit bucket instead of
// hitting THROTTLED, retries throttled calls with backoff, and turns errors into typed ones.
import { GraphqlQueryError } from "@shopify/shopify-api";

export interface AdminGraphql {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

interface GraphqlBody<T> {
  data?: T;
  errors?: unknown;
  extensions?: { cost?: { requestedQueryCost?: number; actualQueryCost?: number | null; throttleStatus?: ThrottleStatus } };
}

interface GraphqlErrorEntry {
  message: string;
  extensions?: { code?: string };
}

export class AdminApiError extends Error {
  constructor(
    message: string,
    public readonly code: string,
    public readonly details: unknown = undefined,
  ) {
    super(message);
    this.name = "AdminApiError";
  }
}

export interface UserError {
  field?: string[] | null;
  message: string;
  code?: string | null;
}

export class UserErrorsError extends AdminApiError {
  constructor(
    operation: string,
    public readonly userErrors: UserError[],
  ) {
    super(`${operation} failed: ${userErrors.map((error) => error.message).join("; ")}`, "USER_ERRORS", userErrors);
    this.name = "UserErrorsError";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Last throttle status seen per shop, so the next call can wait before it is refused.
const buckets = new Map<string, { status: ThrottleStatus; at: number }>();

export function estimatedAvailable(shop: string, now = Date.now()): number | undefined {
  const bucket = buckets.get(shop);
  if (!bucket) return undefined;
  const restored = ((now - bucket.at) / 1000) * bucket.status.restoreRate;
  return Math.min(bucket.status.maximumAvailable, bucket.status.currentlyAvailable + restored);
}

function remember(shop: string, status: ThrottleStatus | undefined) {
  if (status) buckets.set(shop, { status, at: Date.now() });
}

function waitMsFor(shop: string, cost: number): number {
  const bucket = buckets.get(shop);
  const available = estimatedAvailable(shop);
  if (!bucket || available === undefined || available >= cost) return 0;
  return Math.ceil(((cost - available) / bucket.status.restoreRate) * 1000);
}

function graphqlErrors(error: unknown): { entries: GraphqlErrorEntry[]; body: GraphqlBody<unknown> | undefined } {
  if (error instanceof GraphqlQueryError) {
    const body = error.body as (GraphqlBody<unknown> & { errors?: { graphQLErrors?: GraphqlErrorEntry[] } }) | undefined;
    const nested = body?.errors;
    const entries = Array.isArray(nested) ? (nested as GraphqlErrorEntry[]) : (nested?.graphQLErrors ?? []);
    return { entries, body };
  }
  return { entries: [], body: undefined };
}

export interface AdminRequest {
  shop: string;
  admin: AdminGraphql;
  /** Points the caller expects the query to cost; used to wait for the bucket before sending. */
  expectedCost?: number;
  maxRetries?: number;
}

export async function adminGraphql<T>(
  { shop, admin, expectedCost = 10, maxRetries = 6 }: AdminRequest,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const wait = waitMsFor(shop, expectedCost);
    if (wait > 0) await sleep(wait);
    let entries: GraphqlErrorEntry[];
    let body: GraphqlBody<T> | undefined;
    try {
      const response = await admin.graphql(query, variables ? { variables } : undefined);
      body = (await response.json()) as GraphqlBody<T>;
      remember(shop, body.extensions?.cost?.throttleStatus);
      if (body.data && !body.errors) return body.data;
      // A plain client hands errors back in the body; the library's client throws them (below).
      entries = Array.isArray(body.errors) ? (body.errors as GraphqlErrorEntry[]) : [];
      if (entries.length === 0) {
        const detail = typeof body.errors === "string" ? `: ${body.errors}` : "";
        throw new AdminApiError(`Admin API answered ${response.status} without data${detail}`, response.status === 401 ? "UNAUTHORIZED" : "NO_DATA", body.errors);
      }
    } catch (error) {
      if (error instanceof AdminApiError) throw error;
      ({ entries, body } = graphqlErrors(error) as { entries: GraphqlErrorEntry[]; body: GraphqlBody<T> | undefined });
      if (entries.length === 0) throw error;
      remember(shop, body?.extensions?.cost?.throttleStatus);
    }
    const throttled = entries.some((entry) => entry.extensions?.code === "THROTTLED");
    if (throttled && attempt < maxRetries) {
      const requested = body?.extensions?.cost?.requestedQueryCost ?? expectedCost;
      await sleep(Math.max(waitMsFor(shop, requested), 250 * 2 ** attempt));
      continue;
    }
    const code = entries[0]?.extensions?.code ?? "GRAPHQL_ERROR";
    throw new AdminApiError(entries.map((entry) => entry.message).join("; "), code, entries);
  }
}

/** Throws when a mutation payload carries userErrors. */
export function assertNoUserErrors(operation: string, payload: { userErrors?: UserError[] } | null | undefined) {
  if (payload?.userErrors && payload.userErrors.length > 0) throw new UserErrorsError(operation, payload.userErrors);
}
