// Audit trail: who changed what and when. Every write the app makes on a merchant's behalf lands here.
import type { PrismaClient } from "../../db.server";

export interface AuditEntry {
  shop: string;
  actorType: "staff" | "system" | "webhook";
  actorId?: string;
  actorName?: string;
  action: string;
  subjectType: string;
  subjectId: string;
  before?: unknown;
  after?: unknown;
  batchId?: string;
}

type AuditWriter = Pick<PrismaClient, "auditLog">;

export async function writeAudit(db: AuditWriter, entry: AuditEntry) {
  return db.auditLog.create({
    data: {
      ...entry,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    },
  });
}

/** Many entries in one statement (bulk actions: a handover of thousands of customers). */
export async function writeAuditMany(db: AuditWriter, entries: AuditEntry[]) {
  if (entries.length === 0) return;
  await db.auditLog.createMany({
    data: entries.map((entry) => ({
      ...entry,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    })),
  });
}

export function listAudit({ db, shop, subjectType, subjectId, take = 50 }: { db: AuditWriter; shop: string; subjectType?: string; subjectId?: string; take?: number }) {
  return db.auditLog.findMany({
    where: { shop, ...(subjectType ? { subjectType } : {}), ...(subjectId ? { subjectId } : {}) },
    orderBy: { createdAt: "desc" },
    take,
  });
}
