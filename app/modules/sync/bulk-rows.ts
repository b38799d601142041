// Pure mapping from bulk-operation JSONL objects (Admin GraphQL shapes) to database rows.
import { toMinorUnits } from "../money/money";

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

export type BulkRow =
  | { table: "customer"; row: CustomerRow }
  | { table: "product"; row: ProductRow }
  | { table: "variant"; row: VariantRow }
  | { table: "order"; row: OrderRow }
  | { table: "orderLine"; row: OrderLineRow };

/** "gid://shopify/Customer/123" -> "Customer" */
export function gidType(gid: string): string {
  const match = /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(gid);
  if (!match?.[1]) throw new TypeError(`Not a Shopify GID: ${gid}`);
  return match[1];
}

const money = (bag: MoneyBag | null | undefined, currencyCode: string) =>
  bag ? toMinorUnits(bag.shopMoney.amount, bag.shopMoney.currencyCode) : toMinorUnits("0", currencyCode);

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
          amountSpentMinor: toMinorUnits(object.amountSpent?.amount ?? "0", currencyCode),
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
          priceMinor: toMinorUnits(object.price ?? "0", shopCurrency),
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
          totalPriceMinor: money(object.totalPriceSet, currencyCode),
          subtotalPriceMinor: money(object.subtotalPriceSet, currencyCode),
          totalDiscountsMinor: money(object.totalDiscountsSet, currencyCode),
          totalRefundedMinor: money(object.totalRefundedSet, currencyCode),
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
          unitPriceMinor: money(object.originalUnitPriceSet, shopCurrency),
          totalMinor: money(object.discountedTotalSet, shopCurrency),
        },
      };
    default:
      return null;
  }
}
