// The customer panel on Shopify's own customer page (admin UI extension, decision 009): one
// customer's figures, owner, RFM segment and predictions, latest pinned notes and open follow-ups,
// as plain JSON - money already formatted (a BigInt never reaches JSON), dates as ISO text.
import { prisma, type CustomerInsightModel, type PrismaClient } from "../../db.server";
import { formatMoney } from "../money/money";
import { createNote, isOverdue, listNotes, NoteError, type NoteInput } from "../notes/notes.server";
import { memberCard } from "../loyalty/loyalty.server";
import { basisUnit } from "../loyalty/tier-rules";
import type { InsightReason } from "../segments/insights.server";
import { customerSuggestions, type CustomerSuggestions } from "../recommendations/recommendations.server";
import { segmentsOfCustomer } from "../segments/segments.server";
import { listStaff, type Actor } from "../staff/staff.server";

export const PANEL_PINNED_NOTES = 3;
/** Products the panel suggests (what is due first): the profile card shows more. */
export const PANEL_SUGGESTIONS = 3;

/**
 * The profile's "Suggested for this customer" (recommendations/suggestion-view.server.ts) for the
 * panel: what is due again, then the likely next products, each with its reason as data the
 * extension words in the staff member's language. `ready` is false until the shop's model is built.
 */
function panelSuggestions(result: CustomerSuggestions) {
  const due = result.due.map((item) => ({ title: item.product.title, due: true, reason: item.reason.code === "replenish" ? { code: "replenish" as const, everyDays: item.reason.everyDays, dueAt: item.reason.dueAt } : { code: "anniversary" as const, month: item.reason.month, years: item.reason.years.length } }));
  const next = result.suggestions
    .filter((suggestion) => !result.due.some((item) => item.product.id === suggestion.product.id))
    .map((suggestion) => {
      const reason = suggestion.reason;
      return { title: suggestion.product.title, due: false, reason: reason.code === "boughtWith" ? { code: "boughtWith" as const, title: reason.title, orders: reason.orders } : reason };
    });
  return { ready: result.builtAt !== null, items: [...due, ...next].slice(0, PANEL_SUGGESTIONS) };
}

/** The customer of `shop` unless it is unknown or deleted in Shopify. */
async function liveCustomer(db: PrismaClient, shop: string, customerId: string) {
  const customer = await db.customer.findUnique({
    where: { shop_shopifyId: { shop, shopifyId: customerId } },
  });
  return customer && customer.deletedAt === null ? customer : null;
}

/** The stored reason, or null if it is not JSON: one bad row must not take the whole panel down. */
function readReason(text: string): InsightReason | null {
  try {
    const reason: unknown = JSON.parse(text);
    return typeof reason === "object" && reason !== null && typeof (reason as { code?: unknown }).code === "string" ? (reason as InsightReason) : null;
  } catch {
    return null;
  }
}

/**
 * The profile card's segment and predictions (segments/insight-view.server.ts) for the panel: every
 * insight field null until the insights are computed (then `reason` is null too), the prediction's
 * figures null for a customer without orders (then `reason` is `noOrders`). Custom segments are
 * listed whenever the customer is in one.
 */
function panelInsights({ insight, segments, money, now }: { insight: CustomerInsightModel | null; segments: Array<{ name: string }>; money: (minor: bigint) => string; now: Date }) {
  const computed = insight?.computedAt != null ? insight : null;
  const predicted = computed && computed.orders > 0 ? computed : null;
  const nextOrderAt = predicted?.expectedNextOrderAt ?? null;
  return {
    rfmSegment: computed?.rfmSegment ?? null,
    // Stored per mille, shown as a whole percentage as on the card.
    churnPercent: predicted ? Math.round(predicted.churnRisk / 10) : null,
    expectedNextOrderAt: nextOrderAt?.toISOString() ?? null,
    overdue: nextOrderAt !== null && nextOrderAt.getTime() < now.getTime(),
    predictedValue: predicted ? money(predicted.predictedValueMinor) : null,
    reason: computed ? readReason(computed.reason) : null,
    segments: segments.map((segment) => segment.name),
  };
}

/** The panel of a live customer of `shop`, or null when the shop has no such customer. */
export async function getCustomerPanel({
  shop,
  customerId,
  locale,
  db = prisma,
  now = new Date(),
}: {
  shop: string;
  customerId: string;
  locale: string;
  db?: PrismaClient;
  now?: Date;
}) {
  const customer = await liveCustomer(db, shop, customerId);
  if (!customer) return null;
  const [notes, staff, loyalty, insight, segments, shopRecord, suggestions] = await Promise.all([
    listNotes({ shop, customerId, db }),
    listStaff({ shop, db }),
    memberCard({ shop, customerId, db, ledgerTake: 0 }),
    db.customerInsight.findUnique({ where: { shop_customerId: { shop, customerId } } }),
    segmentsOfCustomer({ shop, customerId, db }),
    db.shop.findUnique({ where: { shop }, select: { currencyCode: true } }),
    customerSuggestions(db, { shop, customerId, limit: PANEL_SUGGESTIONS, now }),
  ]);
  const unit = basisUnit(loyalty.program.basis);
  const nameOf = new Map(staff.map((member) => [member.userId, member.name]));
  const staffName = (userId: string) => nameOf.get(userId) ?? `Staff ${userId}`;

  const followUps = notes
    .filter((note) => note.followUpAt !== null && note.followUpDoneAt === null)
    .sort((a, b) => a.followUpAt!.getTime() - b.followUpAt!.getTime() || a.id.localeCompare(b.id));
  return {
    customer: {
      id: customer.shopifyId,
      name: customer.displayName || [customer.firstName, customer.lastName].filter(Boolean).join(" ") || customer.email || null,
      email: customer.email,
      lifetimeValue: formatMoney(customer.amountSpentMinor, customer.currencyCode, locale),
      ordersCount: customer.numberOfOrders,
      lastOrderAt: customer.lastOrderAt?.toISOString() ?? null,
      owner: customer.ownerId ? { userId: customer.ownerId, name: staffName(customer.ownerId) } : null,
      adminUrl: null,
    },
    // Tier and points (decision 010); what is missing to the next tier comes formatted (money) or as a count.
    loyalty: {
      tier: loyalty.tier && loyalty.evaluated ? { name: loyalty.tier.name, color: loyalty.tier.color } : null,
      points: loyalty.program.points.enabled ? (loyalty.member?.pointsBalance ?? 0) : null,
      next: loyalty.evaluated && loyalty.progress.next ? { tier: loyalty.progress.next.name, unit, remaining: unit === "money" ? formatMoney(loyalty.progress.remaining, customer.currencyCode, locale) : loyalty.progress.remaining.toString() } : null,
    },
    // Predicted value is in the shop's currency, as on the profile card (orders are summed in shop money).
    insights: panelInsights({ insight, segments, money: (minor) => formatMoney(minor, shopRecord?.currencyCode ?? customer.currencyCode, locale), now }),
    suggestions: panelSuggestions(suggestions),
    // listNotes puts pinned notes first, newest first.
    pinnedNotes: notes
      .filter((note) => note.pinned)
      .slice(0, PANEL_PINNED_NOTES)
      .map((note) => ({
        id: note.id,
        body: note.body,
        authorName: note.authorName,
        createdAt: note.createdAt.toISOString(),
      })),
    followUps: followUps.map((note) => ({
      noteId: note.id,
      body: note.body,
      // A due date is a calendar day (stored as midnight UTC): sent as YYYY-MM-DD so no time zone moves it.
      dueAt: note.followUpAt!.toISOString().slice(0, 10),
      overdue: isOverdue(note, now),
      assigneeName: note.followUpAssigneeId ? staffName(note.followUpAssigneeId) : null,
    })),
  };
}

export type CustomerPanel = NonNullable<Awaited<ReturnType<typeof getCustomerPanel>>>;
/** What the endpoint answers: the panel plus the link to the customer's page in the app. */
export type CustomerPanelResponse = CustomerPanel & { appUrl: string };

/** The panel's quick "add note": a note by the acting staff member on a live customer of their shop. */
export async function addPanelNote({ actor, customerId, input, db = prisma }: { actor: Actor; customerId: string; input: unknown; db?: PrismaClient }) {
  if (!(await liveCustomer(db, actor.shop, customerId))) throw new NoteError("Customer not found", 404);
  const fields = typeof input === "object" && input !== null ? (input as Record<string, unknown>) : {};
  // Only the panel's two fields; createNote validates their types and text.
  const note = await createNote({
    actor,
    customerId,
    input: { body: fields.body, pinned: fields.pinned } as NoteInput,
    db,
  });
  return {
    id: note.id,
    body: note.body,
    pinned: note.pinned,
    authorId: note.authorId,
    authorName: note.authorName,
    createdAt: note.createdAt.toISOString(),
  };
}
