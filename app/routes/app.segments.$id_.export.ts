import type { LoaderFunctionArgs } from "@remix-run/node";

import { adminContext } from "~/admin-context.server";
import { prisma } from "~/db.server";
import { writeAudit } from "~/modules/audit/audit.server";
import { csvDownload } from "~/modules/customers/customer-csv.server";
import { getSegment, segmentCsvLines } from "~/modules/segments/segments.server";

// GET /app/segments/:id/export: the segment's members as a CSV download.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const context = await adminContext(request);
  const segment = await getSegment({ shop: context.shop, id: params.id ?? "" });
  if (!segment) throw new Response("Segment not found", { status: 404 });
  await writeAudit(prisma, { shop: context.shop, actorType: "staff", actorId: context.actor.userId, actorName: context.actor.name, action: "segment.exported", subjectType: "segment", subjectId: segment.id, after: { name: segment.name, members: segment.memberCount } });
  const slug = segment.name.replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "").toLowerCase() || "segment";
  return csvDownload(segmentCsvLines({ shop: context.shop, segmentId: segment.id }), `segment-${slug}-${new Date().toISOString().slice(0, 10)}.csv`);
};
