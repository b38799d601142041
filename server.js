// The production server (`npm start`, after `npm run build`): Remix on Express, as remix-serve runs
// it, with one addition - webhook deliveries (POST /webhooks/...) are answered straight from
// Node's request, before Express and Remix. Shopify may send thousands a second to a busy app, and
// Remix's request handling (Fetch objects, route matching) cost ~0.5 ms of each; the answer
// itself is the same code the webhook routes run (`acceptWebhookDelivery`, decision 008).
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { installGlobals } from "@remix-run/node";
import { createRequestHandler } from "@remix-run/express";
import compression from "compression";
import express from "express";
import morgan from "morgan";

process.env.NODE_ENV ??= "production";
const root = path.dirname(fileURLToPath(import.meta.url));
const build = await import(pathToFileURL(path.join(root, "build/server/index.js")).href);
installGlobals({ nativeFetch: build.future.v3_singleFetch });
const { acceptWebhookDelivery } = build.entry.module;

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

const shutdown = () => server.close(() => process.exit(0));
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
