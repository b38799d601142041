// Where Shopify admin's product link lands (/app/products?id=N, the product-bought-together admin
// link): on the app's page of that product; without a product, on the home page.
import { redirect, type LoaderFunctionArgs } from "@remix-run/node";

import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  const url = new URL(request.url);
  const id = url.searchParams.get("id")?.replace(/^gid:\/\/shopify\/Product\//, "") ?? "";
  // Keep the embedded app's query (shop, host) so the next page authenticates the same way.
  url.searchParams.delete("id");
  const query = url.searchParams.toString();
  return redirect(`${/^\d{1,20}$/.test(id) ? `/app/products/${id}` : "/app"}${query ? `?${query}` : ""}`);
};
