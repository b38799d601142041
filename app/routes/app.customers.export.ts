import type { LoaderFunctionArgs } from "@remix-run/node";

import { adminContext } from "~/admin-context.server";
import { csvDownload, customerCsvLines } from "~/modules/customers/customer-csv.server";
import { parseCustomerQuery, QueryError } from "~/modules/customers/customer-index.server";
import { writeAudit } from "~/modules/audit/audit.server";
import { prisma } from "~/db.server";

// GET /app/customers/export?<index query>: the selected customers as a CSV download.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const context = await adminContext(request);
  let query;
  try {
    query = parseCustomerQuery(new URL(request.url).searchParams);
  } catch (error) {
    if (error instanceof QueryError) return Response.json({ error: error.message, fieldErrors: error.fieldErrors }, { status: 422 });
    throw error;
  }
  await writeAudit(prisma, {
    shop: context.shop,
    actorType: "staff",
    actorId: context.actor.userId,
    actorName: context.actor.name,
    action: "customers.exported",
    subjectType: "shop",
    subjectId: context.shop,
    after: { query },
  });
  const lines = customerCsvLines({ shop: context.shop, query, currencyCode: context.currencyCode });
  return csvDownload(lines, `customers-${new Date().toISOString().slice(0, 10)}.csv`);
};
