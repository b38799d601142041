// JSON for the customer panel, the admin UI extension on Shopify's customer page (decision 009).
// The extension's fetch carries the staff member's session token: authenticate.admin checks it and
// answers the CORS preflight (Remix hands OPTIONS to the loader); every answer leaves through cors(),
// since the extension runs on Shopify's origin, not the app's.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";

import { getEnv } from "~/env.server";
import { resolveLocale } from "~/i18n/i18n";
import { addPanelNote, getCustomerPanel, type CustomerPanelResponse } from "~/modules/customers/customer-panel.server";
import { NoteError } from "~/modules/notes/notes.server";
import { customerGidFromParam } from "~/modules/shopify/gid";
import { actorFromSession } from "~/modules/staff/staff.server";
import { authenticate } from "~/shopify.server";

// Personal data: never kept by a browser or proxy cache.
const json = (body: unknown, status = 200) => Response.json(body, { status, headers: { "Cache-Control": "no-store" } });

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session, cors } = await authenticate.admin(request);
  const customerId = customerGidFromParam(params.customerId);
  if (!customerId) return cors(json({ error: "The customer id must be the number from the customer's GID" }, 400));
  const actor = await actorFromSession(session);
  const panel = await getCustomerPanel({ shop: actor.shop, customerId, locale: resolveLocale(request) });
  if (!panel) return cors(json({ error: "Customer not found" }, 404));
  const body: CustomerPanelResponse = { ...panel, appUrl: `${getEnv().SHOPIFY_APP_URL}/app/customers/${params.customerId}` };
  return cors(json(body));
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, cors } = await authenticate.admin(request);
  if (request.method !== "POST") return cors(new Response(null, { status: 405, headers: { Allow: "GET, POST" } }));
  const customerId = customerGidFromParam(params.customerId);
  if (!customerId) return cors(json({ error: "The customer id must be the number from the customer's GID" }, 400));
  let input: unknown;
  try {
    input = await request.json();
  } catch {
    return cors(json({ error: "The body must be JSON: { body, pinned? }" }, 400));
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) return cors(json({ error: "The body must be a JSON object: { body, pinned? }" }, 400));
  const actor = await actorFromSession(session);
  try {
    const note = await addPanelNote({ actor, customerId, input });
    return cors(json({ note }, 201));
  } catch (error) {
    if (error instanceof NoteError) return cors(json({ error: error.message, fieldErrors: error.fieldErrors }, error.status));
    throw error;
  }
};
