// Staff notes on customers: write, edit (the previous text kept as a revision), pin, soft delete,
// and follow-ups (due date, assignee, done). Every change is audited on the customer.
import { z } from "zod";

import { prisma, type NoteModel, type PrismaClient } from "../../db.server";
import { writeAudit } from "../audit/audit.server";
import type { Actor } from "../staff/staff.server";

export const MAX_NOTE_LENGTH = 5000;

export class NoteError extends Error {
  constructor(message: string, readonly status: 404 | 422 = 422, readonly fieldErrors: Record<string, string> = {}) {
    super(message);
    this.name = "NoteError";
  }
}

const dueDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date (YYYY-MM-DD)")
  // The pattern alone lets through days that do not exist ("2026-13-01", "2026-02-30").
  .refine((value) => {
    const date = new Date(`${value}T00:00:00.000Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
  }, "must be a date (YYYY-MM-DD)")
  .transform((value) => new Date(`${value}T00:00:00.000Z`));

const noteInput = z.object({
  body: z.string().trim().min(1, "Write something first").max(MAX_NOTE_LENGTH, `At most ${MAX_NOTE_LENGTH} characters`),
  pinned: z.boolean().optional(),
  followUpAt: dueDate.nullish(),
  followUpAssigneeId: z.string().trim().min(1).nullish(),
});
export type NoteInput = z.input<typeof noteInput>;

function parse<T extends z.ZodTypeAny>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const fieldErrors = Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0] ?? "note"), issue.message]));
  throw new NoteError(Object.values(fieldErrors).join("; "), 422, fieldErrors);
}

const audit = (db: Parameters<typeof writeAudit>[0], actor: Actor, customerId: string, action: string, before?: unknown, after?: unknown) =>
  writeAudit(db, {
    shop: actor.shop,
    actorType: "staff",
    actorId: actor.userId,
    actorName: actor.name,
    action,
    subjectType: "customer",
    subjectId: customerId,
    before,
    after,
  });

async function requireAssignee(db: PrismaClient, shop: string, userId: string | null | undefined) {
  if (!userId) return;
  const staff = await db.staffMember.findUnique({
    where: { shop_userId: { shop, userId } },
  });
  if (!staff) throw new NoteError("The assignee is not a staff member of this shop", 422, { followUpAssigneeId: "Unknown staff member" });
}

/** A live note of the actor's shop, or a 404 (another shop's note does not exist for this one). */
async function requireNote(db: PrismaClient, actor: Actor, noteId: string): Promise<NoteModel> {
  const note = await db.note.findFirst({
    where: { id: noteId, shop: actor.shop, deletedAt: null },
  });
  if (!note) throw new NoteError("Note not found", 404);
  return note;
}

export async function createNote({ actor, customerId, input, db = prisma }: { actor: Actor; customerId: string; input: NoteInput; db?: PrismaClient }) {
  const { body, pinned = false, followUpAt = null, followUpAssigneeId } = parse(noteInput, input);
  const customer = await db.customer.findUnique({
    where: { shop_shopifyId: { shop: actor.shop, shopifyId: customerId } },
    select: { deletedAt: true },
  });
  if (!customer) throw new NoteError("Customer not found", 404);
  // A follow-up without an assignee is the author's own.
  const assignee = followUpAt ? followUpAssigneeId ?? actor.userId : null;
  await requireAssignee(db, actor.shop, assignee);
  return db.$transaction(async (tx) => {
    const note = await tx.note.create({
      data: {
        shop: actor.shop,
        customerId,
        body,
        pinned,
        authorId: actor.userId,
        authorName: actor.name,
        followUpAt,
        followUpAssigneeId: assignee,
      },
    });
    await audit(tx, actor, customerId, "note.created", undefined, {
      noteId: note.id,
      body,
      pinned,
      followUpAt,
      followUpAssigneeId: assignee,
    });
    return note;
  });
}

/** Replaces a note's text; the previous text becomes a revision. An unchanged text changes nothing. */
export async function editNote({ actor, noteId, body, db = prisma }: { actor: Actor; noteId: string; body: string; db?: PrismaClient }) {
  const { body: text } = parse(noteInput.pick({ body: true }), { body });
  const note = await requireNote(db, actor, noteId);
  if (note.body === text) return note;
  return db.$transaction(async (tx) => {
    await tx.noteRevision.create({
      data: {
        shop: actor.shop,
        noteId,
        body: note.body,
        editedById: actor.userId,
        editedByName: actor.name,
      },
    });
    const updated = await tx.note.update({
      where: { id: noteId },
      data: { body: text, editedAt: new Date() },
    });
    await audit(tx, actor, note.customerId, "note.edited", { noteId, body: note.body }, { noteId, body: text });
    return updated;
  });
}

export async function setNotePinned({ actor, noteId, pinned, db = prisma }: { actor: Actor; noteId: string; pinned: boolean; db?: PrismaClient }) {
  const note = await requireNote(db, actor, noteId);
  if (note.pinned === pinned) return note;
  return db.$transaction(async (tx) => {
    const updated = await tx.note.update({
      where: { id: noteId },
      data: { pinned },
    });
    await audit(tx, actor, note.customerId, pinned ? "note.pinned" : "note.unpinned", { noteId, pinned: note.pinned }, { noteId, pinned });
    return updated;
  });
}

/** Soft delete: the note leaves every list but stays, with who deleted it, for the audit trail. */
export async function deleteNote({ actor, noteId, db = prisma }: { actor: Actor; noteId: string; db?: PrismaClient }) {
  const note = await requireNote(db, actor, noteId);
  return db.$transaction(async (tx) => {
    const deleted = await tx.note.update({
      where: { id: noteId },
      data: { deletedAt: new Date(), deletedById: actor.userId, pinned: false },
    });
    await audit(tx, actor, note.customerId, "note.deleted", { noteId, body: note.body }, undefined);
    return deleted;
  });
}

/** Sets (or with null due date, removes) a note's follow-up. */
export async function setFollowUp({
  actor,
  noteId,
  followUpAt,
  assigneeId,
  db = prisma,
}: {
  actor: Actor;
  noteId: string;
  followUpAt: string | null;
  assigneeId?: string | null;
  db?: PrismaClient;
}) {
  const due = followUpAt === null ? null : parse(z.object({ followUpAt: dueDate }), { followUpAt }).followUpAt;
  const note = await requireNote(db, actor, noteId);
  const assignee = due ? assigneeId ?? note.followUpAssigneeId ?? actor.userId : null;
  await requireAssignee(db, actor.shop, assignee);
  return db.$transaction(async (tx) => {
    const updated = await tx.note.update({
      where: { id: noteId },
      data: {
        followUpAt: due,
        followUpAssigneeId: assignee,
        followUpDoneAt: null,
      },
    });
    await audit(
      tx,
      actor,
      note.customerId,
      "note.follow_up_set",
      {
        noteId,
        followUpAt: note.followUpAt,
        followUpAssigneeId: note.followUpAssigneeId,
      },
      { noteId, followUpAt: due, followUpAssigneeId: assignee }
    );
    return updated;
  });
}

export async function completeFollowUp({ actor, noteId, db = prisma }: { actor: Actor; noteId: string; db?: PrismaClient }) {
  const note = await requireNote(db, actor, noteId);
  if (!note.followUpAt) throw new NoteError("This note has no follow-up", 422);
  if (note.followUpDoneAt) return note;
  return db.$transaction(async (tx) => {
    const updated = await tx.note.update({
      where: { id: noteId },
      data: { followUpDoneAt: new Date() },
    });
    await audit(tx, actor, note.customerId, "note.follow_up_done", undefined, {
      noteId,
    });
    return updated;
  });
}

/** A customer's live notes, pinned first then newest, each with its earlier texts (newest first). */
export async function listNotes({ shop, customerId, db = prisma }: { shop: string; customerId: string; db?: PrismaClient }) {
  const notes = await db.note.findMany({
    where: { shop, customerId, deletedAt: null },
    orderBy: [{ pinned: "desc" }, { createdAt: "desc" }, { id: "desc" }],
  });
  const revisions = notes.length
    ? await db.noteRevision.findMany({
        where: { shop, noteId: { in: notes.map((note) => note.id) } },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      })
    : [];
  return notes.map((note) => ({
    ...note,
    revisions: revisions.filter((revision) => revision.noteId === note.id),
  }));
}

export const isOverdue = (note: Pick<NoteModel, "followUpAt" | "followUpDoneAt">, now = new Date()) =>
  note.followUpAt !== null && note.followUpDoneAt === null && note.followUpAt.getTime() + 86_400_000 <= now.getTime();

/** Open follow-ups (on live notes) assigned to `assigneeId` - or to anyone when omitted - earliest due first, with their customer. */
export async function listFollowUps({ shop, assigneeId, take = 200, db = prisma }: { shop: string; assigneeId?: string; take?: number; db?: PrismaClient }) {
  const notes = await db.note.findMany({
    where: {
      shop,
      deletedAt: null,
      followUpAt: { not: null },
      followUpDoneAt: null,
      ...(assigneeId ? { followUpAssigneeId: assigneeId } : {}),
    },
    orderBy: [{ followUpAt: "asc" }, { id: "asc" }],
    take,
  });
  const customers = await db.customer.findMany({
    where: {
      shop,
      shopifyId: { in: [...new Set(notes.map((note) => note.customerId))] },
    },
    select: { shopifyId: true, displayName: true, email: true },
  });
  const byId = new Map(customers.map((customer) => [customer.shopifyId, customer]));
  const now = new Date();
  return notes.map((note) => ({
    ...note,
    overdue: isOverdue(note, now),
    customer: byId.get(note.customerId) ?? null,
  }));
}
