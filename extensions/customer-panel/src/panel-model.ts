// The customer panel's pure logic: the request URL from the customer's GID, the endpoint's JSON
// turned into the strings the block shows (figures, tier, segment and predictions, notes), and the
// note text checked before it is sent.
// Extensions are bundled on their own and cannot import from app/, hence the copied contract below.

/** The server's limit (app/modules/notes/notes.server.ts MAX_NOTE_LENGTH); a test keeps the two equal. */
export const MAX_NOTE_LENGTH = 5000;

/** Why the prediction says what it says (app/modules/segments/predictions.ts PredictionReason, or no orders). */
export type PanelReason =
  | { code: "regular" | "overdue" | "lapsed"; everyDays: number; lastDaysAgo: number }
  | { code: "oneTime"; similarDays: number | null; lastDaysAgo: number }
  | { code: "noOrders" };

/** The RFM segment and predictions, as on the profile's card. */
export interface PanelInsights {
  /** An RFM segment key (RFM_SEGMENTS); null until computed, or without orders. */
  rfmSegment: string | null;
  /** The prediction's figures: null until computed, or without orders. */
  churnPercent: number | null;
  expectedNextOrderAt: string | null;
  overdue: boolean;
  predictedValue: string | null;
  /** null until the insights are computed (`noOrders` once computed for a customer without orders). */
  reason: PanelReason | null;
  /** The names of the custom segments the customer is in. */
  segments: string[];
}

/** Why a product is suggested (app/modules/recommendations: the model's reasons and the timing ones). */
export type PanelSuggestionReason =
  | { code: "again"; times: number; ordersAgo: number }
  | { code: "boughtWith"; title: string; orders: number }
  | { code: "popular"; customers: number }
  | { code: "replenish"; everyDays: number; dueAt: string }
  | { code: "anniversary"; month: number; years: number };

/** What is due again, then the likely next products, as on the profile's card. */
export interface PanelSuggestions {
  /** false until the shop's recommendation model is built (then `items` holds only what is due). */
  ready: boolean;
  items: Array<{ title: string; due: boolean; reason: PanelSuggestionReason }>;
}

/** What `GET api/panel/<id>` answers (app/modules/customers/customer-panel.server.ts; a test checks the two agree). */
export interface PanelPayload {
  customer: {
    id: string;
    name: string | null;
    email: string | null;
    lifetimeValue: string;
    ordersCount: number;
    lastOrderAt: string | null;
    owner: { userId: string; name: string } | null;
    adminUrl: string | null;
  };
  loyalty: {
    tier: { name: string; color: string } | null;
    /** null when the shop's program gives no points. */
    points: number | null;
    /** What is missing to the next tier: formatted money, or a count of orders or points. */
    next: { tier: string; unit: "money" | "orders" | "points"; remaining: string } | null;
  };
  pinnedNotes: Array<{ id: string; body: string; authorName: string; createdAt: string }>;
  followUps: Array<{ noteId: string; body: string; dueAt: string; overdue: boolean; assigneeName: string | null }>;
  /**
   * Absent from a server older than this extension (the two are deployed apart): the block then
   * leaves the section out rather than claim the insights are not computed.
   */
  insights?: PanelInsights;
  /** Absent from a server older than this extension, like `insights`. */
  suggestions?: PanelSuggestions;
  appUrl: string;
}

/** The segments app/modules/segments/rfm.ts assigns, each with a name in the locale files. */
export const RFM_SEGMENTS = ["champions", "loyal", "potentialLoyalist", "new", "promising", "needAttention", "aboutToSleep", "atRisk", "cantLose", "hibernating", "lost"] as const;

export type Translate = (key: string, options?: Record<string, string | number>) => string;
export type FormatDate = (date: Date, options?: Intl.DateTimeFormatOptions) => string;

const CUSTOMER_GID = /^gid:\/\/shopify\/Customer\/(\d{1,20})$/;

/** `gid://shopify/Customer/42` -> "42"; null for anything that is not a customer GID. */
export function customerNumericId(gid: string | undefined | null): string | null {
  return (gid && CUSTOMER_GID.exec(gid.trim())?.[1]) || null;
}

/**
 * The endpoint for a customer, relative: Shopify resolves a relative fetch() against the app's URL
 * and adds the session token to it.
 */
export function panelUrl(gid: string | undefined | null, locale: string): string | null {
  const id = customerNumericId(gid);
  return id ? `api/panel/${id}?locale=${encodeURIComponent(locale)}` : null;
}

const isNullOr = (value: unknown, type: "string" | "number") => value === null || typeof value === type;

function isPanelInsights(value: unknown): value is PanelInsights {
  if (typeof value !== "object" || value === null) return false;
  const insights = value as Partial<Record<keyof PanelInsights, unknown>>;
  const reason = insights.reason as { code?: unknown } | null | undefined;
  return (
    isNullOr(insights.rfmSegment, "string") &&
    isNullOr(insights.churnPercent, "number") &&
    isNullOr(insights.expectedNextOrderAt, "string") &&
    typeof insights.overdue === "boolean" &&
    isNullOr(insights.predictedValue, "string") &&
    (reason === null || (typeof reason === "object" && typeof reason?.code === "string")) &&
    Array.isArray(insights.segments) &&
    insights.segments.every((name) => typeof name === "string")
  );
}

function isPanelSuggestions(value: unknown): value is PanelSuggestions {
  if (typeof value !== "object" || value === null) return false;
  const suggestions = value as Partial<Record<keyof PanelSuggestions, unknown>>;
  return (
    typeof suggestions.ready === "boolean" &&
    Array.isArray(suggestions.items) &&
    suggestions.items.every((item: unknown) => {
      const entry = item as { title?: unknown; due?: unknown; reason?: { code?: unknown } } | null;
      return typeof entry === "object" && entry !== null && typeof entry.title === "string" && typeof entry.due === "boolean" && typeof entry.reason?.code === "string";
    })
  );
}

/**
 * Enough of a check to render without throwing: an answer of another shape is a failed load. An
 * answer without `insights` (an older server) is still a panel; one with malformed insights is not.
 */
export function isPanelPayload(value: unknown): value is PanelPayload {
  if (typeof value !== "object" || value === null) return false;
  const payload = value as Partial<Record<keyof PanelPayload, unknown>>;
  const customer = payload.customer as Partial<PanelPayload["customer"]> | undefined;
  return (
    typeof customer === "object" &&
    customer !== null &&
    typeof customer.lifetimeValue === "string" &&
    typeof customer.ordersCount === "number" &&
    typeof payload.loyalty === "object" &&
    payload.loyalty !== null &&
    Array.isArray(payload.pinnedNotes) &&
    Array.isArray(payload.followUps) &&
    (payload.insights === undefined || isPanelInsights(payload.insights)) &&
    (payload.suggestions === undefined || isPanelSuggestions(payload.suggestions)) &&
    typeof payload.appUrl === "string"
  );
}

/**
 * The app page of the customer as an `app:` link, which the admin opens inside the embedded app
 * (an absolute app URL would open outside Shopify admin, without a session).
 */
export function crmHref(appUrl: string): string {
  try {
    return `app:${new URL(appUrl).pathname.replace(/^\/+/, "")}`;
  } catch {
    return "app:";
  }
}

export interface PanelView {
  collapsedSummary: string;
  figures: Array<{ label: string; value: string }>;
  owner: { label: string; value: string };
  /** The tier and points figures, and the line saying what is missing to the next tier. */
  loyalty: { figures: Array<{ label: string; value: string }>; next: string | null };
  /**
   * The RFM segment and predictions: `pending` until computed, the figures, the one-line reason and
   * the custom segments line. null when the server sent none (older than the extension).
   */
  insights: { title: string; pending: string | null; figures: Array<{ label: string; value: string }>; reason: string | null; segments: string } | null;
  /** What is due, then the likely next products, each with its reason line; `empty` when there are none. null when the server sent none. */
  suggestions: { title: string; empty: string | null; items: Array<{ title: string; due: boolean; reason: string }> } | null;
  pinnedNotes: { title: string; empty: string | null; notes: Array<{ id: string; body: string; byline: string }> };
  followUps: { title: string; empty: string | null; items: Array<{ id: string; body: string; due: string; overdue: boolean; assignee: string }> };
  crmHref: string;
}

// A due date is a calendar day sent as YYYY-MM-DD: formatted in UTC so no time zone moves it a day.
const dueDate = (day: string, formatDate: FormatDate) => {
  const date = new Date(`${day}T00:00:00.000Z`);
  return Number.isNaN(date.getTime()) ? day : formatDate(date, { timeZone: "UTC", dateStyle: "medium" });
};
const instant = (iso: string, formatDate: FormatDate) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : formatDate(date, { dateStyle: "medium" });
};

/** The prediction's reason as one line ("Usually orders every 31 days; last order 95 days ago."). */
function reasonText(reason: PanelReason, translate: Translate): string | null {
  switch (reason.code) {
    case "noOrders":
      return translate("insights.reason.noOrders");
    case "oneTime":
      return reason.similarDays === null
        ? translate("insights.reason.oneTimeUnknown", { last: reason.lastDaysAgo })
        : translate("insights.reason.oneTime", { last: reason.lastDaysAgo, similar: reason.similarDays });
    case "regular":
    case "overdue":
    case "lapsed":
      return translate(`insights.reason.${reason.code}`, { every: reason.everyDays, last: reason.lastDaysAgo });
    default:
      return null; // a reason newer than this extension: no line rather than a wrong one
  }
}

function insightsView(insights: PanelInsights, translate: Translate, formatDate: FormatDate): NonNullable<PanelView["insights"]> {
  const { rfmSegment, churnPercent, expectedNextOrderAt, predictedValue } = insights;
  const nextOrder = expectedNextOrderAt ? instant(expectedNextOrderAt, formatDate) : null;
  const figures = [
    // A segment newer than this extension shows as its key rather than as nothing.
    ...(rfmSegment === null ? [] : [{ label: translate("insights.rfmSegment"), value: (RFM_SEGMENTS as readonly string[]).includes(rfmSegment) ? translate(`rfm.${rfmSegment}`) : rfmSegment }]),
    ...(churnPercent === null
      ? []
      : [
          { label: translate("insights.nextOrder"), value: nextOrder ? (insights.overdue ? translate("insights.overdueSince", { date: nextOrder }) : nextOrder) : translate("insights.unknown") },
          { label: translate("insights.churnRisk"), value: `${churnPercent}%` },
        ]),
    ...(predictedValue === null ? [] : [{ label: translate("insights.predictedValue"), value: predictedValue }]),
  ];
  return {
    title: translate("insights.title"),
    pending: insights.reason === null ? translate("insights.pending") : null,
    figures,
    reason: insights.reason ? reasonText(insights.reason, translate) : null,
    segments: insights.segments.length ? translate("insights.segments", { names: insights.segments.join(translate("insights.separator")) }) : translate("insights.noSegments"),
  };
}

/** A suggestion's reason as one line ("Bought with Pour-over kettle in 23 orders"); null for a reason newer than this extension. */
function suggestionReasonText(reason: PanelSuggestionReason, translate: Translate, formatDate: FormatDate): string | null {
  switch (reason.code) {
    case "again":
      return reason.ordersAgo === 0 ? translate("suggestions.reason.againLast", { count: reason.times }) : translate("suggestions.reason.again", { count: reason.times, ago: translate("suggestions.reason.ordersAgo", { count: reason.ordersAgo }) });
    case "boughtWith":
      return translate("suggestions.reason.boughtWith", { title: reason.title, count: reason.orders });
    case "popular":
      return translate("suggestions.reason.popular", { count: reason.customers });
    case "replenish":
      return translate("suggestions.reason.replenish", { every: reason.everyDays, date: instant(reason.dueAt, formatDate) });
    case "anniversary":
      return translate("suggestions.reason.anniversary", { month: formatDate(new Date(Date.UTC(2000, reason.month, 15)), { month: "long", timeZone: "UTC" }), count: reason.years });
    default:
      return null;
  }
}

function suggestionsView(suggestions: PanelSuggestions, translate: Translate, formatDate: FormatDate): NonNullable<PanelView["suggestions"]> {
  const items = suggestions.items.flatMap((item) => {
    const reason = suggestionReasonText(item.reason, translate, formatDate);
    return reason === null ? [] : [{ title: item.title, due: item.due, reason }];
  });
  return { title: translate("suggestions.title"), empty: items.length > 0 ? null : translate(suggestions.ready ? "suggestions.none" : "suggestions.pending"), items };
}

/** The endpoint's answer as the block's strings, in the staff member's language. */
export function toPanelView(payload: PanelPayload, { translate, formatDate }: { translate: Translate; formatDate: FormatDate }): PanelView {
  const { customer } = payload;
  return {
    collapsedSummary: translate("collapsedSummary", { value: customer.lifetimeValue }),
    figures: [
      { label: translate("lifetimeValue"), value: customer.lifetimeValue },
      { label: translate("orders"), value: String(customer.ordersCount) },
      { label: translate("lastOrder"), value: customer.lastOrderAt ? instant(customer.lastOrderAt, formatDate) : translate("noOrders") },
    ],
    owner: { label: translate("owner"), value: customer.owner?.name ?? translate("noOwner") },
    loyalty: {
      figures: [
        { label: translate("tier"), value: payload.loyalty.tier?.name ?? translate("noTier") },
        ...(payload.loyalty.points === null ? [] : [{ label: translate("points"), value: String(payload.loyalty.points) }]),
      ],
      next: payload.loyalty.next
        ? payload.loyalty.next.unit === "money"
          ? translate("nextMoney", { amount: payload.loyalty.next.remaining, tier: payload.loyalty.next.tier })
          : translate(payload.loyalty.next.unit === "orders" ? "nextOrders" : "nextPoints", { count: Number(payload.loyalty.next.remaining), tier: payload.loyalty.next.tier })
        : null,
    },
    insights: payload.insights ? insightsView(payload.insights, translate, formatDate) : null,
    suggestions: payload.suggestions ? suggestionsView(payload.suggestions, translate, formatDate) : null,
    pinnedNotes: {
      title: translate("pinnedNotes"),
      empty: payload.pinnedNotes.length ? null : translate("noPinnedNotes"),
      notes: payload.pinnedNotes.map((note) => ({ id: note.id, body: note.body, byline: translate("noteByline", { author: note.authorName, date: instant(note.createdAt, formatDate) }) })),
    },
    followUps: {
      title: translate("followUps"),
      empty: payload.followUps.length ? null : translate("noFollowUps"),
      items: payload.followUps.map((followUp) => ({
        id: followUp.noteId,
        body: followUp.body,
        due: translate("due", { date: dueDate(followUp.dueAt, formatDate) }),
        overdue: followUp.overdue,
        assignee: followUp.assigneeName ? translate("assignedTo", { name: followUp.assigneeName }) : translate("unassigned"),
      })),
    },
    crmHref: crmHref(payload.appUrl),
  };
}

export type NoteCheck = { ok: true; body: string } | { ok: false; error: string };

/** The server's rules (trimmed, not empty, at most MAX_NOTE_LENGTH), checked before a round trip. */
export function checkNote(text: string, translate: Translate): NoteCheck {
  const body = text.trim();
  if (!body) return { ok: false, error: translate("errors.noteEmpty") };
  if (body.length > MAX_NOTE_LENGTH) return { ok: false, error: translate("errors.noteTooLong", { max: MAX_NOTE_LENGTH }) };
  return { ok: true, body };
}

/** The request that saves a note. */
export function noteRequest(body: string, pinned: boolean): RequestInit {
  return { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ body, pinned }) };
}

/** Why a note was not saved, in the staff member's language (the server's messages are English). */
export function saveError(status: number, translate: Translate): string {
  return translate(status === 404 ? "errors.notFound" : "errors.saveFailed");
}
