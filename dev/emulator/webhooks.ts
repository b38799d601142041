// Webhook delivery like Shopify's: raw JSON body signed with the app secret, Shopify's headers,
// 5 s timeout, any non-2xx (3xx included) or timeout is a failure retried on a schedule with the
// original payload; at-least-once (duplicates share X-Shopify-Event-Id) and possibly unordered.
import { createHmac, randomUUID } from "node:crypto";

export const WEBHOOK_API_VERSION = "2026-07";
/** Shopify retries 8 times over ~4 hours. */
export const DEFAULT_RETRY_SCHEDULE = [60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_840_000, 7_680_000];

export interface Subscription {
  uri: string;
  name?: string;
  compliance: boolean;
}
export interface DeliveryAttempt {
  eventId: string;
  webhookId: string;
  topic: string;
  shop: string;
  url: string;
  attempt: number; // 1 = first try
  status: number | null; // HTTP status, null on network error / timeout
  ok: boolean;
  error?: string;
  at: string;
  body: string;
  headers: Record<string, string>;
}
export interface WebhookEvent {
  eventId: string;
  topic: string;
  shop: string;
  triggeredAt: string;
  payload: unknown;
  attempts: DeliveryAttempt[];
  /** Resolves when every copy was delivered or gave up. */
  done: Promise<void>;
  delivered: boolean;
}
export interface SendOptions {
  /** Payload: shallow-merged over the one built from Shopify's example + store record. */
  payload?: Record<string, unknown>;
  /** Replace the payload entirely. */
  rawPayload?: unknown;
  /** GID of the resource to build the payload from (default: a record of the store). */
  resourceId?: string;
  /** Extra copies of the same event (same event id, new webhook ids). */
  duplicate?: number;
  delayMs?: number;
  eventId?: string;
  triggeredAt?: string;
}
export interface WebhookSenderOptions {
  apiSecret: string;
  appUrl: () => string | undefined;
  subscriptions: () => Map<string, Subscription>;
  retrySchedule: number[];
  timeoutMs?: number;
  buildPayload: (shop: string, topic: string, resourceId?: string, extra?: Record<string, unknown>) => unknown;
  log?: (message: string) => void;
}

export class WebhookSender {
  readonly deliveries: DeliveryAttempt[] = [];
  readonly events: WebhookEvent[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private pending = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: WebhookSenderOptions) {}

  isSubscribed(topic: string) {
    return this.options.subscriptions().has(topic);
  }

  /** Sends one event (and `duplicate` extra copies). Resolves with the event when it is queued; await `event.done` for the outcome. Returns null when the app does not subscribe to the topic. */
  send(shop: string, topic: string, options: SendOptions & { extra?: Record<string, unknown> } = {}): WebhookEvent | null {
    const subscription = this.options.subscriptions().get(topic);
    const appUrl = this.options.appUrl();
    if (!subscription || !appUrl) return null;
    const payload = options.rawPayload !== undefined ? options.rawPayload : { ...(this.options.buildPayload(shop, topic, options.resourceId, options.extra) as Record<string, unknown>), ...(options.payload ?? {}) };
    const event: WebhookEvent = {
      eventId: options.eventId ?? randomUUID(),
      topic,
      shop,
      triggeredAt: options.triggeredAt ?? new Date().toISOString(),
      payload,
      attempts: [],
      done: Promise.resolve(),
      delivered: false,
    };
    this.events.push(event);
    const url = new URL(subscription.uri, appUrl.endsWith("/") ? appUrl : `${appUrl}/`).toString();
    const copies = 1 + (options.duplicate ?? 0);
    const body = JSON.stringify(payload);
    const runs: Promise<boolean>[] = [];
    for (let i = 0; i < copies; i++) runs.push(this.deliver(event, subscription, url, body, options.delayMs ?? 0));
    event.done = Promise.all(runs).then((results) => {
      event.delivered = results.some(Boolean);
    });
    this.track(event.done);
    return event;
  }

  /** Sends several events; `order: "shuffle" | "reverse"` delivers them out of order. */
  sendMany(items: Array<{ shop: string; topic: string } & SendOptions>, options: { order?: "inOrder" | "shuffle" | "reverse"; seed?: number; spacingMs?: number } = {}): Array<WebhookEvent | null> {
    let list = items.map((item, index) => ({ item, index }));
    if (options.order === "reverse") list = list.reverse();
    if (options.order === "shuffle") {
      let state = options.seed ?? 1;
      const rnd = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
    }
    const results: Array<WebhookEvent | null> = new Array(items.length).fill(null);
    list.forEach(({ item, index }, position) => {
      const { shop, topic, ...rest } = item;
      results[index] = this.send(shop, topic, { ...rest, delayMs: (rest.delayMs ?? 0) + position * (options.spacingMs ?? 0) });
    });
    return results;
  }

  /** Waits until nothing is in flight or scheduled. */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  close() {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private track(promise: Promise<unknown>) {
    const p = promise.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private sleep(ms: number) {
    return new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async deliver(event: WebhookEvent, subscription: Subscription, url: string, body: string, delayMs: number): Promise<boolean> {
    await this.sleep(delayMs);
    const webhookId = randomUUID();
    const schedule = this.options.retrySchedule;
    for (let attempt = 1; attempt <= schedule.length + 1; attempt++) {
      if (this.closed) return false;
      const headers: Record<string, string> = {
        "Content-Type": "application/json",
        "X-Shopify-Hmac-Sha256": createHmac("sha256", this.options.apiSecret).update(body, "utf8").digest("base64"),
        "X-Shopify-Topic": event.topic,
        "X-Shopify-Shop-Domain": event.shop,
        "X-Shopify-API-Version": WEBHOOK_API_VERSION,
        "X-Shopify-Webhook-Id": webhookId,
        "X-Shopify-Event-Id": event.eventId,
        "X-Shopify-Triggered-At": event.triggeredAt,
        "X-Shopify-Name": subscription.name ?? event.topic,
        "User-Agent": "Shopify-Captain-Hook",
      };
      const record: DeliveryAttempt = { eventId: event.eventId, webhookId, topic: event.topic, shop: event.shop, url, attempt, status: null, ok: false, at: new Date().toISOString(), body, headers };
      try {
        const response = await fetch(url, { method: "POST", body, headers, redirect: "manual", signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000) });
        await response.arrayBuffer().catch(() => undefined);
        record.status = response.status;
        record.ok = response.status >= 200 && response.status < 300;
      } catch (error) {
        record.error = (error as Error).name === "TimeoutError" ? "timeout" : (error as Error).message;
      }
      event.attempts.push(record);
      this.deliveries.push(record);
      if (record.ok) return true;
      this.options.log?.(`webhook ${event.topic} -> ${url} failed (attempt ${attempt}: ${record.status ?? record.error})`);
      const wait = schedule[attempt - 1];
      if (wait === undefined) return false;
      await this.sleep(wait);
    }
    return false;
  }
}
