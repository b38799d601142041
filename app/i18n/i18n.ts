// The one i18n mechanism: i18next with the app's own texts (en, zh-CN) bundled, plus Polaris' translations.
import i18next, { type i18n } from "i18next";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisZhCn from "@shopify/polaris/locales/zh-CN.json";

import en from "./locales/en.json";
import zhCN from "./locales/zh-CN.json";

export const SUPPORTED_LOCALES = ["en", "zh-CN"] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

export const resources = { en: { translation: en }, "zh-CN": { translation: zhCN } } as const;
export const polarisTranslations = { en: polarisEn, "zh-CN": polarisZhCn } as const;

/** Maps what Shopify or the browser sends ("zh-CN", "zh", "zh-Hans-CN", "en-US") to a supported locale. */
export function matchLocale(candidate: string | null | undefined): Locale | undefined {
  if (!candidate) return undefined;
  const tag = candidate.trim().toLowerCase();
  if (tag.startsWith("zh")) return tag.includes("tw") || tag.includes("hk") || tag.includes("hant") ? undefined : "zh-CN";
  if (tag.startsWith("en")) return "en";
  return undefined;
}

/** Shopify admin passes ?locale= to embedded apps; otherwise use the browser's preference. */
export function resolveLocale(request: Request): Locale {
  const url = new URL(request.url);
  const fromQuery = matchLocale(url.searchParams.get("locale"));
  if (fromQuery) return fromQuery;
  const cookie = /(?:^|;\s*)crm_locale=([^;]+)/.exec(request.headers.get("Cookie") ?? "")?.[1];
  const fromCookie = matchLocale(cookie && decodeURIComponent(cookie));
  if (fromCookie) return fromCookie;
  for (const part of (request.headers.get("Accept-Language") ?? "").split(",")) {
    const match = matchLocale(part.split(";")[0]);
    if (match) return match;
  }
  return DEFAULT_LOCALE;
}

export function localeCookie(locale: Locale): string {
  return `crm_locale=${encodeURIComponent(locale)}; Path=/; Max-Age=31536000; SameSite=None; Secure`;
}

export function createI18n(locale: Locale): i18n {
  const instance = i18next.createInstance();
  // Resources are bundled, so initialisation is synchronous on server and client alike.
  void instance.init({
    lng: locale,
    fallbackLng: DEFAULT_LOCALE,
    resources,
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  });
  return instance;
}
