// A product's page in the app (decision 013): what customers buy with it ("frequently bought
// together", normalised so best-sellers do not swamp the list) and how many orders and customers it
// has. Reached from a customer's "Products bought" and from Shopify admin's product page (the
// product-bought-together admin link, which opens /app/products?id=N).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, IndexTable, InlineStack, Layout, Link, Page, Text, Thumbnail } from "@shopify/polaris";
import { ImageIcon } from "@shopify/polaris-icons";
import { useTranslation } from "react-i18next";

import { adminContext } from "~/admin-context.server";
import { EmptyMessage } from "~/components/empty-message";
import { prisma } from "~/db.server";
import { productsBoughtWith } from "~/modules/recommendations/recommendations.server";
import { numericId, shopifyAdminUrl } from "~/modules/shopify/gid";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const context = await adminContext(request);
  if (!/^\d{1,20}$/.test(params.id ?? "")) throw new Response("Product not found", { status: 404 });
  const productId = `gid://shopify/Product/${params.id}`;
  const product = await prisma.product.findUnique({ where: { shop_shopifyId: { shop: context.shop, shopifyId: productId } } });
  if (!product) throw new Response("Product not found", { status: 404 });
  const [together, model] = await Promise.all([
    productsBoughtWith(prisma, { shop: context.shop, productId, limit: 12 }),
    prisma.recommendationModel.findUnique({ where: { shop: context.shop }, select: { builtAt: true } }),
  ]);
  return {
    product: { id: params.id!, title: product.title, imageUrl: product.imageUrl, status: product.status, productType: product.productType, adminUrl: shopifyAdminUrl(productId) },
    builtAt: context.dateTime(model?.builtAt ?? null),
    together: together.map((entry) => ({ id: numericId(entry.product.id), title: entry.product.title, imageUrl: entry.product.imageUrl, orders: entry.orders, score: Math.round(entry.score * 100) })),
  };
};

export default function ProductPage() {
  const { product, builtAt, together } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <Page
      backAction={{ url: "/app/customers" }}
      title={product.title}
      titleMetadata={product.status !== "ACTIVE" ? <Badge>{t(`products.status.${product.status.toLowerCase()}`, { defaultValue: product.status })}</Badge> : undefined}
      subtitle={product.productType ?? undefined}
      secondaryActions={[{ content: t("products.openInShopify"), url: product.adminUrl, target: "_top" }]}
    >
      <Layout>
        <Layout.Section>
          <Card padding="0">
            <BlockStack gap="0">
              <div style={{ padding: "var(--p-space-400)" }}>
                <BlockStack gap="100">
                  <Text as="h2" variant="headingMd">
                    {t("products.together.title")}
                  </Text>
                  <Text as="p" tone="subdued">
                    {builtAt ? t("products.together.explain", { date: builtAt }) : t("products.together.pending")}
                  </Text>
                </BlockStack>
              </div>
              {together.length === 0 ? (
                <EmptyMessage title={t("products.together.empty")} />
              ) : (
                <IndexTable
                  resourceName={{ singular: t("products.together.product"), plural: t("products.together.products") }}
                  itemCount={together.length}
                  selectable={false}
                  headings={[{ title: t("products.together.product") }, { title: t("products.together.orders"), alignment: "end" }, { title: t("products.together.affinity"), alignment: "end" }]}
                >
                  {together.map((entry, index) => (
                    <IndexTable.Row id={entry.id} key={entry.id} position={index}>
                      <IndexTable.Cell>
                        <InlineStack gap="300" blockAlign="center" wrap={false}>
                          <Thumbnail source={entry.imageUrl ?? ImageIcon} alt="" size="small" />
                          <Link url={`/app/products/${entry.id}`} removeUnderline dataPrimaryLink>
                            {entry.title}
                          </Link>
                        </InlineStack>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {entry.orders}
                        </Text>
                      </IndexTable.Cell>
                      <IndexTable.Cell>
                        <Text as="span" alignment="end" numeric>
                          {entry.score}%
                        </Text>
                      </IndexTable.Cell>
                    </IndexTable.Row>
                  ))}
                </IndexTable>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card>
            <InlineStack gap="300" blockAlign="center" wrap={false}>
              <Thumbnail source={product.imageUrl ?? ImageIcon} alt={product.title} size="large" />
              <Text as="p" tone="subdued">
                {t("products.together.howTo")}
              </Text>
            </InlineStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
