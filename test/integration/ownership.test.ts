// Staff, customer ownership and handover (decision 009): owners change only within the actor's
// shop and are audited, a handover moves exactly one person's customers, and its briefing lists them.
import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { beforeEach, describe, expect, test } from "vitest";

import type { Actor } from "~/modules/staff/staff.server";

import { bootApp, createStaffSession } from "../support/app";
import { createCustomer, createShop, createStaff } from "../support/factories";

const { prisma, database } = await bootApp();
const { actorFromSession, assignOwner, getHandoverBriefing, handOver, listStaff, OwnershipError } = await import("~/modules/staff/staff.server");
const { createNote, completeFollowUp, deleteNote } = await import("~/modules/notes/notes.server");
const { sessionStorage } = await import("~/shopify.server");

const SHOP_A = "owners-a.myshopify.com";
const SHOP_B = "owners-b.myshopify.com";
const gid = (id: number) => `gid://shopify/Customer/${id}`;

const ava: Actor = { shop: SHOP_A, userId: "101", name: "Ava Admin" };
const AVA = "101";
const BEN = "102";
const CARA = "103";
const BEA = "201"; // staff of shop B only

// Customers of shop A: owner and amount spent (cents). Shop B has the same ids, owned by "101" too.
const CUSTOMERS_A = [
  { id: 1, ownerId: AVA, spent: 5000n },
  { id: 2, ownerId: AVA, spent: 90000n },
  { id: 3, ownerId: AVA, spent: 12000n },
  { id: 4, ownerId: AVA, spent: 90000n },
  { id: 5, ownerId: BEN, spent: 70000n },
  { id: 6, ownerId: CARA, spent: 80000n },
  { id: 7, ownerId: null, spent: 100n },
];

beforeEach(async () => {
  await database.reset();
  await createShop(prisma, { shop: SHOP_A });
  await createShop(prisma, { shop: SHOP_B });
  await createStaff(prisma, { shop: SHOP_A, userId: AVA, firstName: "Ava", lastName: "Admin" });
  await createStaff(prisma, { shop: SHOP_A, userId: BEN, firstName: "Ben", lastName: "Baker" });
  await createStaff(prisma, { shop: SHOP_A, userId: CARA, firstName: "Cara", lastName: "Cole" });
  await createStaff(prisma, { shop: SHOP_B, userId: BEA, firstName: "Bea", lastName: "Other" });
  for (const { id, ownerId, spent } of CUSTOMERS_A) {
    await createCustomer(prisma, { shop: SHOP_A, shopifyId: gid(id), displayName: `Customer ${id}`, ownerId, amountSpentMinor: spent });
    await createCustomer(prisma, { shop: SHOP_B, shopifyId: gid(id), displayName: `B customer ${id}`, ownerId: id === 7 ? null : AVA, amountSpentMinor: spent });
  }
  // A deleted customer of Ava's that no owner change may touch.
  await createCustomer(prisma, { shop: SHOP_A, shopifyId: gid(8), ownerId: AVA, amountSpentMinor: 999999n, deletedAt: new Date("2025-01-01T00:00:00Z") });
});

/** Owners by customer number, for one shop. */
async function owners(shop: string) {
  const rows = await prisma.customer.findMany({ where: { shop }, orderBy: { shopifyId: "asc" }, select: { shopifyId: true, ownerId: true } });
  return Object.fromEntries(rows.map((row) => [Number(row.shopifyId.split("/").pop()), row.ownerId]));
}

const ownerChanges = (shop: string) => prisma.auditLog.findMany({ where: { shop, action: "customer.owner_changed" }, orderBy: { subjectId: "asc" } });

describe("assignOwner", () => {
  test("changes only live customers of the actor's shop not already owned by them, auditing each change", async () => {
    const [ownersB, auditB] = [await owners(SHOP_B), await prisma.auditLog.findMany({ where: { shop: SHOP_B } })];

    // WHEN Ava gives Ben customers 1 (hers), 5 (already Ben's), 6 (Cara's), 7 (nobody's),
    // 8 (deleted) and 99 (no such customer in shop A)
    const changed = await assignOwner({ actor: ava, customerIds: [1, 5, 6, 7, 8, 99].map(gid), ownerId: BEN });

    // THEN three changed hands
    expect(changed).toBe(3);
    expect(await owners(SHOP_A)).toEqual({ 1: BEN, 2: AVA, 3: AVA, 4: AVA, 5: BEN, 6: BEN, 7: BEN, 8: AVA });
    // AND each change is audited with the owner before and after, by Ava
    const entries = await ownerChanges(SHOP_A);
    expect(entries.map((entry) => ({ subjectId: entry.subjectId, before: JSON.parse(entry.before!), after: JSON.parse(entry.after!) }))).toEqual([
      { subjectId: gid(1), before: { ownerId: AVA }, after: { ownerId: BEN, ownerName: "Ben Baker" } },
      { subjectId: gid(6), before: { ownerId: CARA }, after: { ownerId: BEN, ownerName: "Ben Baker" } },
      { subjectId: gid(7), before: { ownerId: null }, after: { ownerId: BEN, ownerName: "Ben Baker" } },
    ]);
    for (const entry of entries) expect(entry).toMatchObject({ actorType: "staff", actorId: AVA, actorName: "Ava Admin", subjectType: "customer" });
    // AND shop B, which has the same customer ids, is untouched
    expect(await owners(SHOP_B)).toEqual(ownersB);
    expect(await prisma.auditLog.findMany({ where: { shop: SHOP_B } })).toEqual(auditB);
  });

  test("assigning the same owner again changes and audits nothing", async () => {
    await assignOwner({ actor: ava, customerIds: [gid(1), gid(7)], ownerId: CARA });
    const before = [await owners(SHOP_A), await prisma.auditLog.count()];
    expect(await assignOwner({ actor: ava, customerIds: [gid(1), gid(7)], ownerId: CARA })).toBe(0);
    expect([await owners(SHOP_A), await prisma.auditLog.count()]).toEqual(before);
  });

  test("a null owner removes the owner of those who have one", async () => {
    // WHEN Ava clears the owner of 1 (hers) and 7 (nobody's)
    const changed = await assignOwner({ actor: ava, customerIds: [gid(1), gid(7)], ownerId: null });
    // THEN only 1 changed, audited as owned by nobody now
    expect(changed).toBe(1);
    expect((await owners(SHOP_A))[1]).toBeNull();
    const [entry, ...rest] = await ownerChanges(SHOP_A);
    expect(rest).toEqual([]);
    expect(JSON.parse(entry!.after!)).toEqual({ ownerId: null, ownerName: null });
  });

  test.each([
    { title: "an unknown user id", ownerId: "999" },
    { title: "a staff member of another shop", ownerId: BEA },
  ])("refuses $title as owner and changes nothing", async ({ ownerId }) => {
    const before = [await owners(SHOP_A), await prisma.auditLog.count()];
    await expect(assignOwner({ actor: ava, customerIds: [gid(1), gid(7)], ownerId })).rejects.toThrow(OwnershipError);
    expect([await owners(SHOP_A), await prisma.auditLog.count()]).toEqual(before);
  });
});

describe("handOver", () => {
  test("moves all of Ava's customers to Ben, leaves Ben's and Cara's, and says how many moved", async () => {
    const ownersB = await owners(SHOP_B);
    // WHEN Ava's customers are handed to Ben
    const result = await handOver({ actor: ava, fromId: AVA, toId: BEN, currencyCode: "USD" });
    // THEN her four live customers are Ben's; the deleted one, Cara's and nobody's stay
    expect(result).toMatchObject({ moved: 4, from: "Ava Admin", to: "Ben Baker", handoverId: expect.any(String) });
    expect(await owners(SHOP_A)).toEqual({ 1: BEN, 2: BEN, 3: BEN, 4: BEN, 5: BEN, 6: CARA, 7: null, 8: AVA });
    // AND shop B's customers owned by a user id "101" did not move
    expect(await owners(SHOP_B)).toEqual(ownersB);
    // AND the handover and each move are audited, the moves grouped under the handover
    const handover = await prisma.auditLog.findUniqueOrThrow({ where: { id: result.handoverId } });
    expect(handover).toMatchObject({ shop: SHOP_A, action: "staff.handover", actorName: "Ava Admin", subjectType: "staff", subjectId: AVA });
    expect(JSON.parse(handover.after!)).toMatchObject({ ownerId: BEN, customers: 4 });
    const moves = await ownerChanges(SHOP_A);
    expect(moves.map((entry) => [entry.subjectId, entry.batchId])).toEqual([1, 2, 3, 4].map((id) => [gid(id), result.handoverId]));
  });

  test.each([
    { title: "spent at least 120 dollars", query: { spentMin: "120" }, moved: [2, 3, 4] },
    { title: "spent at most 120 dollars", query: { spentMax: "120" }, moved: [1, 3] },
    { title: "a search no customer of Ava's matches", query: { q: "Customer 6" }, moved: [] },
    { title: "an owner in the query, which the handover replaces with Ava", query: { owner: CARA }, moved: [1, 2, 3, 4] },
  ])("moves only Ava's customers a query selects: $title", async ({ query, moved }) => {
    // WHEN Ava's customers matching the query are handed to Cara
    const result = await handOver({ actor: ava, fromId: AVA, toId: CARA, query, currencyCode: "USD" });
    // THEN exactly those moved
    expect(result.moved).toBe(moved.length);
    const after = await owners(SHOP_A);
    expect([1, 2, 3, 4].filter((id) => after[id] === CARA)).toEqual(moved);
    expect(after[5]).toBe(BEN);
  });

  test.each([
    { title: "to the same person", fromId: AVA, toId: AVA },
    { title: "from an unknown user", fromId: "999", toId: BEN },
    { title: "to a staff member of another shop", fromId: AVA, toId: BEA },
  ])("refuses a handover $title and changes nothing", async ({ fromId, toId }) => {
    const before = [await owners(SHOP_A), await prisma.auditLog.count()];
    await expect(handOver({ actor: ava, fromId, toId, currencyCode: "USD" })).rejects.toThrow(OwnershipError);
    expect([await owners(SHOP_A), await prisma.auditLog.count()]).toEqual(before);
  });
});

describe("handover briefing", () => {
  const DAY_MS = 86_400_000;
  const dueIn = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

  test("lists exactly the moved customers, most valuable first, with pinned notes and open follow-ups", async () => {
    // GIVEN notes on Ava's customers: pinned, plain, deleted, open and done follow-ups
    const note = (customer: number, body: string, input: { pinned?: boolean; followUpAt?: string } = {}) => createNote({ actor: ava, customerId: gid(customer), input: { body, ...input } });
    await note(2, "Pinned on 2", { pinned: true });
    await note(2, "Plain note on 2");
    await note(2, "Overdue call for 2", { followUpAt: dueIn(-3) });
    const gone = await note(2, "Deleted pinned note", { pinned: true });
    await deleteNote({ actor: ava, noteId: gone.id });
    const done = await note(4, "Done follow-up", { followUpAt: dueIn(-1) });
    await completeFollowUp({ actor: ava, noteId: done.id });
    await note(4, "Next week", { followUpAt: dueIn(7) });
    await note(5, "Ben's own customer, not moved", { pinned: true });

    // WHEN Ava's customers are handed to Ben and he reads the briefing
    const { handoverId } = await handOver({ actor: ava, fromId: AVA, toId: BEN, currencyCode: "USD" });
    // AND later, unrelated, Cara's customer is given to Ben too
    await assignOwner({ actor: ava, customerIds: [gid(6)], ownerId: BEN });
    const briefing = await getHandoverBriefing({ shop: SHOP_A, handoverId });

    // THEN it names the handover
    expect(briefing!.handover).toMatchObject({ id: handoverId, by: "Ava Admin", from: "Ava Admin", to: "Ben Baker", toId: BEN, moved: 4 });
    // AND lists the four moved customers, most valuable first (ties by id), each with its notes
    expect(briefing!.total).toBe(4);
    expect(
      briefing!.customers.map((customer) => ({
        id: customer.shopifyId,
        spent: customer.amountSpentMinor,
        pinned: customer.pinnedNotes.map((row) => row.body),
        followUps: customer.followUps.map((row) => [row.body, row.overdue]),
      })),
    ).toEqual([
      { id: gid(2), spent: 90000n, pinned: ["Pinned on 2"], followUps: [["Overdue call for 2", true]] },
      { id: gid(4), spent: 90000n, pinned: [], followUps: [["Next week", false]] },
      { id: gid(3), spent: 12000n, pinned: [], followUps: [] },
      { id: gid(1), spent: 5000n, pinned: [], followUps: [] },
    ]);
  });

  test("a handover that moved nobody has an empty briefing", async () => {
    const { handoverId, moved } = await handOver({ actor: ava, fromId: CARA, toId: BEN, query: { spentMin: "1000000" }, currencyCode: "USD" });
    expect(moved).toBe(0);
    expect(await getHandoverBriefing({ shop: SHOP_A, handoverId })).toMatchObject({ total: 0, customers: [], handover: { moved: 0 } });
  });

  test.each([
    { title: "read from another shop", shop: SHOP_B, id: "handover" },
    { title: "of an audit entry that is not a handover", shop: SHOP_A, id: "owner-change" },
    { title: "that does not exist", shop: SHOP_A, id: "missing" },
  ])("a briefing id $title is null", async ({ shop, id }) => {
    // GIVEN a handover in shop A, and the owner change it made
    const { handoverId } = await handOver({ actor: ava, fromId: AVA, toId: BEN, currencyCode: "USD" });
    const ownerChange = await prisma.auditLog.findFirstOrThrow({ where: { shop: SHOP_A, action: "customer.owner_changed" } });
    const ids: Record<string, string> = { handover: handoverId, "owner-change": ownerChange.id, missing: "no-such-id" };
    // WHEN the briefing is asked for
    // THEN there is none
    expect(await getHandoverBriefing({ shop, handoverId: ids[id]! })).toBeNull();
  });
});

describe("staff from sessions", () => {
  test("an online session records its staff member, who then appears among the shop's staff", async () => {
    // GIVEN a staff member's online session, stored and loaded back as a request would
    const shop = "owners-session.myshopify.com";
    const stored = await createStaffSession(shop, { first_name: "Nia", last_name: "Nakamura", email: "nia@example.com" });
    const session = await sessionStorage.loadSession(stored.id);

    // WHEN the app takes the actor from it
    const actor = await actorFromSession(session!);

    // THEN the actor is that person, recorded as a staff member of the shop
    expect(actor).toEqual({ shop, userId: "12345", name: "Nia Nakamura" });
    expect(await prisma.staffMember.findUniqueOrThrow({ where: { shop_userId: { shop, userId: "12345" } } })).toMatchObject({
      firstName: "Nia",
      lastName: "Nakamura",
      email: "nia@example.com",
      accountOwner: true,
    });
    expect(await listStaff({ shop })).toEqual([{ userId: "12345", name: "Nia Nakamura", email: "nia@example.com", accountOwner: true }]);
  });

  test("an offline session has no staff member behind it and cannot act", async () => {
    const shop = "owners-offline.myshopify.com";
    const session = setUpValidSession({ shop, isOnline: false });
    await expect(actorFromSession(session)).rejects.toThrow(/online session/);
    expect(await prisma.staffMember.count({ where: { shop } })).toBe(0);
  });

  test("listStaff lists the shop's own staff by name", async () => {
    expect((await listStaff({ shop: SHOP_A })).map((staff) => staff.name)).toEqual(["Ava Admin", "Ben Baker", "Cara Cole"]);
    expect((await listStaff({ shop: SHOP_B })).map((staff) => staff.userId)).toEqual([BEA]);
  });
});
