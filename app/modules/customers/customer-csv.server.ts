// CSV export of the customers a query selects, streamed page by page so memory stays flat.
import { prisma, type PrismaClient } from "../../db.server";
import { toDecimalString } from "../money/money";
import { staffName } from "../staff/staff-name";
import { customerPages, type CustomerQuery } from "./customer-index.server";

export const CUSTOMER_CSV_HEADER = ["Customer ID", "Name", "Email", "Phone", "Tags", "Orders", "Amount spent", "Currency", "First order", "Last order", "Owner", "City", "Country", "Email marketing"];

/** One CSV field: quoted when needed, and a leading = + - @ defused so a spreadsheet never runs it as a formula. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (fields: Array<string | number | null | undefined>) => `${fields.map(csvField).join(",")}\r\n`;
const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : null);

type CsvCustomer = Pick<
  Awaited<ReturnType<PrismaClient["customer"]["findFirstOrThrow"]>>,
  "shopifyId" | "displayName" | "firstName" | "lastName" | "email" | "phone" | "tags" | "numberOfOrders" | "amountSpentMinor" | "currencyCode" | "firstOrderAt" | "lastOrderAt" | "ownerId" | "city" | "countryCode" | "emailMarketingState"
>;

/** One customer's fields in CUSTOMER_CSV_HEADER order (the segment export appends its own). */
export function customerCsvFields(customer: CsvCustomer, staff: ReadonlyMap<string, string>): Array<string | number | null> {
  return [
    customer.shopifyId.slice(customer.shopifyId.lastIndexOf("/") + 1),
    customer.displayName || [customer.firstName, customer.lastName].filter(Boolean).join(" "),
    customer.email,
    customer.phone,
    customer.tags,
    customer.numberOfOrders,
    toDecimalString(customer.amountSpentMinor, customer.currencyCode),
    customer.currencyCode,
    day(customer.firstOrderAt),
    day(customer.lastOrderAt),
    customer.ownerId ? staff.get(customer.ownerId) ?? customer.ownerId : null,
    customer.city,
    customer.countryCode,
    customer.emailMarketingState,
  ];
}

/** Staff user id -> name, for the Owner column. */
export async function staffNames(db: PrismaClient, shop: string): Promise<Map<string, string>> {
  return new Map((await db.staffMember.findMany({ where: { shop } })).map((member) => [member.userId, staffName(member)]));
}

/** The export as lines of text: a header, then a line per customer in id order. */
export async function* customerCsvLines({ shop, query, currencyCode, db = prisma }: { shop: string; query: CustomerQuery; currencyCode: string; db?: PrismaClient }) {
  const staff = await staffNames(db, shop);
  // A byte order mark: Excel then reads the file as UTF-8 (names in Chinese, accents).
  yield `\uFEFF${csvLine(CUSTOMER_CSV_HEADER)}`;
  for await (const page of customerPages({ shop, query, currencyCode, db })) yield page.map((customer) => csvLine(customerCsvFields(customer, staff))).join("");
}

/** Streams CSV lines as a download: memory holds one page, and a client that goes away stops the query. */
export function csvDownload(lines: AsyncGenerator<string, void, unknown>, filename: string): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await lines.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  return new Response(body, { headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${filename}"`, "Cache-Control": "no-store" } });
}
