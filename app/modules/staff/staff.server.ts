// Staff members of a shop (from their online sessions), customer ownership and handover.
import type { Session } from "@shopify/shopify-api";

import { prisma, type PrismaClient } from "../../db.server";
import { writeAudit, writeAuditMany } from "../audit/audit.server";
import { allCustomerIds, type CustomerQuery } from "../customers/customer-index.server";
import { isOverdue } from "../notes/notes.server";
import { markInsightsDirty } from "../segments/insights.server";
import { queueSegmentsUpdate } from "../segments/segment-jobs.server";
import { staffName } from "./staff-name";

/** The staff member acting in a request: who writes a note, changes an owner, appears in the audit log. */
export interface Actor {
  shop: string;
  userId: string;
  name: string;
}

export { staffName };

// A staff member's row is refreshed at most this often per process (every request would be a write).
const SEEN_EVERY_MS = 10 * 60_000;
const lastSeen = new Map<string, number>();

/**
 * The acting staff member of an online session, recorded as a StaffMember of the shop. An offline
 * session (no person behind it) cannot act for staff: that is a programming error, not bad input.
 */
export async function actorFromSession(session: Session, db: PrismaClient = prisma): Promise<Actor> {
  const user = session.onlineAccessInfo?.associated_user;
  if (!session.isOnline || !user) throw new Error("This action needs a staff member's online session");
  const staff = {
    shop: session.shop,
    userId: String(user.id),
    firstName: user.first_name || null,
    lastName: user.last_name || null,
    email: user.email || null,
    accountOwner: user.account_owner ?? false,
    locale: user.locale || null,
  };
  const key = `${staff.shop}:${staff.userId}`;
  if ((lastSeen.get(key) ?? 0) < Date.now() - SEEN_EVERY_MS) {
    const now = new Date();
    await db.staffMember.upsert({
      where: { shop_userId: { shop: staff.shop, userId: staff.userId } },
      create: { ...staff, firstSeenAt: now, lastSeenAt: now },
      update: { ...staff, lastSeenAt: now },
    });
    lastSeen.set(key, Date.now());
  }
  return { shop: staff.shop, userId: staff.userId, name: staffName(staff) };
}

export async function listStaff({ shop, db = prisma }: { shop: string; db?: PrismaClient }) {
  const staff = await db.staffMember.findMany({
    where: { shop },
    orderBy: [{ firstName: "asc" }, { lastName: "asc" }, { userId: "asc" }],
  });
  return staff.map((member) => ({
    userId: member.userId,
    name: staffName(member),
    email: member.email,
    accountOwner: member.accountOwner,
  }));
}

export class OwnershipError extends Error {
  override name = "OwnershipError";
}

async function requireStaff(db: PrismaClient, shop: string, userId: string) {
  const staff = await db.staffMember.findUnique({
    where: { shop_userId: { shop, userId } },
  });
  if (!staff) throw new OwnershipError(`No staff member ${userId} in this shop`);
  return staff;
}

// Customers changed per transaction: bounded statements, and a long handover never holds the lock long.
const CHUNK = 500;

/**
 * Makes `ownerId` (null: nobody) the owner of the given customers of the actor's shop, auditing
 * each change. Customers already owned by them, or of another shop, are left alone. Returns how
 * many changed.
 */
export async function assignOwner({
  actor,
  customerIds,
  ownerId,
  batchId,
  db = prisma,
}: {
  actor: Actor;
  customerIds: Iterable<string>;
  ownerId: string | null;
  /** Groups the audit entries under a bulk action's own entry (a handover). */
  batchId?: string;
  db?: PrismaClient;
}) {
  const shop = actor.shop;
  const owner = ownerId === null ? null : await requireStaff(db, shop, ownerId);
  const ids = [...customerIds];
  let changed = 0;
  for (let start = 0; start < ids.length; start += CHUNK) {
    changed += await db.$transaction(async (tx) => {
      // SQL's ownerId <> x is never true for a null owner, hence the OR.
      const changing = await tx.customer.findMany({
        where: {
          shop,
          shopifyId: { in: ids.slice(start, start + CHUNK) },
          deletedAt: null,
          ...(ownerId === null ? { ownerId: { not: null } } : { OR: [{ ownerId: null }, { ownerId: { not: ownerId } }] }),
        },
        select: { shopifyId: true, ownerId: true },
      });
      if (changing.length === 0) return 0;
      await tx.customer.updateMany({
        where: {
          shop,
          shopifyId: { in: changing.map((customer) => customer.shopifyId) },
        },
        data: { ownerId },
      });
      await writeAuditMany(
        tx,
        changing.map((customer) => ({
          shop,
          actorType: "staff" as const,
          actorId: actor.userId,
          actorName: actor.name,
          action: "customer.owner_changed",
          subjectType: "customer",
          subjectId: customer.shopifyId,
          before: { ownerId: customer.ownerId },
          after: { ownerId, ownerName: owner ? staffName(owner) : null },
          ...(batchId ? { batchId } : {}),
        }))
      );
      // The owner is a segment field.
      await markInsightsDirty(tx, shop, changing.map((customer) => customer.shopifyId));
      return changing.length;
    });
  }
  if (changed > 0) await queueSegmentsUpdate(shop);
  return changed;
}

/**
 * Moves the customers `fromId` owns - all, or those `query` selects among them - to `toId` in one
 * step. Returns the handover's id (its audit entry), from which the receiver's briefing is built.
 */
export async function handOver({
  actor,
  fromId,
  toId,
  query = {},
  currencyCode,
  db = prisma,
}: {
  actor: Actor;
  fromId: string;
  toId: string;
  query?: CustomerQuery;
  currencyCode: string;
  db?: PrismaClient;
}) {
  if (fromId === toId) throw new OwnershipError("Choose two different staff members");
  const [from, to] = [await requireStaff(db, actor.shop, fromId), await requireStaff(db, actor.shop, toId)];
  const ids = await allCustomerIds({ shop: actor.shop, query: { ...query, owner: fromId }, currencyCode, db });
  const entry = await writeAudit(db, {
    shop: actor.shop,
    actorType: "staff",
    actorId: actor.userId,
    actorName: actor.name,
    action: "staff.handover",
    subjectType: "staff",
    subjectId: fromId,
    before: { ownerId: fromId, ownerName: staffName(from) },
    after: {
      ownerId: toId,
      ownerName: staffName(to),
      customers: ids.length,
      query,
    },
  });
  const moved = await assignOwner({
    actor,
    customerIds: ids,
    ownerId: toId,
    batchId: entry.id,
    db,
  });
  return {
    handoverId: entry.id,
    moved,
    from: staffName(from),
    to: staffName(to),
  };
}

/**
 * What the receiver of a handover needs to know: the customers it moved, most valuable first, with
 * their value, last order, pinned notes and open follow-ups.
 */
export async function getHandoverBriefing({ shop, handoverId, db = prisma }: { shop: string; handoverId: string; db?: PrismaClient }) {
  const handover = await db.auditLog.findFirst({
    where: { id: handoverId, shop, action: "staff.handover" },
  });
  if (!handover) return null;
  const entries = await db.auditLog.findMany({
    where: { shop, batchId: handoverId },
    select: { subjectId: true },
  });
  const ids = entries.map((entry) => entry.subjectId);
  const customers: Array<Awaited<ReturnType<typeof findBriefed>>[number]> = [];
  for (let start = 0; start < ids.length; start += CHUNK) customers.push(...(await findBriefed(db, shop, ids.slice(start, start + CHUNK))));
  customers.sort((a, b) => (a.amountSpentMinor === b.amountSpentMinor ? a.shopifyId.localeCompare(b.shopifyId) : a.amountSpentMinor > b.amountSpentMinor ? -1 : 1));

  const shown = customers.slice(0, BRIEFING_LIMIT);
  const notes = shown.length
    ? await db.note.findMany({
        where: {
          shop,
          customerId: { in: shown.map((customer) => customer.shopifyId) },
          deletedAt: null,
          OR: [{ pinned: true }, { followUpAt: { not: null }, followUpDoneAt: null }],
        },
        orderBy: [{ createdAt: "desc" }],
      })
    : [];
  const now = new Date();
  const after = JSON.parse(handover.after ?? "{}") as {
    ownerId?: string;
    ownerName?: string;
    customers?: number;
  };
  const before = JSON.parse(handover.before ?? "{}") as { ownerName?: string };
  return {
    handover: {
      id: handover.id,
      at: handover.createdAt,
      by: handover.actorName,
      from: before.ownerName ?? null,
      to: after.ownerName ?? null,
      toId: after.ownerId ?? null,
      moved: ids.length,
    },
    total: customers.length,
    customers: shown.map((customer) => {
      const own = notes.filter((note) => note.customerId === customer.shopifyId);
      return {
        ...customer,
        pinnedNotes: own.filter((note) => note.pinned).slice(0, 3),
        followUps: own.filter((note) => note.followUpAt && !note.followUpDoneAt).map((note) => ({ ...note, overdue: isOverdue(note, now) })),
      };
    }),
  };
}

const BRIEFING_LIMIT = 200;

const findBriefed = (db: PrismaClient, shop: string, ids: string[]) =>
  db.customer.findMany({
    where: { shop, shopifyId: { in: ids }, deletedAt: null },
    select: {
      shopifyId: true,
      displayName: true,
      email: true,
      amountSpentMinor: true,
      currencyCode: true,
      numberOfOrders: true,
      lastOrderAt: true,
      ownerId: true,
    },
  });
