// Bulk "add tag": the tag is added in Shopify (tagsAdd, through the throttled Admin client) by a
// background job, and in the archive as each call succeeds; Shopify's customer.tags_added webhook
// then confirms it. Tags live in Shopify, so a tag only the app knew would be lost at the next sync.
import { z } from "zod";

import { prisma, type PrismaClient } from "../../db.server";
import { writeAuditMany } from "../audit/audit.server";
import { jobQueue } from "../jobs/index.server";
import type { Job } from "../jobs/types";
import { markInsightsDirty } from "../segments/insights.server";
import { queueSegmentsUpdate } from "../segments/segment-jobs.server";
import type { AdminGraphql } from "../shopify/admin-graphql.server";
import type { Actor } from "../staff/staff.server";
import { allCustomerIds, type CustomerQuery } from "./customer-index.server";
import { changeCustomerTags, splitTags } from "./customer-tags.server";

export class TagError extends Error {
  override name = "TagError";
}

// Shopify: a tag is at most 255 characters; a comma would split it into two.
const tagSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .refine((tag) => !tag.includes(","), "A tag cannot contain a comma");

/** Queues the tagging of the given customers (or all the query selects); returns how many. */
export async function queueTagCustomers({
  actor,
  tag,
  customerIds,
  query = {},
  currencyCode,
  db = prisma,
}: {
  actor: Actor;
  tag: string;
  customerIds?: string[];
  query?: CustomerQuery;
  currencyCode: string;
  db?: PrismaClient;
}): Promise<number> {
  const parsed = tagSchema.safeParse(tag);
  if (!parsed.success) throw new TagError(parsed.error.issues[0]?.message ?? "Invalid tag");
  let ids = customerIds;
  if (!ids) {
    ids = await allCustomerIds({ shop: actor.shop, query, currencyCode, db });
  } else {
    // Only the shop's own customers, whatever the form sent.
    const own = await db.customer.findMany({
      where: { shop: actor.shop, shopifyId: { in: ids }, deletedAt: null },
      select: { shopifyId: true },
    });
    ids = own.map((customer) => customer.shopifyId);
  }
  if (ids.length === 0) return 0;
  await jobQueue().enqueue(
    "customers.tag",
    {
      tag: parsed.data,
      customerIds: ids,
      actorId: actor.userId,
      actorName: actor.name,
    },
    { shop: actor.shop }
  );
  return ids.length;
}

const hasTag = (tags: string, tag: string) => splitTags(tags).includes(tag);

/** The job: tags each customer in Shopify, then in the archive. Re-running skips those already tagged. */
export async function runTagCustomersJob(job: Pick<Job<"customers.tag">, "shop" | "payload">, deps: { db?: PrismaClient; admin?: AdminGraphql } = {}) {
  const shop = job.shop;
  if (!shop) throw new Error("customers.tag needs the job's shop");
  const db = deps.db ?? prisma;
  const { adminForShop } = await import("../sync/import-job.server");
  const admin = deps.admin ?? (await adminForShop(shop));
  const { tag, customerIds, actorId, actorName } = job.payload;
  let tagged = 0;
  for (let start = 0; start < customerIds.length; start += 100) {
    const customers: Array<{ shopifyId: string; tags: string }> = await db.customer.findMany({
      where: {
        shop,
        shopifyId: { in: customerIds.slice(start, start + 100) },
        deletedAt: null,
      },
      select: { shopifyId: true, tags: true },
    });
    const done: typeof customers = [];
    for (const customer of customers) {
      if (hasTag(customer.tags, tag)) continue;
      await changeCustomerTags({ db, shop, admin, customerId: customer.shopifyId, tags: splitTags(customer.tags), add: [tag] });
      done.push(customer);
    }
    await writeAuditMany(
      db,
      done.map((customer) => ({
        shop,
        actorType: "staff" as const,
        actorId,
        actorName,
        action: "customer.tag_added",
        subjectType: "customer",
        subjectId: customer.shopifyId,
        before: { tags: customer.tags },
        after: { tag },
      }))
    );
    // Tags are a segment field.
    await markInsightsDirty(db, shop, done.map((customer) => customer.shopifyId));
    tagged += done.length;
  }
  if (tagged > 0) await queueSegmentsUpdate(shop);
  return tagged;
}
