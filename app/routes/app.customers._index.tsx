import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSearchParams, useSubmit } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Card,
  ChoiceList,
  IndexFilters,
  IndexTable,
  InlineStack,
  Link,
  Modal,
  Page,
  Select,
  Text,
  TextField,
  useIndexResourceState,
  IndexFiltersMode,
  useSetIndexFiltersMode,
  type IndexFiltersProps,
  type TabProps,
} from "@shopify/polaris";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";

import { adminContext } from "~/admin-context.server";
import { prisma } from "~/db.server";
import { currentProgram } from "~/modules/loyalty/program.server";
import { RFM_SEGMENTS } from "~/modules/segments/rfm";
import { EmptyMessage } from "~/components/empty-message";
import { TierBadge } from "~/components/loyalty-cards";
import { numericId } from "~/modules/shopify/gid";
import { allCustomerIds, listCustomers } from "~/modules/customers/customer-index.server";
import { customerQueryParams, parseCustomerQuery, QUERY_FIELDS, QueryError, SORT_KEYS, type CustomerQuery } from "~/modules/customers/customer-query";
import { deleteSavedView, listSavedViews, saveView, SavedViewError } from "~/modules/customers/saved-views.server";
import { queueTagCustomers, TagError } from "~/modules/customers/tag-customers.server";
import { assignOwner, listStaff, OwnershipError } from "~/modules/staff/staff.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const context = await adminContext(request);
  const url = new URL(request.url);
  const [staff, views, program, segments] = await Promise.all([
    listStaff({ shop: context.shop }),
    listSavedViews({ shop: context.shop }),
    currentProgram(prisma, context.shop),
    prisma.segment.findMany({ where: { shop: context.shop, deletedAt: null }, select: { id: true, name: true }, orderBy: { name: "asc" } }),
  ]);
  const tiers = program.program.tiers.map((tier) => ({ key: tier.key, name: tier.name, color: tier.color }));
  let query: CustomerQuery = {};
  let queryError: Record<string, string> | null = null;
  try {
    query = parseCustomerQuery(url.searchParams);
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    queryError = error.fieldErrors;
  }
  const page = await listCustomers({
    shop: context.shop,
    query,
    currencyCode: context.currencyCode,
    cursor: url.searchParams.get("cursor"),
  });
  const staffName = new Map(staff.map((member) => [member.userId, member.name]));
  return {
    query,
    queryError,
    staff,
    tiers,
    segments,
    views: views.map((view) => ({
      id: view.id,
      name: view.name,
      params: customerQueryParams(parseViewQuery(view.query)).toString(),
    })),
    total: page.total,
    nextCursor: page.nextCursor,
    sort: page.sort,
    direction: page.direction,
    currencyCode: context.currencyCode,
    customers: page.customers.map((customer) => ({
      id: numericId(customer.shopifyId),
      gid: customer.shopifyId,
      name: customer.displayName || [customer.firstName, customer.lastName].filter(Boolean).join(" ") || null,
      email: customer.email,
      phone: customer.phone,
      orders: customer.numberOfOrders,
      spent: context.money(customer.amountSpentMinor, customer.currencyCode),
      lastOrder: context.date(customer.lastOrderAt),
      owner: customer.ownerId ? staffName.get(customer.ownerId) ?? customer.ownerId : null,
      tags: customer.tags ? customer.tags.split(", ").filter(Boolean) : [],
      tier: tiers.find((tier) => tier.key === customer.tierKey) ?? null,
      rfm: customer.rfmSegment,
      location: [customer.city, customer.countryCode].filter(Boolean).join(", "),
    })),
  };
};

function parseViewQuery(text: string): CustomerQuery {
  try {
    return parseCustomerQuery(JSON.parse(text) as Record<string, unknown>);
  } catch {
    return {};
  }
}

const actionInput = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("assignOwner"),
    ownerId: z.string(),
    ids: z.string(),
    all: z.string().optional(),
    query: z.string().optional(),
  }),
  z.object({
    intent: z.literal("addTag"),
    tag: z.string(),
    ids: z.string(),
    all: z.string().optional(),
    query: z.string().optional(),
  }),
  z.object({
    intent: z.literal("saveView"),
    name: z.string(),
    query: z.string(),
  }),
  z.object({ intent: z.literal("deleteView"), id: z.string() }),
]);

export const action = async ({ request }: ActionFunctionArgs) => {
  const context = await adminContext(request);
  const parsed = actionInput.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ ok: false as const, error: "invalid" }, { status: 400 });
  const input = parsed.data;
  const selection = (value: { ids: string; all?: string; query?: string }) => ({
    customerIds: value.all === "1" ? null : (JSON.parse(value.ids) as string[]),
    query: parseCustomerQuery(new URLSearchParams(value.query ?? "")),
  });
  try {
    switch (input.intent) {
      case "assignOwner": {
        const { customerIds, query } = selection(input);
        const ids = customerIds ?? (await allCustomerIds({ shop: context.shop, query, currencyCode: context.currencyCode }));
        const changed = await assignOwner({
          actor: context.actor,
          customerIds: ids,
          ownerId: input.ownerId === "none" ? null : input.ownerId,
        });
        return { ok: true as const, message: "ownerAssigned", count: changed };
      }
      case "addTag": {
        const { customerIds, query } = selection(input);
        const queued = await queueTagCustomers({
          actor: context.actor,
          tag: input.tag,
          customerIds: customerIds ?? undefined,
          query,
          currencyCode: context.currencyCode,
        });
        return { ok: true as const, message: "tagQueued", count: queued };
      }
      case "saveView": {
        await saveView({
          actor: context.actor,
          name: input.name,
          query: parseCustomerQuery(new URLSearchParams(input.query)),
        });
        return { ok: true as const, message: "viewSaved", count: 0 };
      }
      case "deleteView": {
        await deleteSavedView({ actor: context.actor, id: input.id });
        return { ok: true as const, message: "viewDeleted", count: 0 };
      }
    }
  } catch (error) {
    if (error instanceof OwnershipError || error instanceof SavedViewError || error instanceof QueryError || error instanceof TagError)
      return data({ ok: false as const, error: error.message }, { status: 422 });
    throw error;
  }
};

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

// Text filters wait for the typing to stop before the page reloads.
function useDebounced<T>(value: T, delay = 400): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return debounced;
}

export default function CustomersIndex() {
  const loaderData = useLoaderData<typeof loader>();
  const { customers, total, nextCursor, staff, tiers, segments, views, query, queryError } = loaderData;
  const actionData = useActionData<typeof action>();
  const { t, i18n } = useTranslation();
  const [searchParams, setSearchParams] = useSearchParams();
  const navigation = useNavigation();
  const submit = useSubmit();
  // A page opened with filters (a link, a saved view, a reload) shows them, open, as removable pills.
  const { mode, setMode } = useSetIndexFiltersMode(QUERY_FIELDS.some((field) => field !== "sort" && field !== "direction" && query[field] !== undefined) ? IndexFiltersMode.Filtering : IndexFiltersMode.Default);

  // Filter drafts: typed values live here, and reach the URL once typing stops.
  const [draft, setDraft] = useState<Record<string, string>>(() => Object.fromEntries(QUERY_FIELDS.map((field) => [field, String(query[field] ?? "")])));
  const debouncedDraft = useDebounced(draft);
  useEffect(() => {
    const next = new URLSearchParams(searchParams);
    let changed = false;
    for (const field of QUERY_FIELDS) {
      if (field === "sort" || field === "direction") continue;
      const value = debouncedDraft[field] ?? "";
      if ((next.get(field) ?? "") === value) continue;
      changed = true;
      if (value) next.set(field, value);
      else next.delete(field);
    }
    if (!changed) return;
    next.delete("cursor");
    next.delete("back");
    next.delete("view");
    setSearchParams(next, { replace: true });
    // Only the debounced draft decides; searchParams is read, not watched.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debouncedDraft]);
  const setField = useCallback((field: string, value: string) => setDraft((current) => ({ ...current, [field]: value })), []);
  const clearFields = useCallback(
    (fields: string[]) =>
      setDraft((current) => ({
        ...current,
        ...Object.fromEntries(fields.map((field) => [field, ""])),
      })),
    []
  );

  // Saved views are tabs; "All customers" is the first.
  const activeView = searchParams.get("view");
  const tabs: TabProps[] = [
    {
      id: "all",
      content: t("customers.views.all"),
      onAction: () => applyView(null),
      isLocked: true,
    },
    ...views.map((view) => ({
      id: view.id,
      content: view.name,
      onAction: () => applyView(view),
      actions: [
        {
          type: "delete" as const,
          onPrimaryAction: async () => (submit({ intent: "deleteView", id: view.id }, { method: "post" }), true),
        },
      ],
    })),
  ];
  const selectedTab = Math.max(0, activeView ? views.findIndex((view) => view.id === activeView) + 1 : 0);
  function applyView(view: LoaderData["views"][number] | null) {
    const next = new URLSearchParams(view?.params ?? "");
    if (view) next.set("view", view.id);
    setDraft(Object.fromEntries(QUERY_FIELDS.map((field) => [field, next.get(field) ?? ""])));
    setSearchParams(next);
  }
  const onCreateNewView = async (name: string) => {
    submit(
      {
        intent: "saveView",
        name,
        query: customerQueryParams(query).toString(),
      },
      { method: "post" }
    );
    return true;
  };

  const sortOptions: IndexFiltersProps["sortOptions"] = SORT_KEYS.flatMap((key) => [
    {
      label: t(`customers.sort.${key}`),
      value: `${key} asc`,
      directionLabel: t(key === "name" ? "customers.sort.az" : key === "spent" || key === "orders" ? "customers.sort.lowHigh" : "customers.sort.oldNew"),
    },
    {
      label: t(`customers.sort.${key}`),
      value: `${key} desc`,
      directionLabel: t(key === "name" ? "customers.sort.za" : key === "spent" || key === "orders" ? "customers.sort.highLow" : "customers.sort.newOld"),
    },
  ]);
  const onSort = (value: string[]) => {
    const [sort, direction] = (value[0] ?? "spent desc").split(" ");
    const next = new URLSearchParams(searchParams);
    next.set("sort", sort!);
    next.set("direction", direction!);
    next.delete("cursor");
    next.delete("back");
    setSearchParams(next);
  };

  const ownerChoices = [{ label: t("customers.filters.noOwner"), value: "none" }, ...staff.map((member) => ({ label: member.name, value: member.userId }))];
  const tierChoices = [...tiers.map((tier) => ({ label: tier.name, value: tier.key })), { label: t("customers.filters.noTier"), value: "none" }];
  const rfmChoices = RFM_SEGMENTS.map((key) => ({ label: t(`rfm.names.${key}`), value: key }));
  const segmentChoices = segments.map((segment) => ({ label: segment.name, value: segment.id }));
  // A choice's label for its applied-filter chip; an id no longer listed (a deleted segment) shows as itself.
  const labelOf = (choices: Array<{ label: string; value: string }>, value: string) => choices.find((choice) => choice.value === value)?.label ?? value;
  const range = (minField: string, maxField: string, labels: { min: string; max: string }, type: "number" | "date" = "number") => (
    <InlineStack gap="200" wrap={false}>
      <TextField label={labels.min} type={type} value={draft[minField] ?? ""} onChange={(value) => setField(minField, value)} autoComplete="off" error={queryError?.[minField]} />
      <TextField label={labels.max} type={type} value={draft[maxField] ?? ""} onChange={(value) => setField(maxField, value)} autoComplete="off" error={queryError?.[maxField]} />
    </InlineStack>
  );
  const filters: IndexFiltersProps["filters"] = [
    {
      key: "owner",
      label: t("customers.filters.owner"),
      filter: (
        <ChoiceList
          title={t("customers.filters.owner")}
          titleHidden
          choices={ownerChoices}
          selected={draft.owner ? [draft.owner] : []}
          onChange={(value) => setField("owner", value[0] ?? "")}
        />
      ),
      shortcut: true,
    },
    {
      key: "tier",
      label: t("customers.filters.tier"),
      filter: <ChoiceList title={t("customers.filters.tier")} titleHidden choices={tierChoices} selected={draft.tier ? [draft.tier] : []} onChange={(value) => setField("tier", value[0] ?? "")} />,
      shortcut: true,
    },
    {
      key: "rfm",
      label: t("customers.filters.rfm"),
      filter: <ChoiceList title={t("customers.filters.rfm")} titleHidden choices={rfmChoices} selected={draft.rfm ? [draft.rfm] : []} onChange={(value) => setField("rfm", value[0] ?? "")} />,
      shortcut: true,
    },
    ...(segments.length > 0 || draft.segment
      ? [
          {
            key: "segment",
            label: t("customers.filters.segment"),
            filter: <ChoiceList title={t("customers.filters.segment")} titleHidden choices={segmentChoices} selected={draft.segment ? [draft.segment] : []} onChange={(value: string[]) => setField("segment", value[0] ?? "")} />,
          },
        ]
      : []),
    {
      key: "spent",
      label: t("customers.filters.spent"),
      filter: range("spentMin", "spentMax", {
        min: t("customers.filters.min"),
        max: t("customers.filters.max"),
      }),
      shortcut: true,
    },
    {
      key: "orders",
      label: t("customers.filters.orders"),
      filter: range("ordersMin", "ordersMax", {
        min: t("customers.filters.min"),
        max: t("customers.filters.max"),
      }),
    },
    {
      key: "lastOrder",
      label: t("customers.filters.lastOrder"),
      filter: range("lastOrderFrom", "lastOrderTo", { min: t("customers.filters.from"), max: t("customers.filters.to") }, "date"),
      shortcut: true,
    },
    {
      key: "tag",
      label: t("customers.filters.tag"),
      filter: <TextField label={t("customers.filters.tag")} labelHidden value={draft.tag ?? ""} onChange={(value) => setField("tag", value)} autoComplete="off" />,
    },
  ];
  const pair = (min: string, max: string) => [draft[min], draft[max]].some(Boolean);
  const appliedFilters: IndexFiltersProps["appliedFilters"] = [
    ...(draft.owner
      ? [
          {
            key: "owner",
            label: t("customers.applied.owner", {
              name: ownerChoices.find((choice) => choice.value === draft.owner)?.label ?? draft.owner,
            }),
            onRemove: () => clearFields(["owner"]),
          },
        ]
      : []),
    ...(draft.tier ? [{ key: "tier", label: t("customers.applied.tier", { name: labelOf(tierChoices, draft.tier) }), onRemove: () => clearFields(["tier"]) }] : []),
    ...(draft.rfm ? [{ key: "rfm", label: t("customers.applied.rfm", { name: labelOf(rfmChoices, draft.rfm) }), onRemove: () => clearFields(["rfm"]) }] : []),
    ...(draft.segment ? [{ key: "segment", label: t("customers.applied.segment", { name: labelOf(segmentChoices, draft.segment) }), onRemove: () => clearFields(["segment"]) }] : []),
    ...(pair("spentMin", "spentMax")
      ? [
          {
            key: "spent",
            label: t("customers.applied.spent", {
              min: draft.spentMin || "0",
              max: draft.spentMax || "∞",
            }),
            onRemove: () => clearFields(["spentMin", "spentMax"]),
          },
        ]
      : []),
    ...(pair("ordersMin", "ordersMax")
      ? [
          {
            key: "orders",
            label: t("customers.applied.orders", {
              min: draft.ordersMin || "0",
              max: draft.ordersMax || "∞",
            }),
            onRemove: () => clearFields(["ordersMin", "ordersMax"]),
          },
        ]
      : []),
    ...(pair("lastOrderFrom", "lastOrderTo")
      ? [
          {
            key: "lastOrder",
            label: t("customers.applied.lastOrder", {
              from: draft.lastOrderFrom || "…",
              to: draft.lastOrderTo || "…",
            }),
            onRemove: () => clearFields(["lastOrderFrom", "lastOrderTo"]),
          },
        ]
      : []),
    ...(draft.tag
      ? [
          {
            key: "tag",
            label: t("customers.applied.tag", { tag: draft.tag }),
            onRemove: () => clearFields(["tag"]),
          },
        ]
      : []),
  ];

  const resourceIds = useMemo(() => customers.map((customer) => customer.gid), [customers]);
  const { selectedResources, allResourcesSelected, handleSelectionChange, clearSelection } = useIndexResourceState(customers, {
    resourceIDResolver: (customer) => customer.gid,
  });
  useEffect(() => clearSelection(), [resourceIds, clearSelection]);
  const [modal, setModal] = useState<null | "owner" | "tag">(null);
  const [ownerChoice, setOwnerChoice] = useState(staff[0]?.userId ?? "none");
  const [tagText, setTagText] = useState("");
  const bulkTarget = {
    ids: JSON.stringify(selectedResources),
    all: allResourcesSelected ? "1" : "0",
    query: customerQueryParams(query).toString(),
  };
  const submitBulk = (fields: Record<string, string>) => {
    submit({ ...fields, ...bulkTarget }, { method: "post" });
    setModal(null);
    setTagText("");
  };

  // A fetch, not a link: in Shopify admin only fetch carries the session token (App Bridge adds it).
  const [exporting, setExporting] = useState(false);
  const downloadCsv = async () => {
    setExporting(true);
    try {
      const response = await fetch(`/app/customers/export?${customerQueryParams(query).toString()}`);
      if (!response.ok) throw new Error(String(response.status));
      const url = URL.createObjectURL(await response.blob());
      const link = Object.assign(document.createElement("a"), {
        href: url,
        download: /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "customers.csv",
      });
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch {
      window.shopify?.toast.show(t("customers.exportFailed"), {
        isError: true,
      });
    } finally {
      setExporting(false);
    }
  };
  const goTo = (cursor: string | null, back: string[]) => {
    const next = new URLSearchParams(searchParams);
    if (cursor) next.set("cursor", cursor);
    else next.delete("cursor");
    if (back.length) next.set("back", back.join("."));
    else next.delete("back");
    setSearchParams(next);
  };
  const backStack = (searchParams.get("back") ?? "").split(".").filter(Boolean);
  const currentCursor = searchParams.get("cursor");
  const loading = navigation.state === "loading";
  const count = (value: number) => value.toLocaleString(i18n.language);

  return (
    <Page
      title={t("customers.title")}
      subtitle={t("customers.subtitle", {
        count: total,
        formatted: count(total),
      })}
      primaryAction={{
        content: t("customers.export"),
        loading: exporting,
        onAction: downloadCsv,
      }}
      fullWidth
    >
      <BlockStack gap="400">
        {actionData && "message" in actionData ? (
          <Banner tone="success" onDismiss={() => undefined}>
            {t(`customers.done.${actionData.message}`, {
              count: actionData.count,
            })}
          </Banner>
        ) : null}
        {actionData && "error" in actionData ? <Banner tone="critical">{actionData.error}</Banner> : null}
        {queryError ? (
          <Banner tone="warning">
            {t("customers.queryError", {
              fields: Object.entries(queryError)
                .map(([field, message]) => `${field}: ${message}`)
                .join("; "),
            })}
          </Banner>
        ) : null}
        <Card padding="0">
          <IndexFilters
            sortOptions={sortOptions}
            sortSelected={[`${loaderData.sort} ${loaderData.direction}`]}
            onSort={onSort}
            queryValue={draft.q ?? ""}
            queryPlaceholder={t("customers.searchPlaceholder")}
            onQueryChange={(value) => setField("q", value)}
            onQueryClear={() => clearFields(["q"])}
            tabs={tabs}
            selected={selectedTab}
            onSelect={() => undefined}
            canCreateNewView
            onCreateNewView={onCreateNewView}
            filters={filters}
            appliedFilters={appliedFilters}
            onClearAll={() => clearFields(QUERY_FIELDS.filter((field) => field !== "sort" && field !== "direction"))}
            mode={mode}
            setMode={setMode}
            loading={loading}
            cancelAction={{ onAction: () => undefined }}
          />
          <IndexTable
            resourceName={{
              singular: t("customers.resource.singular"),
              plural: t("customers.resource.plural"),
            }}
            itemCount={customers.length}
            selectedItemsCount={allResourcesSelected ? "All" : selectedResources.length}
            onSelectionChange={handleSelectionChange}
            hasMoreItems={nextCursor !== null || backStack.length > 0 || currentCursor !== null}
            promotedBulkActions={[
              {
                content: t("customers.bulk.assignOwner"),
                onAction: () => setModal("owner"),
              },
              {
                content: t("customers.bulk.addTag"),
                onAction: () => setModal("tag"),
              },
            ]}
            headings={[
              { title: t("customers.columns.customer") },
              { title: t("customers.columns.owner") },
              { title: t("customers.columns.tier") },
              { title: t("customers.columns.rfm") },
              { title: t("customers.columns.orders"), alignment: "end" },
              { title: t("customers.columns.spent"), alignment: "end" },
              { title: t("customers.columns.lastOrder") },
              { title: t("customers.columns.tags") },
            ]}
            pagination={{
              hasPrevious: currentCursor !== null,
              onPrevious: () => goTo(backStack.at(-1) === "-" ? null : backStack.at(-1) ?? null, backStack.slice(0, -1)),
              hasNext: nextCursor !== null,
              onNext: () => goTo(nextCursor, [...backStack, currentCursor ?? "-"]),
            }}
            emptyState={<EmptyMessage title={t("customers.empty.title")} body={t("customers.empty.body")} />}
          >
            {customers.map((customer, index) => (
              <IndexTable.Row id={customer.gid} key={customer.gid} position={index} selected={selectedResources.includes(customer.gid)}>
                <IndexTable.Cell>
                  <BlockStack gap="050">
                    <Link url={`/app/customers/${customer.id}`} removeUnderline monochrome dataPrimaryLink>
                      <Text as="span" fontWeight="semibold">
                        {customer.name ?? t("customers.noName")}
                      </Text>
                    </Link>
                    <Text as="span" tone="subdued" variant="bodySm">
                      {[customer.email, customer.phone, customer.location].filter(Boolean).join(" · ")}
                    </Text>
                  </BlockStack>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  {customer.owner ?? (
                    <Text as="span" tone="subdued">
                      {t("customers.noOwner")}
                    </Text>
                  )}
                </IndexTable.Cell>
                <IndexTable.Cell>{customer.tier ? <TierBadge name={customer.tier.name} color={customer.tier.color} /> : <Text as="span" tone="subdued">{t("customers.noTier")}</Text>}</IndexTable.Cell>
                <IndexTable.Cell>{customer.rfm ? t(`rfm.names.${customer.rfm}`) : <Text as="span" tone="subdued">{t("customers.noSegment")}</Text>}</IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {count(customer.orders)}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" alignment="end" numeric>
                    {customer.spent}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  {customer.lastOrder ?? (
                    <Text as="span" tone="subdued">
                      {t("customers.never")}
                    </Text>
                  )}
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <InlineStack gap="100">
                    {customer.tags.slice(0, 3).map((tag) => (
                      <Badge key={tag}>{tag}</Badge>
                    ))}
                    {customer.tags.length > 3 ? (
                      <Text as="span" tone="subdued">
                        +{customer.tags.length - 3}
                      </Text>
                    ) : null}
                  </InlineStack>
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </Card>
      </BlockStack>
      <Modal
        open={modal === "owner"}
        onClose={() => setModal(null)}
        title={t("customers.bulk.assignOwnerTitle", {
          count: allResourcesSelected ? total : selectedResources.length,
        })}
        primaryAction={{
          content: t("customers.bulk.assign"),
          onAction: () => submitBulk({ intent: "assignOwner", ownerId: ownerChoice }),
        }}
        secondaryActions={[
          {
            content: t("customers.bulk.cancel"),
            onAction: () => setModal(null),
          },
        ]}
      >
        <Modal.Section>
          <Select label={t("customers.columns.owner")} options={ownerChoices} value={ownerChoice} onChange={setOwnerChoice} />
        </Modal.Section>
      </Modal>
      <Modal
        open={modal === "tag"}
        onClose={() => setModal(null)}
        title={t("customers.bulk.addTagTitle", {
          count: allResourcesSelected ? total : selectedResources.length,
        })}
        primaryAction={{
          content: t("customers.bulk.addTag"),
          disabled: tagText.trim() === "",
          onAction: () => submitBulk({ intent: "addTag", tag: tagText.trim() }),
        }}
        secondaryActions={[
          {
            content: t("customers.bulk.cancel"),
            onAction: () => setModal(null),
          },
        ]}
      >
        <Modal.Section>
          <BlockStack gap="200">
            <TextField label={t("customers.filters.tag")} value={tagText} onChange={setTagText} autoComplete="off" />
            <Text as="p" tone="subdued">
              {t("customers.bulk.addTagHelp")}
            </Text>
          </BlockStack>
        </Modal.Section>
      </Modal>
    </Page>
  );
}
