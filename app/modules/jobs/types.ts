// The one job abstraction (decision 006). Two drivers implement it: the embedded database driver
// (the Job table; SQLite default, also PostgreSQL) and pg-boss on PostgreSQL for several instances.
// Delivery is at least once: a handler must be idempotent, and the app makes every job so
// (webhook events carry their own processed state, imports resume from their SyncRun).

/** The jobs the app runs. The payload of each is JSON. */
export interface JobPayloads {
  /** Apply one recorded webhook event (WebhookEvent.id). */
  "webhook.process": { eventId: string };
  /** Apply every waiting webhook event of the job's shop, oldest first (queued by intake). */
  "webhook.drain": Record<string, never>;
  /** Run or resume the initial import of a shop (SyncRun.id). */
  "sync.import": { runId?: string };
  /** Pull what changed since the last sync and repair what missed webhooks left stale. */
  "sync.reconcile": { since?: string };
  /** Add a tag to customers in Shopify and the archive (bulk action on the customers index). */
  "customers.tag": { tag: string; customerIds: string[]; actorId: string; actorName: string };
  /** Evaluate the shop's members that webhooks marked (points and tier), then queue the push. */
  "loyalty.evaluate": Record<string, never>;
  /** Evaluate every member of the shop: after an import, and daily (grace periods end, points expire). */
  "loyalty.recompute": { reason: "import" | "sweep" };
  /** Write changed members' metafields to Shopify and send the Flow outbox. */
  "loyalty.push": Record<string, never>;
  /** Update the insights and segment memberships of the customers archive writes marked, then queue the push. */
  "segments.update": Record<string, never>;
  /** Rank every customer again, refit the predictions and refresh every segment: after an import's loyalty recompute, and daily. */
  "segments.recompute": { reason: "import" | "sweep" };
  /** Write changed customers' segment metafields and tags to Shopify and send the Flow outbox. */
  "segments.push": Record<string, never>;
  /** Build the shop's recommendation model from its orders: after the segments recompute (after an import, and daily). */
  "recommendations.build": { reason: "import" | "sweep" };
}

export type JobName = keyof JobPayloads;

/** Every job name at run time (the pg-boss driver creates one queue per name). */
export const JOB_NAMES = ["webhook.process", "webhook.drain", "sync.import", "sync.reconcile", "customers.tag", "loyalty.evaluate", "loyalty.recompute", "loyalty.push", "segments.update", "segments.recompute", "segments.push", "recommendations.build"] as const satisfies readonly JobName[];
// Fails to compile when a job is added to JobPayloads but not to JOB_NAMES.
type MissingJobName = Exclude<JobName, (typeof JOB_NAMES)[number]>;
const _allJobNamesListed: MissingJobName extends never ? true : MissingJobName = true;

/**
 * Queues whose uniqueKey holds only while the job waits (pg-boss's "short" policy): once it starts,
 * the next one can be queued. A drain that has started may already have read past a new event, so
 * that event must be able to queue the next drain; likewise a loyalty evaluation or push that has
 * started may have read past a newer change. Other queues refuse a second job while one runs.
 */
export const UNIQUE_WHILE_QUEUED: ReadonlySet<JobName> = new Set<JobName>(["webhook.drain", "loyalty.evaluate", "loyalty.push", "segments.update", "segments.push"]);

export interface Job<N extends JobName = JobName> {
  id: string;
  name: N;
  shop: string | null;
  payload: JobPayloads[N];
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
}

export type JobHandler<N extends JobName = JobName> = (job: Job<N>) => Promise<void>;
export type JobHandlers = { [N in JobName]?: JobHandler<N> };

export interface EnqueueOptions {
  /** Jobs of one shop never run more than `perShopConcurrency` at a time, and shops take turns. */
  shop?: string;
  runAt?: Date;
  /** At most one queued-or-running job per key: enqueueing a second returns null. */
  uniqueKey?: string;
  /** Default 8; failed runs retry with exponential backoff until then, then the job is dead. */
  maxAttempts?: number;
}

export interface WorkerOptions {
  /** Jobs this process runs at once (default 4). */
  concurrency?: number;
  /** Jobs of one shop this process runs at once (default 1), so one shop cannot starve the others. */
  perShopConcurrency?: number;
  pollIntervalMs?: number;
  /** A running job whose worker stops renewing its lease for this long is run again (default 30 s). */
  leaseMs?: number;
}

export type JobStatus = "queued" | "running" | "completed" | "failed" | "dead" | "cancelled";

export interface JobQueue {
  readonly driver: "database" | "pg-boss";
  /** Returns the job id, or null when `uniqueKey` already has a queued job (or a running one, outside UNIQUE_WHILE_QUEUED). */
  enqueue<N extends JobName>(name: N, payload: JobPayloads[N], options?: EnqueueOptions): Promise<string | null>;
  /**
   * Starts consuming with these handlers until stop(); resolves once the worker runs (not when it
   * ends). A job whose name has no handler fails with an error naming it. One worker per queue object.
   */
  work(handlers: JobHandlers, options?: WorkerOptions): Promise<void>;
  /** Cancels every queued job of a shop, including failed ones awaiting a retry (app/uninstalled); returns how many. */
  cancelShop(shop: string): Promise<number>;
  /** Jobs per status, for health and tests. */
  counts(shop?: string): Promise<Partial<Record<JobStatus, number>>>;
  /** Stops taking jobs and waits for the running ones to finish. */
  stop(): Promise<void>;
  /** stop(), then releases what the queue opened itself (pg-boss's pool; never a PrismaClient it was given). */
  close(): Promise<void>;
}
