// A suggestion's reason as staff read it ("Bought with Pour-over kettle in 23 orders"), in their
// language: a plain function of i18next's `t`, so the texts are tested without React.
import type { TFunction } from "i18next";

import type { SuggestionReasonView } from "./suggestion-view.server";

export function suggestionReasonText(t: TFunction, reason: SuggestionReasonView): string {
  switch (reason.code) {
    case "again":
      // Two numbers, each with its own plural: how many times, and how many orders ago.
      return reason.ordersAgo === 0 ? t("suggestions.reason.againLast", { count: reason.times }) : t("suggestions.reason.again", { count: reason.times, ago: t("suggestions.reason.ordersAgo", { count: reason.ordersAgo }) });
    case "boughtWith":
      return t("suggestions.reason.boughtWith", { title: reason.title, count: reason.orders });
    case "popular":
      return t("suggestions.reason.popular", { count: reason.customers });
    case "replenish":
      return t(reason.overdue ? "suggestions.reason.replenishOverdue" : "suggestions.reason.replenish", { every: reason.everyDays, date: reason.dueOn });
    case "anniversary":
      return t("suggestions.reason.anniversary", { month: reason.month, count: reason.years });
  }
}
