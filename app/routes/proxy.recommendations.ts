// The storefront's recommendations, through Shopify's app proxy (`/apps/crm/recommendations` on the
// shop's domain; decision 013). authenticate.public.appProxy checks the proxy's signature and its
// timestamp (a bad or stale one is refused before anything is read). Whose suggestions these are
// comes only from the signed `logged_in_customer_id`: a shopper cannot ask for anyone else's.
// - `?product_id=N`: "frequently bought together" for that product (the same for every shopper);
// - otherwise: "recommended for you" for the logged-in shopper, nothing for a guest.
// Answers are kept for a minute per shop and shopper (or product), so a busy page does not rebuild them.
import type { LoaderFunctionArgs } from "@remix-run/node";

import { prisma } from "~/db.server";
import { customerSuggestions, productsBoughtWith, type ProductCard } from "~/modules/recommendations/recommendations.server";
import { authenticate } from "~/shopify.server";

const LIMIT = 4;
const TTL_MS = 60_000;
const MAX_CACHED = 5_000;

export interface StorefrontProduct {
  title: string;
  url: string;
  imageUrl: string | null;
}

export interface StorefrontRecommendations {
  kind: "personal" | "together" | "guest";
  products: StorefrontProduct[];
}

const answers = new Map<string, { at: number; body: StorefrontRecommendations }>();

const card = (product: ProductCard): StorefrontProduct => ({ title: product.title, url: `/products/${product.handle}`, imageUrl: product.imageUrl });

async function compute(shop: string, customerId: string | null, productId: string | null): Promise<StorefrontRecommendations> {
  if (productId) return { kind: "together", products: (await productsBoughtWith(prisma, { shop, productId: `gid://shopify/Product/${productId}`, limit: LIMIT })).map((entry) => card(entry.product)) };
  if (!customerId) return { kind: "guest", products: [] };
  const result = await customerSuggestions(prisma, { shop, customerId: `gid://shopify/Customer/${customerId}`, limit: LIMIT });
  // What is due comes first, then the rest of the likely next order.
  const seen = new Set<string>();
  const products = [...result.due.map((item) => item.product), ...result.suggestions.map((suggestion) => suggestion.product)].filter((product) => !seen.has(product.id) && seen.add(product.id));
  return { kind: "personal", products: products.slice(0, LIMIT).map(card) };
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.public.appProxy(request);
  const url = new URL(request.url);
  const shop = url.searchParams.get("shop")!;
  const customerId = url.searchParams.get("logged_in_customer_id") || null;
  const productId = url.searchParams.get("product_id");
  if (productId !== null && !/^\d{1,20}$/.test(productId)) return Response.json({ error: "product_id must be a product's number" }, { status: 400 });
  if (customerId !== null && !/^\d{1,20}$/.test(customerId)) return Response.json({ error: "logged_in_customer_id must be a customer's number" }, { status: 400 });
  const key = productId ? `${shop}|product|${productId}` : `${shop}|customer|${customerId ?? ""}`;
  const now = Date.now();
  let cached = answers.get(key);
  if (!cached || now - cached.at > TTL_MS) {
    cached = { at: now, body: await compute(shop, customerId, productId) };
    if (answers.size >= MAX_CACHED) answers.delete(answers.keys().next().value!);
    answers.set(key, cached);
  }
  // A shopper's own list is for their browser only; a product's list is the same for everyone.
  const cacheControl = productId ? "public, max-age=300" : "private, max-age=60";
  return Response.json(cached.body, { headers: { "Cache-Control": cacheControl, Vary: "Cookie" } });
};
