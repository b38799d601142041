import { PassThrough } from "node:stream";

import type { EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";

import { embeddedWorkerEnabled, startBackgroundWork } from "./background.server";
import { addDocumentResponseHeaders } from "./shopify.server";

export const streamTimeout = 5000;

// One machine (the SQLite default): the web process also runs the job worker - on a thread of
// its own when the production server (server.js) runs the app, else (dev, demo) on this one.
const serverRunsWorker = (globalThis as { __crmServerRunsWorker?: boolean }).__crmServerRunsWorker === true;
if (embeddedWorkerEnabled() && !serverRunsWorker) startBackgroundWork();

export default async function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext) {
  addDocumentResponseHeaders(request, responseHeaders);
  const userAgent = request.headers.get("user-agent");
  const callbackName = isbot(userAgent ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error) {
        reject(error);
      },
      onError(error) {
        responseStatusCode = 500;
        console.error(error);
      },
    });
    // Abort a little after streamTimeout so rejected promises can still flush.
    setTimeout(abort, streamTimeout + 1000);
  });
}

// For the production server (server.js), which answers webhooks before Remix (decision 008) and
// runs the embedded worker on a thread.
export { acceptWebhookDelivery } from "./modules/webhooks/handle-webhook.server";
export { embeddedWorkerEnabled, startBackgroundWork } from "./background.server";
