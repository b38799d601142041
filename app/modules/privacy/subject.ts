// Who a privacy request is about, and whether a stored webhook payload concerns them. Pure.
import { parseWebhookJson } from "../webhooks/payloads";

/** Everything by which the app can recognise one customer of one shop. */
export interface CustomerSubject {
  shop: string;
  /** The GID the request names, built from the payload's id; null when that id cannot be trusted. */
  requestedId: string | null;
  /** GIDs of the customer rows held about them (the requested GID, else those with their email). */
  customerIds: string[];
  /** Their email addresses as given and lower-cased. */
  emails: string[];
  phones: string[];
  /** GIDs of their orders: by customer, by email, and those the request lists. */
  orderIds: string[];
}

export const customerGid = (id: string) => `gid://shopify/Customer/${id}`;
export const orderGid = (id: string) => `gid://shopify/Order/${id}`;
const gidTail = (gid: string) => gid.slice(gid.lastIndexOf("/") + 1);
const digits = (value: string) => value.replace(/\D/g, "");
// Shorter digit runs are too likely to be something else (a quantity, a postcode).
const MIN_PHONE_DIGITS = 7;

/**
 * A REST id as exact digits, or null. A number beyond 2^53 has already been rounded by a JSON.parse
 * somewhere upstream, so a GID built from it would name the wrong customer (or nobody).
 */
export function exactId(id: unknown): string | null {
  if (typeof id === "string") return /^\d+$/.test(id) ? id : null;
  if (typeof id === "bigint") return id >= 0n ? id.toString() : null;
  if (typeof id === "number") return Number.isSafeInteger(id) && id >= 0 ? String(id) : null;
  return null;
}

export function uniqueEmails(...emails: (string | null | undefined)[]): string[] {
  const present = emails.map((email) => email?.trim()).filter((email): email is string => Boolean(email));
  return [...new Set(present.flatMap((email) => [email, email.toLowerCase()]))];
}

/** Whether a stored webhook payload (raw JSON text) is about this subject. */
export function payloadMentions(payloadText: string, topic: string, subject: CustomerSubject): boolean {
  const emails = subject.emails.map((email) => email.toLowerCase());
  const phones = subject.phones.map(digits).filter((phone) => phone.length >= MIN_PHONE_DIGITS);
  const gids = new Set([...subject.customerIds, ...subject.orderIds]);
  const customerIds = new Set(subject.customerIds.map(gidTail));
  const orderIds = new Set(subject.orderIds.map(gidTail));

  let payload: unknown;
  try {
    payload = parseWebhookJson(payloadText);
  } catch {
    // Not JSON (kept as an invalid event): judge the text itself.
    const text = payloadText.toLowerCase();
    return emails.some((email) => text.includes(email)) || [...gids].some((gid) => text.includes(gid.toLowerCase())) || phones.some((phone) => digits(payloadText).includes(phone));
  }

  const idOf = (value: unknown) => (typeof value === "string" || typeof value === "number" ? exactId(value) : null);
  const visit = (value: unknown, key: string | null): boolean => {
    if (typeof value === "string") {
      const lower = value.toLowerCase();
      if (gids.has(value) || emails.some((email) => lower.includes(email))) return true;
      const valueDigits = digits(value);
      return valueDigits.length >= MIN_PHONE_DIGITS && phones.includes(valueDigits);
    }
    if (Array.isArray(value)) return value.some((item) => visit(item, key));
    if (typeof value !== "object" || value === null) return false;
    for (const [childKey, child] of Object.entries(value)) {
      const id = idOf(child);
      if (id && childKey === "customer_id" && customerIds.has(id)) return true;
      if (id && childKey === "order_id" && orderIds.has(id)) return true;
      if (id && childKey === "id" && key === "customer" && customerIds.has(id)) return true;
      if (visit(child, childKey)) return true;
    }
    return false;
  };
  if (visit(payload, null)) return true;

  // The top-level id is the record the topic is about.
  const topId = typeof payload === "object" && payload !== null && !Array.isArray(payload) ? idOf((payload as Record<string, unknown>).id) : null;
  if (!topId) return false;
  if (/^CUSTOMER/.test(topic) && customerIds.has(topId)) return true;
  return /^ORDERS_/.test(topic) && orderIds.has(topId);
}
