import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useRevalidator } from "@remix-run/react";
import { Badge, BlockStack, Box, Card, InlineGrid, InlineStack, Layout, Page, ProgressBar, ResourceItem, ResourceList, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";

import { resolveLocale } from "~/i18n/i18n";
import { formatMoney } from "~/modules/money/money";
import { numericId, shopifyAdminUrl } from "~/modules/shopify/gid";
import { getShopOverview } from "~/modules/shops/shops.server";
import { getSyncHealth } from "~/modules/shops/sync-health.server";
import { estimateRemaining } from "~/modules/sync/import-progress";
import { authenticate } from "~/shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const locale = resolveLocale(request);
  const [overview, health] = await Promise.all([getShopOverview({ shop: session.shop }), getSyncHealth({ shop: session.shop })]);
  const currency = overview.shop?.currencyCode ?? "USD";
  const money = (minor: bigint, code = currency) => formatMoney(minor, code, locale);
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: overview.shop?.ianaTimezone ?? "UTC" });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: overview.shop?.ianaTimezone ?? "UTC" });
  const run = overview.lastRun;
  // Reconciliation moves lastSyncedAt on after the import.
  const lastSynced = overview.shop?.lastSyncedAt ?? run?.finishedAt ?? null;
  const count = (value: number) => value.toLocaleString(locale);
  return {
    shopName: overview.shop?.name ?? session.shop,
    stats: {
      customers: overview.customers.toLocaleString(locale),
      orders: overview.orders.toLocaleString(locale),
      netRevenue: money(overview.netRevenueMinor),
      averageOrder: money(overview.orders > 0 ? overview.netRevenueMinor / BigInt(overview.orders) : 0n),
    },
    sync: run
      ? {
          status: run.status,
          resource: run.resource,
          imported: run.objectsImported,
          total: run.objectsTotal,
          error: run.error,
          finishedAt: lastSynced ? dateTime.format(lastSynced) : null,
          secondsLeft: estimateRemaining(run, new Date()),
        }
      : null,
    health: {
      status: health.health,
      applied: count(health.webhooks.applied),
      waiting: count(health.webhooks.waiting),
      rejected: count(health.webhooks.rejected),
      lastReconcile: health.lastReconcile?.finishedAt ? { time: dateTime.format(health.lastReconcile.finishedAt), repaired: health.lastReconcile.repaired } : null,
    },
    topCustomers: overview.topCustomers.map((customer) => ({
      id: customer.shopifyId,
      name: customer.displayName || [customer.firstName, customer.lastName].filter(Boolean).join(" "),
      email: customer.email,
      orders: customer.numberOfOrders,
      spent: money(customer.amountSpentMinor, customer.currencyCode),
    })),
    recentOrders: overview.recentOrders.map((order) => ({
      id: order.shopifyId,
      name: order.name,
      email: order.email,
      total: money(order.totalPriceMinor, order.currencyCode),
      date: date.format(order.processedAt),
      cancelled: order.cancelledAt !== null,
    })),
  };
};

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function TimeLeft({ seconds }: { seconds: number | null }) {
  const { t } = useTranslation();
  let text;
  if (seconds === null) text = t("home.sync.estimating");
  else if (seconds < 60) text = t("home.sync.lessThanMinute");
  else if (seconds < 5400) text = t("home.sync.minutesLeft", { count: Math.round(seconds / 60) });
  else text = t("home.sync.hoursLeft", { count: Math.round(seconds / 3600) });
  return (
    <Text as="span" tone="subdued">
      {text}
    </Text>
  );
}

const HEALTH_TONE = { healthy: "success", behind: "warning", rejected: "critical" } as const;

function SyncHealth({ health }: { health: LoaderData["health"] }) {
  const { t } = useTranslation();
  return (
    <BlockStack gap="100">
      <InlineStack gap="200" blockAlign="center">
        <Badge tone={HEALTH_TONE[health.status]}>{t(`home.sync.health.${health.status}`)}</Badge>
        <Text as="span" tone="subdued">
          {t("home.sync.webhooks", { applied: health.applied, waiting: health.waiting, rejected: health.rejected })}
        </Text>
      </InlineStack>
      {health.status !== "healthy" ? (
        <Text as="p" tone="subdued" variant="bodySm">
          {t(`home.sync.${health.status}Help`)}
        </Text>
      ) : null}
      {health.lastReconcile ? (
        <Text as="p" tone="subdued" variant="bodySm">
          {health.lastReconcile.repaired > 0
            ? t("home.sync.reconciled", { count: health.lastReconcile.repaired, time: health.lastReconcile.time })
            : t("home.sync.reconciledNone", { time: health.lastReconcile.time })}
        </Text>
      ) : null}
    </BlockStack>
  );
}

function SyncCard({ sync, health }: { sync: LoaderData["sync"]; health: LoaderData["health"] }) {
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  const running = sync?.status === "running" || sync === null;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 2000);
    return () => clearInterval(timer);
  }, [running, revalidator]);

  let body;
  if (!sync) body = <Text as="p">{t("home.sync.never")}</Text>;
  else if (sync.status === "running") {
    const percent = sync.total > 0 ? Math.min(100, Math.round((sync.imported / sync.total) * 100)) : 0;
    body = (
      <BlockStack gap="200">
        <Text as="p">{t("home.sync.running", { resource: t(`home.sync.resources.${sync.resource ?? "customers"}`) })}</Text>
        <ProgressBar progress={percent} tone="primary" />
        <InlineStack align="space-between">
          <Text as="span" tone="subdued">
            {t("home.sync.progress", { imported: sync.imported.toLocaleString(), total: sync.total.toLocaleString() })}
          </Text>
          <TimeLeft seconds={sync.secondsLeft} />
        </InlineStack>
      </BlockStack>
    );
  } else if (sync.status === "failed") body = <Text as="p" tone="critical">{t("home.sync.failed", { error: sync.error })}</Text>;
  else
    body = (
      <BlockStack gap="200">
        <InlineStack gap="200" blockAlign="center">
          <Badge tone="success">{t("home.sync.completed")}</Badge>
          <Text as="span" tone="subdued">
            {t("home.sync.lastSynced", { time: sync.finishedAt })}
          </Text>
        </InlineStack>
        <SyncHealth health={health} />
      </BlockStack>
    );
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("home.sync.title")}
        </Text>
        {body}
      </BlockStack>
    </Card>
  );
}

function Stat({ label, value, help }: { label: string; value: string; help?: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="bodySm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
        {help ? (
          <Text as="p" variant="bodyXs" tone="subdued">
            {help}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export default function Home() {
  const { shopName, stats, sync, health, topCustomers, recentOrders } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <Page title={t("home.title")} subtitle={t("home.subtitle", { shop: shopName })}>
      <Layout>
        <Layout.Section>
          <SyncCard sync={sync} health={health} />
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
            <Stat label={t("home.stats.customers")} value={stats.customers} />
            <Stat label={t("home.stats.orders")} value={stats.orders} help={t("home.stats.ordersHelp")} />
            <Stat label={t("home.stats.netRevenue")} value={stats.netRevenue} help={t("home.stats.netRevenueHelp")} />
            <Stat label={t("home.stats.averageOrder")} value={stats.averageOrder} />
          </InlineGrid>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card padding="0">
            <Box padding="400">
              <Text as="h2" variant="headingMd">
                {t("home.topCustomers.title")}
              </Text>
            </Box>
            <ResourceList
              items={topCustomers}
              emptyState={<Box padding="400">{t("home.topCustomers.empty")}</Box>}
              renderItem={(customer) => (
                <ResourceItem id={customer.id} url={`/app/customers/${numericId(customer.id)}`} accessibilityLabel={customer.name}>
                  <InlineStack align="space-between" blockAlign="center" wrap={false}>
                    <BlockStack gap="050">
                      <Text as="span" fontWeight="semibold">
                        {customer.name || t("home.topCustomers.noName")}
                      </Text>
                      <Text as="span" tone="subdued" variant="bodySm">
                        {[customer.email, t("home.topCustomers.orders", { count: customer.orders })].filter(Boolean).join(" · ")}
                      </Text>
                    </BlockStack>
                    <Text as="span" fontWeight="semibold">
                      {customer.spent}
                    </Text>
                  </InlineStack>
                </ResourceItem>
              )}
            />
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card padding="0">
            <Box padding="400">
              <Text as="h2" variant="headingMd">
                {t("home.recentOrders.title")}
              </Text>
            </Box>
            <ResourceList
              items={recentOrders}
              emptyState={<Box padding="400">{t("home.recentOrders.empty")}</Box>}
              renderItem={(order) => (
                <ResourceItem id={order.id} url={shopifyAdminUrl(order.id)} accessibilityLabel={order.name}>
                  <InlineStack align="space-between" blockAlign="center" wrap={false}>
                    <BlockStack gap="050">
                      <InlineStack gap="200">
                        <Text as="span" fontWeight="semibold">
                          {order.name}
                        </Text>
                        {order.cancelled ? <Badge tone="critical">{t("home.recentOrders.cancelled")}</Badge> : null}
                      </InlineStack>
                      <Text as="span" tone="subdued" variant="bodySm">
                        {[order.date, order.email ?? t("home.recentOrders.guest")].join(" · ")}
                      </Text>
                    </BlockStack>
                    <Text as="span">{order.total}</Text>
                  </InlineStack>
                </ResourceItem>
              )}
            />
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
