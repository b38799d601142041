// One segment (decision 011): the rule builder with a live count while staff edit, save (membership
// follows at once), the Shopify tag it may carry, its members with the day they entered, CSV export
// and delete. /app/segments/new starts empty or from a template (?template=vipAtRisk).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigate } from "@remix-run/react";
import { Banner, BlockStack, Box, Card, FormLayout, InlineStack, Layout, Link, Modal, Page, Spinner, Text, TextField } from "@shopify/polaris";
import { useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";

import { adminContext } from "~/admin-context.server";
import { EmptyMessage } from "~/components/empty-message";
import { SegmentBuilder, type BuilderOptions } from "~/components/segment-builder";
import { prisma } from "~/db.server";
import { numericId } from "~/modules/shopify/gid";
import { formToRules, newCondition, rulesToForm, type RulesForm } from "~/modules/segments/segment-form";
import { SEGMENT_TEMPLATES } from "~/modules/segments/segment-rules";
import { builderChoices, createSegment, deleteSegment, getSegment, previewSegment, SegmentError, updateSegment } from "~/modules/segments/segments.server";

const MEMBERS_SHOWN = 25;

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const context = await adminContext(request);
  const isNew = params.id === "new";
  const segment = isNew ? null : await getSegment({ shop: context.shop, id: params.id ?? "" });
  if (!isNew && !segment) throw new Response("Segment not found", { status: 404 });
  const search = new URL(request.url).searchParams;
  const templateKey = search.get("template");
  const template = SEGMENT_TEMPLATES.find((entry) => entry.key === templateKey) ?? null;
  const choices = await builderChoices({ shop: context.shop });
  const countryName = new Intl.DisplayNames([context.locale], { type: "region" });
  const members = segment ? await prisma.segmentMember.findMany({ where: { shop: context.shop, segmentId: segment.id }, orderBy: [{ enteredAt: "desc" }, { customerId: "asc" }], take: MEMBERS_SHOWN }) : [];
  const customers = await prisma.customer.findMany({ where: { shop: context.shop, shopifyId: { in: members.map((member) => member.customerId) } }, select: { shopifyId: true, displayName: true, email: true, amountSpentMinor: true } });
  const byId = new Map(customers.map((customer) => [customer.shopifyId, customer]));
  return {
    saved: search.get("saved") === "1",
    segment: segment ? { id: segment.id, name: segment.name, description: segment.description, tagName: segment.tagName, rules: segment.rules, memberCount: segment.memberCount, countedAt: context.dateTime(segment.countedAt) } : null,
    template: template ? { key: template.key, rules: template.rules } : null,
    options: {
      ...choices,
      countries: choices.countries.map((code) => ({ value: code, label: `${countryName.of(code) ?? code} (${code})` })),
      currencyCode: context.currencyCode,
    } satisfies BuilderOptions,
    members: members.map((member) => {
      const customer = byId.get(member.customerId);
      return { id: numericId(member.customerId), name: customer?.displayName || customer?.email || numericId(member.customerId), spent: customer ? context.money(customer.amountSpentMinor) : null, enteredAt: context.date(member.enteredAt) };
    }),
  };
};

const actionInput = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("count"), rules: z.string() }),
  // "tag", not "tagName": Remix takes an object with a string tagName for an HTML element.
  z.object({ intent: z.literal("save"), rules: z.string(), name: z.string(), description: z.string().optional(), tag: z.string().optional(), template: z.string().optional() }),
  z.object({ intent: z.literal("delete") }),
]);

type ActionAnswer = { intent: "count"; count: number | null; errors: Record<string, string> | null } | { intent: "save" | "delete"; errors: Record<string, string> };

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const context = await adminContext(request);
  const parsed = actionInput.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data<ActionAnswer>({ intent: "save", errors: { form: "invalid" } }, { status: 400 });
  const input = parsed.data;
  const rulesOf = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  };
  try {
    if (input.intent === "count") return data<ActionAnswer>({ intent: "count", count: await previewSegment({ shop: context.shop, rules: rulesOf(input.rules) }), errors: null });
    if (input.intent === "delete") {
      await deleteSegment({ actor: context.actor, id: params.id ?? "" });
      return redirect("/app/segments");
    }
    const draft = { name: input.name, description: input.description, tagName: input.tag, rules: rulesOf(input.rules), template: input.template || null };
    const saved = params.id === "new" ? await createSegment({ actor: context.actor, draft }) : await updateSegment({ actor: context.actor, id: params.id ?? "", draft });
    return redirect(`/app/segments/${saved.id}?saved=1`);
  } catch (error) {
    if (error instanceof SegmentError) {
      const errors = { form: error.code, ...error.fieldErrors };
      return input.intent === "count" ? data<ActionAnswer>({ intent: "count", count: null, errors }, { status: 422 }) : data<ActionAnswer>({ intent: input.intent, errors }, { status: error.code === "notFound" ? 404 : 422 });
    }
    throw error;
  }
};

const COUNT_DELAY_MS = 350;

export default function SegmentPage() {
  const loaded = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const counter = useFetcher<typeof action>();
  const saver = useFetcher<typeof action>();
  const initialRules = loaded.segment?.rules ?? loaded.template?.rules ?? null;
  const [form, setForm] = useState<RulesForm>(() => (initialRules ? rulesToForm(initialRules) : { match: "all", items: [newCondition("orders", "gte")] }));
  const [name, setName] = useState(loaded.segment?.name ?? (loaded.template ? t(`segments.templates.${loaded.template.key}.name`) : ""));
  const [description, setDescription] = useState(loaded.segment?.description ?? (loaded.template ? t(`segments.templates.${loaded.template.key}.description`) : ""));
  const [tagName, setTagName] = useState(loaded.segment?.tagName ?? "");
  const [confirmDelete, setConfirmDelete] = useState(false);
  const local = useMemo(() => formToRules(form), [form]);
  const rulesText = local.rules ? JSON.stringify(local.rules) : null;

  // The live count: the rules as they stand, a moment after staff stop typing.
  const lastCounted = useRef<string | null>(null);
  useEffect(() => {
    if (!rulesText || rulesText === lastCounted.current) return;
    const timer = setTimeout(() => {
      lastCounted.current = rulesText;
      counter.submit({ intent: "count", rules: rulesText }, { method: "post" });
    }, COUNT_DELAY_MS);
    return () => clearTimeout(timer);
    // counter.submit is stable enough; re-running on it would count twice.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rulesText]);

  const countAnswer = counter.data as ActionAnswer | undefined;
  const saveAnswer = saver.data as ActionAnswer | undefined;
  const serverErrors = { ...(countAnswer?.errors ?? {}), ...(saveAnswer?.errors ?? {}) };
  const errors: Record<string, string> = { ...serverErrors, ...local.errors };
  const count = countAnswer?.intent === "count" ? countAnswer.count : null;
  const saving = saver.state !== "idle";
  const saved = loaded.saved && saver.state === "idle" && !saveAnswer;

  const save = () => {
    if (!rulesText) return;
    saver.submit({ intent: "save", rules: rulesText, name, description, tag: tagName, template: loaded.template?.key ?? "" }, { method: "post" });
  };
  const fieldError = (field: string) => (errors[field] ? t(`segments.errors.${errors[field]}`, { defaultValue: errors[field] }) : undefined);

  return (
    <Page
      backAction={{ content: t("segments.page.title"), onAction: () => navigate("/app/segments") }}
      title={loaded.segment?.name ?? t("segments.editor.newTitle")}
      primaryAction={{ content: t("segments.editor.save"), onAction: save, loading: saving, disabled: !rulesText }}
      secondaryActions={loaded.segment ? [{ content: t("segments.editor.export"), url: `/app/segments/${loaded.segment.id}/export`, external: true }, { content: t("segments.editor.delete"), destructive: true, onAction: () => setConfirmDelete(true) }] : []}
    >
      <Layout>
        {saved && (
          <Layout.Section>
            <Banner tone="success">{t("segments.editor.saved")}</Banner>
          </Layout.Section>
        )}
        {errors.form && errors.form !== "rulesInvalid" && (
          <Layout.Section>
            <Banner tone="critical">{t(`segments.errors.${errors.form}`, { defaultValue: errors.form })}</Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <Card>
            <FormLayout>
              <TextField label={t("segments.editor.name")} value={name} onChange={setName} autoComplete="off" maxLength={80} error={fieldError("name")} />
              <TextField label={t("segments.editor.description")} value={description} onChange={setDescription} autoComplete="off" multiline={2} maxLength={500} />
              <TextField label={t("segments.editor.tagName")} value={tagName} onChange={setTagName} autoComplete="off" maxLength={255} helpText={t("segments.editor.tagHelp")} error={fieldError("tagName")} />
            </FormLayout>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  {t("segments.editor.rules")}
                </Text>
                <InlineStack gap="200" blockAlign="center">
                  {counter.state !== "idle" && <Spinner size="small" accessibilityLabel={t("segments.editor.counting")} />}
                  <Text as="span" variant="headingMd">
                    <span data-testid="segment-live-count">{count === null ? "-" : t("segments.editor.liveCount", { count })}</span>
                  </Text>
                </InlineStack>
              </InlineStack>
              <SegmentBuilder form={form} onChange={setForm} options={loaded.options} errors={errors} />
            </BlockStack>
          </Card>
        </Layout.Section>
        {loaded.segment && (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("segments.editor.members", { count: loaded.segment.memberCount })}
                </Text>
                {loaded.segment.countedAt && (
                  <Text as="p" tone="subdued">
                    {t("segments.editor.countedAt", { at: loaded.segment.countedAt })}
                  </Text>
                )}
                {loaded.members.length === 0 ? (
                  <EmptyMessage title={t("segments.editor.noMembers")} />
                ) : (
                  <BlockStack gap="200">
                    {loaded.members.map((member) => (
                      <InlineStack key={member.id} align="space-between" gap="200">
                        <Link url={`/app/customers/${member.id}`}>{member.name}</Link>
                        <Text as="span" tone="subdued">
                          {t("segments.editor.memberLine", { spent: member.spent ?? "-", at: member.enteredAt })}
                        </Text>
                      </InlineStack>
                    ))}
                    {loaded.segment.memberCount > loaded.members.length && (
                      <Box>
                        <Text as="p" tone="subdued">
                          {t("segments.editor.moreMembers", { count: loaded.segment.memberCount - loaded.members.length })}
                        </Text>
                      </Box>
                    )}
                  </BlockStack>
                )}
              </BlockStack>
            </Card>
          </Layout.Section>
        )}
      </Layout>
      <Modal
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title={t("segments.editor.deleteTitle", { name: loaded.segment?.name ?? "" })}
        primaryAction={{ content: t("segments.editor.delete"), destructive: true, onAction: () => saver.submit({ intent: "delete" }, { method: "post" }) }}
        secondaryActions={[{ content: t("segments.editor.cancel"), onAction: () => setConfirmDelete(false) }]}
      >
        <Modal.Section>
          <Text as="p">{t("segments.editor.deleteBody")}</Text>
        </Modal.Section>
      </Modal>
    </Page>
  );
}
