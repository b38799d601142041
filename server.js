// The production server (`npm start`, after `npm run build`): Remix on Express, as remix-serve runs
// it, with two additions (decision 008):
// - webhook deliveries (POST /webhooks/...) are answered straight from Node's request, before
//   Express and Remix. Shopify may send thousands a second to a busy app, and Remix's request
//   handling (Fetch objects, route matching) cost ~0.5 ms of each; the answer itself is the same
//   code the webhook routes run (`acceptWebhookDelivery`).
// - the embedded job worker (JOB_WORKER unset or "embedded") runs on a worker thread, so its
//   database work (Prisma's query compiler costs ~0.3 ms of CPU per query) never delays an answer.
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isMainThread, parentPort, Worker } from "node:worker_threads";

import { installGlobals } from "@remix-run/node";
import { createRequestHandler } from "@remix-run/express";
import compression from "compression";
import express from "express";
import morgan from "morgan";

process.env.NODE_ENV ??= "production";
const root = path.dirname(fileURLToPath(import.meta.url));
// The app must not start its worker on the main thread: it gets a thread of its own below.
globalThis.__crmServerRunsWorker = true;
const build = await import(pathToFileURL(path.join(root, "build/server/index.js")).href);
installGlobals({ nativeFetch: build.future.v3_singleFetch });
const { acceptWebhookDelivery, embeddedWorkerEnabled, startBackgroundWork } = build.entry.module;

// Shopify's payloads are well under this; a larger body is refused before it is read whole.
const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

function receiveWebhook(req, res) {
  const chunks = [];
  let size = 0;
  req.on("data", (chunk) => {
    size += chunk.length;
    if (size > MAX_WEBHOOK_BYTES) {
      res.writeHead(413).end();
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => {
    const delivery = { method: req.method, header: (name) => req.headers[name], rawBody: Buffer.concat(chunks, size) };
    acceptWebhookDelivery(delivery).then(
      (status) => res.writeHead(status, { "Content-Length": "0" }).end(),
      (error) => {
        // Nothing was committed: Shopify retries the delivery.
        console.error("[webhooks] delivery failed:", error);
        res.writeHead(500, { "Content-Length": "0" }).end();
      },
    );
  });
}

function serve() {
  const worker = embeddedWorkerEnabled() ? new Worker(fileURLToPath(import.meta.url)) : null;
  worker?.on("error", (error) => console.error("[server] the job worker thread failed:", error));

  const app = express();
  app.disable("x-powered-by");
  app.use(compression());
  app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
  app.use(morgan("tiny"));
  app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

  const server = http.createServer((req, res) => {
    if (req.method === "POST" && req.url?.startsWith("/webhooks/")) receiveWebhook(req, res);
    else app(req, res);
  });
  const port = Number(process.env.PORT || 3000);
  server.listen(port, process.env.HOST, () => console.log(`[server] http://${process.env.HOST || "localhost"}:${port}`));

  // Stop taking requests, let the worker finish its running jobs, then exit.
  const shutdown = () => {
    server.close();
    if (!worker) process.exit(0);
    worker.once("exit", () => process.exit(0));
    worker.postMessage("stop");
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

if (isMainThread) {
  serve();
} else {
  // The worker thread: jobs and their chores only, until the main thread says stop.
  const background = startBackgroundWork();
  parentPort.once("message", () => background.stop().then(() => process.exit(0)));
}
