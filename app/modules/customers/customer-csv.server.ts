// CSV export of the customers a query selects, streamed page by page so memory stays flat.
import { prisma, type PrismaClient } from "../../db.server";
import { toDecimalString } from "../money/money";
import { staffName } from "../staff/staff-name";
import { customerPages, type CustomerQuery } from "./customer-index.server";

const HEADER = ["Customer ID", "Name", "Email", "Phone", "Tags", "Orders", "Amount spent", "Currency", "First order", "Last order", "Owner", "City", "Country", "Email marketing"];

/** One CSV field: quoted when needed, and a leading = + - @ defused so a spreadsheet never runs it as a formula. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (fields: Array<string | number | null | undefined>) => `${fields.map(csvField).join(",")}\r\n`;
const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : null);

/** The export as lines of text: a header, then a line per customer in id order. */
export async function* customerCsvLines({ shop, query, currencyCode, db = prisma }: { shop: string; query: CustomerQuery; currencyCode: string; db?: PrismaClient }) {
  const staff = new Map((await db.staffMember.findMany({ where: { shop } })).map((member) => [member.userId, staffName(member)]));
  // A byte order mark: Excel then reads the file as UTF-8 (names in Chinese, accents).
  yield `\uFEFF${csvLine(HEADER)}`;
  for await (const page of customerPages({ shop, query, currencyCode, db })) {
    yield page
      .map((customer) =>
        csvLine([
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
        ])
      )
      .join("");
  }
}
