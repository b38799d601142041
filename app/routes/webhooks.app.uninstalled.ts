import type { ActionFunctionArgs } from "@remix-run/node";

import { handleWebhookRequest } from "~/modules/webhooks/handle-webhook.server";

export const action = ({ request }: ActionFunctionArgs) => handleWebhookRequest(request);
