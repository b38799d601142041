// The loyalty actions of a customer profile (the profile's cards post here): override the tier,
// adjust points. Each is audited; errors come back to the form.
import type { ActionFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { z } from "zod";

import { adminContext } from "~/admin-context.server";
import { adjustPoints, LoyaltyError, overrideTier } from "~/modules/loyalty/loyalty.server";
import { customerGidFromParam } from "~/modules/shopify/gid";

const input = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("overrideTier"), tierKey: z.string(), reason: z.string() }),
  z.object({ intent: z.literal("adjustPoints"), points: z.string(), reason: z.string() }),
]);

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const context = await adminContext(request);
  const customerId = customerGidFromParam(params.id);
  if (!customerId) throw new Response("Customer not found", { status: 404 });
  const parsed = input.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ ok: false as const, intent: null, error: "invalid", message: null }, { status: 400 });
  const actor = context.actor;
  try {
    if (parsed.data.intent === "overrideTier") {
      await overrideTier({ actor, customerId, tierKey: parsed.data.tierKey === "rules" ? null : parsed.data.tierKey, reason: parsed.data.reason });
    } else {
      const points = Number(parsed.data.points.trim());
      await adjustPoints({ actor, customerId, points: Number.isFinite(points) ? points : NaN, reason: parsed.data.reason });
    }
    return { ok: true as const, intent: parsed.data.intent, error: null, message: null };
  } catch (error) {
    if (error instanceof LoyaltyError) return data({ ok: false as const, intent: parsed.data.intent, error: error.code, message: error.message }, { status: 422 });
    throw error;
  }
};
