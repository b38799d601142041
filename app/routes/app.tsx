import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { data, Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { useMemo } from "react";
import { I18nextProvider } from "react-i18next";

import { getEnv } from "~/env.server";
import { createI18n, localeCookie, matchLocale, polarisTranslations, resolveLocale, type Locale } from "~/i18n/i18n";
import { actorFromSession } from "~/modules/staff/staff.server";
import { authenticate } from "~/shopify.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  // Every staff member who opens the app becomes one the app can name (owners, notes, audit).
  await actorFromSession(session);
  const locale = resolveLocale(request);
  const fromShopify = matchLocale(new URL(request.url).searchParams.get("locale"));
  // Shopify only passes ?locale= on the first load; remember it for later requests.
  const headers = fromShopify ? { "Set-Cookie": localeCookie(fromShopify) } : undefined;
  const env = getEnv();
  return data(
    {
      apiKey: env.SHOPIFY_API_KEY,
      appBridgeUrl: env.APP_BRIDGE_URL ?? null,
      locale,
    },
    { headers }
  );
};

export default function App() {
  const { apiKey, appBridgeUrl, locale } = useLoaderData<typeof loader>();
  const i18n = useMemo(() => createI18n(locale as Locale), [locale]);
  return (
    <>
      {/* Outside Shopify (the demo), App Bridge comes from the emulator; AppProvider's CDN copy then fails harmlessly. */}
      {appBridgeUrl && <script src={appBridgeUrl} data-api-key={apiKey} />}
      <AppProvider isEmbeddedApp apiKey={apiKey} i18n={polarisTranslations[locale as Locale]}>
        <I18nextProvider i18n={i18n}>
          <NavMenu>
            <Link to="/app" rel="home">
              {i18n.t("app.nav.home")}
            </Link>
            <Link to="/app/customers">{i18n.t("app.nav.customers")}</Link>
            <Link to="/app/loyalty">{i18n.t("app.nav.loyalty")}</Link>
            <Link to="/app/segments">{i18n.t("app.nav.segments")}</Link>
            <Link to="/app/analytics">{i18n.t("app.nav.analytics")}</Link>
            <Link to="/app/follow-ups">{i18n.t("app.nav.followUps")}</Link>
            <Link to="/app/handover">{i18n.t("app.nav.handover")}</Link>
            <Link to="/app/audit">{i18n.t("app.nav.audit")}</Link>
            <Link to="/app/privacy">{i18n.t("app.nav.privacy")}</Link>
          </NavMenu>
          <Outlet />
        </I18nextProvider>
      </AppProvider>
    </>
  );
}

// Shopify needs Remix to catch some thrown responses, so that their headers are included in the response.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
