// The one place that builds shopifyApp(): auth, session storage, webhooks, API version.
import "@shopify/shopify-app-remix/adapters/node";
import { ApiVersion, AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

import { prisma } from "./db.server";
import { getEnv } from "./env.server";
import { redirectAdminApiFetch } from "./modules/shopify/admin-api-origin.server";
import { recordInstall } from "./modules/shops/shops.server";

const env = getEnv();

// The app targets 2026-07; decision 004 lists why every field it uses exists there.
export const API_VERSION = ApiVersion.July26;

if (env.SHOPIFY_ADMIN_API_URL) {
  // Demo and tests: send Admin API calls to the local emulator instead of https://{shop}.
  setAbstractFetchFunc(redirectAdminApiFetch(env.SHOPIFY_ADMIN_API_URL, globalThis.fetch));
}

const shopify = shopifyApp({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecretKey: env.SHOPIFY_API_SECRET,
  apiVersion: API_VERSION,
  scopes: env.SCOPES,
  appUrl: env.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(prisma),
  distribution: AppDistribution.AppStore,
  // Each staff member's own token, with who they are (associated_user): notes, owners and the audit
  // log name the person (decision 009). Background work uses the shop's offline token.
  useOnlineTokens: true,
  future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
  hooks: {
    afterAuth: async ({ session, admin }) => {
      await recordInstall({ shop: session.shop, admin });
    },
  },
  ...(env.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [env.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const registerWebhooks = shopify.registerWebhooks;
export const sessionStorage = shopify.sessionStorage;
