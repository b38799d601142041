// The push jobs' loop (loyalty, segments): the shop's Admin client, then rounds of pushing until
// a round moves nothing.
import type { AdminGraphql } from "../shopify/admin-graphql.server";

/** Calls `pushRound` until it pushes and skips nothing; returns how much was pushed in all. */
export async function pushUntilIdle(shop: string, admin: AdminGraphql | undefined, pushRound: (admin: AdminGraphql) => Promise<{ pushed: number; skipped: number }>): Promise<number> {
  const { adminForShop } = await import("../sync/import-job.server");
  const client = admin ?? (await adminForShop(shop));
  let total = 0;
  for (;;) {
    const round = await pushRound(client);
    total += round.pushed;
    if (round.pushed + round.skipped === 0) return total;
  }
}
