import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams, useSubmit } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, IndexTable, InlineStack, Link, Page, Tabs, Text } from "@shopify/polaris";
import { useTranslation } from "react-i18next";

import { adminContext } from "~/admin-context.server";
import { EmptyMessage } from "~/components/empty-message";
import { numericId } from "~/modules/shopify/gid";
import { completeFollowUp, listFollowUps, NoteError } from "~/modules/notes/notes.server";
import { listStaff } from "~/modules/staff/staff.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const context = await adminContext(request);
  const everyone = new URL(request.url).searchParams.get("who") === "all";
  const [followUps, staff] = await Promise.all([
    listFollowUps({
      shop: context.shop,
      assigneeId: everyone ? undefined : context.actor.userId,
    }),
    listStaff({ shop: context.shop }),
  ]);
  const staffName = new Map(staff.map((member) => [member.userId, member.name]));
  return {
    everyone,
    overdue: followUps.filter((note) => note.overdue).length,
    followUps: followUps.map((note) => ({
      id: note.id,
      body: note.body,
      due: context.day(note.followUpAt),
      overdue: note.overdue,
      assignee: note.followUpAssigneeId ? staffName.get(note.followUpAssigneeId) ?? note.followUpAssigneeId : null,
      author: note.authorName,
      customerId: numericId(note.customerId),
      customerName: note.customer?.displayName || note.customer?.email || null,
    })),
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const context = await adminContext(request);
  const noteId = String((await request.formData()).get("noteId") ?? "");
  try {
    await completeFollowUp({ actor: context.actor, noteId });
    return { ok: true, error: null };
  } catch (error) {
    if (error instanceof NoteError) return Response.json({ ok: false, error: error.message }, { status: error.status });
    throw error;
  }
};

export default function FollowUps() {
  const { followUps, everyone, overdue } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const [, setSearchParams] = useSearchParams();
  const submit = useSubmit();
  const tabs = [
    { id: "mine", content: t("followUps.mine") },
    { id: "all", content: t("followUps.everyone") },
  ];
  return (
    <Page title={t("followUps.title")} subtitle={overdue > 0 ? t("followUps.overdueCount", { count: overdue }) : undefined}>
      <Card padding="0">
        <Tabs tabs={tabs} selected={everyone ? 1 : 0} onSelect={(index) => setSearchParams(index === 1 ? { who: "all" } : {})} />
        {followUps.length === 0 ? (
          <EmptyMessage title={t("followUps.emptyTitle")} body={t("followUps.emptyBody")} />
        ) : (
          <IndexTable
            resourceName={{
              singular: t("followUps.resource.singular"),
              plural: t("followUps.resource.plural"),
            }}
            itemCount={followUps.length}
            selectable={false}
            headings={[
              { title: t("followUps.columns.due") },
              { title: t("followUps.columns.customer") },
              { title: t("followUps.columns.note") },
              { title: t("followUps.columns.assignee") },
              { title: "" },
            ]}
          >
            {followUps.map((note, index) => (
              <IndexTable.Row id={note.id} key={note.id} position={index} tone={note.overdue ? "critical" : undefined}>
                <IndexTable.Cell>
                  <InlineStack gap="200" blockAlign="center" wrap={false}>
                    <Text as="span">{note.due}</Text>
                    {note.overdue ? <Badge tone="critical">{t("profile.notes.overdue")}</Badge> : null}
                  </InlineStack>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Link url={`/app/customers/${note.customerId}`}>{note.customerName ?? t("customers.noName")}</Link>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <BlockStack gap="050">
                    <Text as="span" truncate>
                      {note.body}
                    </Text>
                    <Text as="span" variant="bodySm" tone="subdued">
                      {t("followUps.by", { name: note.author })}
                    </Text>
                  </BlockStack>
                </IndexTable.Cell>
                <IndexTable.Cell>{note.assignee}</IndexTable.Cell>
                <IndexTable.Cell>
                  <Button size="slim" onClick={() => submit({ noteId: note.id }, { method: "post" })}>
                    {t("profile.notes.markDone")}
                  </Button>
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        )}
      </Card>
    </Page>
  );
}
