// What the home page says about the archive's freshness: the last day's webhooks by outcome,
// flagging rejected payloads and a stalled worker, and what reconciliation repaired.
import { beforeEach, describe, expect, test } from "vitest";

import { getSyncHealth } from "~/modules/shops/sync-health.server";
import { getTestDatabase } from "../support/db";

const { prisma, reset } = await getTestDatabase();
const SHOP = "health-shop.myshopify.com";
const NOW = new Date("2026-11-22T12:00:00Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);

describe("getSyncHealth", () => {
  beforeEach(() => reset());

  let n = 0;
  const event = (status: string, receivedAt: Date, shop = SHOP) =>
    prisma.webhookEvent.create({ data: { shop, topic: "ORDERS_CREATE", webhookId: `w${++n}`, eventId: `e${n}`, apiVersion: "2026-07", payload: "{}", status, receivedAt } });

  test("counts the last day's events by outcome, for this shop only", async () => {
    await event("processed", ago(60_000));
    await event("stale", ago(60_000));
    await event("received", ago(10_000));
    await event("processed", ago(2 * 24 * 3600_000)); // older than a day
    await event("invalid", ago(60_000), "other-shop.myshopify.com");
    const health = await getSyncHealth({ shop: SHOP, db: prisma, now: NOW });
    expect(health.webhooks).toEqual({ applied: 2, waiting: 1, rejected: 0 });
    expect(health.health).toBe("healthy");
  });

  test("a rejected payload is flagged", async () => {
    await event("invalid", ago(60_000));
    expect((await getSyncHealth({ shop: SHOP, db: prisma, now: NOW })).health).toBe("rejected");
  });

  test("an event waiting more than 5 minutes means live updates are behind", async () => {
    await event("received", ago(6 * 60_000));
    expect((await getSyncHealth({ shop: SHOP, db: prisma, now: NOW })).health).toBe("behind");
  });

  test("reports what the last completed reconciliation repaired", async () => {
    await prisma.syncRun.create({ data: { shop: SHOP, kind: "reconcile", status: "completed", repaired: 3, startedAt: ago(120_000), finishedAt: ago(60_000) } });
    await prisma.syncRun.create({ data: { shop: SHOP, kind: "reconcile", status: "failed", repaired: 0, startedAt: ago(30_000) } });
    expect((await getSyncHealth({ shop: SHOP, db: prisma, now: NOW })).lastReconcile).toEqual({ finishedAt: ago(60_000), repaired: 3 });
  });
});
