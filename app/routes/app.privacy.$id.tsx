// Resource route: one data export of the signed-in shop as a JSON attachment (404 for any other shop's).
import type { LoaderFunctionArgs } from "@remix-run/node";

import { prisma } from "~/db.server";
import { dataExportFileName, getDataExport } from "~/modules/privacy/privacy.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const dataExport = params.id ? await getDataExport({ db: prisma, shop: session.shop, id: params.id }) : null;
  if (!dataExport || dataExport.status !== "ready" || dataExport.content === null) {
    throw new Response("Not found", { status: 404 });
  }
  return new Response(dataExport.content, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${dataExportFileName(dataExport)}"`,
      // Personal data: never kept by a browser or proxy cache.
      "Cache-Control": "no-store",
    },
  });
};
