// The one way to call the Admin GraphQL API. Shopify's rate limit is a leaky bucket per app and
// shop, so each shop has its own throttle: its callers queue first in, first out, each waits until
// the estimated bucket covers its expected cost (instead of being answered THROTTLED), throttled
// calls retry with backoff, and errors become typed AdminApiErrors. Shops never wait for each other.
import { GraphqlQueryError } from "@shopify/shopify-api";

export interface AdminGraphql {
  graphql(query: string, options?: { variables?: Record<string, unknown> }): Promise<Response>;
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

interface QueryCost {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus;
}

interface GraphqlBody<T> {
  data?: T | null;
  errors?: unknown;
  extensions?: { cost?: QueryCost };
}

interface GraphqlErrorEntry {
  message: string;
  path?: unknown[];
  extensions?: { code?: string };
}

export class AdminApiError extends Error {
  constructor(
    message: string,
    public readonly code: string,
    public readonly details: unknown = undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
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

/** Points assumed for an operation never seen before (the answer then tells its real cost). */
const DEFAULT_COST = 10;
const BASE_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;

/** Resolves after `ms`, or earlier when `wake` fires; never leaves a timer behind. */
function sleep(ms: number, wake?: Promise<void>): Promise<void> {
  if (!Number.isFinite(ms)) return wake ?? Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slept = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return (wake ? Promise.race([slept, wake]) : slept).finally(() => clearTimeout(timer));
}

type Release = (status?: ThrottleStatus) => void;

/** One shop's bucket as last reported, the points its calls in flight have reserved, and its queue. */
class ShopThrottle {
  private status: ThrottleStatus | undefined;
  private statusAt = 0;
  private reserved = 0;
  private inFlight = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private changed: { promise: Promise<void>; resolve: () => void } | undefined;

  /** Points a new call could spend now: the reported bucket, refilled since, minus reservations. */
  available(now = Date.now()): number | undefined {
    if (!this.status) return undefined;
    const restored = ((now - this.statusAt) / 1000) * this.status.restoreRate;
    return Math.min(this.status.maximumAvailable, this.status.currentlyAvailable + restored) - this.reserved;
  }

  remember(status: ThrottleStatus | undefined) {
    if (!status) return;
    this.status = status;
    this.statusAt = Date.now();
  }

  /**
   * Waits for this shop's turn (FIFO) and for the bucket to cover the cost, then reserves the points
   * until the returned release is called with the answer's throttle status. The next caller's turn
   * starts once this one is sent, not answered, so calls overlap as far as the bucket allows.
   */
  acquire(costOf: () => number): Promise<Release> {
    const turn = this.tail.then(() => this.admit(costOf));
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  // The cost is read again at every check: an answer that arrives meanwhile may tell the real one.
  private async admit(costOf: () => number): Promise<Release> {
    for (let wait = this.waitMs(costOf()); wait > 0; wait = this.waitMs(costOf())) await sleep(wait, this.nextChange());
    const cost = costOf();
    this.reserved += cost;
    this.inFlight += 1;
    let released = false;
    return (status) => {
      if (released) return;
      released = true;
      this.reserved -= cost;
      this.inFlight -= 1;
      this.remember(status);
      this.changed?.resolve();
      this.changed = undefined;
    };
  }

  /** Milliseconds until `cost` fits (Infinity: wait for an answer). */
  private waitMs(cost: number): number {
    // Bucket size unknown: one call at a time until the first answer reports it.
    if (!this.status) return this.inFlight > 0 ? Infinity : 0;
    // An estimate above the bucket's size could never fit: wait for a full bucket and let Shopify judge.
    const needed = Math.min(cost, this.status.maximumAvailable);
    const available = this.available()!;
    if (available >= needed) return 0;
    return Math.ceil(((needed - available) / Math.max(this.status.restoreRate, 1)) * 1000);
  }

  private nextChange(): Promise<void> {
    if (!this.changed) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => (resolve = done));
      this.changed = { promise, resolve };
    }
    return this.changed.promise;
  }
}

const throttles = new Map<string, ShopThrottle>();
// Costs depend on the document (and its page sizes), not on the shop.
const operationCosts = new Map<string, number>();

// Anonymous operations are keyed by their text, so the map is bounded: the oldest entry goes first.
const MAX_REMEMBERED_COSTS = 500;
function rememberCost(operation: string, cost: number) {
  operationCosts.delete(operation);
  operationCosts.set(operation, cost);
  if (operationCosts.size > MAX_REMEMBERED_COSTS) operationCosts.delete(operationCosts.keys().next().value!);
}

function throttleFor(shop: string): ShopThrottle {
  let throttle = throttles.get(shop);
  if (!throttle) throttles.set(shop, (throttle = new ShopThrottle()));
  return throttle;
}

/** Points of `shop`'s bucket a new call could spend now, or undefined before its first answer. */
export function estimatedAvailable(shop: string, now = Date.now()): number | undefined {
  return throttles.get(shop)?.available(now);
}

/** The operation's name, else the document itself (anonymous operations are keyed by their text). */
export function operationNameOf(query: string): string {
  return /\b(?:query|mutation)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(query)?.[1] ?? query;
}

interface Answer<T> {
  data: T | null | undefined;
  entries: GraphqlErrorEntry[];
  cost: QueryCost | undefined;
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Sends once and normalises both client styles: a plain fetch client hands GraphQL errors back in
 * the body, the library's client throws them as GraphqlQueryError. Failures that are not GraphQL
 * errors become AdminApiErrors, except a thrown Response (the library's re-authentication redirect).
 */
async function send<T>(admin: AdminGraphql, query: string, variables: Record<string, unknown> | undefined): Promise<Answer<T>> {
  let response: Response;
  try {
    response = await admin.graphql(query, variables ? { variables } : undefined);
  } catch (error) {
    if (error instanceof Response) throw error;
    if (error instanceof GraphqlQueryError) {
      const body = error.body as (GraphqlBody<T> & { errors?: { graphQLErrors?: GraphqlErrorEntry[] } }) | undefined;
      const nested = body?.errors;
      const entries = Array.isArray(nested) ? (nested as GraphqlErrorEntry[]) : (nested?.graphQLErrors ?? []);
      if (entries.length > 0) return { data: body?.data, entries, cost: body?.extensions?.cost };
    }
    const status = (error as { response?: { code?: number } }).response?.code;
    throw new AdminApiError(`Admin API request failed: ${errorMessage(error)}`, status === 401 ? "UNAUTHORIZED" : status ? `HTTP_${status}` : "REQUEST_FAILED", undefined, { cause: error });
  }
  let body: GraphqlBody<T>;
  try {
    body = (await response.json()) as GraphqlBody<T>;
  } catch (error) {
    throw new AdminApiError(`Admin API answered ${response.status} with a body that is not JSON`, response.status === 401 ? "UNAUTHORIZED" : `HTTP_${response.status}`, undefined, { cause: error });
  }
  const entries = Array.isArray(body.errors) ? (body.errors as GraphqlErrorEntry[]) : [];
  if (body.errors !== undefined && entries.length === 0) {
    const detail = typeof body.errors === "string" ? `: ${body.errors}` : "";
    throw new AdminApiError(`Admin API answered ${response.status}${detail}`, response.status === 401 ? "UNAUTHORIZED" : `HTTP_${response.status}`, body.errors);
  }
  if (entries.length === 0 && (body.data === undefined || body.data === null)) {
    throw new AdminApiError(`Admin API answered ${response.status} without data`, response.status === 401 ? "UNAUTHORIZED" : "NO_DATA");
  }
  return { data: body.data, entries, cost: body.extensions?.cost };
}

/** Exponential backoff, but never shorter than the bucket needs to hold `requested` again. */
function backoffMs(attempt: number, requested: number, status: ThrottleStatus | undefined): number {
  const refill = status ? ((requested - status.currentlyAvailable) / Math.max(status.restoreRate, 1)) * 1000 : 0;
  return Math.min(MAX_BACKOFF_MS, Math.max(Math.ceil(refill), BASE_BACKOFF_MS * 2 ** attempt));
}

export interface AdminRequest {
  shop: string;
  admin: AdminGraphql;
  /** Points the caller expects the query to cost; default: what this operation last requested. */
  expectedCost?: number;
  /** THROTTLED answers retried before giving up (default 6). */
  maxRetries?: number;
  /**
   * Return the data when the only errors are field errors (with a `path`), e.g. protected customer
   * data the app may not read comes back null with an ACCESS_DENIED error. Default: throw.
   */
  allowPartialData?: boolean;
}

export async function adminGraphql<T>({ shop, admin, expectedCost, maxRetries = 6, allowPartialData = false }: AdminRequest, query: string, variables?: Record<string, unknown>): Promise<T> {
  const operation = operationNameOf(query);
  const throttle = throttleFor(shop);
  for (let attempt = 0; ; attempt++) {
    const costOf = () => expectedCost ?? operationCosts.get(operation) ?? DEFAULT_COST;
    const release = await throttle.acquire(costOf);
    let answer: Answer<T>;
    try {
      answer = await send<T>(admin, query, variables);
    } catch (error) {
      release();
      throw error;
    }
    release(answer.cost?.throttleStatus);
    const requested = answer.cost?.requestedQueryCost;
    if (requested !== undefined) rememberCost(operation, requested);

    const { data, entries } = answer;
    if (entries.length === 0) return data as T;
    const partial = allowPartialData && data !== null && data !== undefined && entries.every((entry) => Array.isArray(entry.path) && entry.extensions?.code !== "THROTTLED");
    if (partial) return data;

    const message = entries.map((entry) => entry.message).join("; ");
    if (entries.some((entry) => entry.extensions?.code === "THROTTLED")) {
      const status = answer.cost?.throttleStatus;
      const wanted = requested ?? costOf();
      if (status && wanted > status.maximumAvailable) {
        throw new AdminApiError(`${operation === query ? "The query" : operation} costs ${wanted} points, more than the bucket holds (${status.maximumAvailable})`, "THROTTLED", entries);
      }
      if (attempt >= maxRetries) throw new AdminApiError(`${message} (gave up after ${attempt + 1} attempts)`, "THROTTLED", entries);
      await sleep(backoffMs(attempt, wanted, status));
      continue;
    }
    throw new AdminApiError(message, entries[0]?.extensions?.code ?? "GRAPHQL_ERROR", entries);
  }
}

/** Throws when a mutation payload carries userErrors. */
export function assertNoUserErrors(operation: string, payload: { userErrors?: UserError[] } | null | undefined) {
  if (payload?.userErrors && payload.userErrors.length > 0) throw new UserErrorsError(operation, payload.userErrors);
}
