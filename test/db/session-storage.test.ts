// Shopify's own PrismaSessionStorage against our Session model, on the database TEST_DB selects.
import { Session } from "@shopify/shopify-api";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { beforeEach, describe, expect, test } from "vitest";

import { getTestDatabase } from "../support/db";

const database = await getTestDatabase();
const storage = new PrismaSessionStorage(database.prisma, { connectionRetries: 1, connectionRetryIntervalMs: 10 });

beforeEach(() => database.reset());

const shop = "session-shop.myshopify.com";

describe(`PrismaSessionStorage (${database.provider})`, () => {
  test("the table is found", async () => {
    expect(await storage.isReady()).toBe(true);
  });

  test("an offline session with an expiring token is stored, loaded and deleted", async () => {
    const session = new Session({ id: `offline_${shop}`, shop, state: "state-1", isOnline: false, scope: "read_customers,read_orders", accessToken: "shpat_1" });
    session.expires = new Date("2027-01-01T00:00:00.000Z");
    session.refreshToken = "refresh-1";
    session.refreshTokenExpires = new Date("2027-06-01T00:00:00.000Z");

    expect(await storage.storeSession(session)).toBe(true);
    const loaded = await storage.loadSession(session.id);
    expect(loaded).toBeDefined();
    expect(loaded!.toObject()).toMatchObject({ id: session.id, shop, isOnline: false, scope: "read_customers,read_orders", accessToken: "shpat_1" });
    expect(loaded!.expires?.toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(loaded!.refreshToken).toBe("refresh-1");

    session.accessToken = "shpat_2";
    await storage.storeSession(session); // upsert, not a second row
    expect((await storage.loadSession(session.id))!.accessToken).toBe("shpat_2");
    expect(await database.prisma.session.count()).toBe(1);

    expect(await storage.deleteSession(session.id)).toBe(true);
    expect(await storage.loadSession(session.id)).toBeUndefined();
    expect(await storage.deleteSession(session.id)).toBe(true); // deleting twice is fine
  });

  test("an online session keeps its user, whose id exceeds 2^32", async () => {
    const userId = 2 ** 40 + 3;
    const session = new Session({
      id: `${shop}_${userId}`,
      shop,
      state: "state-2",
      isOnline: true,
      scope: "read_customers",
      accessToken: "shpua_1",
      expires: new Date(Date.now() + 3600_000),
      onlineAccessInfo: {
        expires_in: 3600,
        associated_user_scope: "read_customers",
        associated_user: { id: userId, first_name: "Ada", last_name: "Lovelace", email: "ada@example.com", email_verified: true, account_owner: true, locale: "en", collaborator: false },
      },
    });
    await storage.storeSession(session);
    const loaded = await storage.loadSession(session.id);
    expect(loaded!.onlineAccessInfo?.associated_user).toMatchObject({ id: userId, first_name: "Ada", email: "ada@example.com", account_owner: true, email_verified: true });
    const row = await database.prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.userId).toBe(BigInt(userId));
  });

  test("sessions are found and deleted by shop", async () => {
    for (const id of ["a", "b"]) await storage.storeSession(new Session({ id, shop, state: "s", isOnline: false, accessToken: `t-${id}` }));
    await storage.storeSession(new Session({ id: "c", shop: "other.myshopify.com", state: "s", isOnline: false, accessToken: "t-c" }));
    expect((await storage.findSessionsByShop(shop)).map((session) => session.id).sort()).toEqual(["a", "b"]);
    await storage.deleteSessions(["a", "b"]);
    expect(await storage.findSessionsByShop(shop)).toEqual([]);
    expect(await storage.loadSession("c")).toBeDefined();
  });
});
