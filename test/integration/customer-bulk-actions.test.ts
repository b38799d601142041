// Bulk actions of the customers index: tagging in Shopify (through the throttled Admin client, on
// the emulator) and in the archive, the CSV export, and saved views - each scoped to its shop.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";

import type { Emulator } from "../../dev/emulator/index";
import { bootApp } from "../support/app";
import { emulatorAdmin, startEmulatedShops } from "../support/emulated-shop";
import { createCustomer, createShop } from "../support/factories";

const { prisma, database } = await bootApp();
const { queueTagCustomers, runTagCustomersJob, TagError } = await import("~/modules/customers/tag-customers.server");
const { customerCsvLines, csvField } = await import("~/modules/customers/customer-csv.server");
const { saveView, listSavedViews, deleteSavedView, SavedViewError } = await import("~/modules/customers/saved-views.server");

const shop = "bulk-shop.myshopify.com";
const other = "other-bulk-shop.myshopify.com";
const ava = { shop, userId: "1", name: "Ava Chen" };
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulatedShops([{ domain: shop, customers: 5, orders: 0 }]);
});
afterAll(async () => {
  await emulator?.close();
});

/** The emulated store's customers, copied into the archive as the import would. */
async function archiveStoreCustomers() {
  const store = emulator.store(shop);
  const customers = store.customerIdxs().map((idx) => store.getCustomer(idx)!);
  for (const customer of customers) {
    await createCustomer(prisma, { shop, shopifyId: `gid://shopify/Customer/${customer.id}`, displayName: `${customer.firstName} ${customer.lastName}`, email: customer.email, tags: customer.tags.join(", ") });
  }
  return customers;
}

const jobsQueued = () => prisma.job.findMany({ where: { queue: "customers.tag" } });

beforeEach(async () => {
  await database.reset();
  await createShop(prisma, { shop });
  await createShop(prisma, { shop: other });
});

describe("bulk add tag", () => {
  test("GIVEN two selected customers WHEN the job runs THEN Shopify and the archive both carry the tag, each change audited", async () => {
    const [first, second, untouched] = await archiveStoreCustomers();
    const ids = [first!, second!].map((customer) => `gid://shopify/Customer/${customer.id}`);

    expect(await queueTagCustomers({ actor: ava, tag: " Gold club ", customerIds: ids, currencyCode: "USD" })).toBe(2);
    const [job] = await jobsQueued();
    expect(JSON.parse(job!.payload)).toMatchObject({ tag: "Gold club", customerIds: ids, actorName: "Ava Chen" });

    const tagged = await runTagCustomersJob({ shop, payload: JSON.parse(job!.payload) }, { db: prisma, admin: emulatorAdmin(emulator, shop) });
    expect(tagged).toBe(2);
    const store = emulator.store(shop);
    expect(store.getCustomer(store.customerIdxFromId(first!.id))!.tags).toContain("Gold club");
    expect(store.getCustomer(store.customerIdxFromId(untouched!.id))!.tags).not.toContain("Gold club");
    for (const id of ids) expect((await prisma.customer.findUniqueOrThrow({ where: { shop_shopifyId: { shop, shopifyId: id } } })).tags.split(", ")).toContain("Gold club");
    const audit = await prisma.auditLog.findMany({ where: { shop, action: "customer.tag_added" } });
    expect(audit.map((entry) => entry.subjectId).sort()).toEqual([...ids].sort());

    // Re-running the job (a retry after a crash) calls Shopify for nobody: they already carry it.
    const tagCalls = () => emulator.requests.filter((request) => request.query.includes("tagsAdd")).length;
    expect(tagCalls()).toBe(2);
    const calls = emulator.requests.length;
    expect(await runTagCustomersJob({ shop, payload: JSON.parse(job!.payload) }, { db: prisma, admin: emulatorAdmin(emulator, shop) })).toBe(0);
    expect(emulator.requests.length).toBe(calls);
  });

  test("all customers a query selects, never another shop's, and a tag Shopify would split is refused", async () => {
    await archiveStoreCustomers();
    await createCustomer(prisma, { shop: other, shopifyId: "gid://shopify/Customer/999", displayName: "Elsewhere" });
    expect(await queueTagCustomers({ actor: ava, tag: "vip", query: {}, currencyCode: "USD" })).toBe(5);
    const [job] = await jobsQueued();
    expect(JSON.parse(job!.payload).customerIds).not.toContain("gid://shopify/Customer/999");

    // Ids of another shop sent by a form are dropped.
    expect(await queueTagCustomers({ actor: ava, tag: "vip", customerIds: ["gid://shopify/Customer/999"], currencyCode: "USD" })).toBe(0);
    await expect(queueTagCustomers({ actor: ava, tag: "a, b", customerIds: [], currencyCode: "USD" })).rejects.toThrow(TagError);
    await expect(queueTagCustomers({ actor: ava, tag: "   ", customerIds: [], currencyCode: "USD" })).rejects.toThrow(TagError);
  });
});

describe("CSV export", () => {
  test.each([
    { title: "plain text", value: "Ada", csv: "Ada" },
    { title: "a comma", value: "Lovelace, Ada", csv: '"Lovelace, Ada"' },
    { title: "quotes", value: 'Ada "the Countess"', csv: '"Ada ""the Countess"""' },
    { title: "a line break", value: "line\nbreak", csv: '"line\nbreak"' },
    { title: "a formula", value: "=HYPERLINK(1)", csv: "'=HYPERLINK(1)" },
    { title: "a negative-looking text", value: "-5", csv: "'-5" },
    { title: "a number", value: 12, csv: "12" },
    { title: "nothing", value: null, csv: "" },
  ])("a field with $title", ({ value, csv }) => {
    expect(csvField(value)).toBe(csv);
  });

  test("exports exactly the customers the query selects, money as decimals, names in UTF-8", async () => {
    await createCustomer(prisma, { shop, shopifyId: "gid://shopify/Customer/1", displayName: "李 伟", email: "li@example.com", amountSpentMinor: 123456n, numberOfOrders: 3, tags: "vip, wholesale" });
    await createCustomer(prisma, { shop, shopifyId: "gid://shopify/Customer/2", displayName: "Ada Lovelace", amountSpentMinor: 500n, tags: "" });
    await createCustomer(prisma, { shop: other, shopifyId: "gid://shopify/Customer/3", displayName: "Other shop", tags: "vip" });
    let text = "";
    for await (const chunk of customerCsvLines({ shop, query: { tag: "vip" }, currencyCode: "USD", db: prisma })) text += chunk;
    const lines = text.replace(/^\uFEFF/, "").trimEnd().split("\r\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Customer ID,Name,Email/);
    expect(lines[1]).toBe('1,李 伟,li@example.com,,"vip, wholesale",3,1234.56,USD,,,,,,');
  });
});

describe("saved views", () => {
  test("are shared within the shop, replaced by name, and invisible to another shop", async () => {
    await saveView({ actor: ava, name: "Big spenders", query: { spentMin: "500", sort: "spent", direction: "desc" }, db: prisma });
    await saveView({ actor: ava, name: "Big spenders", query: { spentMin: "1000" }, db: prisma });
    const views = await listSavedViews({ shop, db: prisma });
    expect(views.map((view) => [view.name, JSON.parse(view.query)])).toEqual([["Big spenders", { spentMin: "1000" }]]);
    expect(await listSavedViews({ shop: other, db: prisma })).toEqual([]);
    await expect(deleteSavedView({ actor: { ...ava, shop: other }, id: views[0]!.id, db: prisma })).rejects.toThrow(SavedViewError);
    await expect(saveView({ actor: ava, name: " ", query: {}, db: prisma })).rejects.toThrow(SavedViewError);
    await deleteSavedView({ actor: ava, id: views[0]!.id, db: prisma });
    expect(await listSavedViews({ shop, db: prisma })).toEqual([]);
  });
});
