// The segments page (decision 011): the shop's custom segments with their member counts, the
// ready-made templates to start from, and the RFM segments every customer falls into.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, IndexTable, InlineGrid, InlineStack, Layout, Link, Page, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";

import { adminContext } from "~/admin-context.server";
import { EmptyMessage } from "~/components/empty-message";
import { prisma } from "~/db.server";
import { RFM_SEGMENTS } from "~/modules/segments/rfm";
import { SEGMENT_TEMPLATES } from "~/modules/segments/segment-rules";
import { listSegments } from "~/modules/segments/segments.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const context = await adminContext(request);
  const [segments, rfm, model] = await Promise.all([
    listSegments({ shop: context.shop }),
    prisma.customerInsight.groupBy({ by: ["rfmSegment"], where: { shop: context.shop, computedAt: { not: null } }, _count: { _all: true } }),
    prisma.insightModel.findUnique({ where: { shop: context.shop }, select: { fittedAt: true } }),
  ]);
  const counts = new Map(rfm.map((row) => [row.rfmSegment, row._count._all]));
  return {
    segments: segments.map((segment) => ({ ...segment, updatedAt: context.dateTime(segment.updatedAt) })),
    rfm: RFM_SEGMENTS.map((key) => ({ key, customers: counts.get(key) ?? 0 })),
    computedAt: context.dateTime(model?.fittedAt ?? null),
    templates: SEGMENT_TEMPLATES.map((template) => template.key),
  };
};

export default function SegmentsPage() {
  const { segments, rfm, computedAt, templates } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <Page title={t("segments.page.title")} subtitle={t("segments.page.subtitle")} primaryAction={{ content: t("segments.page.create"), url: "/app/segments/new" }}>
      <Layout>
        <Layout.Section>
          <Card padding="0">
            {segments.length === 0 ? (
              <EmptyMessage title={t("segments.page.emptyTitle")} body={t("segments.page.emptyBody")} />
            ) : (
              <IndexTable
                resourceName={{ singular: t("segments.page.segment"), plural: t("segments.page.segments") }}
                itemCount={segments.length}
                selectable={false}
                headings={[{ title: t("segments.page.name") }, { title: t("segments.page.members"), alignment: "end" }, { title: t("segments.page.tag") }, { title: t("segments.page.updated") }]}
              >
                {segments.map((segment, index) => (
                  <IndexTable.Row id={segment.id} key={segment.id} position={index}>
                    <IndexTable.Cell>
                      <BlockStack gap="050">
                        <Link url={`/app/segments/${segment.id}`} removeUnderline>
                          <Text as="span" fontWeight="semibold">
                            {segment.name}
                          </Text>
                        </Link>
                        {segment.description && (
                          <Text as="span" tone="subdued" variant="bodySm">
                            {segment.description}
                          </Text>
                        )}
                      </BlockStack>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" alignment="end" numeric>
                        <span data-testid={`segment-count-${segment.id}`}>{segment.memberCount.toLocaleString()}</span>
                      </Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{segment.tagName ? <Badge>{segment.tagName}</Badge> : <Text as="span" tone="subdued">-</Text>}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Text as="span" tone="subdued">
                        {t("segments.page.updatedBy", { at: segment.updatedAt, name: segment.createdByName ?? "-" })}
                      </Text>
                    </IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
          </Card>
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("segments.page.templates")}
            </Text>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
              {templates.map((key) => (
                <Card key={key}>
                  <BlockStack gap="200">
                    <Text as="h3" variant="headingSm">
                      {t(`segments.templates.${key}.name`)}
                    </Text>
                    <Text as="p" tone="subdued">
                      {t(`segments.templates.${key}.description`)}
                    </Text>
                    <InlineStack>
                      <Button url={`/app/segments/new?template=${key}`}>{t("segments.page.useTemplate")}</Button>
                    </InlineStack>
                  </BlockStack>
                </Card>
              ))}
            </InlineGrid>
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  {t("segments.page.rfmTitle")}
                </Text>
                <Link url="/app/analytics">{t("segments.page.openAnalytics")}</Link>
              </InlineStack>
              <Text as="p" tone="subdued">
                {computedAt ? t("segments.page.rfmComputed", { at: computedAt }) : t("segments.page.rfmPending")}
              </Text>
              <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
                {rfm.map((row) => (
                  <Box key={row.key} padding="300" background="bg-surface-secondary" borderRadius="200">
                    <BlockStack gap="100">
                      <Text as="span" variant="bodySm" tone="subdued">
                        {t(`rfm.names.${row.key}`)}
                      </Text>
                      <Text as="span" variant="headingLg">
                        <span data-testid={`rfm-count-${row.key}`}>{row.customers.toLocaleString()}</span>
                      </Text>
                    </BlockStack>
                  </Box>
                ))}
              </InlineGrid>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
