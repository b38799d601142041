import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  Card,
  Checkbox,
  Collapsible,
  Divider,
  InlineGrid,
  InlineStack,
  Layout,
  Link,
  Page,
  Select,
  Text,
  TextField,
  Thumbnail,
} from "@shopify/polaris";
import { ImageIcon } from "@shopify/polaris-icons";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";

import { adminContext } from "~/admin-context.server";
import { customerGidFromParam, numericId, shopifyAdminUrl } from "~/modules/shopify/gid";
import { InsightCard } from "~/components/insight-card";
import { SuggestionCard } from "~/components/suggestion-card";
import { LoyaltyCards } from "~/components/loyalty-cards";
import { SectionCard } from "~/components/section-card";
import { loyaltyCardView } from "~/modules/loyalty/loyalty-view.server";
import { suggestionCardView } from "~/modules/recommendations/suggestion-view.server";
import { insightCardView } from "~/modules/segments/insight-view.server";
import { getCustomerProfile } from "~/modules/customers/customer-profile.server";
import { completeFollowUp, createNote, deleteNote, editNote, isOverdue, NoteError, setFollowUp, setNotePinned } from "~/modules/notes/notes.server";
import { assignOwner, listStaff, OwnershipError } from "~/modules/staff/staff.server";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const context = await adminContext(request);
  const gid = customerGidFromParam(params.id);
  const profile = gid ? await getCustomerProfile({ shop: context.shop, customerId: gid }) : null;
  if (!profile) throw new Response("Customer not found", { status: 404 });
  const [staff, loyalty, insights, suggestions] = await Promise.all([listStaff({ shop: context.shop }), loyaltyCardView(context, gid!), insightCardView(context, gid!), suggestionCardView(context, gid!)]);
  const staffName = new Map(staff.map((member) => [member.userId, member.name]));
  const { customer, figures } = profile;
  const money = (minor: bigint | null, code = figures.currencyCode) => (minor === null ? null : context.money(minor, code));
  const now = new Date();
  return {
    me: context.actor.userId,
    staff,
    loyalty,
    insights,
    suggestions,
    customer: {
      id: numericId(customer.shopifyId),
      adminUrl: shopifyAdminUrl(customer.shopifyId),
      name: customer.displayName || [customer.firstName, customer.lastName].filter(Boolean).join(" ") || null,
      email: customer.email,
      phone: customer.phone,
      location: [customer.city, customer.province, customer.countryCode].filter(Boolean).join(", "),
      locale: customer.locale,
      emailMarketing: customer.emailMarketingState,
      smsMarketing: customer.smsMarketingState,
      state: customer.state,
      since: context.date(customer.shopifyCreatedAt),
      deleted: customer.deletedAt !== null,
      redacted: customer.redactedAt !== null,
      ownerId: customer.ownerId,
    },
    owner: profile.owner,
    figures: {
      lifetimeValue: money(figures.lifetimeValueMinor),
      orders: figures.ordersCount,
      averageOrder: money(figures.averageOrderMinor),
      firstOrder: context.date(figures.firstOrderAt),
      lastOrder: context.date(figures.lastOrderAt),
      averageDaysBetweenOrders: figures.averageDaysBetweenOrders,
    },
    tags: profile.tags,
    notes: profile.notes.map((note) => ({
      id: note.id,
      body: note.body,
      pinned: note.pinned,
      authorName: note.authorName,
      createdAt: context.dateTime(note.createdAt),
      editedAt: context.dateTime(note.editedAt),
      followUpAt: note.followUpAt ? note.followUpAt.toISOString().slice(0, 10) : null,
      followUpLabel: context.day(note.followUpAt),
      followUpDone: note.followUpDoneAt !== null,
      followUpOverdue: isOverdue(note, now),
      assigneeName: note.followUpAssigneeId ? staffName.get(note.followUpAssigneeId) ?? note.followUpAssigneeId : null,
      revisions: note.revisions.map((revision) => ({
        id: revision.id,
        body: revision.body,
        by: revision.editedByName,
        at: context.dateTime(revision.createdAt),
      })),
    })),
    orders: profile.orders.map((order) => ({
      id: order.shopifyId,
      adminUrl: shopifyAdminUrl(order.shopifyId),
      name: order.name,
      date: context.date(order.processedAt),
      total: money(order.totalPriceMinor, order.currencyCode),
      refunded: order.totalRefundedMinor > 0n ? money(order.totalRefundedMinor, order.currencyCode) : null,
      financialStatus: order.financialStatus,
      fulfillmentStatus: order.fulfillmentStatus,
      cancelled: order.cancelledAt !== null,
      lines: order.lines.map((line) => ({
        id: line.shopifyId,
        title: line.title,
        variantTitle: line.variantTitle,
        quantity: line.quantity,
        refundedQuantity: line.refundedQuantity,
        total: money(line.totalMinor, order.currencyCode),
      })),
    })),
    moreOrders: figures.archivedOrders > profile.orders.length ? figures.archivedOrders - profile.orders.length : 0,
    products: profile.products.map((product) => ({
      ...product,
      lastBoughtAt: context.date(product.lastBoughtAt),
    })),
    timeline: profile.timeline.map((entry, index) => {
      const at = context.dateTime(entry.at);
      const key = `${entry.kind}-${index}`;
      switch (entry.kind) {
        case "order":
          return {
            key,
            at,
            kind: entry.kind,
            name: entry.name,
            amount: money(entry.totalMinor, entry.currencyCode),
          };
        case "order_cancelled":
          return { key, at, kind: entry.kind, name: entry.name };
        case "refund":
          return {
            key,
            at,
            kind: entry.kind,
            name: entry.orderName,
            amount: money(entry.totalMinor, entry.currencyCode),
          };
        case "note":
          return {
            key,
            at,
            kind: entry.kind,
            body: entry.body,
            actor: entry.authorName,
          };
        case "tier":
          return { key, at, kind: entry.kind, from: entry.fromName, to: entry.toName, reason: entry.reason, actor: entry.actorName, note: entry.note };
        case "rfm":
          return { key, at, kind: entry.kind, from: entry.from, to: entry.to };
        case "audit": {
          const after = (entry.after ?? {}) as {
            ownerName?: string | null;
            tag?: string;
            body?: string;
            change?: number;
            reason?: string;
          };
          return {
            key,
            at,
            kind: entry.kind,
            action: entry.action,
            actor: entry.actorName,
            ownerName: after.ownerName ?? null,
            tag: after.tag ?? null,
            body: after.body ?? null,
            points: typeof after.change === "number" ? `${after.change > 0 ? "+" : ""}${after.change}` : null,
            reason: after.reason ?? null,
          };
        }
      }
    }),
  };
};

const actionInput = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("addNote"),
    body: z.string(),
    pinned: z.string().optional(),
    followUpAt: z.string().optional(),
    followUpAssigneeId: z.string().optional(),
  }),
  z.object({
    intent: z.literal("editNote"),
    noteId: z.string(),
    body: z.string(),
  }),
  z.object({
    intent: z.literal("pinNote"),
    noteId: z.string(),
    pinned: z.enum(["true", "false"]),
  }),
  z.object({ intent: z.literal("deleteNote"), noteId: z.string() }),
  z.object({ intent: z.literal("completeFollowUp"), noteId: z.string() }),
  z.object({
    intent: z.literal("setFollowUp"),
    noteId: z.string(),
    followUpAt: z.string(),
    followUpAssigneeId: z.string().optional(),
  }),
  z.object({ intent: z.literal("setOwner"), ownerId: z.string() }),
]);

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const context = await adminContext(request);
  const gid = customerGidFromParam(params.id);
  if (!gid) throw new Response("Customer not found", { status: 404 });
  const parsed = actionInput.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success)
    return data(
      {
        ok: false as const,
        intent: null,
        error: "invalid",
        fieldErrors: {} as Record<string, string>,
      },
      { status: 400 }
    );
  const input = parsed.data;
  const actor = context.actor;
  try {
    switch (input.intent) {
      case "addNote":
        await createNote({
          actor,
          customerId: gid,
          input: {
            body: input.body,
            pinned: input.pinned === "on" || input.pinned === "true",
            followUpAt: input.followUpAt || null,
            followUpAssigneeId: input.followUpAssigneeId || null,
          },
        });
        break;
      case "editNote":
        await editNote({ actor, noteId: input.noteId, body: input.body });
        break;
      case "pinNote":
        await setNotePinned({
          actor,
          noteId: input.noteId,
          pinned: input.pinned === "true",
        });
        break;
      case "deleteNote":
        await deleteNote({ actor, noteId: input.noteId });
        break;
      case "completeFollowUp":
        await completeFollowUp({ actor, noteId: input.noteId });
        break;
      case "setFollowUp":
        await setFollowUp({
          actor,
          noteId: input.noteId,
          followUpAt: input.followUpAt || null,
          assigneeId: input.followUpAssigneeId || null,
        });
        break;
      case "setOwner":
        await assignOwner({
          actor,
          customerIds: [gid],
          ownerId: input.ownerId === "none" ? null : input.ownerId,
        });
        break;
    }
    return {
      ok: true as const,
      intent: input.intent,
      error: null,
      fieldErrors: {} as Record<string, string>,
    };
  } catch (error) {
    if (error instanceof NoteError)
      return data(
        {
          ok: false as const,
          intent: input.intent,
          error: error.message,
          fieldErrors: error.fieldErrors,
        },
        { status: error.status }
      );
    if (error instanceof OwnershipError)
      return data(
        {
          ok: false as const,
          intent: input.intent,
          error: error.message,
          fieldErrors: {} as Record<string, string>,
        },
        { status: 422 }
      );
    throw error;
  }
};

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;
type NoteView = LoaderData["notes"][number];

function Figure({ label, value }: { label: string; value: string | number | null }) {
  const { t } = useTranslation();
  return (
    <BlockStack gap="100">
      <Text as="h3" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="p" variant="headingMd">
        {value ?? t("profile.none")}
      </Text>
    </BlockStack>
  );
}

function NoteComposer({ staff, me }: { staff: LoaderData["staff"]; me: string }) {
  const { t } = useTranslation();
  const navigation = useNavigation();
  const actionData = useActionData<typeof action>();
  const [body, setBody] = useState("");
  const [pinned, setPinned] = useState(false);
  const [followUp, setFollowUp] = useState(false);
  const [due, setDue] = useState("");
  const [assignee, setAssignee] = useState(me);
  const saving = navigation.state === "submitting" && navigation.formData?.get("intent") === "addNote";
  // Clear the form once the note is saved (once per answer of the action).
  const [seenAnswer, setSeenAnswer] = useState(actionData);
  if (actionData !== seenAnswer) {
    setSeenAnswer(actionData);
    if (actionData?.ok && actionData.intent === "addNote") {
      setBody("");
      setPinned(false);
      setFollowUp(false);
      setDue("");
    }
  }
  const errors = actionData && !actionData.ok && actionData.intent === "addNote" ? actionData.fieldErrors : {};
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="addNote" />
      <BlockStack gap="300">
        <TextField
          label={t("profile.notes.new")}
          labelHidden
          name="body"
          value={body}
          onChange={setBody}
          multiline={3}
          placeholder={t("profile.notes.placeholder")}
          autoComplete="off"
          maxLength={5000}
          error={errors.body}
        />
        <InlineStack gap="400" blockAlign="center">
          <input type="hidden" name="pinned" value={String(pinned)} />
          <Checkbox label={t("profile.notes.pin")} checked={pinned} onChange={setPinned} />
          <Checkbox label={t("profile.notes.followUp")} checked={followUp} onChange={setFollowUp} />
        </InlineStack>
        {followUp ? (
          <InlineStack gap="300" wrap={false}>
            <TextField label={t("profile.notes.due")} type="date" name="followUpAt" value={due} onChange={setDue} autoComplete="off" error={errors.followUpAt} />
            <Select
              label={t("profile.notes.assignee")}
              name="followUpAssigneeId"
              options={staff.map((member) => ({
                label: member.name,
                value: member.userId,
              }))}
              value={assignee}
              onChange={setAssignee}
              error={errors.followUpAssigneeId}
            />
          </InlineStack>
        ) : null}
        <InlineStack align="end">
          <Button submit variant="primary" loading={saving} disabled={body.trim() === ""}>
            {t("profile.notes.add")}
          </Button>
        </InlineStack>
      </BlockStack>
    </Form>
  );
}

function NoteItem({ note }: { note: NoteView }) {
  const { t } = useTranslation();
  const submit = useSubmit();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(note.body);
  const [history, setHistory] = useState(false);
  const send = (fields: Record<string, string>) => submit({ noteId: note.id, ...fields }, { method: "post" });
  return (
    <BlockStack gap="200">
      <InlineStack align="space-between" blockAlign="start" gap="200">
        <BlockStack gap="100">
          <InlineStack gap="200" blockAlign="center">
            <Text as="span" fontWeight="semibold">
              {note.authorName}
            </Text>
            <Text as="span" tone="subdued" variant="bodySm">
              {note.createdAt}
              {note.editedAt ? ` · ${t("profile.notes.edited", { time: note.editedAt })}` : ""}
            </Text>
            {note.pinned ? <Badge tone="info">{t("profile.notes.pinned")}</Badge> : null}
          </InlineStack>
        </BlockStack>
        <InlineStack gap="100" wrap={false}>
          <Button variant="tertiary" size="slim" onClick={() => send({ intent: "pinNote", pinned: String(!note.pinned) })}>
            {note.pinned ? t("profile.notes.unpin") : t("profile.notes.pin")}
          </Button>
          <Button
            variant="tertiary"
            size="slim"
            onClick={() => {
              setText(note.body);
              setEditing(!editing);
            }}
          >
            {t("profile.notes.edit")}
          </Button>
          <Button variant="tertiary" size="slim" tone="critical" onClick={() => confirm(t("profile.notes.confirmDelete")) && send({ intent: "deleteNote" })}>
            {t("profile.notes.delete")}
          </Button>
        </InlineStack>
      </InlineStack>
      {editing ? (
        <BlockStack gap="200">
          <TextField label={t("profile.notes.edit")} labelHidden value={text} onChange={setText} multiline={3} autoComplete="off" maxLength={5000} />
          <InlineStack gap="200" align="end">
            <Button onClick={() => (setEditing(false), setText(note.body))}>{t("profile.notes.cancel")}</Button>
            <Button variant="primary" disabled={text.trim() === ""} onClick={() => (send({ intent: "editNote", body: text }), setEditing(false))}>
              {t("profile.notes.save")}
            </Button>
          </InlineStack>
        </BlockStack>
      ) : (
        <Text as="p" breakWord>
          <span style={{ whiteSpace: "pre-wrap" }}>{note.body}</span>
        </Text>
      )}
      {note.followUpAt ? (
        <InlineStack gap="200" blockAlign="center">
          <Badge tone={note.followUpDone ? "success" : note.followUpOverdue ? "critical" : "attention"}>
            {note.followUpDone ? t("profile.notes.followUpDone") : note.followUpOverdue ? t("profile.notes.overdue") : t("profile.notes.followUpOpen")}
          </Badge>
          <Text as="span" variant="bodySm" tone="subdued">
            {t("profile.notes.followUpLine", {
              date: note.followUpLabel,
              name: note.assigneeName,
            })}
          </Text>
          {!note.followUpDone ? (
            <Button variant="plain" onClick={() => send({ intent: "completeFollowUp" })}>
              {t("profile.notes.markDone")}
            </Button>
          ) : null}
        </InlineStack>
      ) : null}
      {note.revisions.length > 0 ? (
        <BlockStack gap="100">
          <Button variant="plain" onClick={() => setHistory(!history)} ariaExpanded={history}>
            {t("profile.notes.history", { count: note.revisions.length })}
          </Button>
          <Collapsible open={history} id={`history-${note.id}`}>
            <BlockStack gap="200">
              {note.revisions.map((revision) => (
                <Box key={revision.id} padding="200" background="bg-surface-secondary" borderRadius="200">
                  <Text as="p" variant="bodySm" tone="subdued">
                    {t("profile.notes.replaced", {
                      name: revision.by,
                      time: revision.at,
                    })}
                  </Text>
                  <Text as="p" variant="bodySm">
                    <span style={{ whiteSpace: "pre-wrap" }}>{revision.body}</span>
                  </Text>
                </Box>
              ))}
            </BlockStack>
          </Collapsible>
        </BlockStack>
      ) : null}
    </BlockStack>
  );
}

function TimelineText({ entry }: { entry: LoaderData["timeline"][number] }) {
  const { t } = useTranslation();
  switch (entry.kind) {
    case "order":
      return (
        <>
          {t("profile.timeline.order", {
            name: entry.name,
            amount: entry.amount,
          })}
        </>
      );
    case "order_cancelled":
      return <>{t("profile.timeline.orderCancelled", { name: entry.name })}</>;
    case "refund":
      return (
        <>
          {t("profile.timeline.refund", {
            name: entry.name,
            amount: entry.amount,
          })}
        </>
      );
    case "note":
      return <>{t("profile.timeline.note", { name: entry.actor, body: entry.body })}</>;
    case "tier":
      return (
        <>
          {t(`profile.timeline.tier.${entry.reason}`, { defaultValue: entry.reason, to: entry.to ?? t("loyalty.card.noTier"), from: entry.from ?? t("loyalty.card.noTier"), name: entry.actor ?? t("profile.timeline.system") })}
          {entry.note ? ` – ${entry.note}` : ""}
        </>
      );
    case "rfm":
      return <>{t("profile.timeline.rfm", { from: entry.from ? t(`rfm.names.${entry.from}`) : t("rfm.none"), to: entry.to ? t(`rfm.names.${entry.to}`) : t("rfm.none") })}</>;
    case "audit":
      return (
        <>
          {t(`profile.timeline.audit.${entry.action}`, {
            defaultValue: entry.action,
            name: entry.actor ?? t("profile.timeline.system"),
            owner: entry.ownerName ?? t("profile.owner.nobody"),
            tag: entry.tag,
            body: entry.body,
            points: entry.points,
            reason: entry.reason,
          })}
        </>
      );
  }
}

export default function CustomerProfile() {
  const { customer, owner, figures, tags, notes, orders, moreOrders, products, timeline, staff, me, loyalty, insights, suggestions } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const submit = useSubmit();
  // Keyed by the saved owner: after a save (or another staff member's change) the picker starts from it.
  const [ownerChoice, setOwnerChoice] = useState(customer.ownerId ?? "none");
  const [savedOwner, setSavedOwner] = useState(customer.ownerId);
  if (savedOwner !== customer.ownerId) {
    setSavedOwner(customer.ownerId);
    setOwnerChoice(customer.ownerId ?? "none");
  }
  const ownerOptions = [{ label: t("profile.owner.nobody"), value: "none" }, ...staff.map((member) => ({ label: member.name, value: member.userId }))];
  const consent = (state: string | null) => (state ? t(`profile.consent.${state}`, { defaultValue: state }) : t("profile.none"));

  return (
    <Page
      backAction={{ content: t("customers.title"), url: "/app/customers" }}
      title={customer.name ?? t("customers.noName")}
      titleMetadata={customer.deleted ? <Badge tone="critical">{t("profile.deleted")}</Badge> : customer.redacted ? <Badge>{t("profile.redacted")}</Badge> : undefined}
      subtitle={[customer.email, customer.phone, customer.location].filter(Boolean).join(" · ")}
      secondaryActions={[
        {
          content: t("profile.openInShopify"),
          url: customer.adminUrl,
          target: "_top",
        },
        {
          content: t("profile.auditLog"),
          url: `/app/audit?customer=${customer.id}`,
        },
      ]}
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            <Card>
              <InlineGrid columns={{ xs: 2, md: 3 }} gap="400">
                <Figure label={t("profile.figures.lifetimeValue")} value={figures.lifetimeValue} />
                <Figure label={t("profile.figures.orders")} value={figures.orders} />
                <Figure label={t("profile.figures.averageOrder")} value={figures.averageOrder} />
                <Figure label={t("profile.figures.firstOrder")} value={figures.firstOrder} />
                <Figure label={t("profile.figures.lastOrder")} value={figures.lastOrder} />
                <Figure
                  label={t("profile.figures.averageDays")}
                  value={
                    figures.averageDaysBetweenOrders === null
                      ? null
                      : t("profile.figures.days", {
                          count: figures.averageDaysBetweenOrders,
                        })
                  }
                />
              </InlineGrid>
            </Card>
            <SectionCard title={t("profile.notes.title")} gap="400">
              <NoteComposer staff={staff} me={me} />
              {notes.length === 0 ? (
                <Text as="p" tone="subdued">
                  {t("profile.notes.empty")}
                </Text>
              ) : (
                notes.map((note, index) => (
                  <BlockStack gap="300" key={note.id}>
                    {index > 0 ? <Divider /> : null}
                    <NoteItem note={note} />
                  </BlockStack>
                ))
              )}
            </SectionCard>
            <SectionCard title={t("profile.timeline.title")} gap="300">
              {timeline.length === 0 ? (
                <Text as="p" tone="subdued">
                  {t("profile.timeline.empty")}
                </Text>
              ) : (
                <BlockStack gap="200">
                  {timeline.map((entry) => (
                    <InlineStack key={entry.key} gap="300" wrap={false} blockAlign="start">
                      <Box minWidth="150px">
                        <Text as="span" variant="bodySm" tone="subdued">
                          {entry.at}
                        </Text>
                      </Box>
                      <Text as="span" breakWord>
                        <TimelineText entry={entry} />
                      </Text>
                    </InlineStack>
                  ))}
                </BlockStack>
              )}
            </SectionCard>
            <SectionCard title={t("profile.orders.title")} gap="300">
              {orders.length === 0 ? (
                <Text as="p" tone="subdued">
                  {t("profile.orders.empty")}
                </Text>
              ) : (
                orders.map((order, index) => (
                  <BlockStack gap="150" key={order.id}>
                    {index > 0 ? <Divider /> : null}
                    <InlineStack align="space-between" blockAlign="center">
                      <InlineStack gap="200" blockAlign="center">
                        <Link url={order.adminUrl} target="_top">
                          {order.name}
                        </Link>
                        <Text as="span" tone="subdued" variant="bodySm">
                          {order.date}
                        </Text>
                        {order.cancelled ? <Badge tone="critical">{t("profile.orders.cancelled")}</Badge> : null}
                        {order.financialStatus ? <Badge>{t(`profile.orders.financial.${order.financialStatus}`, { defaultValue: order.financialStatus })}</Badge> : null}
                      </InlineStack>
                      <Text as="span" fontWeight="semibold">
                        {order.total}
                        {order.refunded
                          ? ` (${t("profile.orders.refunded", {
                              amount: order.refunded,
                            })})`
                          : ""}
                      </Text>
                    </InlineStack>
                    {order.lines.map((line) => (
                      <InlineStack key={line.id} align="space-between">
                        <Text as="span" variant="bodySm">
                          {line.quantity} × {line.title}
                          {line.variantTitle ? ` – ${line.variantTitle}` : ""}
                          {line.refundedQuantity > 0
                            ? ` (${t("profile.orders.lineRefunded", {
                                count: line.refundedQuantity,
                              })})`
                            : ""}
                        </Text>
                        <Text as="span" variant="bodySm" tone="subdued">
                          {line.total}
                        </Text>
                      </InlineStack>
                    ))}
                  </BlockStack>
                ))
              )}
              {moreOrders > 0 ? (
                <Text as="p" tone="subdued">
                  {t("profile.orders.more", { count: moreOrders })}
                </Text>
              ) : null}
            </SectionCard>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            <InsightCard insights={insights} />
            <SuggestionCard suggestions={suggestions} />
            <LoyaltyCards loyalty={loyalty} customerId={customer.id} disabled={customer.deleted || customer.redacted} />
            <SectionCard title={t("profile.owner.title")} gap="200">
              <Text as="p" tone={owner ? undefined : "subdued"}>
                {owner?.name ?? t("profile.owner.nobody")}
              </Text>
              <Select label={t("profile.owner.change")} options={ownerOptions} value={ownerChoice} onChange={setOwnerChoice} />
              <InlineStack align="end">
                <Button disabled={ownerChoice === (customer.ownerId ?? "none")} onClick={() => submit({ intent: "setOwner", ownerId: ownerChoice }, { method: "post" })}>
                  {t("profile.owner.save")}
                </Button>
              </InlineStack>
            </SectionCard>
            <SectionCard title={t("profile.contact.title")} gap="200">
              <Text as="p">{customer.email ?? t("profile.none")}</Text>
              <Text as="p">{customer.phone ?? t("profile.none")}</Text>
              {customer.location ? <Text as="p">{customer.location}</Text> : null}
              <Text as="p" variant="bodySm" tone="subdued">
                {t("profile.contact.since", { date: customer.since })}
              </Text>
              <Divider />
              <Text as="p">
                {t("profile.consent.email", {
                  state: consent(customer.emailMarketing),
                })}
              </Text>
              <Text as="p">
                {t("profile.consent.sms", {
                  state: consent(customer.smsMarketing),
                })}
              </Text>
            </SectionCard>
            <SectionCard title={t("profile.tags.title")} gap="200">
              {tags.length ? (
                <InlineStack gap="100">
                  {tags.map((tag) => (
                    <Badge key={tag}>{tag}</Badge>
                  ))}
                </InlineStack>
              ) : (
                <Text as="p" tone="subdued">
                  {t("profile.tags.empty")}
                </Text>
              )}
            </SectionCard>
            <SectionCard title={t("profile.products.title")} gap="300">
              {products.length === 0 ? (
                <Text as="p" tone="subdued">
                  {t("profile.products.empty")}
                </Text>
              ) : (
                products.slice(0, 10).map((product) => (
                  <InlineStack key={product.productId ?? product.title} gap="300" wrap={false} blockAlign="center">
                    <Thumbnail source={product.imageUrl ?? ImageIcon} alt={product.title} size="small" />
                    <BlockStack gap="050">
                      {product.productId ? (
                        <Link url={`/app/products/${product.productId.split("/").pop()}`} removeUnderline>
                          {product.title}
                        </Link>
                      ) : (
                        <Text as="span" fontWeight="medium">
                          {product.title}
                        </Text>
                      )}
                      <Text as="span" variant="bodySm" tone="subdued">
                        {t("profile.products.line", {
                          quantity: product.quantity,
                          count: product.orders,
                          date: product.lastBoughtAt,
                        })}
                      </Text>
                    </BlockStack>
                  </InlineStack>
                ))
              )}
            </SectionCard>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
