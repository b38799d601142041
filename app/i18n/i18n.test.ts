import { describe, expect, test } from "vitest";

import { suggestionReasonText } from "~/modules/recommendations/suggestion-reason";

import { createI18n, matchLocale, resolveLocale, resources } from "./i18n";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keys(child, prefix ? `${prefix}.${key}` : key));
}
// i18next plural suffixes differ by language (Chinese has only "other").
const base = (key: string) => key.replace(/_(one|other|few|many|two|zero)$/, "");

describe("i18n", () => {
  test("English and Simplified Chinese have the same texts", () => {
    const en = new Set(keys(resources.en.translation).map(base));
    const zh = new Set(keys(resources["zh-CN"].translation).map(base));
    expect([...en].filter((key) => !zh.has(key))).toEqual([]);
    expect([...zh].filter((key) => !en.has(key))).toEqual([]);
  });

  test.each([
    { title: "Shopify's zh-CN", input: "zh-CN", locale: "zh-CN" },
    { title: "bare zh", input: "zh", locale: "zh-CN" },
    { title: "script subtag", input: "zh-Hans-CN", locale: "zh-CN" },
    { title: "traditional is not simplified", input: "zh-TW", locale: undefined },
    { title: "regional English", input: "en-GB", locale: "en" },
    { title: "unsupported", input: "fr", locale: undefined },
  ])("$title: $input -> $locale", ({ input, locale }) => {
    expect(matchLocale(input)).toBe(locale);
  });

  test("Shopify's ?locale= wins over the cookie and the browser", () => {
    const request = new Request("https://app.test/app?locale=zh-CN", { headers: { Cookie: "crm_locale=en", "Accept-Language": "en-US" } });
    expect(resolveLocale(request)).toBe("zh-CN");
    expect(resolveLocale(new Request("https://app.test/app", { headers: { Cookie: "crm_locale=zh-CN" } }))).toBe("zh-CN");
    expect(resolveLocale(new Request("https://app.test/app", { headers: { "Accept-Language": "fr, zh;q=0.8" } }))).toBe("zh-CN");
    expect(resolveLocale(new Request("https://app.test/app"))).toBe("en");
  });

  test("texts interpolate and pluralise in both languages", () => {
    expect(createI18n("en").t("home.topCustomers.orders", { count: 1 })).toBe("1 order");
    expect(createI18n("en").t("home.topCustomers.orders", { count: 3 })).toBe("3 orders");
    expect(createI18n("zh-CN").t("home.topCustomers.orders", { count: 3 })).toBe("3 笔订单");
    expect(createI18n("zh-CN").t("home.title")).toBe("客户档案");
  });

  test("a suggestion's reason pluralises both its numbers (\"1 order ago\", not \"1 orders ago\")", () => {
    const en = createI18n("en").t;
    expect(suggestionReasonText(en, { code: "again", times: 1, ordersAgo: 1 })).toBe("Bought once before, 1 order ago");
    expect(suggestionReasonText(en, { code: "again", times: 3, ordersAgo: 2 })).toBe("Bought 3 times, last 2 orders ago");
    expect(suggestionReasonText(en, { code: "again", times: 2, ordersAgo: 0 })).toBe("Bought 2 times, including their latest order");
    expect(suggestionReasonText(createI18n("zh-CN").t, { code: "again", times: 3, ordersAgo: 2 })).toBe("买过 3 次,最近一次在 2 个订单之前");
  });
});
