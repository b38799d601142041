// The profile's "Suggested for this customer" card: what is due again now (a repurchase cycle
// coming round, the month they buy it every year), then what they are likely to buy next - each
// with its reason, each linking to the product in Shopify admin.
import { Badge, BlockStack, Box, InlineStack, Link, Text, Thumbnail } from "@shopify/polaris";
import { ImageIcon } from "@shopify/polaris-icons";
import { useTranslation } from "react-i18next";

import { suggestionReasonText } from "~/modules/recommendations/suggestion-reason";
import type { SuggestionCardView, SuggestionReasonView } from "~/modules/recommendations/suggestion-view.server";
import { SectionCard } from "./section-card";

/** A suggestion's reason in the staff member's language ("bought with Pour-over kettle in 23 orders"). */
export function useSuggestionReasonText() {
  const { t } = useTranslation();
  return (reason: SuggestionReasonView) => suggestionReasonText(t, reason);
}

type Item = SuggestionCardView["suggestions"][number];

function Row({ item, badge }: { item: Item; badge?: string }) {
  const reasonText = useSuggestionReasonText();
  return (
    <InlineStack gap="300" blockAlign="center" wrap={false}>
      <Thumbnail source={item.product.imageUrl ?? ImageIcon} alt="" size="small" />
      <BlockStack gap="050">
        <InlineStack gap="200" blockAlign="center">
          <Link url={item.product.adminUrl} target="_top" removeUnderline>
            {item.product.title}
          </Link>
          {badge ? <Badge tone="attention">{badge}</Badge> : null}
        </InlineStack>
        <Text as="p" tone="subdued" variant="bodySm">
          {reasonText(item.reason)}
        </Text>
      </BlockStack>
    </InlineStack>
  );
}

export function SuggestionCard({ suggestions }: { suggestions: SuggestionCardView }) {
  const { t } = useTranslation();
  const empty = suggestions.due.length === 0 && suggestions.suggestions.length === 0;
  return (
    <SectionCard title={t("suggestions.title")} gap="300">
      {!suggestions.ready && suggestions.due.length === 0 ? (
        <Text as="p" tone="subdued">
          {t("suggestions.pending")}
        </Text>
      ) : empty ? (
        <Text as="p" tone="subdued">
          {t("suggestions.none")}
        </Text>
      ) : (
        <BlockStack gap="300">
          {suggestions.due.length > 0 ? (
            <BlockStack gap="200">
              <Text as="h3" variant="headingSm">
                {t("suggestions.dueTitle")}
              </Text>
              <div data-testid="suggestions-due">
                <BlockStack gap="200">
                  {suggestions.due.map((item) => (
                    <Row key={`due-${item.product.id}`} item={item} badge={item.reason.code === "anniversary" ? t("suggestions.badge.yearly") : t("suggestions.badge.due")} />
                  ))}
                </BlockStack>
              </div>
            </BlockStack>
          ) : null}
          {suggestions.suggestions.length > 0 ? (
            <BlockStack gap="200">
              {suggestions.due.length > 0 ? (
                <Text as="h3" variant="headingSm">
                  {t("suggestions.nextTitle")}
                </Text>
              ) : null}
              <div data-testid="suggestions-next">
                <BlockStack gap="200">
                  {suggestions.suggestions.map((item) => (
                    <Row key={item.product.id} item={item} />
                  ))}
                </BlockStack>
              </div>
            </BlockStack>
          ) : null}
          {suggestions.builtAt ? (
            <Box>
              <Text as="p" tone="subdued" variant="bodySm">
                {t("suggestions.builtAt", { date: suggestions.builtAt })}
              </Text>
            </Box>
          ) : null}
        </BlockStack>
      )}
    </SectionCard>
  );
}
