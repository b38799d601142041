import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, IndexTable, InlineStack, Link, Page, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";

import { adminContext } from "~/admin-context.server";
import { EmptyMessage } from "~/components/empty-message";
import { numericId } from "~/modules/shopify/gid";
import { getHandoverBriefing } from "~/modules/staff/staff.server";

// The receiver's briefing after a handover: the customers it moved, most valuable first.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const context = await adminContext(request);
  const briefing = await getHandoverBriefing({
    shop: context.shop,
    handoverId: params.id ?? "",
  });
  if (!briefing) throw new Response("Handover not found", { status: 404 });
  return {
    handover: {
      ...briefing.handover,
      at: context.dateTime(briefing.handover.at),
    },
    total: briefing.total,
    customers: briefing.customers.map((customer) => ({
      id: numericId(customer.shopifyId),
      name: customer.displayName || customer.email || null,
      email: customer.email,
      value: context.money(customer.amountSpentMinor, customer.currencyCode),
      orders: customer.numberOfOrders,
      lastOrder: context.date(customer.lastOrderAt),
      stillTheirs: customer.ownerId === briefing.handover.toId,
      pinnedNotes: customer.pinnedNotes.map((note) => ({
        id: note.id,
        body: note.body,
        author: note.authorName,
      })),
      followUps: customer.followUps.map((note) => ({
        id: note.id,
        body: note.body,
        due: context.day(note.followUpAt),
        overdue: note.overdue,
      })),
    })),
  };
};

// Table cells do not wrap; notes must, within a readable width.
const NOTE_CELL = {
  whiteSpace: "normal",
  minWidth: 200,
  maxWidth: 320,
} as const;

export default function HandoverBriefing() {
  const { handover, customers, total } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <Page
      backAction={{ content: t("handover.title"), url: "/app/handover" }}
      title={t("briefing.title", { name: handover.to })}
      subtitle={t("briefing.subtitle", {
        count: handover.moved,
        from: handover.from,
        to: handover.to,
        time: handover.at,
        by: handover.by,
      })}
    >
      <BlockStack gap="400">
        {total > customers.length ? (
          <Text as="p" tone="subdued">
            {t("briefing.showing", { shown: customers.length, total })}
          </Text>
        ) : null}
        <Card padding="0">
          <IndexTable
            resourceName={{
              singular: t("customers.resource.singular"),
              plural: t("customers.resource.plural"),
            }}
            itemCount={customers.length}
            selectable={false}
            headings={[
              { title: t("customers.columns.customer") },
              { title: t("briefing.value"), alignment: "end" },
              { title: t("customers.columns.lastOrder") },
              { title: t("briefing.pinnedNotes") },
              { title: t("briefing.followUps") },
            ]}
            emptyState={<EmptyMessage title={t("briefing.empty")} />}
          >
            {customers.map((customer, index) => (
              <IndexTable.Row id={customer.id} key={customer.id} position={index}>
                <IndexTable.Cell>
                  <BlockStack gap="050">
                    <InlineStack gap="200" blockAlign="center">
                      <Link url={`/app/customers/${customer.id}`}>{customer.name ?? t("customers.noName")}</Link>
                      {!customer.stillTheirs ? <Badge>{t("briefing.reassigned")}</Badge> : null}
                    </InlineStack>
                    <Text as="span" variant="bodySm" tone="subdued">
                      {[customer.email, t("briefing.orders", { count: customer.orders })].filter(Boolean).join(" · ")}
                    </Text>
                  </BlockStack>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric fontWeight="semibold">
                    {customer.value}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>{customer.lastOrder ?? t("customers.never")}</IndexTable.Cell>
                <IndexTable.Cell>
                  <div style={NOTE_CELL}>
                    <BlockStack gap="100">
                      {customer.pinnedNotes.length === 0 ? (
                        <Text as="span" tone="subdued">
                          —
                        </Text>
                      ) : (
                        customer.pinnedNotes.map((note) => (
                          <Text as="p" key={note.id} variant="bodySm" breakWord>
                            {note.body}{" "}
                            <Text as="span" tone="subdued">
                              — {note.author}
                            </Text>
                          </Text>
                        ))
                      )}
                    </BlockStack>
                  </div>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <div style={NOTE_CELL}>
                    <BlockStack gap="100">
                      {customer.followUps.length === 0 ? (
                        <Text as="span" tone="subdued">
                          —
                        </Text>
                      ) : (
                        customer.followUps.map((note) => (
                          <BlockStack key={note.id} gap="050" inlineAlign="start">
                            <Badge tone={note.overdue ? "critical" : "attention"}>
                              {note.overdue ? t("briefing.overdueSince", { date: note.due }) : t("briefing.due", { date: note.due })}
                            </Badge>
                            <Text as="span" variant="bodySm" breakWord>
                              {note.body}
                            </Text>
                          </BlockStack>
                        ))
                      )}
                    </BlockStack>
                  </div>
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </Card>
      </BlockStack>
    </Page>
  );
}
