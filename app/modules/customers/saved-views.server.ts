// Saved views of the customers index: a name and a query, shared by the shop's staff.
import { prisma, Prisma, type PrismaClient } from "../../db.server";
import { writeAudit } from "../audit/audit.server";
import type { Actor } from "../staff/staff.server";
import { customerQueryParams, type CustomerQuery } from "./customer-index.server";

export class SavedViewError extends Error {
  override name = "SavedViewError";
}

export function listSavedViews({ shop, db = prisma }: { shop: string; db?: PrismaClient }) {
  return db.savedView.findMany({
    where: { shop },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}

/** Saves (or replaces, by name) a view of the actor's shop. */
export async function saveView({ actor, name, query, db = prisma }: { actor: Actor; name: string; query: CustomerQuery; db?: PrismaClient }) {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 40) throw new SavedViewError("A view needs a name of 1 to 40 characters");
  const stored = JSON.stringify(Object.fromEntries(customerQueryParams(query)));
  try {
    const view = await db.savedView.upsert({
      where: { shop_name: { shop: actor.shop, name: trimmed } },
      create: {
        shop: actor.shop,
        name: trimmed,
        query: stored,
        createdById: actor.userId,
      },
      update: { query: stored },
    });
    await writeAudit(db, {
      shop: actor.shop,
      actorType: "staff",
      actorId: actor.userId,
      actorName: actor.name,
      action: "view.saved",
      subjectType: "view",
      subjectId: view.id,
      after: { name: trimmed, query },
    });
    return view;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw new SavedViewError(`A view named "${trimmed}" already exists`);
    throw error;
  }
}

export async function deleteSavedView({ actor, id, db = prisma }: { actor: Actor; id: string; db?: PrismaClient }) {
  const view = await db.savedView.findFirst({
    where: { id, shop: actor.shop },
  });
  if (!view) throw new SavedViewError("View not found");
  await db.savedView.delete({ where: { id } });
  await writeAudit(db, {
    shop: actor.shop,
    actorType: "staff",
    actorId: actor.userId,
    actorName: actor.name,
    action: "view.deleted",
    subjectType: "view",
    subjectId: id,
    before: { name: view.name },
  });
}
