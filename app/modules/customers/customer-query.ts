// A customers-index query as plain data: its schema, how it is read from a URL (or a saved view)
// and written back. Shared by the index page (client) and the server modules that run it.
import { z } from "zod";

import { RFM_SEGMENTS } from "../segments/rfm";

export const SORT_KEYS = ["name", "spent", "orders", "lastOrder", "created"] as const;
export type SortKey = (typeof SORT_KEYS)[number];

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((value) => value || undefined);
const optionalDecimal = optionalText.refine((value) => value === undefined || /^\d+(\.\d+)?$/.test(value), "must be an amount such as 120 or 99.50");
const optionalCount = optionalText
  .refine((value) => value === undefined || /^\d{1,9}$/.test(value), "must be a whole number")
  .transform((value) => (value === undefined ? undefined : Number(value)));
// The pattern alone lets through days that do not exist ("2025-13-01", "2025-02-30").
const isCalendarDate = (value: string) => {
  const date = new Date(`${value}T00:00:00.000Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
};
const optionalDate = optionalText.refine((value) => value === undefined || isCalendarDate(value), "must be a date (YYYY-MM-DD)");

/** A customers-index query as the URL carries it: every field optional, all text. */
export const customerQuerySchema = z.object({
  q: optionalText,
  tag: optionalText,
  owner: optionalText, // a staff user id, or "none"
  tier: optionalText, // a loyalty tier key, or "none" (not in a tier)
  rfm: optionalText.refine((value) => value === undefined || (RFM_SEGMENTS as readonly string[]).includes(value), "must be an RFM segment"),
  segment: optionalText, // a custom segment's id
  spentMin: optionalDecimal,
  spentMax: optionalDecimal,
  ordersMin: optionalCount,
  ordersMax: optionalCount,
  lastOrderFrom: optionalDate,
  lastOrderTo: optionalDate,
  sort: z.enum(SORT_KEYS).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
});
export type CustomerQuery = z.infer<typeof customerQuerySchema>;
export const QUERY_FIELDS = Object.keys(customerQuerySchema.shape) as Array<keyof CustomerQuery>;

export class QueryError extends Error {
  constructor(readonly fieldErrors: Record<string, string>) {
    super(
      Object.entries(fieldErrors)
        .map(([field, message]) => `${field}: ${message}`)
        .join("; ")
    );
    this.name = "QueryError";
  }
}

/** Reads a query from URL search params (or a saved view's JSON); a malformed field is a QueryError naming it. */
export function parseCustomerQuery(params: URLSearchParams | Record<string, unknown>): CustomerQuery {
  const raw = params instanceof URLSearchParams ? Object.fromEntries(QUERY_FIELDS.map((field) => [field, params.get(field) ?? undefined])) : params;
  const parsed = customerQuerySchema.safeParse(raw);
  if (!parsed.success) {
    throw new QueryError(Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0] ?? "query"), issue.message])));
  }
  return parsed.data;
}

/** The query as URL search params, without empty fields (for links, saved views and the export). */
export function customerQueryParams(query: CustomerQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const field of QUERY_FIELDS) {
    const value = query[field];
    if (value !== undefined && value !== "") params.set(field, String(value));
  }
  return params;
}
