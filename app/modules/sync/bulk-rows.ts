// Pure mapping from bulk-operation JSONL objects (Admin GraphQL shapes) to database rows.
import { currencyExponent } from "../money/money";

interface Money {
  amount: string;
  currencyCode: string;
}
interface MoneyBag {
  shopMoney: Money;
}

export interface CustomerRow {
  shop: string;
  shopifyId: string;
  firstName: string | null;
  lastName: string | null;
  displayName: string | null;
  email: string | null;
  phone: string | null;
  emailMarketingState: string | null;
  smsMarketingState: string | null;
  locale: string | null;
  state: string | null;
  tags: string;
  note: string | null;
  verifiedEmail: boolean;
  countryCode: string | null;
  province: string | null;
  city: string | null;
  numberOfOrders: number;
  amountSpentMinor: bigint;
  currencyCode: string;
  shopifyCreatedAt: Date;
  shopifyUpdatedAt: Date;
}

export interface ProductRow {
  shop: string;
  shopifyId: string;
  title: string;
  handle: string;
  productType: string | null;
  vendor: string | null;
  tags: string;
  status: string;
  isGiftCard: boolean;
  imageUrl: string | null;
  shopifyCreatedAt: Date;
  shopifyUpdatedAt: Date;
}

export interface VariantRow {
  shop: string;
  shopifyId: string;
  productId: string;
  title: string;
  sku: string | null;
  priceMinor: bigint;
}

export interface OrderRow {
  shop: string;
  shopifyId: string;
  customerId: string | null;
  name: string;
  email: string | null;
  test: boolean;
  currencyCode: string;
  financialStatus: string | null;
  fulfillmentStatus: string | null;
  totalPriceMinor: bigint;
  subtotalPriceMinor: bigint;
  totalDiscountsMinor: bigint;
  totalRefundedMinor: bigint;
  processedAt: Date;
  cancelledAt: Date | null;
  shopifyCreatedAt: Date;
  shopifyUpdatedAt: Date;
}

export interface OrderLineRow {
  shop: string;
  shopifyId: string;
  orderId: string;
  productId: string | null;
  variantId: string | null;
  title: string;
  variantTitle: string | null;
  sku: string | null;
  quantity: number;
  currentQuantity: number;
  unitPriceMinor: bigint;
  totalMinor: bigint;
}

/** Money in its order's currency. */
export interface RefundRow {
  shop: string;
  shopifyId: string;
  orderId: string;
  note: string | null;
  totalMinor: bigint;
  currencyCode: string;
  shopifyCreatedAt: Date;
}

/** From refunds/create (refund_line_items); the bulk import does not fetch refund lines. */
export interface RefundLineRow {
  shop: string;
  shopifyId: string;
  refundId: string;
  orderLineId: string;
  quantity: number;
  subtotalMinor: bigint;
  restockType: string | null;
}

export type BulkRow =
  | { table: "customer"; row: CustomerRow }
  | { table: "product"; row: ProductRow }
  | { table: "variant"; row: VariantRow }
  | { table: "order"; row: OrderRow }
  | { table: "orderLine"; row: OrderLineRow }
  | { table: "refund"; row: RefundRow }
  | { table: "refundLine"; row: RefundLineRow };

export type BulkTable = BulkRow["table"];

const GID_PREFIX = "gid://shopify/";

/** "gid://shopify/Customer/123" -> "Customer" (slices, no regex: called once per imported object). */
export function gidType(gid: string): string {
  const end = typeof gid === "string" && gid.startsWith(GID_PREFIX) ? gid.indexOf("/", GID_PREFIX.length) : -1;
  const type = end > GID_PREFIX.length ? gid.slice(GID_PREFIX.length, end) : "";
  if (!/^[A-Za-z]+$/.test(type)) throw new TypeError(`Not a Shopify GID: ${gid}`);
  return type;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** The exact, regex-based parse: any size, and the error messages. */
function minorUnitsExact(amount: string, currencyCode: string, exponent: number): bigint {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new RangeError(`Not a decimal amount: ${JSON.stringify(amount)}`);
  const [, sign, whole = "0", fraction = ""] = match;
  if (fraction.length > exponent && /[1-9]/.test(fraction.slice(exponent))) {
    throw new RangeError(`${amount} has more precision than ${currencyCode} allows`);
  }
  const minor = BigInt(whole + fraction.slice(0, exponent).padEnd(exponent, "0"));
  return sign ? -minor : minor;
}

/**
 * toMinorUnits (money.ts) for the import's millions of amounts: digits are accumulated in a number
 * while it is a safe integer (exact: no fractions, no rounding), anything else - large amounts,
 * malformed text, excess precision - goes through the exact parse, which also words the errors.
 */
export function minorUnits(amount: string, currencyCode: string): bigint {
  const exponent = currencyExponent(currencyCode);
  const length = typeof amount === "string" ? amount.length : 0;
  let i = length > 0 && amount.charCodeAt(0) === 45 ? 1 : 0; // "-"
  const negative = i === 1;
  let value = 0;
  const wholeStart = i;
  for (; i < length; i++) {
    const digit = amount.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  let ok = i > wholeStart;
  let scale = exponent;
  if (ok && i < length) {
    ok = amount.charCodeAt(i) === 46 && i + 1 < length; // "." and at least one digit
    for (i += 1; ok && i < length; i++) {
      const digit = amount.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9 || (scale === 0 && digit !== 0)) ok = false;
      else if (scale > 0) {
        value = value * 10 + digit;
        scale -= 1;
      }
    }
  }
  for (; ok && scale > 0; scale--) value *= 10;
  if (!ok || !Number.isSafeInteger(value)) return minorUnitsExact(String(amount), currencyCode, exponent);
  return BigInt(negative ? -value : value);
}

// A missing amount is zero in any currency; a present one is parsed in its own currency.
const money = (bag: MoneyBag | null | undefined) => (bag ? minorUnits(bag.shopMoney.amount, bag.shopMoney.currencyCode) : 0n);

/** The rows one JSONL object maps to (an order carries its refunds inline). */
export function toBulkRows(shop: string, object: Json, shopCurrency: string): BulkRow[] {
  const row = toBulkRow(shop, object, shopCurrency);
  if (!row) return [];
  if (row.table !== "order" || !Array.isArray(object.refunds) || object.refunds.length === 0) return [row];
  const rows: BulkRow[] = [row];
  for (const refund of object.refunds as Json[]) {
    const currencyCode = refund.totalRefundedSet?.shopMoney?.currencyCode ?? row.row.currencyCode;
    rows.push({
      table: "refund",
      row: {
        shop,
        shopifyId: refund.id,
        orderId: row.row.shopifyId,
        note: refund.note ?? null,
        totalMinor: money(refund.totalRefundedSet),
        currencyCode,
        shopifyCreatedAt: new Date(refund.createdAt),
      },
    });
  }
  return rows;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw JSONL objects are checked field by field below

/** Maps one JSONL object; returns null for object types the import does not keep. */
export function toBulkRow(shop: string, object: Json, shopCurrency: string): BulkRow | null {
  const id = object.id as string;
  switch (gidType(id)) {
    case "Customer": {
      const currencyCode = object.amountSpent?.currencyCode ?? shopCurrency;
      return {
        table: "customer",
        row: {
          shop,
          shopifyId: id,
          firstName: object.firstName ?? null,
          lastName: object.lastName ?? null,
          displayName: object.displayName ?? null,
          email: object.defaultEmailAddress?.emailAddress ?? null,
          phone: object.defaultPhoneNumber?.phoneNumber ?? null,
          emailMarketingState: object.defaultEmailAddress?.marketingState ?? null,
          smsMarketingState: object.defaultPhoneNumber?.marketingState ?? null,
          locale: object.locale ?? null,
          state: object.state ?? null,
          tags: (object.tags ?? []).join(", "),
          note: object.note ?? null,
          verifiedEmail: Boolean(object.verifiedEmail),
          countryCode: object.defaultAddress?.countryCodeV2 ?? null,
          province: object.defaultAddress?.province ?? null,
          city: object.defaultAddress?.city ?? null,
          numberOfOrders: Number(object.numberOfOrders ?? 0),
          amountSpentMinor: minorUnits(object.amountSpent?.amount ?? "0", currencyCode),
          currencyCode,
          shopifyCreatedAt: new Date(object.createdAt),
          shopifyUpdatedAt: new Date(object.updatedAt),
        },
      };
    }
    case "Product":
      return {
        table: "product",
        row: {
          shop,
          shopifyId: id,
          title: object.title,
          handle: object.handle,
          productType: object.productType || null,
          vendor: object.vendor || null,
          tags: (object.tags ?? []).join(", "),
          status: object.status,
          isGiftCard: Boolean(object.isGiftCard),
          imageUrl: object.featuredMedia?.preview?.image?.url ?? null,
          shopifyCreatedAt: new Date(object.createdAt),
          shopifyUpdatedAt: new Date(object.updatedAt),
        },
      };
    case "ProductVariant":
      return {
        table: "variant",
        row: {
          shop,
          shopifyId: id,
          productId: object.__parentId,
          title: object.title,
          sku: object.sku || null,
          priceMinor: minorUnits(object.price ?? "0", shopCurrency),
        },
      };
    case "Order": {
      const currencyCode = object.totalPriceSet?.shopMoney?.currencyCode ?? shopCurrency;
      return {
        table: "order",
        row: {
          shop,
          shopifyId: id,
          customerId: object.customer?.id ?? null,
          name: object.name,
          email: object.email ?? null,
          test: Boolean(object.test),
          currencyCode,
          financialStatus: object.displayFinancialStatus ?? null,
          fulfillmentStatus: object.displayFulfillmentStatus ?? null,
          totalPriceMinor: money(object.totalPriceSet),
          subtotalPriceMinor: money(object.subtotalPriceSet),
          totalDiscountsMinor: money(object.totalDiscountsSet),
          totalRefundedMinor: money(object.totalRefundedSet),
          processedAt: new Date(object.processedAt ?? object.createdAt),
          cancelledAt: object.cancelledAt ? new Date(object.cancelledAt) : null,
          shopifyCreatedAt: new Date(object.createdAt),
          shopifyUpdatedAt: new Date(object.updatedAt),
        },
      };
    }
    case "LineItem":
      return {
        table: "orderLine",
        row: {
          shop,
          shopifyId: id,
          orderId: object.__parentId,
          productId: object.product?.id ?? null,
          variantId: object.variant?.id ?? null,
          title: object.title,
          variantTitle: object.variantTitle ?? null,
          sku: object.sku || null,
          quantity: Number(object.quantity ?? 0),
          currentQuantity: Number(object.currentQuantity ?? object.quantity ?? 0),
          unitPriceMinor: money(object.originalUnitPriceSet),
          totalMinor: money(object.discountedTotalSet),
        },
      };
    default:
      return null;
  }
}
