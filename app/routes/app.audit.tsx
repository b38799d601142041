import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { BlockStack, Card, IndexTable, Link, Page, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";

import { adminContext } from "~/admin-context.server";
import { EmptyMessage } from "~/components/empty-message";
import { customerGidFromParam, numericId } from "~/modules/shopify/gid";
import { prisma } from "~/db.server";

const PAGE = 50;

// The audit log of the shop, or of one customer (?customer=<id>): newest first, 50 a page.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const context = await adminContext(request);
  const params = new URL(request.url).searchParams;
  const customerId = customerGidFromParam(params.get("customer") ?? undefined);
  const before = params.get("before");
  const beforeDate = before && !Number.isNaN(Date.parse(before)) ? new Date(before) : null;
  const entries = await prisma.auditLog.findMany({
    where: {
      shop: context.shop,
      ...(customerId ? { subjectType: "customer", subjectId: customerId } : {}),
      ...(beforeDate ? { createdAt: { lt: beforeDate } } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: PAGE + 1,
  });
  const customer = customerId
    ? await prisma.customer.findUnique({
        where: {
          shop_shopifyId: { shop: context.shop, shopifyId: customerId },
        },
        select: { displayName: true, email: true },
      })
    : null;
  const shown = entries.slice(0, PAGE);
  return {
    customer: customerId
      ? {
          id: numericId(customerId),
          name: customer?.displayName || customer?.email || null,
        }
      : null,
    next: entries.length > PAGE ? shown.at(-1)!.createdAt.toISOString() : null,
    entries: shown.map((entry) => ({
      id: entry.id,
      at: context.dateTime(entry.createdAt),
      actor: entry.actorName,
      actorType: entry.actorType,
      action: entry.action,
      subject: entry.subjectType === "customer" ? { customerId: numericId(entry.subjectId) } : { text: `${entry.subjectType} ${entry.subjectId}` },
      change: describe(entry.before, entry.after),
    })),
  };
};

/** A short, readable before → after, from the JSON the audit keeps. */
function describe(before: string | null, after: string | null): string {
  const flat = (text: string | null) => {
    if (!text) return "";
    const value = JSON.parse(text) as Record<string, unknown>;
    return Object.entries(value)
      .filter(([key, item]) => !key.endsWith("Id") && item !== null && item !== undefined && typeof item !== "object")
      .map(([key, item]) => `${key}: ${String(item).slice(0, 80)}`)
      .join(", ");
  };
  return [flat(before), flat(after)].filter(Boolean).join(" → ");
}

export default function Audit() {
  const { entries, next, customer } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const [searchParams, setSearchParams] = useSearchParams();
  return (
    <Page
      title={
        customer
          ? t("audit.customerTitle", {
              name: customer.name ?? t("customers.noName"),
            })
          : t("audit.title")
      }
      backAction={
        customer
          ? {
              content: customer.name ?? "",
              url: `/app/customers/${customer.id}`,
            }
          : undefined
      }
      subtitle={t("audit.subtitle")}
    >
      <Card padding="0">
        <IndexTable
          resourceName={{
            singular: t("audit.resource.singular"),
            plural: t("audit.resource.plural"),
          }}
          itemCount={entries.length}
          selectable={false}
          headings={[
            { title: t("audit.columns.when") },
            { title: t("audit.columns.who") },
            { title: t("audit.columns.what") },
            { title: t("audit.columns.subject") },
            { title: t("audit.columns.change") },
          ]}
          pagination={{
            hasNext: next !== null,
            onNext: () =>
              setSearchParams({
                ...Object.fromEntries(searchParams),
                before: next ?? "",
              }),
            hasPrevious: searchParams.has("before"),
            onPrevious: () => setSearchParams(customer ? { customer: customer.id } : {}),
          }}
          emptyState={<EmptyMessage title={t("audit.empty")} />}
        >
          {entries.map((entry, index) => (
            <IndexTable.Row id={entry.id} key={entry.id} position={index}>
              <IndexTable.Cell>{entry.at}</IndexTable.Cell>
              <IndexTable.Cell>{entry.actor ?? t(`audit.actors.${entry.actorType}`, { defaultValue: entry.actorType })}</IndexTable.Cell>
              <IndexTable.Cell>
                {t(`audit.actions.${entry.action}`, {
                  defaultValue: entry.action,
                })}
              </IndexTable.Cell>
              <IndexTable.Cell>
                {"customerId" in entry.subject ? (
                  <Link url={`/app/customers/${entry.subject.customerId}`}>{t("audit.customer", { id: entry.subject.customerId })}</Link>
                ) : (
                  entry.subject.text
                )}
              </IndexTable.Cell>
              <IndexTable.Cell>
                <BlockStack>
                  <Text as="span" variant="bodySm" tone="subdued" breakWord>
                    {entry.change}
                  </Text>
                </BlockStack>
              </IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      </Card>
    </Page>
  );
}
