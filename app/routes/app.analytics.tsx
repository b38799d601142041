// The analytics page: charts of the shop's customers - RFM segments, revenue by segment and by loyalty tier, new vs
// returning customers per month, cohort retention - and the valuable customers who slipped to At risk this month.
// Plain Polaris layout with inline-styled divs (no chart library), like the loyalty page's members chart.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Card, InlineGrid, InlineStack, Layout, Link, List, Page, Text, Tooltip } from "@shopify/polaris";
import type { CSSProperties, ReactNode } from "react";
import { useTranslation } from "react-i18next";

import { adminContext } from "~/admin-context.server";
import { EmptyMessage } from "~/components/empty-message";
import { SectionCard } from "~/components/section-card";
import { shopAnalytics } from "~/modules/analytics/analytics.server";
import { VALUABLE_SEGMENTS, type RfmSegment } from "~/modules/segments/rfm";
import { numericId } from "~/modules/shopify/gid";

// Greens for the best customers, blues for the new, ambers for the ones drifting, reds for the ones slipping away, greys for the gone.
const SEGMENT_COLORS: Record<RfmSegment, string> = {
  champions: "#0f7b55",
  loyal: "#29a36f",
  potentialLoyalist: "#72c59a",
  new: "#2c6ecb",
  promising: "#7fb2ea",
  needAttention: "#e0a526",
  aboutToSleep: "#c7a76b",
  atRisk: "#e4722d",
  cantLose: "#c83434",
  hibernating: "#8e96a8",
  lost: "#5c5f62",
};
const NONE_COLOR = "#c9cccf";
const NEW_COLOR = "#2c6ecb";
const RETURNING_COLOR = "#9cc3f0";

/** value / max as a number for a bar's width (bigint money stays bigint until here). */
const ratio = (value: bigint, max: bigint) => (max > 0n && value > 0n ? Number((value * 1_000_000n) / max) / 1_000_000 : 0);

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const context = await adminContext(request);
  const analytics = await shopAnalytics({ shop: context.shop });
  const percent = new Intl.NumberFormat(context.locale, { style: "percent", maximumFractionDigits: 0 });
  // Month keys are calendar months already in the shop's zone: format them as UTC so no zone shifts them again.
  const monthOf = (key: string) => new Date(`${key}-01T00:00:00Z`);
  const shortMonth = new Intl.DateTimeFormat(context.locale, { month: "short", timeZone: "UTC" });
  const year = new Intl.DateTimeFormat(context.locale, { year: "numeric", timeZone: "UTC" });
  const monthYear = new Intl.DateTimeFormat(context.locale, { month: "short", year: "numeric", timeZone: "UTC" });

  const customers = analytics.segments.reduce((sum, segment) => sum + segment.customers, 0) + analytics.noOrders;
  const topSegmentSpend = analytics.segments.reduce((max, segment) => (segment.netSpentMinor > max ? segment.netSpentMinor : max), 0n);
  const topTierSpend = analytics.tiers.reduce((max, tier) => (tier.netSpentMinor > max ? tier.netSpentMinor : max), 0n);
  const share = (count: number) => (customers > 0 ? count / customers : 0);
  return {
    hasOrders: analytics.hasOrders,
    timeZone: analytics.timeZone,
    customers,
    segments: analytics.segments.map((segment) => ({ key: segment.key, customers: segment.customers, percent: percent.format(share(segment.customers)) })),
    noOrders: { customers: analytics.noOrders, percent: percent.format(share(analytics.noOrders)) },
    segmentRevenue: analytics.segments.map((segment) => ({ key: segment.key, customers: segment.customers, money: context.money(segment.netSpentMinor), width: ratio(segment.netSpentMinor, topSegmentSpend) })),
    tierRevenue: analytics.tiers.map((tier) => ({ key: tier.key ?? "none", name: tier.name, color: tier.color ?? NONE_COLOR, customers: tier.customers, money: context.money(tier.netSpentMinor), width: ratio(tier.netSpentMinor, topTierSpend) })),
    months: analytics.months.map((month, index) => ({
      key: month.month,
      label: shortMonth.format(monthOf(month.month)),
      // The year under the first column and under every January.
      year: index === 0 || month.month.endsWith("-01") ? year.format(monthOf(month.month)) : null,
      full: monthYear.format(monthOf(month.month)),
      newCustomers: month.newCustomers,
      returningCustomers: month.returningCustomers,
    })),
    cohorts: analytics.cohorts.map((cohort) => ({
      key: cohort.month,
      label: monthYear.format(monthOf(cohort.month)),
      size: cohort.size,
      cells: cohort.share.map((value, k) => ({ share: value, percent: value === null ? null : percent.format(value), retained: cohort.retained[k] ?? null })),
    })),
    atRisk: {
      customers: analytics.atRisk.customers,
      list: analytics.atRisk.list.map((customer) => ({ id: numericId(customer.customerId), name: customer.name, money: context.money(customer.netSpentMinor) })),
    },
  };
};

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function Swatch({ color }: { color: string }) {
  return <span aria-hidden style={{ display: "inline-block", width: 12, height: 12, borderRadius: 3, background: color, flexShrink: 0 }} />;
}

/** One horizontal bar: a track, and a fill of `width` (0-1) in `color`. */
function Bar({ width, color }: { width: number; color: string }) {
  return (
    <div style={{ background: "var(--p-color-bg-surface-secondary)", borderRadius: 6, height: 20, overflow: "hidden" }} aria-hidden>
      <div style={{ width: `${width * 100}%`, minWidth: width > 0 ? 4 : 0, height: "100%", background: color, borderRadius: 6 }} />
    </div>
  );
}

function SegmentName({ segment }: { segment: RfmSegment }) {
  const { t } = useTranslation();
  return (
    // The wrapper keeps the tooltip's underline to the name's width, not the column's.
    <div>
      <Tooltip content={t(`rfm.descriptions.${segment}`)} hasUnderline preferredPosition="above">
        <Text as="span" fontWeight="medium">
          {t(`rfm.names.${segment}`)}
        </Text>
      </Tooltip>
    </div>
  );
}

function AtRiskCallout({ atRisk }: { atRisk: LoaderData["atRisk"] }) {
  const { t, i18n } = useTranslation();
  const valuable = new Intl.ListFormat(i18n.language, { type: "disjunction" }).format(VALUABLE_SEGMENTS.map((segment) => t(`rfm.names.${segment}`)));
  if (atRisk.customers === 0) {
    return (
      <Banner tone="success">
        <Text as="p">{t("analytics.atRisk.none", { segments: valuable })}</Text>
      </Banner>
    );
  }
  return (
    <Banner tone="warning" title={t("analytics.atRisk.title", { count: atRisk.customers })}>
      <BlockStack gap="200">
        <Text as="p">{t("analytics.atRisk.body", { segments: valuable, atRisk: t("rfm.names.atRisk") })}</Text>
        <List type="bullet">
          {atRisk.list.map((customer) => (
            <List.Item key={customer.id}>
              <span data-testid="at-risk-customer">
                <Link url={`/app/customers/${customer.id}`}>{customer.name || t("customers.noName")}</Link>
                {` · ${t("analytics.atRisk.spent", { amount: customer.money })}`}
              </span>
            </List.Item>
          ))}
        </List>
        {atRisk.customers > atRisk.list.length ? (
          <Text as="p" variant="bodySm" tone="subdued">
            {t("analytics.atRisk.andMore", { count: atRisk.customers - atRisk.list.length })}
          </Text>
        ) : null}
      </BlockStack>
    </Banner>
  );
}

function SegmentChart({ loaded }: { loaded: LoaderData }) {
  const { t } = useTranslation();
  const widest = Math.max(1, ...loaded.segments.map((segment) => segment.customers), loaded.noOrders.customers);
  return (
    <BlockStack gap="200">
      {loaded.segments.map((segment) => (
        <InlineGrid key={segment.key} columns="11rem 1fr 7rem" gap="300" alignItems="center">
          <SegmentName segment={segment.key} />
          <Bar width={segment.customers / widest} color={SEGMENT_COLORS[segment.key]} />
          <Text as="span" alignment="end" tone="subdued">
            <span data-testid={`segment-${segment.key}`} data-count={segment.customers}>
              {t("analytics.segments.count", { count: segment.customers, percent: segment.percent })}
            </span>
          </Text>
        </InlineGrid>
      ))}
      {loaded.noOrders.customers > 0 ? (
        // Customers without orders have no segment: set apart below a rule.
        <div style={{ borderTop: "1px solid var(--p-color-border-secondary)", paddingTop: "var(--p-space-200)" }}>
          <InlineGrid columns="11rem 1fr 7rem" gap="300" alignItems="center">
            <Text as="span" tone="subdued" truncate>
              {t("rfm.none")}
            </Text>
            <Bar width={loaded.noOrders.customers / widest} color={NONE_COLOR} />
            <Text as="span" alignment="end" tone="subdued">
              <span data-testid="segment-none" data-count={loaded.noOrders.customers}>
                {t("analytics.segments.count", { count: loaded.noOrders.customers, percent: loaded.noOrders.percent })}
              </span>
            </Text>
          </InlineGrid>
        </div>
      ) : null}
    </BlockStack>
  );
}

function MoneyBars({ rows, testId }: { rows: Array<{ key: string; label: ReactNode; color: string; customers: number; money: string; width: number }>; testId: string }) {
  const { t } = useTranslation();
  return (
    <BlockStack gap="200">
      {rows.map((row) => (
        <InlineGrid key={row.key} columns="9rem 1fr 7.5rem" gap="300" alignItems="center">
          {row.label}
          <Bar width={row.width} color={row.color} />
          <BlockStack inlineAlign="end">
            <Text as="span" alignment="end" fontWeight="medium" numeric>
              <span data-testid={`${testId}-${row.key}`}>{row.money}</span>
            </Text>
            <Text as="span" alignment="end" variant="bodySm" tone="subdued">
              {t("analytics.revenue.customers", { count: row.customers })}
            </Text>
          </BlockStack>
        </InlineGrid>
      ))}
    </BlockStack>
  );
}

const CHART_HEIGHT = 180;

function NewReturningChart({ months }: { months: LoaderData["months"] }) {
  const { t } = useTranslation();
  const tallest = Math.max(1, ...months.map((month) => month.newCustomers + month.returningCustomers));
  const columns: CSSProperties = { display: "grid", gridTemplateColumns: `repeat(${months.length}, minmax(0, 1fr))`, gap: 8 };
  return (
    <BlockStack gap="300">
      <InlineStack gap="400">
        {[
          [NEW_COLOR, t("analytics.newReturning.new")],
          [RETURNING_COLOR, t("analytics.newReturning.returning")],
        ].map(([color, label]) => (
          <InlineStack key={label} gap="150" blockAlign="center" wrap={false}>
            <Swatch color={color!} />
            <Text as="span" variant="bodySm">
              {label}
            </Text>
          </InlineStack>
        ))}
      </InlineStack>
      <div style={{ ...columns, alignItems: "end", height: CHART_HEIGHT + 20, borderBottom: "1px solid var(--p-color-border)" }} role="img" aria-label={t("analytics.newReturning.title")}>
        {months.map((month) => {
          const total = month.newCustomers + month.returningCustomers;
          return (
            <div key={month.key} title={t("analytics.newReturning.column", { month: month.full, new: month.newCustomers, returning: month.returningCustomers })} style={{ display: "flex", flexDirection: "column", alignItems: "stretch", justifyContent: "flex-end", height: "100%" }} data-testid={`month-${month.key}`} data-new={month.newCustomers} data-returning={month.returningCustomers}>
              <Text as="span" variant="bodySm" alignment="center" tone="subdued" numeric>
                {total > 0 ? total : ""}
              </Text>
              <div style={{ height: (month.returningCustomers / tallest) * CHART_HEIGHT, background: RETURNING_COLOR, borderRadius: month.returningCustomers > 0 ? "4px 4px 0 0" : 0, margin: "0 12%" }} />
              <div style={{ height: (month.newCustomers / tallest) * CHART_HEIGHT, background: NEW_COLOR, borderRadius: month.returningCustomers > 0 ? 0 : "4px 4px 0 0", margin: "0 12%" }} />
            </div>
          );
        })}
      </div>
      <div style={columns}>
        {months.map((month) => (
          <BlockStack key={month.key} inlineAlign="center" gap="0">
            <Text as="span" variant="bodySm">
              {month.label}
            </Text>
            <Text as="span" variant="bodySm" tone="subdued">
              {month.year ?? "\u00a0"}
            </Text>
          </BlockStack>
        ))}
      </div>
    </BlockStack>
  );
}

const cellStyle: CSSProperties = { padding: "6px 4px", textAlign: "center", borderRadius: 4, fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" };

function CohortGrid({ cohorts }: { cohorts: LoaderData["cohorts"] }) {
  const { t } = useTranslation();
  const offsets = cohorts[0]?.cells.map((_, k) => k) ?? [];
  const head: CSSProperties = { ...cellStyle, fontWeight: 500, color: "var(--p-color-text-secondary)" };
  return (
    <div style={{ overflowX: "auto" }}>
      <table style={{ borderCollapse: "separate", borderSpacing: 3, width: "100%", fontSize: "var(--p-font-size-300)" }} data-testid="cohort-grid">
        <thead>
          <tr>
            <th style={{ ...head, textAlign: "start" }} rowSpan={2}>
              {t("analytics.cohorts.cohort")}
            </th>
            <th style={{ ...head, textAlign: "end" }} rowSpan={2}>
              {t("analytics.cohorts.size")}
            </th>
            <th style={head} colSpan={offsets.length}>
              {t("analytics.cohorts.after")}
            </th>
          </tr>
          <tr>
            {offsets.map((k) => (
              <th key={k} style={{ ...head, minWidth: 44 }}>
                {k}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {cohorts.map((cohort) => (
            <tr key={cohort.key}>
              <th style={{ ...cellStyle, textAlign: "start", fontWeight: 500 }}>{cohort.label}</th>
              <td style={{ ...cellStyle, textAlign: "end", color: "var(--p-color-text-secondary)" }}>{cohort.size}</td>
              {cohort.cells.map((cell, k) => {
                if (cell.share === null || cohort.size === 0) {
                  // A month not yet begun stays blank; an empty cohort shows a dash where its months have begun.
                  return (
                    <td key={k} style={{ ...cellStyle, color: "var(--p-color-text-disabled)" }}>
                      {cohort.size === 0 && cell.retained !== null ? "–" : ""}
                    </td>
                  );
                }
                // Intensity follows the share; a floor keeps small shares visible.
                const alpha = 0.08 + 0.92 * cell.share;
                return (
                  <td key={k} title={t("analytics.cohorts.cell", { cohort: cohort.label, k, count: cell.retained ?? 0, size: cohort.size })} style={{ ...cellStyle, background: `rgba(15, 123, 85, ${alpha.toFixed(3)})`, color: cell.share >= 0.45 ? "#fff" : "var(--p-color-text)" }}>
                    {cell.percent}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default function AnalyticsPage() {
  const loaded = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const title = t("analytics.title");
  if (!loaded.hasOrders) {
    return (
      <Page title={title}>
        <Card>
          <EmptyMessage title={t("analytics.empty.title")} body={t("analytics.empty.body")} />
        </Card>
      </Page>
    );
  }
  const pending = loaded.customers === 0;
  return (
    <Page title={title} subtitle={t("analytics.subtitle", { timeZone: loaded.timeZone })}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {pending ? <Banner tone="info">{t("analytics.pending")}</Banner> : <AtRiskCallout atRisk={loaded.atRisk} />}

            <SectionCard title={t("analytics.segments.title")}>
              <Text as="p" variant="bodySm" tone="subdued">
                {t("analytics.segments.caption", { count: loaded.customers })}
              </Text>
              <SegmentChart loaded={loaded} />
            </SectionCard>

            <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
              <SectionCard title={t("analytics.revenue.bySegment")}>
                <Text as="p" variant="bodySm" tone="subdued">
                  {t("analytics.revenue.caption")}
                </Text>
                <MoneyBars testId="revenue-segment" rows={loaded.segmentRevenue.map((row) => ({ ...row, label: <SegmentName segment={row.key} />, color: SEGMENT_COLORS[row.key] }))} />
              </SectionCard>
              <SectionCard title={t("analytics.revenue.byTier")}>
                <Text as="p" variant="bodySm" tone="subdued">
                  {t("analytics.revenue.caption")}
                </Text>
                <MoneyBars
                  testId="revenue-tier"
                  rows={loaded.tierRevenue
                    .filter((row) => row.name || row.customers > 0)
                    .map((row) => ({
                    ...row,
                    label: (
                      <InlineStack gap="150" blockAlign="center" wrap={false}>
                        <Swatch color={row.color} />
                        <Text as="span" fontWeight="medium" tone={row.name ? undefined : "subdued"} truncate>
                          {row.name ?? t("analytics.revenue.noTier")}
                        </Text>
                      </InlineStack>
                    ),
                  }))}
                />
              </SectionCard>
            </InlineGrid>

            <SectionCard title={t("analytics.newReturning.title")}>
              <Text as="p" variant="bodySm" tone="subdued">
                {t("analytics.newReturning.caption")}
              </Text>
              <NewReturningChart months={loaded.months} />
            </SectionCard>

            <SectionCard title={t("analytics.cohorts.title")}>
              <Text as="p" variant="bodySm" tone="subdued">
                {t("analytics.cohorts.caption")}
              </Text>
              <Box paddingBlockStart="100">
                <CohortGrid cohorts={loaded.cohorts} />
              </Box>
            </SectionCard>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
