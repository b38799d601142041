// The "Suggested for this customer" card of a profile (and the admin panel): what the customer is
// likely to buy next with the reason for each, and what is due again now - formatted in the staff
// member's language and the shop's time zone.
import type { AdminContext } from "../../admin-context.server";
import { prisma } from "../../db.server";
import { numericId, shopifyAdminUrl } from "../shopify/gid";
import { customerSuggestions, type DueItem, type ProductCard, type ProductSuggestion } from "./recommendations.server";

type Formatters = Pick<AdminContext, "shop" | "date" | "locale">;

export type SuggestionReasonView =
  | { code: "again"; times: number; ordersAgo: number }
  | { code: "boughtWith"; title: string; orders: number }
  | { code: "popular"; customers: number }
  | { code: "replenish"; everyDays: number; dueOn: string; overdue: boolean }
  | { code: "anniversary"; month: string; years: number };

const product = (card: ProductCard) => ({ id: numericId(card.id), title: card.title, imageUrl: card.imageUrl, adminUrl: shopifyAdminUrl(card.id) });

function suggestionReason(suggestion: ProductSuggestion): SuggestionReasonView {
  const reason = suggestion.reason;
  if (reason.code === "boughtWith") return { code: "boughtWith", title: reason.title, orders: reason.orders };
  return reason;
}

function dueReason(item: DueItem, context: Formatters, now: Date): SuggestionReasonView {
  const reason = item.reason;
  if (reason.code === "replenish") return { code: "replenish", everyDays: reason.everyDays, dueOn: context.date(new Date(reason.dueAt)) ?? "", overdue: new Date(reason.dueAt).getTime() < now.getTime() };
  const month = new Intl.DateTimeFormat(context.locale, { month: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2000, reason.month, 15)));
  return { code: "anniversary", month, years: reason.years.length };
}

export async function suggestionCardView(context: Formatters, customerId: string, { db = prisma, now = new Date(), limit = 5 } = {}) {
  const result = await customerSuggestions(db, { shop: context.shop, customerId, limit, now });
  return {
    ready: result.builtAt !== null,
    builtAt: result.builtAt ? context.date(result.builtAt) : null,
    suggestions: result.suggestions.map((suggestion) => ({ product: product(suggestion.product), reason: suggestionReason(suggestion) })),
    due: result.due.map((item) => ({ product: product(item.product), reason: dueReason(item, context, now) })),
  };
}

export type SuggestionCardView = Awaited<ReturnType<typeof suggestionCardView>>;
