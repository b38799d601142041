// @vitest-environment happy-dom
// The customer panel extension: its pure logic, its two locale files, and the block itself rendered
// with Preact in a DOM, with Shopify's `shopify` global and the extension's fetch stubbed.
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";

import {
  checkNote,
  crmHref,
  customerNumericId,
  isPanelPayload,
  MAX_NOTE_LENGTH,
  type PanelInsights,
  type PanelSuggestionReason,
  type PanelSuggestions,
  type PanelView,
  noteRequest,
  panelUrl,
  saveError,
  toPanelView,
  type FormatDate,
  type PanelPayload,
  type Translate,
} from "../../extensions/customer-panel/src/panel-model";
import enMessages from "../../extensions/customer-panel/locales/en.default.json";
import zhCNMessages from "../../extensions/customer-panel/locales/zh-CN.json";

type Messages = { [key: string]: string | Messages };
const en: Messages = enMessages;
const zhCN: Messages = zhCNMessages;

const flatten = (messages: Messages, prefix = ""): Array<[string, string]> =>
  Object.entries(messages).flatMap(([key, value]) => (typeof value === "string" ? [[`${prefix}${key}`, value] as [string, string]] : flatten(value, `${prefix}${key}.`)));

/** Shopify's translate over a locale file: dotted keys, {{name}} replacements, one/other plurals by `count`; a missing key fails the test. */
function translator(messages: Messages): Translate {
  const flat = new Map(flatten(messages));
  return (key, options = {}) => {
    const plural = options.count === undefined ? undefined : (options.count === 1 && flat.get(`${key}.one`)) || flat.get(`${key}.other`);
    const message = flat.get(key) ?? plural;
    if (message === undefined) throw new Error(`No translation for "${key}"`);
    return message.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(options[name] ?? `{{${name}}}`));
  };
}
const translate = translator(en);
const translateZh = translator(zhCN);
const formatDate: FormatDate = (date, options) => new Intl.DateTimeFormat("en", options).format(date);

const payload: PanelPayload = {
  customer: {
    id: "gid://shopify/Customer/101",
    name: "Ada Lovelace",
    email: "ada@example.com",
    lifetimeValue: "$1,234.56",
    ordersCount: 7,
    lastOrderAt: "2026-11-20T10:00:00.000Z",
    owner: { userId: "777", name: "Olive Owner" },
    adminUrl: null,
  },
  loyalty: { tier: { name: "Gold", color: "#b98900" }, points: 1250, next: { tier: "Platinum", unit: "money", remaining: "$42.00" } },
  pinnedNotes: [{ id: "n1", body: "Allergic to wool", authorName: "Grace Hopper", createdAt: "2026-04-01T12:00:00.000Z" }],
  followUps: [
    { noteId: "n2", body: "Call back about the refund", dueAt: "2020-01-15", overdue: true, assigneeName: "Abe Assignee" },
    { noteId: "n3", body: "Send the spring catalogue", dueAt: "2999-03-01", overdue: false, assigneeName: null },
  ],
  insights: {
    rfmSegment: "atRisk",
    churnPercent: 62,
    expectedNextOrderAt: "2026-12-21T10:00:00.000Z",
    overdue: false,
    predictedValue: "$310.00",
    reason: { code: "regular", everyDays: 31, lastDaysAgo: 20 },
    segments: ["VIP", "Wholesale"],
  },
  suggestions: {
    ready: true,
    items: [
      { title: "House blend beans", due: false, reason: { code: "again", times: 4, ordersAgo: 0 } },
      { title: "Paper filters", due: false, reason: { code: "boughtWith", title: "House blend beans", orders: 23 } },
    ],
  },
  appUrl: "https://crm-app.test/app/customers/101",
};
const insights = payload.insights!;
/** What the server sends before the insights are first computed. */
const notComputed: PanelInsights = { rfmSegment: null, churnPercent: null, expectedNextOrderAt: null, overdue: false, predictedValue: null, reason: null, segments: [] };

describe("panel-model", () => {
  test.each([
    { title: "a customer GID", gid: "gid://shopify/Customer/123", id: "123" },
    { title: "a GID with spaces around", gid: " gid://shopify/Customer/9 ", id: "9" },
    { title: "an order GID", gid: "gid://shopify/Order/123", id: null },
    { title: "a non-numeric id", gid: "gid://shopify/Customer/abc", id: null },
    { title: "nothing", gid: undefined, id: null },
  ])("customerNumericId of $title", ({ gid, id }) => {
    expect(customerNumericId(gid)).toBe(id);
  });

  test("panelUrl is relative (Shopify resolves it against the app URL and adds the token) and carries the locale", () => {
    expect(panelUrl("gid://shopify/Customer/123", "zh-CN")).toBe("api/panel/123?locale=zh-CN");
    expect(panelUrl("gid://shopify/Product/1", "en")).toBeNull();
  });

  test("crmHref opens the app's customer page inside the admin", () => {
    expect(crmHref("https://crm-app.test/app/customers/101")).toBe("app:app/customers/101");
    expect(crmHref("not a url")).toBe("app:");
  });

  test.each([
    { title: "the endpoint's answer", value: payload, ok: true },
    { title: "an error body", value: { error: "Customer not found" }, ok: false },
    { title: "null", value: null, ok: false },
    { title: "an answer without appUrl", value: { ...payload, appUrl: undefined }, ok: false },
    { title: "a lifetime value that is not text (a BigInt leak)", value: { ...payload, customer: { ...payload.customer, lifetimeValue: 123456 } }, ok: false },
    { title: "an answer without insights (a server older than the extension)", value: { ...payload, insights: undefined }, ok: true },
    { title: "insights not computed yet", value: { ...payload, insights: notComputed }, ok: true },
    { title: "insights whose segments are not a list", value: { ...payload, insights: { ...insights, segments: "VIP" } }, ok: false },
    { title: "insights whose reason has no code", value: { ...payload, insights: { ...insights, reason: "regular" } }, ok: false },
    { title: "insights whose predicted value is not text (a BigInt leak)", value: { ...payload, insights: { ...insights, predictedValue: 31000 } }, ok: false },
  ])("isPanelPayload: $title", ({ value, ok }) => {
    expect(isPanelPayload(value)).toBe(ok);
  });

  test("toPanelView turns the answer into the block's strings", () => {
    const view = toPanelView(payload, { translate, formatDate });
    expect(view.collapsedSummary).toBe("Lifetime value $1,234.56");
    expect(view.figures).toEqual([
      { label: "Lifetime value", value: "$1,234.56" },
      { label: "Orders", value: "7" },
      { label: "Last order", value: "Nov 20, 2026" },
    ]);
    expect(view.owner).toEqual({ label: "Owner", value: "Olive Owner" });
    expect(view.loyalty).toEqual({ figures: [{ label: "Tier", value: "Gold" }, { label: "Points", value: "1250" }], next: "Spend $42.00 more to reach Platinum" });
    expect(view.pinnedNotes).toEqual({ title: "Pinned notes", empty: null, notes: [{ id: "n1", body: "Allergic to wool", byline: "Grace Hopper, Apr 1, 2026" }] });
    expect(view.followUps.items).toEqual([
      { id: "n2", body: "Call back about the refund", due: "Due Jan 15, 2020", overdue: true, assignee: "Assigned to Abe Assignee" },
      { id: "n3", body: "Send the spring catalogue", due: "Due Mar 1, 2999", overdue: false, assignee: "Unassigned" },
    ]);
    expect(view.insights).toEqual({
      title: "Segment and predictions",
      pending: null,
      figures: [
        { label: "RFM segment", value: "At risk" },
        { label: "Expected next order", value: "Dec 21, 2026" },
        { label: "Churn risk (no order within a year)", value: "62%" },
        { label: "Predicted value, next 12 months", value: "$310.00" },
      ],
      reason: "Usually orders every 31 days; last order 20 days ago.",
      segments: "Custom segments: VIP, Wholesale",
    });
    expect(view.crmHref).toBe("app:app/customers/101");
  });

  test.each([
    { title: "no points program, no tier yet", loyalty: { tier: null, points: null, next: null }, figures: [{ label: "Tier", value: "No tier" }], next: null },
    { title: "one order missing", loyalty: { tier: { name: "Member", color: "#8c9196" }, points: 0, next: { tier: "Regular", unit: "orders" as const, remaining: "1" } }, figures: [{ label: "Tier", value: "Member" }, { label: "Points", value: "0" }], next: "1 more order to reach Regular" },
    { title: "points missing", loyalty: { tier: { name: "Member", color: "#8c9196" }, points: 20, next: { tier: "Star", unit: "points" as const, remaining: "230" } }, figures: [{ label: "Tier", value: "Member" }, { label: "Points", value: "20" }], next: "230 more points to reach Star" },
  ])("the loyalty figures: $title", ({ loyalty, figures, next }) => {
    expect(toPanelView({ ...payload, loyalty }, { translate, formatDate }).loyalty).toEqual({ figures, next });
  });

  test.each([
    {
      title: "regular",
      insights,
      nextOrder: "Dec 21, 2026",
      reason: "Usually orders every 31 days; last order 20 days ago.",
    },
    {
      title: "overdue: the next order's date says since when",
      insights: { ...insights, overdue: true, expectedNextOrderAt: "2026-11-01T10:00:00.000Z", reason: { code: "overdue" as const, everyDays: 31, lastDaysAgo: 95 } },
      nextOrder: "overdue since Nov 1, 2026",
      reason: "Usually orders every 31 days; last order 95 days ago, so the next one is overdue.",
    },
    {
      title: "lapsed",
      insights: { ...insights, overdue: true, expectedNextOrderAt: "2025-01-01T10:00:00.000Z", reason: { code: "lapsed" as const, everyDays: 14, lastDaysAgo: 400 } },
      nextOrder: "overdue since Jan 1, 2025",
      reason: "Used to order every 14 days; last order 400 days ago, probably lapsed.",
    },
    {
      title: "one order, with similar customers' return",
      insights: { ...insights, reason: { code: "oneTime" as const, similarDays: 45, lastDaysAgo: 10 } },
      nextOrder: "Dec 21, 2026",
      reason: "One order so far, 10 days ago; customers like this usually return after 45 days.",
    },
    {
      title: "one order, too few repeat customers to say",
      insights: { ...insights, expectedNextOrderAt: null, reason: { code: "oneTime" as const, similarDays: null, lastDaysAgo: 10 } },
      nextOrder: "not known yet",
      reason: "One order so far, 10 days ago; too few repeat customers yet to say when they return.",
    },
  ])("the insights' reason and next order: $title", ({ insights, nextOrder, reason }) => {
    const view = toPanelView({ ...payload, insights }, { translate, formatDate }).insights!;
    expect(view.figures.find((figure) => figure.label === "Expected next order")?.value).toBe(nextOrder);
    expect(view.reason).toBe(reason);
    expect(view.pending).toBeNull();
  });

  test.each([
    {
      title: "not computed yet: says when they will be, and no figures",
      insights: notComputed,
      view: { title: "Segment and predictions", pending: "Computed after the first import finishes.", figures: [], reason: null, segments: "In none of the shop's segments." },
    },
    {
      title: "computed for a customer without orders: no figures, the reason says so",
      insights: { ...notComputed, reason: { code: "noOrders" as const }, segments: ["Newsletter"] },
      view: { title: "Segment and predictions", pending: null, figures: [], reason: "No orders yet.", segments: "Custom segments: Newsletter" },
    },
    {
      title: "a segment and a reason newer than the extension: the key, and no reason line rather than a wrong one",
      insights: { ...insights, rfmSegment: "sleepyGiants", reason: { code: "seasonal" } as unknown as PanelInsights["reason"] },
      view: expect.objectContaining({ figures: expect.arrayContaining([{ label: "RFM segment", value: "sleepyGiants" }]), reason: null }),
    },
  ])("the insights: $title", ({ insights, view }) => {
    expect(toPanelView({ ...payload, insights }, { translate, formatDate }).insights).toEqual(view);
  });

  test("an answer from a server older than the extension: no insights section, the rest as ever", () => {
    const view = toPanelView({ ...payload, insights: undefined }, { translate, formatDate });
    expect(view.insights).toBeNull();
    expect(view.figures[0]).toEqual({ label: "Lifetime value", value: "$1,234.56" });
  });

  test("the insights in Simplified Chinese: segment name, reason and the segments list", () => {
    const zhDate: FormatDate = (date, options) => new Intl.DateTimeFormat("zh-CN", options).format(date);
    const view = toPanelView({ ...payload, insights: { ...insights, overdue: true } }, { translate: translateZh, formatDate: zhDate }).insights!;
    expect(view.title).toBe("分群与预测");
    expect(view.figures).toEqual([
      { label: "RFM 分群", value: "有流失风险" },
      { label: "预计下次下单", value: `自 ${zhDate(new Date(insights.expectedNextOrderAt!), { dateStyle: "medium" })} 起逾期` },
      { label: "流失风险（一年内不再下单）", value: "62%" },
      { label: "未来 12 个月预测价值", value: "$310.00" },
    ]);
    expect(view.reason).toBe("通常每 31 天下单一次；上次下单在 20 天前。");
    expect(view.segments).toBe("自定义分群：VIP、Wholesale");
  });

  test.each<{ title: string; suggestions: PanelSuggestions; view: PanelView["suggestions"] }>([
    {
      title: "what is due first, then the likely next products, each with its reason",
      suggestions: {
        ready: true,
        items: [
          { title: "Beans", due: true, reason: { code: "replenish", everyDays: 30, dueAt: "2026-12-04T09:00:00.000Z" } },
          { title: "Gift box", due: true, reason: { code: "anniversary", month: 4, years: 3 } },
          { title: "Mug", due: false, reason: { code: "again", times: 1, ordersAgo: 2 } },
          { title: "Cup", due: false, reason: { code: "again", times: 2, ordersAgo: 1 } },
          { title: "Kettle", due: false, reason: { code: "popular", customers: 1 } },
        ],
      },
      view: {
        title: "Suggested for this customer",
        empty: null,
        items: [
          { title: "Beans", due: true, reason: "Usually reorders every 30 days; due Dec 4, 2026" },
          { title: "Gift box", due: true, reason: "Bought every May (3 years)" },
          { title: "Mug", due: false, reason: "Bought 1 time, 2 orders ago" },
          { title: "Cup", due: false, reason: "Bought 2 times, last 1 order ago" },
          { title: "Kettle", due: false, reason: "Popular: bought by 1 customer" },
        ],
      },
    },
    { title: "before the shop's model is built", suggestions: { ready: false, items: [] }, view: { title: "Suggested for this customer", empty: "Suggestions appear once the shop's orders have been analysed.", items: [] } },
    { title: "nothing to suggest", suggestions: { ready: true, items: [] }, view: { title: "Suggested for this customer", empty: "Nothing to suggest yet.", items: [] } },
    {
      title: "a reason newer than the extension is left out rather than worded wrongly",
      suggestions: { ready: true, items: [{ title: "Mystery", due: false, reason: { code: "someday" } as unknown as PanelSuggestionReason }] },
      view: { title: "Suggested for this customer", empty: "Nothing to suggest yet.", items: [] },
    },
  ])("the suggestions: $title", ({ suggestions, view }) => {
    expect(toPanelView({ ...payload, suggestions }, { translate, formatDate }).suggestions).toEqual(view);
  });

  test("suggestions in Simplified Chinese; an answer without them (an older server) has no section; malformed ones are not a panel", () => {
    expect(toPanelView(payload, { translate: translateZh, formatDate }).suggestions).toEqual({
      title: "为该客户推荐",
      empty: null,
      items: [
        { title: "House blend beans", due: false, reason: "买过 4 次,包括最近一个订单" },
        { title: "Paper filters", due: false, reason: "与 House blend beans 一起购买过 23 单" },
      ],
    });
    expect(toPanelView({ ...payload, suggestions: undefined }, { translate, formatDate }).suggestions).toBeNull();
    expect(isPanelPayload({ ...payload, suggestions: { ready: true, items: [{ title: 3 }] } })).toBe(false);
    expect(isPanelPayload({ ...payload, suggestions: undefined })).toBe(true);
  });

  test("a due date stays on its day in every time zone", () => {
    const inHonolulu: FormatDate = (date, options) => new Intl.DateTimeFormat("en", { timeZone: "Pacific/Honolulu", ...options }).format(date);
    expect(toPanelView(payload, { translate, formatDate: inHonolulu }).followUps.items[0]?.due).toBe("Due Jan 15, 2020");
  });

  test("toPanelView of a new customer: no orders, no owner, empty lists", () => {
    const view = toPanelView({ ...payload, customer: { ...payload.customer, ordersCount: 0, lastOrderAt: null, owner: null }, pinnedNotes: [], followUps: [] }, { translate, formatDate });
    expect(view.figures[2]).toEqual({ label: "Last order", value: "No orders yet" });
    expect(view.owner.value).toBe("No owner");
    expect(view.pinnedNotes.empty).toBe("No pinned notes");
    expect(view.followUps.empty).toBe("No open follow-ups");
  });

  test.each([
    { title: "empty", text: "", result: { ok: false, error: "Write something first" } },
    { title: "only spaces", text: "   \n ", result: { ok: false, error: "Write something first" } },
    { title: "text with spaces around", text: "  Likes green  ", result: { ok: true, body: "Likes green" } },
    { title: "exactly the limit", text: "x".repeat(MAX_NOTE_LENGTH), result: { ok: true, body: "x".repeat(MAX_NOTE_LENGTH) } },
    { title: "over the limit", text: "x".repeat(MAX_NOTE_LENGTH + 1), result: { ok: false, error: `At most ${MAX_NOTE_LENGTH} characters` } },
  ])("checkNote: $title", ({ text, result }) => {
    expect(checkNote(text, translate)).toEqual(result);
  });

  test("noteRequest posts the JSON the endpoint takes; saveError explains a refusal", () => {
    expect(noteRequest("Likes green", true)).toEqual({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ body: "Likes green", pinned: true }) });
    expect(saveError(404, translate)).toBe("This customer is not in the CRM yet. It appears after the next sync.");
    expect(saveError(422, translate)).toBe("The note could not be saved. Try again in a moment.");
  });
});

describe("locale files", () => {
  // Chinese has no singular: a plural message has "other" only where English has "one" and "other".
  const messageKeys = (messages: Messages) => [...new Set(flatten(messages).map(([key]) => key.replace(/\.(one|other)$/, ".other")))].sort();

  test("en and zh-CN have exactly the same keys", () => {
    expect(messageKeys(zhCN)).toEqual(messageKeys(en));
  });

  test("every message is translated and keeps its {{placeholders}}", () => {
    const zh = new Map(flatten(zhCN));
    const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]).sort();
    for (const [key, message] of flatten(en)) {
      const zhKey = key.replace(/\.one$/, ".other");
      expect(zh.get(zhKey), key).toBeTruthy();
      expect(placeholders(zh.get(zhKey)!), key).toEqual(placeholders(message));
    }
    expect([en.locale, zhCN.locale]).toEqual(["en", "zh-CN"]);
  });
});

describe("the block", () => {
  type Answer = { status: number; body: unknown };
  let answers: { get: Answer; post: Answer };
  const fetchMock = vi.fn(async (_url: string, init?: RequestInit) => {
    const { status, body } = init?.method === "POST" ? answers.post : answers.get;
    return { ok: status >= 200 && status < 300, status, json: async () => body } as Response;
  });

  beforeEach(() => {
    answers = { get: { status: 200, body: payload }, post: { status: 201, body: { note: { id: "n9" } } } };
    fetchMock.mockClear();
    vi.stubGlobal("fetch", fetchMock);
    vi.stubGlobal("shopify", {
      data: { selected: [{ id: "gid://shopify/Customer/101" }] },
      extension: { target: "admin.customer-details.block.render" },
      i18n: { translate, formatDate },
    });
  });

  afterEach(() => {
    render(null, document.body);
    vi.unstubAllGlobals();
  });

  async function renderBlock() {
    const { default: extension } = await import("../../extensions/customer-panel/src/BlockExtension");
    await extension();
  }
  const text = () => document.body.textContent ?? "";
  // Preact renders a state change on the next tick, as between a person's keystroke and click.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  const element = <T extends Element = HTMLElement>(selector: string) => {
    const found = document.body.querySelector(selector);
    if (!found) throw new Error(`No ${selector} rendered`);
    return found as unknown as T;
  };
  const button = (label: string) => {
    const found = [...document.body.querySelectorAll("s-button")].find((candidate) => candidate.textContent === label);
    if (!found) throw new Error(`No button "${label}"`);
    return found as HTMLElement;
  };

  test("shows the lifetime value, owner, pinned note and overdue follow-up from the endpoint", async () => {
    await renderBlock();
    await vi.waitFor(() => expect(text()).toContain("$1,234.56"));
    expect(fetchMock).toHaveBeenCalledWith("api/panel/101?locale=en");
    expect(element("s-admin-block").getAttribute("heading")).toBe("Customer CRM");
    expect(text()).toContain("Lifetime value");
    expect(text()).toContain("Olive Owner");
    expect(text()).toContain("Allergic to wool");
    expect(text()).toContain("Grace Hopper, Apr 1, 2026");
    expect(text()).toContain("Call back about the refund");
    const badges = [...document.body.querySelectorAll("s-badge")].map((badge) => badge.textContent);
    expect(badges).toEqual(["Overdue"]); // the catalogue follow-up is not overdue
    expect(element("s-link").getAttribute("href")).toBe("app:app/customers/101");
    expect(element("s-link").textContent).toBe("Open in CRM");
  });

  test("shows the segment and predictions after the loyalty figures: figures, reason and custom segments", async () => {
    await renderBlock();
    await vi.waitFor(() => expect(text()).toContain("Segment and predictions"));
    expect(text()).toContain("At risk");
    expect(text()).toContain("62%");
    expect(text()).toContain("$310.00");
    expect(text()).toContain("Usually orders every 31 days; last order 20 days ago.");
    expect(text()).toContain("Custom segments: VIP, Wholesale");
    // After the tier and points, before the pinned notes.
    expect(text().indexOf("Segment and predictions")).toBeGreaterThan(text().indexOf("Spend $42.00 more to reach Platinum"));
    expect(text().indexOf("Segment and predictions")).toBeLessThan(text().indexOf("Pinned notes"));
  });

  test("shows what to suggest after the segment and predictions: each product with its reason, a badge on what is due", async () => {
    answers.get = { status: 200, body: { ...payload, suggestions: { ready: true, items: [{ title: "Beans", due: true, reason: { code: "replenish", everyDays: 30, dueAt: "2026-12-04T09:00:00.000Z" } }, ...payload.suggestions!.items] } } };
    await renderBlock();
    await vi.waitFor(() => expect(text()).toContain("Suggested for this customer"));
    expect(text()).toContain("Bought with House blend beans in 23 orders");
    expect(text()).toContain("Usually reorders every 30 days");
    expect([...document.body.querySelectorAll("s-badge")].map((badge) => badge.textContent)).toContain("Due");
    expect(text().indexOf("Suggested for this customer")).toBeGreaterThan(text().indexOf("Segment and predictions"));
    expect(text().indexOf("Suggested for this customer")).toBeLessThan(text().indexOf("Pinned notes"));
  });

  test("an answer without insights (an older server) renders the panel without the section", async () => {
    answers.get = { status: 200, body: { ...payload, insights: undefined } };
    await renderBlock();
    await vi.waitFor(() => expect(text()).toContain("$1,234.56"));
    expect(text()).not.toContain("Segment and predictions");
    expect(document.body.querySelector("s-banner")).toBeNull();
  });

  test("submitting a note POSTs its text, then shows it saved and reloads the panel", async () => {
    await renderBlock();
    await vi.waitFor(() => expect(text()).toContain("$1,234.56"));

    const textArea = element<HTMLElement & { value: string }>("s-text-area");
    textArea.value = "  Likes green  ";
    textArea.dispatchEvent(new Event("input"));
    const checkbox = element<HTMLElement & { checked: boolean }>("s-checkbox");
    checkbox.checked = true;
    checkbox.dispatchEvent(new Event("change"));
    await settle();
    button("Save").click();

    await vi.waitFor(() => expect(text()).toContain("Note saved"));
    expect(fetchMock).toHaveBeenCalledWith("api/panel/101?locale=en", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ body: "Likes green", pinned: true }),
    });
    expect(textArea.value).toBe("");
    expect(checkbox.checked).toBe(false);
    // The panel is read again so the new pinned note appears.
    expect(fetchMock.mock.calls.filter(([, init]) => init?.method !== "POST")).toHaveLength(2);
  });

  test("an empty note is not sent: the field shows why", async () => {
    await renderBlock();
    await vi.waitFor(() => expect(text()).toContain("$1,234.56"));
    button("Save").click();
    await vi.waitFor(() => {
      const field = element<HTMLElement & { error?: string }>("s-text-area");
      expect(field.getAttribute("error") ?? field.error).toBe("Write something first");
    });
    expect(fetchMock.mock.calls.some(([, init]) => init?.method === "POST")).toBe(false);
  });

  test("a refused note shows the reason in the field", async () => {
    answers.post = { status: 500, body: null };
    await renderBlock();
    await vi.waitFor(() => expect(text()).toContain("$1,234.56"));
    const textArea = element<HTMLElement & { value: string; error?: string }>("s-text-area");
    textArea.value = "Likes green";
    textArea.dispatchEvent(new Event("input"));
    await settle();
    button("Save").click();
    await vi.waitFor(() => expect(textArea.getAttribute("error") ?? textArea.error).toBe("The note could not be saved. Try again in a moment."));
    expect(text()).not.toContain("Note saved");
  });

  test.each([
    { title: "the customer is not in the CRM (404)", get: { status: 404, body: { error: "Customer not found" } }, message: "This customer is not in the CRM yet." },
    { title: "the app refuses the token (401)", get: { status: 401, body: null }, message: "The CRM could not be reached." },
    { title: "the answer is not a panel", get: { status: 200, body: { unexpected: true } }, message: "The CRM could not be reached." },
  ])("$title: a banner says so, with a retry", async ({ get, message }) => {
    answers.get = get;
    await renderBlock();
    await vi.waitFor(() => expect(element("s-banner").textContent).toContain(message));
    expect(text()).not.toContain("Lifetime value");

    answers.get = { status: 200, body: payload };
    button("Try again").click();
    await vi.waitFor(() => expect(text()).toContain("$1,234.56"));
  });

  test("the network failing: a banner, not a crash", async () => {
    fetchMock.mockRejectedValueOnce(new TypeError("Failed to fetch"));
    await renderBlock();
    await vi.waitFor(() => expect(element("s-banner").textContent).toContain("The CRM could not be reached."));
  });
});
