// Privacy: Shopify's mandatory compliance webhooks (customers/data_request, customers/redact,
// shop/redact) and app/uninstalled, plus the data exports the merchant hands to customers. Every
// function is shop-scoped and idempotent: Shopify delivers these webhooks at least once.
import type { Prisma, PrismaClient } from "../../db.server";
import { writeAudit } from "../audit/audit.server";
import { purgeSearchIndex } from "../customers/customer-search.server";
import { delegateName, shopScopedModels, type ModelName } from "./models.server";
import { PERSONAL_DATA_SOURCES, type Tx } from "./sources.server";
import { customerGid, exactId, orderGid, uniqueEmails, type CustomerSubject } from "./subject";

/** The `customer` of a compliance payload. The id is taken as the webhook layer gives it: digits (exact) or a number. */
export interface PrivacyCustomer {
  id: string | number | bigint;
  email?: string | null;
  phone?: string | null;
}

export interface DataRequestPayload {
  customer: PrivacyCustomer;
  orders_requested?: readonly (string | number)[] | null;
  data_request?: { id: string | number } | null;
}

export interface CustomerRedactPayload {
  customer: PrivacyCustomer;
  orders_to_redact?: readonly (string | number)[] | null;
}

export const DATA_EXPORT_FORMAT = "customer-crm.data-export/1";
const TRANSACTION = { timeout: 60_000, maxWait: 10_000 };

/** Who the request is about: the customer rows, emails, phones and orders the app can tie to them. */
async function resolveSubject(db: Tx, shop: string, customer: PrivacyCustomer, orderRefs: readonly (string | number)[] = []): Promise<CustomerSubject> {
  const id = exactId(customer.id);
  const requestedId = id ? customerGid(id) : null;
  let rows = requestedId ? await db.customer.findMany({ where: { shop, shopifyId: requestedId }, select: { shopifyId: true, email: true, phone: true } }) : [];
  const requestEmails = uniqueEmails(customer.email);
  // Match by email when the GID finds nobody. The Shopify library parses webhook bodies with
  // JSON.parse, so an id beyond 2^53 reaches us rounded and its GID names no row (or the id could
  // not be trusted at all, see exactId); the email Shopify sends alongside still identifies the
  // customer (unique per shop in Shopify).
  if (rows.length === 0 && requestEmails.length > 0) {
    rows = await db.customer.findMany({ where: { shop, email: { in: requestEmails } }, select: { shopifyId: true, email: true, phone: true } });
  }
  const customerIds = [...new Set([...(requestedId ? [requestedId] : []), ...rows.map((row) => row.shopifyId)])];
  const emails = uniqueEmails(customer.email, ...rows.map((row) => row.email));
  const phones = [...new Set([customer.phone, ...rows.map((row) => row.phone)].map((phone) => phone?.trim()).filter((phone): phone is string => Boolean(phone)))];
  const listed = orderRefs.map(exactId).filter((ref): ref is string => ref !== null).map(orderGid);
  const orders =
    customerIds.length + emails.length > 0
      ? await db.order.findMany({
          where: { shop, OR: [...(customerIds.length ? [{ customerId: { in: customerIds } }] : []), ...(emails.length ? [{ email: { in: emails } }] : [])] },
          select: { shopifyId: true },
        })
      : [];
  const orderIds = [...new Set([...orders.map((order) => order.shopifyId), ...listed])];
  return { shop, requestedId, customerIds, emails, phones, orderIds };
}

/** JSON text of an export: BigInt money as decimal strings of minor units, dates as ISO strings. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item), 2);
}

/**
 * customers/data_request: assembles everything the app holds about the customer from every
 * personal data source into one JSON document, stored as a ready DataExport. A repeated delivery
 * of the same data request returns the export already made.
 */
export async function requestDataExport({ db, shop, payload }: { db: PrismaClient; shop: string; payload: DataRequestPayload }): Promise<string> {
  const requestId = payload.data_request ? exactId(payload.data_request.id) : null;
  const done = requestId ? await db.dataExport.findFirst({ where: { shop, requestId, status: "ready" }, select: { id: true } }) : null;
  if (done) return done.id;

  return db.$transaction(async (tx) => {
    const subject = await resolveSubject(tx, shop, payload.customer, payload.orders_requested ?? []);
    const customerId = subject.requestedId ?? subject.customerIds[0] ?? customerGid(String(payload.customer.id));
    const generatedAt = new Date();
    const sections: Record<string, unknown> = {};
    for (const source of PERSONAL_DATA_SOURCES) {
      const data = await source.collect?.({ db: tx, subject });
      if (data !== undefined) sections[source.key] = data;
    }
    const content = toJson({
      format: DATA_EXPORT_FORMAT,
      shop,
      generatedAt,
      request: {
        dataRequestId: requestId,
        customer: { id: customerId, email: payload.customer.email ?? null, phone: payload.customer.phone ?? null },
        ordersRequested: (payload.orders_requested ?? []).map((ref) => exactId(ref) ?? String(ref)),
      },
      data: sections,
    });
    const data = { customerId, status: "ready", content, error: null, completedAt: generatedAt };
    // An earlier attempt that did not finish is completed rather than duplicated.
    const unfinished = requestId ? await tx.dataExport.findFirst({ where: { shop, requestId }, select: { id: true } }) : null;
    const exported = unfinished
      ? await tx.dataExport.update({ where: { id: unfinished.id }, data, select: { id: true } })
      : await tx.dataExport.create({ data: { shop, requestId, ...data }, select: { id: true } });
    await writeAudit(tx, {
      shop,
      actorType: "webhook",
      action: "privacy.data_requested",
      subjectType: "customer",
      subjectId: customerId,
      after: { dataExportId: exported.id, dataRequestId: requestId },
    });
    return exported.id;
  }, TRANSACTION);
}

export interface RedactCustomerResult {
  customerIds: string[];
  /** Rows changed per personal data source (0 everywhere on a repeat). */
  changed: Record<string, number>;
}

/**
 * customers/redact: erases the customer's personal data from every personal data source in one
 * transaction. Anonymous numbers (order totals, the customer's order count and spend) are kept so
 * the shop's aggregates stay true; the customer row stays, blanked, with redactedAt set.
 */
export async function redactCustomer({ db, shop, payload }: { db: PrismaClient; shop: string; payload: CustomerRedactPayload }): Promise<RedactCustomerResult> {
  return db.$transaction(async (tx) => {
    const subject = await resolveSubject(tx, shop, payload.customer, payload.orders_to_redact ?? []);
    const now = new Date();
    const changed: Record<string, number> = {};
    for (const source of PERSONAL_DATA_SOURCES) changed[source.key] = await source.redact({ db: tx, subject, now });
    if (Object.values(changed).some((count) => count > 0)) {
      // By id only, and kept: the proof that the request was carried out.
      await writeAudit(tx, {
        shop,
        actorType: "webhook",
        action: "privacy.customer_redacted",
        subjectType: "customer",
        subjectId: subject.requestedId ?? subject.customerIds[0] ?? customerGid(String(payload.customer.id)),
        after: { customers: subject.customerIds, orders: subject.orderIds.length, changed },
      });
      await purgeSearchIndex(tx);
    }
    return { customerIds: subject.customerIds, changed };
  }, TRANSACTION);
}

/**
 * shop/redact (48 h after uninstall): deletes every row of the shop in every table. The table list
 * comes from the schema (shopScopedModels), so a table added later is covered or refuses to run.
 */
export async function redactShop({ db, shop }: { db: PrismaClient; shop: string }): Promise<Partial<Record<ModelName, number>>> {
  const models = shopScopedModels();
  type Deletable = { deleteMany(args: { where: { shop: string } }): Prisma.PrismaPromise<{ count: number }> };
  const client = db as unknown as Record<string, Deletable>;
  const results = await db.$transaction(models.map((model) => client[delegateName(model)]!.deleteMany({ where: { shop } })));
  await purgeSearchIndex(db);
  return Object.fromEntries(models.map((model, index) => [model, results[index]!.count]));
}

/**
 * app/uninstalled: may arrive more than once and after the sessions are gone. Ends the shop's
 * sessions, marks it uninstalled (once: the first delivery's time and audit entry stay) and
 * cancels its queued jobs through the job layer.
 */
export async function uninstallShop({ db, shop, cancelJobs }: { db: PrismaClient; shop: string; cancelJobs: (shop: string) => Promise<unknown> }) {
  const sessions = await db.session.deleteMany({ where: { shop } });
  const marked = await db.shop.updateMany({ where: { shop, uninstalledAt: null }, data: { uninstalledAt: new Date() } });
  if (marked.count > 0) {
    await writeAudit(db, { shop, actorType: "webhook", action: "app.uninstalled", subjectType: "shop", subjectId: shop });
  }
  const cancelled = await cancelJobs(shop);
  return { sessionsDeleted: sessions.count, firstDelivery: marked.count > 0, jobsCancelled: typeof cancelled === "number" ? cancelled : null };
}

/** The shop's data exports, newest first, without their content; with the customer's name and email while the app still has them. */
export async function listDataExports({ db, shop, take = 100 }: { db: PrismaClient; shop: string; take?: number }) {
  const exports = await db.dataExport.findMany({
    where: { shop },
    select: { id: true, customerId: true, requestId: true, status: true, error: true, requestedAt: true, completedAt: true },
    orderBy: [{ requestedAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(1, take), 500),
  });
  const customers = await db.customer.findMany({
    where: { shop, shopifyId: { in: [...new Set(exports.map((item) => item.customerId))] } },
    select: { shopifyId: true, displayName: true, firstName: true, lastName: true, email: true },
  });
  const byId = new Map(customers.map((customer) => [customer.shopifyId, customer]));
  return exports.map((item) => {
    const customer = byId.get(item.customerId);
    const name = customer ? customer.displayName || [customer.firstName, customer.lastName].filter(Boolean).join(" ") : "";
    return { ...item, customerName: name || null, customerEmail: customer?.email ?? null };
  });
}

/** One export of this shop, content included; null when it does not exist or belongs to another shop. */
export function getDataExport({ db, shop, id }: { db: PrismaClient; shop: string; id: string }) {
  return db.dataExport.findFirst({ where: { id, shop } });
}

/** `customer-12345-data-2026-01-31.json` */
export function dataExportFileName(dataExport: { customerId: string; requestedAt: Date }): string {
  const id = dataExport.customerId.slice(dataExport.customerId.lastIndexOf("/") + 1).replace(/[^\w-]/g, "") || "unknown";
  return `customer-${id}-data-${dataExport.requestedAt.toISOString().slice(0, 10)}.json`;
}
