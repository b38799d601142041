// The loyalty page (decision 010): members per tier, the program editor with its impact shown
// before anything is saved, and the program's version history. A save writes the next version and
// moves every member under it in one step.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Checkbox, Divider, FormLayout, InlineGrid, InlineStack, Layout, Link, List, Page, Select, Text, TextField } from "@shopify/polaris";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";

import { adminContext } from "~/admin-context.server";
import { TierBadge } from "~/components/loyalty-cards";
import { SectionCard } from "~/components/section-card";
import { LoyaltyError, previewProgram, saveProgram, tierDistribution } from "~/modules/loyalty/loyalty.server";
import { BASES, WINDOWS } from "~/modules/loyalty/program";
import { fromForm, newTierForm, toForm, type ProgramForm, type TierForm } from "~/modules/loyalty/program-form";
import { currentProgram, programHistory } from "~/modules/loyalty/program.server";
import { numericId } from "~/modules/shopify/gid";
import { prisma } from "~/db.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const context = await adminContext(request);
  const shop = context.shop;
  const { program, version } = await currentProgram(prisma, shop);
  const [history, distribution, behind, shopRow] = await Promise.all([
    programHistory(prisma, shop, 10),
    tierDistribution({ shop }),
    prisma.loyaltyMember.count({ where: { shop, evaluatedAt: { not: null }, OR: [{ pushNeeded: true }, { programVersion: { lt: version } }] } }),
    prisma.shop.findUnique({ where: { shop }, select: { loyaltySweptAt: true } }),
  ]);
  return {
    currencyCode: context.currencyCode,
    version,
    form: toForm(program, context.currencyCode),
    tiersNow: program.tiers.map((tier) => ({ key: tier.key, name: tier.name, color: tier.color, threshold: program.basis === "spend" ? context.money(BigInt(tier.threshold)) : tier.threshold.toLocaleString(context.locale) })),
    distribution,
    behind,
    sweptAt: context.dateTime(shopRow?.loyaltySweptAt ?? null),
    history: history.map((entry) => ({ version: entry.version, by: entry.createdByName, at: context.dateTime(entry.createdAt), tiers: entry.program.tiers.map((tier) => tier.name).join(" · "), basis: entry.program.basis })),
  };
};

const actionInput = z.object({ intent: z.enum(["preview", "save"]), draft: z.string() });

export const action = async ({ request }: ActionFunctionArgs) => {
  const context = await adminContext(request);
  const parsed = actionInput.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ intent: null, errors: { form: "invalid" }, impact: null, version: null }, { status: 400 });
  const converted = fromForm(JSON.parse(parsed.data.draft) as ProgramForm, context.currencyCode);
  if (!converted.program) return data({ intent: parsed.data.intent, errors: converted.errors, impact: null, version: null }, { status: 422 });
  if (parsed.data.intent === "preview") {
    const impact = await previewProgram({ shop: context.shop, draft: converted.program });
    const moves = (list: typeof impact.moves.up) => list.map((move) => ({ ...move, id: numericId(move.customerId) }));
    return { intent: "preview" as const, errors: null, impact: { ...impact, moves: { up: moves(impact.moves.up), down: moves(impact.moves.down) } }, version: null };
  }
  try {
    const saved = await saveProgram({ actor: context.actor, draft: converted.program });
    return { intent: "save" as const, errors: null, impact: null, version: saved.version };
  } catch (error) {
    if (error instanceof LoyaltyError) return data({ intent: "save" as const, errors: { form: error.code }, impact: null, version: null }, { status: 422 });
    throw error;
  }
};

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function MembersChart({ distribution }: { distribution: LoaderData["distribution"] }) {
  const { t } = useTranslation();
  const total = distribution.tiers.reduce((sum, tier) => sum + tier.members, 0) + distribution.none;
  const widest = Math.max(1, ...distribution.tiers.map((tier) => tier.members), distribution.none);
  const rows = [...distribution.tiers, ...(distribution.none > 0 ? [{ key: "none", name: t("loyalty.page.noTier"), color: "#c9cccf", members: distribution.none }] : [])];
  return (
    <BlockStack gap="300">
      {rows.map((row) => (
        <InlineGrid key={row.key} columns="8rem 1fr 7rem" gap="300" alignItems="center">
          <Text as="span" fontWeight="medium" truncate>
            {row.name}
          </Text>
          <div style={{ background: "var(--p-color-bg-surface-secondary)", borderRadius: 6, height: 20, overflow: "hidden" }} aria-hidden>
            <div style={{ width: `${(row.members / widest) * 100}%`, minWidth: row.members > 0 ? 4 : 0, height: "100%", background: row.color, borderRadius: 6 }} />
          </div>
          <Text as="span" alignment="end" tone="subdued">
            <span data-testid={`members-${row.key}`}>{t("loyalty.page.members", { count: row.members, percent: total ? Math.round((row.members / total) * 100) : 0 })}</span>
          </Text>
        </InlineGrid>
      ))}
    </BlockStack>
  );
}

function TierRow({ tier, index, basis, currencyCode, errors, onChange, onRemove, canRemove }: { tier: TierForm; index: number; basis: string; currencyCode: string; errors: Record<string, string>; onChange: (tier: TierForm) => void; onRemove: () => void; canRemove: boolean }) {
  const { t } = useTranslation();
  const error = (field: string) => (errors[`tiers.${index}.${field}`] ? t(`loyalty.page.errors.${errors[`tiers.${index}.${field}`]}`, { defaultValue: errors[`tiers.${index}.${field}`] }) : undefined);
  return (
    <BlockStack gap="200">
      <InlineGrid columns={{ xs: 1, md: "2fr 1fr 1.3fr auto" }} gap="300" alignItems="end">
        <TextField label={t("loyalty.page.tierName")} value={tier.name} onChange={(name) => onChange({ ...tier, name })} autoComplete="off" maxLength={40} error={error("name")} />
        <TextField
          label={t("loyalty.page.tierColor")}
          value={tier.color}
          onChange={(color) => onChange({ ...tier, color })}
          autoComplete="off"
          prefix={<span style={{ display: "inline-block", width: 14, height: 14, borderRadius: 4, background: /^#[0-9a-f]{6}$/i.test(tier.color) ? tier.color : "transparent", border: "1px solid rgba(0,0,0,.2)" }} />}
          error={error("color")}
        />
        <TextField
          label={t(`loyalty.page.threshold.${basis}`, { currency: currencyCode })}
          value={tier.threshold}
          onChange={(threshold) => onChange({ ...tier, threshold })}
          autoComplete="off"
          inputMode={basis === "spend" ? "decimal" : "numeric"}
          suffix={basis === "spend" ? currencyCode : undefined}
          error={error("threshold")}
        />
        <Button variant="tertiary" tone="critical" onClick={onRemove} disabled={!canRemove} accessibilityLabel={t("loyalty.page.removeTier", { name: tier.name })}>
          {t("loyalty.page.remove")}
        </Button>
      </InlineGrid>
      <TextField label={t("loyalty.page.perks")} value={tier.perks} onChange={(perks) => onChange({ ...tier, perks })} autoComplete="off" multiline={2} maxLength={500} placeholder={t("loyalty.page.perksPlaceholder")} />
    </BlockStack>
  );
}

export default function LoyaltyPage() {
  const loaded = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const fetcher = useFetcher<typeof action>();
  const [form, setForm] = useState<ProgramForm>(loaded.form);
  // A saved version reloads the page's data: start the editor from it.
  const [version, setVersion] = useState(loaded.version);
  if (version !== loaded.version) {
    setVersion(loaded.version);
    setForm(loaded.form);
  }
  const draft = JSON.stringify(form);
  const [previewed, setPreviewed] = useState<string | null>(null);
  const answer = fetcher.data as { intent: string | null; errors: Record<string, string> | null; impact: PreviewImpact | null; version: number | null } | undefined;
  const local = useMemo(() => fromForm(form, loaded.currencyCode), [form, loaded.currencyCode]);
  const errors = { ...(answer?.errors ?? {}), ...(local.errors ?? {}) };
  const impact = answer?.intent === "preview" && previewed === draft ? answer.impact : null;
  const unchanged = draft === JSON.stringify(loaded.form);
  const busy = fetcher.state !== "idle";
  const submit = (intent: "preview" | "save") => {
    if (intent === "preview") setPreviewed(draft);
    fetcher.submit({ intent, draft }, { method: "post" });
  };
  const set = (patch: Partial<ProgramForm>) => setForm({ ...form, ...patch });
  const setPoints = (patch: Partial<ProgramForm["points"]>) => setForm({ ...form, points: { ...form.points, ...patch } });
  const fieldError = (path: string) => (errors[path] ? t(`loyalty.page.errors.${errors[path]}`, { defaultValue: errors[path] }) : undefined);

  return (
    <Page title={t("loyalty.page.title")} subtitle={t("loyalty.page.subtitle", { version: loaded.version })}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <SectionCard title={t("loyalty.page.membersTitle")}>
              <MembersChart distribution={loaded.distribution} />
              <Text as="p" variant="bodySm" tone="subdued">
                {[loaded.sweptAt ? t("loyalty.page.sweptAt", { time: loaded.sweptAt }) : t("loyalty.page.neverSwept"), loaded.behind > 0 ? t("loyalty.page.behind", { count: loaded.behind }) : t("loyalty.page.inSync")].join(" · ")}
              </Text>
            </SectionCard>

            <SectionCard title={t("loyalty.page.programTitle")} gap="400">
              <FormLayout>
                <FormLayout.Group>
                  <Select label={t("loyalty.page.basis")} options={BASES.map((basis) => ({ label: t(`loyalty.basis.${basis}`), value: basis }))} value={form.basis} onChange={(basis) => set({ basis: basis as ProgramForm["basis"] })} />
                  <Select label={t("loyalty.page.window")} options={WINDOWS.map((kind) => ({ label: t(`loyalty.windowOption.${kind}`), value: kind }))} value={form.windowKind} onChange={(kind) => set({ windowKind: kind as ProgramForm["windowKind"] })} helpText={form.windowKind === "calendarYear" ? t("loyalty.page.calendarHelp") : undefined} />
                </FormLayout.Group>
                <FormLayout.Group>
                  {form.windowKind === "rollingMonths" ? <TextField label={t("loyalty.page.months")} value={form.windowMonths} onChange={(windowMonths) => set({ windowMonths })} autoComplete="off" inputMode="numeric" error={fieldError("windowMonths")} /> : null}
                  <TextField label={t("loyalty.page.grace")} value={form.graceDays} onChange={(graceDays) => set({ graceDays })} autoComplete="off" inputMode="numeric" helpText={t("loyalty.page.graceHelp")} error={fieldError("graceDays")} />
                </FormLayout.Group>
              </FormLayout>
              <Divider />
              <Text as="h3" variant="headingSm">
                {t("loyalty.page.tiersTitle")}
              </Text>
              {form.tiers.map((tier, index) => (
                <BlockStack key={index} gap="300">
                  {index > 0 ? <Divider /> : null}
                  <TierRow
                    tier={tier}
                    index={index}
                    basis={form.basis}
                    currencyCode={loaded.currencyCode}
                    errors={errors}
                    canRemove={form.tiers.length > 1}
                    onChange={(next) => set({ tiers: form.tiers.map((candidate, at) => (at === index ? next : candidate)) })}
                    onRemove={() => set({ tiers: form.tiers.filter((_, at) => at !== index) })}
                  />
                </BlockStack>
              ))}
              <InlineStack>
                <Button onClick={() => set({ tiers: [...form.tiers, newTierForm(form)] })} disabled={form.tiers.length >= 10}>
                  {t("loyalty.page.addTier")}
                </Button>
              </InlineStack>
              {errors.tiers ? <Banner tone="critical">{t(`loyalty.page.errors.${errors.tiers}`, { defaultValue: errors.tiers })}</Banner> : null}
            </SectionCard>

            <SectionCard title={t("loyalty.page.pointsTitle")} gap="300">
              <Checkbox label={t("loyalty.page.pointsEnabled")} checked={form.points.enabled} onChange={(enabled) => setPoints({ enabled })} />
              <FormLayout>
                <FormLayout.Group>
                  <TextField label={t("loyalty.page.perUnit", { currency: loaded.currencyCode })} value={form.points.perUnit} onChange={(perUnit) => setPoints({ perUnit })} autoComplete="off" inputMode="numeric" disabled={!form.points.enabled} error={fieldError("points.perUnit")} helpText={t("loyalty.page.perUnitHelp")} />
                  <TextField label={t("loyalty.page.from")} type="date" value={form.points.from} onChange={(from) => setPoints({ from })} autoComplete="off" disabled={!form.points.enabled} error={fieldError("points.from")} helpText={t("loyalty.page.fromHelp")} />
                </FormLayout.Group>
                <FormLayout.Group>
                  <TextField label={t("loyalty.page.signupBonus")} value={form.points.signupBonus} onChange={(signupBonus) => setPoints({ signupBonus })} autoComplete="off" inputMode="numeric" disabled={!form.points.enabled} error={fieldError("points.signupBonus")} />
                  <TextField label={t("loyalty.page.firstOrderBonus")} value={form.points.firstOrderBonus} onChange={(firstOrderBonus) => setPoints({ firstOrderBonus })} autoComplete="off" inputMode="numeric" disabled={!form.points.enabled} error={fieldError("points.firstOrderBonus")} />
                  <TextField label={t("loyalty.page.expiry")} value={form.points.expiryMonths} onChange={(expiryMonths) => setPoints({ expiryMonths })} autoComplete="off" inputMode="numeric" disabled={!form.points.enabled} error={fieldError("points.expiryMonths")} helpText={t("loyalty.page.expiryHelp")} />
                </FormLayout.Group>
              </FormLayout>
              <Divider />
              <Checkbox label={t("loyalty.page.tagMembers")} helpText={t("loyalty.page.tagMembersHelp")} checked={form.tagMembers} onChange={(tagMembers) => set({ tagMembers })} />
            </SectionCard>

            <SectionCard title={t("loyalty.page.reviewTitle")} gap="300">
              {answer?.intent === "save" && answer.version && unchanged ? <Banner tone="success">{t("loyalty.page.saved", { version: answer.version })}</Banner> : null}
              {errors.form ? <Banner tone="critical">{t(`loyalty.page.errors.${errors.form}`, { defaultValue: errors.form })}</Banner> : null}
              {impact ? <ImpactSummary impact={impact} /> : <Text as="p" tone="subdued">{unchanged ? t("loyalty.page.noChanges") : t("loyalty.page.reviewFirst")}</Text>}
              <InlineStack gap="200" align="end">
                <Button onClick={() => setForm(loaded.form)} disabled={unchanged || busy}>
                  {t("loyalty.page.discard")}
                </Button>
                <Button onClick={() => submit("preview")} disabled={unchanged || Boolean(local.errors)} loading={busy && fetcher.formData?.get("intent") === "preview"}>
                  {t("loyalty.page.preview")}
                </Button>
                <Button variant="primary" onClick={() => submit("save")} disabled={!impact || unchanged || Boolean(local.errors)} loading={busy && fetcher.formData?.get("intent") === "save"}>
                  {t("loyalty.page.save")}
                </Button>
              </InlineStack>
            </SectionCard>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <SectionCard title={t("loyalty.page.tiersNow")} gap="200">
              {loaded.tiersNow.map((tier) => (
                <InlineStack key={tier.key} gap="200" blockAlign="center" wrap={false}>
                  <TierBadge name={tier.name} color={tier.color} />
                  <Text as="span" variant="bodySm" tone="subdued">
                    {t(`loyalty.page.fromValue.${loaded.form.basis}`, { value: tier.threshold })}
                  </Text>
                </InlineStack>
              ))}
            </SectionCard>
            <SectionCard title={t("loyalty.page.historyTitle")} gap="200">
              {loaded.history.map((entry) => (
                <BlockStack key={entry.version} gap="050">
                  <Text as="span" fontWeight="semibold">
                    {t("loyalty.page.versionLine", { version: entry.version, name: entry.by ?? t("profile.timeline.system"), time: entry.at })}
                  </Text>
                  <Text as="span" variant="bodySm" tone="subdued">
                    {`${t(`loyalty.basis.${entry.basis}`)} · ${entry.tiers}`}
                  </Text>
                </BlockStack>
              ))}
            </SectionCard>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

interface PreviewImpact {
  up: number;
  down: number;
  downAfterGrace: number;
  unchanged: number;
  moves: { up: Array<{ id: string; name: string | null; from: string | null; to: string | null }>; down: Array<{ id: string; name: string | null; from: string | null; to: string | null }> };
}

function ImpactSummary({ impact }: { impact: PreviewImpact }) {
  const { t } = useTranslation();
  const list = (moves: PreviewImpact["moves"]["up"], more: number) => (
    <Box paddingInlineStart="200">
      <List type="bullet">
        {moves.map((move) => (
          <List.Item key={move.id}>
            <Link url={`/app/customers/${move.id}`}>{move.name ?? t("customers.noName")}</Link>
            {` ${t("loyalty.page.moveLine", { from: move.from ?? t("loyalty.card.noTier"), to: move.to ?? t("loyalty.card.noTier") })}`}
          </List.Item>
        ))}
      </List>
      {more > 0 ? (
        <Text as="p" variant="bodySm" tone="subdued">
          {t("loyalty.page.andMore", { count: more })}
        </Text>
      ) : null}
    </Box>
  );
  return (
    <BlockStack gap="300">
      <Banner tone={impact.down > 0 ? "warning" : "info"} title={t("loyalty.page.impact", { up: impact.up, down: impact.down })}>
        <Text as="p">
          {impact.downAfterGrace > 0 ? t("loyalty.page.impactGrace", { count: impact.downAfterGrace }) : null} {t("loyalty.page.impactUnchanged", { count: impact.unchanged })}
        </Text>
      </Banner>
      {(
        [
          ["movingUp", impact.moves.up, impact.up],
          ["movingDown", impact.moves.down, impact.down],
        ] as const
      ).map(([heading, moves, total]) =>
        moves.length > 0 ? (
          <BlockStack gap="100" key={heading}>
            <Text as="h3" variant="headingSm">
              {t(`loyalty.page.${heading}`)}
            </Text>
            {list(moves, total - moves.length)}
          </BlockStack>
        ) : null,
      )}
    </BlockStack>
  );
}
