import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, FormLayout, InlineStack, Layout, Link, Page, ResourceItem, ResourceList, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { adminContext } from "~/admin-context.server";
import { EmptyMessage } from "~/components/empty-message";
import { prisma } from "~/db.server";
import { customerFilter, parseCustomerQuery, QueryError } from "~/modules/customers/customer-index.server";
import { handOver, listStaff, OwnershipError } from "~/modules/staff/staff.server";

/** The handover form's optional narrowing, as an index query. */
const narrowing = (params: URLSearchParams | FormData) =>
  parseCustomerQuery({
    tag: params.get("tag") ?? undefined,
    spentMin: params.get("spentMin") ?? undefined,
  });

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const context = await adminContext(request);
  const params = new URL(request.url).searchParams;
  const [staff, recent] = await Promise.all([
    listStaff({ shop: context.shop }),
    prisma.auditLog.findMany({
      where: { shop: context.shop, action: "staff.handover" },
      orderBy: { createdAt: "desc" },
      take: 10,
    }),
  ]);
  // Each staff member's book, for the pickers and the preview.
  const books = await prisma.customer.groupBy({
    by: ["ownerId"],
    where: { shop: context.shop, deletedAt: null, ownerId: { not: null } },
    _count: { _all: true },
  });
  const from = params.get("from");
  let preview: number | null = null;
  if (from) {
    try {
      preview = await prisma.customer.count({
        where: await customerFilter({ shop: context.shop, query: { ...narrowing(params), owner: from }, currencyCode: context.currencyCode }),
      });
    } catch (error) {
      if (!(error instanceof QueryError)) throw error;
    }
  }
  return {
    staff: staff.map((member) => ({
      ...member,
      customers: books.find((book) => book.ownerId === member.userId)?._count._all ?? 0,
    })),
    preview,
    recent: recent.map((entry) => {
      const after = JSON.parse(entry.after ?? "{}") as {
        ownerName?: string;
        customers?: number;
      };
      const before = JSON.parse(entry.before ?? "{}") as { ownerName?: string };
      return {
        id: entry.id,
        at: context.dateTime(entry.createdAt),
        by: entry.actorName,
        from: before.ownerName,
        to: after.ownerName,
        customers: after.customers ?? 0,
      };
    }),
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const context = await adminContext(request);
  const form = await request.formData();
  try {
    const result = await handOver({
      actor: context.actor,
      fromId: String(form.get("from") ?? ""),
      toId: String(form.get("to") ?? ""),
      query: narrowing(form),
      currencyCode: context.currencyCode,
    });
    return redirect(`/app/handover/${result.handoverId}`);
  } catch (error) {
    if (error instanceof OwnershipError || error instanceof QueryError) return data({ error: error.message }, { status: 422 });
    throw error;
  }
};

export default function Handover() {
  const { staff, preview, recent } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation();
  const [searchParams, setSearchParams] = useSearchParams();
  const [tag, setTag] = useState(searchParams.get("tag") ?? "");
  const [spentMin, setSpentMin] = useState(searchParams.get("spentMin") ?? "");
  const from = searchParams.get("from") ?? "";
  const to = searchParams.get("to") ?? "";
  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(searchParams);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setSearchParams(next, { replace: true, preventScrollReset: true });
  };
  const options = [
    { label: t("handover.choose"), value: "" },
    ...staff.map((member) => ({
      label: t("handover.staffOption", {
        name: member.name,
        count: member.customers,
      }),
      value: member.userId,
    })),
  ];
  const ready = from !== "" && to !== "" && from !== to && (preview ?? 0) > 0;
  return (
    <Page title={t("handover.title")} subtitle={t("handover.subtitle")}>
      <Layout>
        <Layout.Section>
          <Card>
            <Form method="post">
              <FormLayout>
                {actionData?.error ? <Banner tone="critical">{actionData.error}</Banner> : null}
                <FormLayout.Group>
                  <Select label={t("handover.from")} name="from" options={options} value={from} onChange={(value) => update({ from: value })} />
                  <Select
                    label={t("handover.to")}
                    name="to"
                    options={options}
                    value={to}
                    onChange={(value) => update({ to: value })}
                    error={from && from === to ? t("handover.sameStaff") : undefined}
                  />
                </FormLayout.Group>
                <FormLayout.Group>
                  <TextField
                    label={t("handover.onlyTag")}
                    name="tag"
                    value={tag}
                    onChange={setTag}
                    onBlur={() => update({ tag })}
                    autoComplete="off"
                    helpText={t("handover.optional")}
                  />
                  <TextField
                    label={t("handover.onlySpent")}
                    name="spentMin"
                    type="number"
                    value={spentMin}
                    onChange={setSpentMin}
                    onBlur={() => update({ spentMin })}
                    autoComplete="off"
                    helpText={t("handover.optional")}
                  />
                </FormLayout.Group>
                {from ? <Text as="p">{t("handover.preview", { count: preview ?? 0 })}</Text> : null}
                <InlineStack align="end">
                  <Button submit variant="primary" disabled={!ready} loading={navigation.state === "submitting"}>
                    {t("handover.submit", { count: preview ?? 0 })}
                  </Button>
                </InlineStack>
              </FormLayout>
            </Form>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Card padding="0">
            <BlockStack>
              <div style={{ padding: "16px 16px 0" }}>
                <Text as="h2" variant="headingMd">
                  {t("handover.recent")}
                </Text>
              </div>
              <ResourceList
                items={recent}
                emptyState={<EmptyMessage title={t("handover.noneYet")} />}
                renderItem={(entry) => (
                  <ResourceItem id={entry.id} url={`/app/handover/${entry.id}`} accessibilityLabel={t("handover.openBriefing")}>
                    <BlockStack gap="050">
                      <Text as="span" fontWeight="semibold">
                        {t("handover.recentLine", {
                          from: entry.from,
                          to: entry.to,
                          count: entry.customers,
                        })}
                      </Text>
                      <Text as="span" tone="subdued" variant="bodySm">
                        {[entry.at, entry.by].filter(Boolean).join(" · ")}
                      </Text>
                      <Link url={`/app/handover/${entry.id}`}>{t("handover.openBriefing")}</Link>
                    </BlockStack>
                  </ResourceItem>
                )}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
