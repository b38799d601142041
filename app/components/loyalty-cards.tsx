// The tier and points cards of a customer profile (decision 010): where the member stands, what is
// missing to the next tier, a pending downgrade, a staff override; the points balance and ledger,
// and a staff adjustment. Both forms post to the profile's loyalty action.
import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Collapsible, Divider, InlineStack, ProgressBar, Select, Text, TextField } from "@shopify/polaris";
import { useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";

import type { LoyaltyCardView } from "~/modules/loyalty/loyalty-view.server";
import type { action as loyaltyAction } from "~/routes/app.customers.$id.loyalty";

import { SectionCard } from "./section-card";

/** A tier's name on its own colour, as the storefront block shows it. */
export function TierBadge({ name, color }: { name: string; color: string }) {
  return (
    <span style={{ display: "inline-block", padding: "2px 10px", borderRadius: 999, background: color, color: "#fff", fontWeight: 600, fontSize: 13, lineHeight: "20px" }} data-testid="tier-badge">
      {name}
    </span>
  );
}

interface Answer {
  ok: boolean;
  intent: string | null;
  error: string | null;
  message: string | null;
}

function useLoyaltyForm(customerId: string, intent: string) {
  const fetcher = useFetcher<typeof loyaltyAction>();
  const data = fetcher.data as Answer | undefined;
  const answer = data && data.intent === intent ? data : null;
  const submit = (fields: Record<string, string>) => fetcher.submit({ intent, ...fields }, { method: "post", action: `/app/customers/${customerId}/loyalty` });
  return { submit, busy: fetcher.state !== "idle", answer };
}

function useFormError() {
  const { t } = useTranslation();
  return (answer: Answer | null) => (answer && !answer.ok ? t(`loyalty.errors.${answer.error}`, { defaultValue: answer.message ?? answer.error ?? "" }) : undefined);
}

export function LoyaltyCards({ loyalty, customerId, disabled }: { loyalty: LoyaltyCardView; customerId: string; disabled: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <SectionCard title={t("loyalty.card.tierTitle")} gap="300">
        {!loyalty.evaluated ? (
          <Text as="p" tone="subdued">
            {t("loyalty.card.notEvaluated")}
          </Text>
        ) : (
          <TierSummary loyalty={loyalty} />
        )}
        {disabled ? null : <OverrideForm loyalty={loyalty} customerId={customerId} />}
      </SectionCard>
      {loyalty.points.enabled || loyalty.points.ledger.length > 0 ? (
        <SectionCard title={t("loyalty.card.pointsTitle")} gap="300">
          <Text as="p" variant="headingLg">
            <span data-testid="points-balance">{t("loyalty.card.points", { count: loyalty.points.balance })}</span>
          </Text>
          {disabled ? null : <AdjustForm customerId={customerId} />}
          <Ledger entries={loyalty.points.ledger} />
        </SectionCard>
      ) : null}
    </>
  );
}

function TierSummary({ loyalty }: { loyalty: LoyaltyCardView }) {
  const { t } = useTranslation();
  return (
    <BlockStack gap="200">
      <InlineStack gap="200" blockAlign="center">
        {loyalty.tier ? <TierBadge name={loyalty.tier.name} color={loyalty.tier.color} /> : <Text as="span">{t("loyalty.card.noTier")}</Text>}
        {loyalty.since ? (
          <Text as="span" variant="bodySm" tone="subdued">
            {t("loyalty.card.since", { date: loyalty.since })}
          </Text>
        ) : null}
      </InlineStack>
      <Text as="p" variant="bodySm" tone="subdued">
        {t(`loyalty.card.metric.${loyalty.basis}`, { value: loyalty.metric, window: t(`loyalty.window.${loyalty.window.kind}`, { count: loyalty.window.months }) })}
      </Text>
      {loyalty.progress ? (
        <BlockStack gap="100">
          <ProgressBar progress={loyalty.progress.percent} size="small" tone="primary" />
          <Text as="p" variant="bodySm">
            {t(`loyalty.card.next.${loyalty.unit}`, { amount: loyalty.progress.remaining, count: Number(loyalty.progress.remaining) || 0, tier: loyalty.progress.next })}
          </Text>
        </BlockStack>
      ) : loyalty.tier ? (
        <Text as="p" variant="bodySm">
          {t("loyalty.card.top")}
        </Text>
      ) : null}
      {loyalty.downgrade ? <Banner tone="warning">{t("loyalty.card.downgrade", { tier: loyalty.downgrade.to ?? t("loyalty.card.noTier"), date: loyalty.downgrade.on })}</Banner> : null}
      {loyalty.override ? (
        <Banner tone="info">
          {t("loyalty.card.override", { tier: loyalty.override.tier, name: loyalty.override.by, date: loyalty.override.at, reason: loyalty.override.reason, qualified: loyalty.qualified ?? t("loyalty.card.noTier") })}
        </Banner>
      ) : null}
      {loyalty.tier?.perks ? (
        <Text as="p" variant="bodySm">
          <span style={{ whiteSpace: "pre-wrap" }}>{t("loyalty.card.perks", { perks: loyalty.tier.perks })}</span>
        </Text>
      ) : null}
    </BlockStack>
  );
}

/**
 * A staff action behind a toggle: its own fields (`children`), a reason, and a save button that
 * posts `intent` with `values` and the reason. `onSaved` runs once per successful answer.
 */
function StaffActionForm({
  id,
  customerId,
  intent,
  toggleLabel,
  saveLabel,
  values,
  ready,
  closeOnSave,
  onSaved,
  children,
}: {
  id: string;
  customerId: string;
  intent: string;
  toggleLabel: string;
  saveLabel: string;
  values: Record<string, string>;
  ready: boolean;
  closeOnSave: boolean;
  onSaved?: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const form = useLoyaltyForm(customerId, intent);
  const formError = useFormError();
  const [seen, setSeen] = useState(form.answer);
  if (form.answer !== seen) {
    setSeen(form.answer);
    if (form.answer?.ok) {
      setReason("");
      if (closeOnSave) setOpen(false);
      onSaved?.();
    }
  }
  return (
    <BlockStack gap="200">
      <InlineStack>
        <Button variant="plain" onClick={() => setOpen(!open)} ariaExpanded={open} ariaControls={id}>
          {toggleLabel}
        </Button>
      </InlineStack>
      <Collapsible open={open} id={id}>
        <BlockStack gap="200">
          {children}
          <TextField label={t("loyalty.card.reason")} value={reason} onChange={setReason} autoComplete="off" maxLength={500} error={formError(form.answer)} />
          <InlineStack align="end">
            <Button loading={form.busy} disabled={!ready || reason.trim() === ""} onClick={() => form.submit({ ...values, reason })}>
              {saveLabel}
            </Button>
          </InlineStack>
        </BlockStack>
      </Collapsible>
    </BlockStack>
  );
}

function OverrideForm({ loyalty, customerId }: { loyalty: LoyaltyCardView; customerId: string }) {
  const { t } = useTranslation();
  const [tierKey, setTierKey] = useState(loyalty.override ? (loyalty.tiers.find((tier) => tier.name === loyalty.override?.tier)?.key ?? "rules") : (loyalty.tier?.key ?? "rules"));
  const options = [{ label: t("loyalty.card.followRules"), value: "rules" }, ...loyalty.tiers.map((tier) => ({ label: tier.name, value: tier.key }))];
  // Closes once the tier is saved.
  return (
    <StaffActionForm id="override-tier" customerId={customerId} intent="overrideTier" toggleLabel={t("loyalty.card.overrideToggle")} saveLabel={t("loyalty.card.overrideSave")} values={{ tierKey }} ready closeOnSave>
      <Select label={t("loyalty.card.overrideTier")} options={options} value={tierKey} onChange={setTierKey} />
    </StaffActionForm>
  );
}

function AdjustForm({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const [points, setPoints] = useState("");
  // Stays open, cleared, once an adjustment is saved: staff often make a few.
  return (
    <StaffActionForm
      id="adjust-points"
      customerId={customerId}
      intent="adjustPoints"
      toggleLabel={t("loyalty.card.adjustToggle")}
      saveLabel={t("loyalty.card.adjustSave")}
      values={{ points }}
      ready={points.trim() !== ""}
      closeOnSave={false}
      onSaved={() => setPoints("")}
    >
      <TextField label={t("loyalty.card.adjustPoints")} type="number" value={points} onChange={setPoints} autoComplete="off" helpText={t("loyalty.card.adjustHelp")} />
    </StaffActionForm>
  );
}

// The app's own reasons are codes to translate; a staff adjustment's reason is their own text.
const APP_REASONS = new Set(["refunded", "cancelled", "order-changed", "signup", "first-order", "inactive"]);

function Ledger({ entries }: { entries: LoyaltyCardView["points"]["ledger"] }) {
  const { t } = useTranslation();
  const entryReason = (entry: (typeof entries)[number]) => (entry.reason === null ? "" : APP_REASONS.has(entry.reason) ? t(`loyalty.ledger.reasons.${entry.reason}`) : entry.reason);
  if (entries.length === 0) {
    return (
      <Text as="p" tone="subdued">
        {t("loyalty.card.ledgerEmpty")}
      </Text>
    );
  }
  return (
    <BlockStack gap="200">
      <Divider />
      {entries.map((entry) => (
        <InlineStack key={entry.id} align="space-between" blockAlign="start" gap="200" wrap={false}>
          <BlockStack gap="050">
            <Text as="span" variant="bodySm">
              {t(`loyalty.ledger.${entry.kind}`, { order: entry.order ?? "", reason: entryReason(entry) })}
            </Text>
            <Text as="span" variant="bodySm" tone="subdued">
              {entry.at}
              {entry.by ? ` · ${entry.by}` : ""}
              {entry.intended !== null ? ` · ${t("loyalty.ledger.clamped", { count: Math.abs(entry.intended) })}` : ""}
            </Text>
          </BlockStack>
          <Box minWidth="72px">
            <BlockStack gap="050" inlineAlign="end">
              <Badge tone={entry.points > 0 ? "success" : entry.points < 0 ? "critical" : undefined}>{`${entry.points > 0 ? "+" : ""}${entry.points}`}</Badge>
              <Text as="span" variant="bodySm" tone="subdued">
                {t("loyalty.ledger.balance", { count: entry.balanceAfter })}
              </Text>
            </BlockStack>
          </Box>
        </InlineStack>
      ))}
    </BlockStack>
  );
}
