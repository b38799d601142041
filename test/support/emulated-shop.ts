// An emulated store and an Admin client for it that talks HTTP exactly as the app's client does
// (token header, the shop's host), for tests of code that takes an AdminGraphql.
import { createEmulator, type Emulator, type EmulatorOptions, type ShopSeed } from "../../dev/emulator/index";
import type { AdminGraphql } from "~/modules/shopify/admin-graphql.server";

/** An Admin client for `shop` on the emulator, with an offline token the emulator issued. */
export function emulatorAdmin(emulator: Emulator, shop: string): AdminGraphql {
  const token = emulator.issueAccessToken(shop);
  return {
    graphql: (query, options) =>
      fetch(`${emulator.url}/admin/api/2026-07/graphql.json`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Forwarded-Host": shop, "X-Shopify-Access-Token": token },
        body: JSON.stringify({ query, variables: options?.variables ?? {} }),
      }),
  };
}

/** An emulator seeded with `shops` that sends no webhooks by itself. */
export function startEmulatedShops(shops: ShopSeed[], options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  return createEmulator({ apiKey: "key", apiSecret: "secret", shops, autoWebhooks: false, ...options });
}
