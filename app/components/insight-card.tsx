// The profile's "Segment and predictions" card: RFM segment (with what it means), the expected
// next order, churn risk and 12-month value with the one-line reason, and custom segments.
import { Badge, BlockStack, InlineStack, Link, Text, Tooltip } from "@shopify/polaris";
import { useTranslation } from "react-i18next";

import type { InsightReason } from "~/modules/segments/insights.server";
import type { InsightCardView } from "~/modules/segments/insight-view.server";
import { SectionCard } from "./section-card";

type Tone = "success" | "info" | "attention" | "warning" | "critical" | undefined;
const RFM_TONE: Record<string, Tone> = { champions: "success", loyal: "success", potentialLoyalist: "info", new: "info", promising: "info", needAttention: "attention", aboutToSleep: "attention", atRisk: "warning", cantLose: "critical", hibernating: undefined, lost: undefined };
const churnTone = (percent: number): Tone => (percent >= 70 ? "critical" : percent >= 40 ? "warning" : "success");

/** The prediction's reason in the staff member's language ("usually orders every 31 days; last order 95 days ago"). */
export function useReasonText() {
  const { t } = useTranslation();
  return (reason: InsightReason) => {
    switch (reason.code) {
      case "noOrders":
        return t("insights.reason.noOrders");
      case "oneTime":
        return reason.similarDays === null ? t("insights.reason.oneTimeUnknown", { last: reason.lastDaysAgo }) : t("insights.reason.oneTime", { last: reason.lastDaysAgo, similar: reason.similarDays });
      default:
        return t(`insights.reason.${reason.code}`, { every: reason.everyDays, last: reason.lastDaysAgo });
    }
  };
}

export function InsightCard({ insights }: { insights: InsightCardView }) {
  const { t } = useTranslation();
  const reasonText = useReasonText();
  const { rfm, prediction } = insights;
  return (
    <SectionCard title={t("insights.title")} gap="300">
      {!insights.computed ? (
        <Text as="p" tone="subdued">
          {t("insights.pending")}
        </Text>
      ) : (
        <BlockStack gap="300">
          {rfm ? (
            <BlockStack gap="100">
              <InlineStack gap="200" blockAlign="center">
                <Tooltip content={t(`rfm.descriptions.${rfm.key}`)}>
                  <span data-testid="insight-rfm">
                    <Badge tone={RFM_TONE[rfm.key]}>{t(`rfm.names.${rfm.key}`)}</Badge>
                  </span>
                </Tooltip>
                <Text as="span" tone="subdued" variant="bodySm">
                  {t("insights.scores", { r: rfm.recency, f: rfm.frequency, m: rfm.monetary })}
                </Text>
              </InlineStack>
              <Text as="p" tone="subdued" variant="bodySm">
                {t(`rfm.descriptions.${rfm.key}`)}
                {rfm.since ? ` · ${t("insights.since", { date: rfm.since })}` : ""}
              </Text>
            </BlockStack>
          ) : (
            <Text as="p" tone="subdued">
              {t("rfm.none")}
            </Text>
          )}
          {prediction && (
            <BlockStack gap="150">
              <InlineStack align="space-between">
                <Text as="span" tone="subdued">
                  {t("insights.nextOrder")}
                </Text>
                <Text as="span" fontWeight="medium">
                  {prediction.nextOrder ? (prediction.overdue ? t("insights.overdueSince", { date: prediction.nextOrder }) : prediction.nextOrder) : t("insights.unknown")}
                </Text>
              </InlineStack>
              <InlineStack align="space-between">
                <Text as="span" tone="subdued">
                  {t("insights.churnRisk")}
                </Text>
                <span data-testid="insight-churn">
                  <Badge tone={churnTone(prediction.churnPercent)}>{`${prediction.churnPercent}%`}</Badge>
                </span>
              </InlineStack>
              <InlineStack align="space-between">
                <Text as="span" tone="subdued">
                  {t("insights.predictedValue")}
                </Text>
                <Text as="span" fontWeight="medium">
                  {prediction.predictedValue}
                </Text>
              </InlineStack>
              <Text as="p" variant="bodySm" tone="subdued">
                <span data-testid="insight-reason">{reasonText(prediction.reason)}</span>
              </Text>
            </BlockStack>
          )}
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">
              {t("insights.segments")}
            </Text>
            {insights.segments.length === 0 ? (
              <Text as="p" tone="subdued">
                {t("insights.noSegments")}
              </Text>
            ) : (
              insights.segments.map((segment) => (
                <InlineStack key={segment.id} align="space-between" gap="200">
                  <Link url={`/app/segments/${segment.id}`} removeUnderline>
                    {segment.name}
                  </Link>
                  <Text as="span" tone="subdued" variant="bodySm">
                    {t("insights.enteredOn", { date: segment.enteredAt })}
                  </Text>
                </InlineStack>
              ))
            )}
          </BlockStack>
        </BlockStack>
      )}
    </SectionCard>
  );
}
