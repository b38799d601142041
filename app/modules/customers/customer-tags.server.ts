// A customer's tags changed the way that lasts: in Shopify (tagsAdd / tagsRemove through the
// throttled Admin client), then mirrored in the archive - a tag only the archive knew would be lost
// at the next sync. The bulk tag action, loyalty tier tags and segment tags all go through here.
import type { PrismaClient } from "../../db.server";
import { adminGraphql, assertNoUserErrors, type AdminGraphql, type UserError } from "../shopify/admin-graphql.server";

const TAGS_ADD = `#graphql
  mutation CustomerTagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      node { id }
      userErrors { field message }
    }
  }`;

const TAGS_REMOVE = `#graphql
  mutation CustomerTagsRemove($id: ID!, $tags: [String!]!) {
    tagsRemove(id: $id, tags: $tags) {
      node { id }
      userErrors { field message }
    }
  }`;

/** The archive's tag text (", "-separated, Shopify's own form) as a list. */
export const splitTags = (tags: string) => (tags ? tags.split(", ") : []);

/**
 * Removes `remove` from and adds `add` to a customer whose tags are `tags` (as the archive holds
 * them), in Shopify and then in the archive; an empty list costs no call. Returns the tags now held.
 */
export async function changeCustomerTags({ db, shop, admin, customerId, tags, add = [], remove = [] }: { db: PrismaClient; shop: string; admin: AdminGraphql; customerId: string; tags: readonly string[]; add?: readonly string[]; remove?: readonly string[] }): Promise<string[]> {
  if (remove.length > 0) assertNoUserErrors("tagsRemove", (await adminGraphql<{ tagsRemove: { userErrors: UserError[] } }>({ shop, admin }, TAGS_REMOVE, { id: customerId, tags: remove })).tagsRemove);
  if (add.length > 0) assertNoUserErrors("tagsAdd", (await adminGraphql<{ tagsAdd: { userErrors: UserError[] } }>({ shop, admin }, TAGS_ADD, { id: customerId, tags: add })).tagsAdd);
  const next = [...tags.filter((tag) => !remove.includes(tag)), ...add];
  if (remove.length > 0 || add.length > 0) await db.customer.updateMany({ where: { shop, shopifyId: customerId }, data: { tags: next.join(", ") } });
  return next;
}
