// Every job the app runs, mapped to its handler in one place. Handlers are imported when a job first
// runs, so a worker starts fast and this module loads no domain code (or Shopify config) up front.
import type { Job, JobHandlers } from "./types";

export function jobHandlers(): JobHandlers {
  return {
    "webhook.process": async (job: Job<"webhook.process">) => {
      const { processWebhookEvent } = await import("../webhooks/process-event.server");
      await processWebhookEvent(job);
    },
    "webhook.drain": async (job: Job<"webhook.drain">) => {
      const { drainWebhookEvents } = await import("../webhooks/process-event.server");
      await drainWebhookEvents(job);
    },
    "sync.import": async (job: Job<"sync.import">) => {
      const { runImportJob } = await import("../sync/import-job.server");
      await runImportJob(job);
    },
    "sync.reconcile": async (job: Job<"sync.reconcile">) => {
      const { runReconcileJob } = await import("../sync/reconcile.server");
      await runReconcileJob(job);
    },
    "customers.tag": async (job: Job<"customers.tag">) => {
      const { runTagCustomersJob } = await import("../customers/tag-customers.server");
      await runTagCustomersJob(job);
    },
  };
}
