// Shopify's global ids and the numeric ids in app URLs (/app/customers/42).

/** `gid://shopify/Customer/42` -> "42". */
export const numericId = (gid: string) => gid.slice(gid.lastIndexOf("/") + 1);

/** "42" from a URL -> `gid://shopify/Customer/42`; null for anything but digits. */
export const customerGidFromParam = (id: string | undefined | null) => (id && /^\d{1,20}$/.test(id) ? `gid://shopify/Customer/${id}` : null);

/** `gid://shopify/Order/42` -> `shopify://admin/orders/42`: the record's page in Shopify admin (App Bridge opens these links). */
export function shopifyAdminUrl(gid: string): string {
  const [, type = "", id = ""] = /^gid:\/\/shopify\/(\w+)\/(\d+)/.exec(gid) ?? [];
  return `shopify://admin/${type.toLowerCase()}s/${id}`;
}
