// The customer panel's pure logic: the request URL from the customer's GID, the endpoint's JSON
// turned into the strings the block shows, and the note text checked before it is sent.
// Extensions are bundled on their own and cannot import from app/, hence the copied contract below.

/** The server's limit (app/modules/notes/notes.server.ts MAX_NOTE_LENGTH); a test keeps the two equal. */
export const MAX_NOTE_LENGTH = 5000;

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
  appUrl: string;
}

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

/** Enough of a check to render without throwing: an answer of another shape is a failed load. */
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
