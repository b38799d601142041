// Privacy requests: the customers' data requests Shopify sent, each with its export to download.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, EmptyState, IndexTable, Layout, Page, Text } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { prisma } from "~/db.server";
import { resolveLocale } from "~/i18n/i18n";
import { listDataExports } from "~/modules/privacy/privacy.server";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const locale = resolveLocale(request);
  const shopRecord = await prisma.shop.findUnique({ where: { shop: session.shop }, select: { ianaTimezone: true } });
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: shopRecord?.ianaTimezone ?? "UTC" });
  const exports = await listDataExports({ db: prisma, shop: session.shop });
  return {
    requests: exports.map((item) => ({
      id: item.id,
      requestedAt: dateTime.format(item.requestedAt),
      customerId: item.customerId.slice(item.customerId.lastIndexOf("/") + 1),
      customerName: item.customerName,
      customerEmail: item.customerEmail,
      status: item.status as "pending" | "ready" | "failed",
    })),
  };
};

const STATUS_TONE = { pending: "attention", ready: "success", failed: "critical" } as const;

/**
 * Fetches the export and saves it. A plain link would open without the session token; App Bridge
 * adds it to the app's own fetch requests.
 */
function DownloadButton({ id }: { id: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<"idle" | "loading" | "failed">("idle");
  const download = async () => {
    setState("loading");
    try {
      const response = await fetch(`/app/privacy/${encodeURIComponent(id)}`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? `${id}.json`;
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = name;
      link.click();
      URL.revokeObjectURL(url);
      setState("idle");
    } catch {
      setState("failed");
    }
  };
  return (
    <BlockStack gap="100" inlineAlign="start">
      <Button onClick={download} loading={state === "loading"} accessibilityLabel={t("privacy.downloadLabel")}>
        {t("privacy.download")}
      </Button>
      {state === "failed" ? (
        <Text as="span" tone="critical" variant="bodySm">
          {t("privacy.downloadFailed")}
        </Text>
      ) : null}
    </BlockStack>
  );
}

export default function PrivacyRequests() {
  const { requests } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <Page title={t("privacy.title")} subtitle={t("privacy.subtitle")}>
      <Layout>
        <Layout.Section>
          <Card padding="0">
            <IndexTable
              resourceName={{ singular: t("privacy.resourceName.singular"), plural: t("privacy.resourceName.plural") }}
              itemCount={requests.length}
              selectable={false}
              emptyState={
                <EmptyState heading={t("privacy.empty.heading")} image="">
                  <p>{t("privacy.empty.body")}</p>
                </EmptyState>
              }
              headings={[{ title: t("privacy.columns.requestedAt") }, { title: t("privacy.columns.customer") }, { title: t("privacy.columns.status") }, { title: t("privacy.columns.download") }]}
            >
              {requests.map((request, index) => (
                <IndexTable.Row id={request.id} key={request.id} position={index}>
                  <IndexTable.Cell>{request.requestedAt}</IndexTable.Cell>
                  <IndexTable.Cell>
                    <BlockStack gap="050">
                      <Text as="span" fontWeight="semibold">
                        {request.customerName ?? t("privacy.customerId", { id: request.customerId })}
                      </Text>
                      {request.customerEmail ? (
                        <Text as="span" tone="subdued" variant="bodySm">
                          {request.customerEmail}
                        </Text>
                      ) : null}
                    </BlockStack>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Badge tone={STATUS_TONE[request.status] ?? "info"}>{t(`privacy.status.${request.status}`)}</Badge>
                  </IndexTable.Cell>
                  <IndexTable.Cell>{request.status === "ready" ? <DownloadButton id={request.id} /> : null}</IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Text as="p" tone="subdued" variant="bodySm">
            {t("privacy.help")}
          </Text>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
