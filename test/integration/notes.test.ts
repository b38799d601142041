// Staff notes on customers (decision 009): shop isolation, revisions, soft delete, pins,
// validation, follow-ups and the audit trail, on the real database.
import { beforeEach, describe, expect, test } from "vitest";

import type { Actor } from "~/modules/staff/staff.server";

import { bootApp } from "../support/app";
import { createCustomer, createShop, createStaff } from "../support/factories";

const { prisma, database } = await bootApp();
const { completeFollowUp, createNote, deleteNote, editNote, isOverdue, listFollowUps, listNotes, MAX_NOTE_LENGTH, NoteError, setFollowUp, setNotePinned } = await import("~/modules/notes/notes.server");

const SHOP_A = "notes-a.myshopify.com";
const SHOP_B = "notes-b.myshopify.com";
// The same customer id in both shops on purpose: only the shop tells them apart.
const CUSTOMER = "gid://shopify/Customer/1001";
const OTHER_CUSTOMER = "gid://shopify/Customer/1002";

const ava: Actor = { shop: SHOP_A, userId: "101", name: "Ava Author" };
const ben: Actor = { shop: SHOP_A, userId: "102", name: "Ben Editor" };
const bea: Actor = { shop: SHOP_B, userId: "201", name: "Bea Elsewhere" };

const DAY_MS = 86_400_000;
/** A due date (YYYY-MM-DD) `days` from today (UTC). */
const dueIn = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

beforeEach(async () => {
  await database.reset();
  for (const shop of [SHOP_A, SHOP_B]) {
    await createShop(prisma, { shop });
    await createCustomer(prisma, { shop, shopifyId: CUSTOMER, displayName: `Cleo of ${shop}` });
    await createCustomer(prisma, { shop, shopifyId: OTHER_CUSTOMER, displayName: `Dan of ${shop}` });
  }
  for (const actor of [ava, ben, bea]) await createStaff(prisma, { shop: actor.shop, userId: actor.userId, firstName: actor.name.split(" ")[0], lastName: actor.name.split(" ")[1] });
});

/** Everything notes may write for a shop, to prove an operation changed nothing. */
async function notesState(shop: string) {
  return {
    notes: await prisma.note.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    revisions: await prisma.noteRevision.findMany({ where: { shop }, orderBy: { id: "asc" } }),
    audit: await prisma.auditLog.findMany({ where: { shop }, orderBy: { id: "asc" } }),
  };
}

async function expectNoteError(promise: Promise<unknown>, status: 404 | 422, fieldErrors?: Record<string, unknown>) {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(NoteError);
  expect(error).toMatchObject({ status, ...(fieldErrors ? { fieldErrors } : {}) });
}

describe("shop isolation", () => {
  test("a note written in shop A never appears in shop B's lists", async () => {
    // GIVEN a note with a follow-up in shop A on a customer id that shop B also has
    const note = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Wants the spring catalogue", followUpAt: dueIn(-2) } });

    // WHEN shop B lists its notes and follow-ups
    const bNotes = await listNotes({ shop: SHOP_B, customerId: CUSTOMER });
    const bFollowUps = await listFollowUps({ shop: SHOP_B });

    // THEN shop B sees nothing, while shop A sees the note
    expect(bNotes).toEqual([]);
    expect(bFollowUps).toEqual([]);
    expect((await listNotes({ shop: SHOP_A, customerId: CUSTOMER })).map((row) => row.id)).toEqual([note.id]);
    expect((await listFollowUps({ shop: SHOP_A })).map((row) => row.id)).toEqual([note.id]);
  });

  test.each([
    { title: "editing", act: (noteId: string) => editNote({ actor: bea, noteId, body: "Overwritten from shop B" }) },
    { title: "pinning", act: (noteId: string) => setNotePinned({ actor: bea, noteId, pinned: true }) },
    { title: "deleting", act: (noteId: string) => deleteNote({ actor: bea, noteId }) },
    { title: "setting a follow-up", act: (noteId: string) => setFollowUp({ actor: bea, noteId, followUpAt: dueIn(3) }) },
    { title: "completing the follow-up", act: (noteId: string) => completeFollowUp({ actor: bea, noteId }) },
  ])("$title shop A's note through a shop-B actor is a 404 and changes nothing", async ({ act }) => {
    // GIVEN a note of shop A with an open follow-up
    const note = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Call back about the order", followUpAt: dueIn(1) } });
    const [before, beforeB] = [await notesState(SHOP_A), await notesState(SHOP_B)];

    // WHEN a staff member of shop B acts on its id
    // THEN the note does not exist for them, and neither shop's notes, revisions or audit changed
    await expectNoteError(act(note.id), 404);
    expect(await notesState(SHOP_A)).toEqual(before);
    expect(await notesState(SHOP_B)).toEqual(beforeB);
  });

  test("a note on a customer id the actor's shop does not have is a 404", async () => {
    // GIVEN a customer only shop A has
    await createCustomer(prisma, { shop: SHOP_A, shopifyId: "gid://shopify/Customer/9999" });

    // WHEN shop B writes a note on it
    // THEN it is refused and nothing is written
    await expectNoteError(createNote({ actor: bea, customerId: "gid://shopify/Customer/9999", input: { body: "Hello" } }), 404);
    expect(await prisma.note.count()).toBe(0);
  });
});

describe("editing keeps history", () => {
  test("each edit keeps the previous text as a revision, newest first, with its editor", async () => {
    // GIVEN a note by Ava
    const note = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Prefers email" } });

    // WHEN Ben and then Ava edit it
    await editNote({ actor: ben, noteId: note.id, body: "Prefers phone" });
    const edited = await editNote({ actor: ava, noteId: note.id, body: "Prefers phone after 5pm" });

    // THEN the note reads the latest text and keeps both earlier texts, newest first
    const [listed] = await listNotes({ shop: SHOP_A, customerId: CUSTOMER });
    expect(listed).toMatchObject({ id: note.id, body: "Prefers phone after 5pm", authorId: ava.userId, authorName: ava.name });
    expect(edited.editedAt).toBeInstanceOf(Date);
    expect(listed!.revisions.map(({ body, editedById, editedByName }) => ({ body, editedById, editedByName }))).toEqual([
      { body: "Prefers phone", editedById: ava.userId, editedByName: ava.name },
      { body: "Prefers email", editedById: ben.userId, editedByName: ben.name },
    ]);
  });

  test("an edit that leaves the text unchanged adds no revision and no audit entry", async () => {
    // GIVEN a note edited once
    const note = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Prefers email" } });
    await editNote({ actor: ben, noteId: note.id, body: "Prefers phone" });
    const before = await notesState(SHOP_A);

    // WHEN the same text is saved again (surrounding spaces are trimmed)
    await editNote({ actor: ben, noteId: note.id, body: "  Prefers phone  " });

    // THEN nothing changed
    expect(await notesState(SHOP_A)).toEqual(before);
    expect(before.revisions).toHaveLength(1);
  });
});

describe("deleting", () => {
  test("a delete is soft: the row stays with who deleted it, leaves every list, and is audited", async () => {
    // GIVEN a pinned note with an open follow-up and another note
    const note = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Allergic to wool", pinned: true, followUpAt: dueIn(-1) } });
    const kept = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Birthday in May" } });

    // WHEN Ben deletes the first
    await deleteNote({ actor: ben, noteId: note.id });

    // THEN the row is kept, marked deleted by Ben
    const row = await prisma.note.findUniqueOrThrow({ where: { id: note.id } });
    expect(row.deletedAt).toBeInstanceOf(Date);
    expect(row).toMatchObject({ deletedById: ben.userId, body: "Allergic to wool" });
    // AND it is gone from the customer's notes and from the follow-ups
    expect((await listNotes({ shop: SHOP_A, customerId: CUSTOMER })).map((listed) => listed.id)).toEqual([kept.id]);
    expect(await listFollowUps({ shop: SHOP_A })).toEqual([]);
    // AND the delete is on the customer's audit trail
    const entry = await prisma.auditLog.findFirstOrThrow({ where: { shop: SHOP_A, action: "note.deleted" } });
    expect(entry).toMatchObject({ subjectType: "customer", subjectId: CUSTOMER, actorType: "staff", actorId: ben.userId, actorName: ben.name });
    expect(JSON.parse(entry.before!)).toEqual({ noteId: note.id, body: "Allergic to wool" });
    // AND a deleted note can be neither deleted again nor edited
    await expectNoteError(deleteNote({ actor: ben, noteId: note.id }), 404);
    await expectNoteError(editNote({ actor: ben, noteId: note.id, body: "Back again" }), 404);
  });
});

describe("pinning", () => {
  test("pinned notes come first, then the newest", async () => {
    // GIVEN three notes written one after the other
    const first = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "first" } });
    const second = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "second" } });
    const third = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "third" } });
    const order = async () => (await listNotes({ shop: SHOP_A, customerId: CUSTOMER })).map((note) => note.body);
    expect(await order()).toEqual(["third", "second", "first"]);

    // WHEN the oldest is pinned
    await setNotePinned({ actor: ben, noteId: first.id, pinned: true });
    // THEN it leads
    expect(await order()).toEqual(["first", "third", "second"]);

    // WHEN the middle one is pinned too, and the oldest unpinned
    await setNotePinned({ actor: ben, noteId: second.id, pinned: true });
    await setNotePinned({ actor: ben, noteId: first.id, pinned: false });
    // THEN the pinned one leads and the rest follow newest first
    expect(await order()).toEqual(["second", "third", "first"]);
    expect(third.pinned).toBe(false); // pinning others never touched it
  });
});

describe("validation", () => {
  test.each([
    { title: "an empty body", input: { body: "" }, field: "body" },
    { title: "a body of spaces only", input: { body: "   \n " }, field: "body" },
    { title: "a body one character too long", input: { body: "x".repeat(MAX_NOTE_LENGTH + 1) }, field: "body" },
    { title: "a follow-up date that is not a date", input: { body: "Call back", followUpAt: "next week" }, field: "followUpAt" },
    { title: "a follow-up in a month that does not exist", input: { body: "Call back", followUpAt: "2026-13-01" }, field: "followUpAt" },
    { title: "a follow-up on a day the month does not have", input: { body: "Call back", followUpAt: "2026-02-30" }, field: "followUpAt" },
  ])("creating a note with $title is a 422 naming the field", async ({ input, field }) => {
    // WHEN a note is written with bad input
    // THEN it is refused with the field's error, and nothing is written
    await expectNoteError(createNote({ actor: ava, customerId: CUSTOMER, input }), 422, { [field]: expect.any(String) });
    expect(await notesState(SHOP_A)).toEqual({ notes: [], revisions: [], audit: [] });
  });

  test.each([
    { title: "a date in words", followUpAt: "tomorrow" },
    { title: "a month that does not exist", followUpAt: "2026-13-01" },
    { title: "a day the month does not have", followUpAt: "2026-02-30" },
  ])("moving a follow-up to $title is a 422 and keeps the note", async ({ followUpAt }) => {
    const note = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Call back", followUpAt: dueIn(1) } });
    const before = await notesState(SHOP_A);
    await expectNoteError(setFollowUp({ actor: ava, noteId: note.id, followUpAt }), 422);
    expect(await notesState(SHOP_A)).toEqual(before);
  });

  test("a body of exactly the maximum length is accepted", async () => {
    const note = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "x".repeat(MAX_NOTE_LENGTH) } });
    expect(note.body).toHaveLength(MAX_NOTE_LENGTH);
  });

  test.each([
    { title: "empty", body: "" },
    { title: "too long", body: "y".repeat(MAX_NOTE_LENGTH + 1) },
  ])("an edit to an $title body is a 422 and keeps the text", async ({ body }) => {
    // GIVEN a note
    const note = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Original" } });
    const before = await notesState(SHOP_A);
    // WHEN it is edited to a bad body
    // THEN the edit is refused and nothing changed
    await expectNoteError(editNote({ actor: ben, noteId: note.id, body }), 422, { body: expect.any(String) });
    expect(await notesState(SHOP_A)).toEqual(before);
  });
});

describe("follow-ups", () => {
  test("a follow-up without an assignee is the author's; one with an assignee is theirs", async () => {
    // WHEN Ava writes one follow-up for herself and one for Ben
    const own = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Check the return", followUpAt: dueIn(2) } });
    const forBen = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Send samples", followUpAt: dueIn(3), followUpAssigneeId: ben.userId } });

    // THEN each is assigned accordingly, and each assignee's list holds only theirs
    expect(own.followUpAssigneeId).toBe(ava.userId);
    expect(forBen.followUpAssigneeId).toBe(ben.userId);
    expect((await listFollowUps({ shop: SHOP_A, assigneeId: ava.userId })).map((note) => note.id)).toEqual([own.id]);
    expect((await listFollowUps({ shop: SHOP_A, assigneeId: ben.userId })).map((note) => note.id)).toEqual([forBen.id]);
  });

  test("a note without a follow-up has no assignee", async () => {
    const note = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Just a note", followUpAssigneeId: ben.userId } });
    expect(note).toMatchObject({ followUpAt: null, followUpAssigneeId: null });
    expect(await listFollowUps({ shop: SHOP_A })).toEqual([]);
  });

  test.each([
    { title: "an unknown user id", assigneeId: "999" },
    { title: "a staff member of another shop", assigneeId: bea.userId },
  ])("assigning a follow-up to $title is a 422", async ({ assigneeId }) => {
    // WHEN a follow-up is created for someone who is not staff of the shop
    // THEN it is refused, naming the assignee field, and nothing is written
    await expectNoteError(createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Call", followUpAt: dueIn(1), followUpAssigneeId: assigneeId } }), 422, {
      followUpAssigneeId: expect.any(String),
    });
    expect(await prisma.note.count()).toBe(0);

    // AND moving an existing follow-up to them is refused too, keeping the note as it was
    const note = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Call", followUpAt: dueIn(1) } });
    const before = await notesState(SHOP_A);
    await expectNoteError(setFollowUp({ actor: ava, noteId: note.id, followUpAt: dueIn(4), assigneeId }), 422, { followUpAssigneeId: expect.any(String) });
    expect(await notesState(SHOP_A)).toEqual(before);
  });

  test("open follow-ups are listed earliest due first, overdue ones flagged, with their customer", async () => {
    // GIVEN follow-ups due in the future and in the past, written in mixed order
    const dues = [5, -3, 0, 1, -10];
    for (const days of dues) await createNote({ actor: ava, customerId: days % 2 ? CUSTOMER : OTHER_CUSTOMER, input: { body: `due ${days}`, followUpAt: dueIn(days) } });
    // AND a note without a follow-up
    await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "no follow-up" } });

    // WHEN the shop's follow-ups are listed
    const listed = await listFollowUps({ shop: SHOP_A });

    // THEN they come earliest first; those whose due day has passed are overdue (today's is not yet)
    expect(listed.map((note) => ({ body: note.body, overdue: note.overdue }))).toEqual([
      { body: "due -10", overdue: true },
      { body: "due -3", overdue: true },
      { body: "due 0", overdue: false },
      { body: "due 1", overdue: false },
      { body: "due 5", overdue: false },
    ]);
    expect(listed[0]!.customer).toMatchObject({ shopifyId: OTHER_CUSTOMER, displayName: `Dan of ${SHOP_A}` });
    expect(listed[1]!.customer).toMatchObject({ shopifyId: CUSTOMER, displayName: `Cleo of ${SHOP_A}` });
  });

  test("completing a follow-up removes it from the list; a note without one cannot be completed", async () => {
    // GIVEN two open follow-ups
    const done = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Ring back", followUpAt: dueIn(-1) } });
    const open = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Email later", followUpAt: dueIn(2) } });

    // WHEN Ben completes one
    const completed = await completeFollowUp({ actor: ben, noteId: done.id });

    // THEN only the other is still open; the completed note stays on the customer
    expect(completed.followUpDoneAt).toBeInstanceOf(Date);
    expect((await listFollowUps({ shop: SHOP_A })).map((note) => note.id)).toEqual([open.id]);
    expect((await listNotes({ shop: SHOP_A, customerId: CUSTOMER })).map((note) => note.id)).toContain(done.id);
    // AND completing it again changes nothing
    const before = await notesState(SHOP_A);
    await completeFollowUp({ actor: ben, noteId: done.id });
    expect(await notesState(SHOP_A)).toEqual(before);

    // AND a note without a follow-up cannot be completed
    const plain = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "plain" } });
    await expectNoteError(completeFollowUp({ actor: ben, noteId: plain.id }), 422);
  });

  test("setting a new due date reopens a completed follow-up and keeps its assignee", async () => {
    // GIVEN Ben's follow-up, completed
    const note = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Ring back", followUpAt: dueIn(-1), followUpAssigneeId: ben.userId } });
    await completeFollowUp({ actor: ben, noteId: note.id });

    // WHEN Ava sets a new due date without naming an assignee
    await setFollowUp({ actor: ava, noteId: note.id, followUpAt: dueIn(7) });

    // THEN it is open again, still Ben's, due on the new date
    const [listed] = await listFollowUps({ shop: SHOP_A });
    expect(listed).toMatchObject({ id: note.id, followUpAssigneeId: ben.userId, followUpDoneAt: null, followUpAt: new Date(`${dueIn(7)}T00:00:00.000Z`), overdue: false });

    // AND a null due date removes the follow-up
    await setFollowUp({ actor: ava, noteId: note.id, followUpAt: null });
    expect(await listFollowUps({ shop: SHOP_A })).toEqual([]);
    expect(await prisma.note.findUniqueOrThrow({ where: { id: note.id } })).toMatchObject({ followUpAt: null, followUpAssigneeId: null });
  });

  test.each([
    { title: "due two days ago", due: "2026-03-08", done: null, overdue: true },
    { title: "due yesterday", due: "2026-03-09", done: null, overdue: true },
    { title: "due today", due: "2026-03-10", done: null, overdue: false },
    { title: "due tomorrow", due: "2026-03-11", done: null, overdue: false },
    { title: "past due but done", due: "2026-03-01", done: new Date("2026-03-02T00:00:00Z"), overdue: false },
    { title: "without a due date", due: null, done: null, overdue: false },
  ])("isOverdue: a follow-up $title", ({ due, done, overdue }) => {
    const now = new Date("2026-03-10T15:30:00Z");
    expect(isOverdue({ followUpAt: due ? new Date(`${due}T00:00:00.000Z`) : null, followUpDoneAt: done }, now)).toBe(overdue);
  });
});

describe("audit trail", () => {
  type Case = { title: string; action: string; given?: (noteId: string) => Promise<unknown>; act: (noteId: string) => Promise<unknown>; after?: Record<string, unknown> };
  const cases: Case[] = [
    { title: "editing", action: "note.edited", act: (noteId) => editNote({ actor: ben, noteId, body: "Edited text" }), after: { body: "Edited text" } },
    { title: "pinning", action: "note.pinned", act: (noteId) => setNotePinned({ actor: ben, noteId, pinned: true }), after: { pinned: true } },
    {
      title: "unpinning",
      action: "note.unpinned",
      given: (noteId) => setNotePinned({ actor: ava, noteId, pinned: true }),
      act: (noteId) => setNotePinned({ actor: ben, noteId, pinned: false }),
      after: { pinned: false },
    },
    { title: "setting a follow-up", action: "note.follow_up_set", act: (noteId) => setFollowUp({ actor: ben, noteId, followUpAt: "2030-01-15" }), after: { followUpAssigneeId: ben.userId } },
    {
      title: "completing a follow-up",
      action: "note.follow_up_done",
      given: (noteId) => setFollowUp({ actor: ava, noteId, followUpAt: "2030-01-15" }),
      act: (noteId) => completeFollowUp({ actor: ben, noteId }),
      after: {},
    },
    { title: "deleting", action: "note.deleted", act: (noteId) => deleteNote({ actor: ben, noteId }) },
  ];

  test("creating a note is audited on the customer with the author's name", async () => {
    const note = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Hello", pinned: true } });
    const entries = await prisma.auditLog.findMany({ where: { shop: SHOP_A } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "note.created", actorType: "staff", actorId: ava.userId, actorName: ava.name, subjectType: "customer", subjectId: CUSTOMER });
    expect(JSON.parse(entries[0]!.after!)).toMatchObject({ noteId: note.id, body: "Hello", pinned: true });
  });

  test.each(cases)("$title writes one $action entry on the customer with the actor's name", async ({ action, given, act, after }) => {
    // GIVEN a note by Ava (and whatever the change needs)
    const note = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Original text" } });
    await given?.(note.id);
    const before = await prisma.auditLog.count({ where: { shop: SHOP_A } });

    // WHEN Ben changes it
    await act(note.id);

    // THEN exactly one entry was added: the action, by Ben, on the customer
    const entries = await prisma.auditLog.findMany({ where: { shop: SHOP_A }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    expect(entries).toHaveLength(before + 1);
    expect(entries[0]).toMatchObject({ shop: SHOP_A, action, actorType: "staff", actorId: ben.userId, actorName: ben.name, subjectType: "customer", subjectId: CUSTOMER });
    if (after) expect(JSON.parse(entries[0]!.after!)).toMatchObject({ noteId: note.id, ...after });
  });

  test("a change that changes nothing writes no entry", async () => {
    const note = await createNote({ actor: ava, customerId: CUSTOMER, input: { body: "Text", pinned: true } });
    const before = await prisma.auditLog.count();
    await setNotePinned({ actor: ben, noteId: note.id, pinned: true });
    await editNote({ actor: ben, noteId: note.id, body: "Text" });
    expect(await prisma.auditLog.count()).toBe(before);
  });
});
