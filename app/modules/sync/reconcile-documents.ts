// The Admin GraphQL documents reconciliation sends: pages of what changed since a time (an
// `updated_at` search, oldest change first), with the same fields as the bulk import so the same
// mapping applies. Page sizes are variables; RECONCILE_PAGE_SIZES keeps each query under Shopify's
// 1,000-point limit (test/integration/reconcile.test.ts checks the cost). test/graphql validates them.

/** Records per page; nested pages (lines, variants) continue through the *Page queries below. */
export const RECONCILE_PAGE_SIZES = {
  customers: 100,
  orders: 15,
  orderLines: 5,
  orderLinesPage: 100,
  products: 40,
  productVariants: 10,
  productVariantsPage: 250,
} as const;

export const RECONCILE_CUSTOMERS = `#graphql
  query ReconcileCustomers($query: String!, $first: Int!, $after: String) {
    customers(query: $query, first: $first, after: $after, sortKey: UPDATED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        firstName
        lastName
        displayName
        defaultEmailAddress { emailAddress marketingState }
        defaultPhoneNumber { phoneNumber marketingState }
        locale
        state
        tags
        note
        verifiedEmail
        numberOfOrders
        amountSpent { amount currencyCode }
        defaultAddress { countryCodeV2 province city }
        createdAt
        updatedAt
      }
    }
  }
`;

export const RECONCILE_ORDERS = `#graphql
  query ReconcileOrders($query: String!, $first: Int!, $after: String, $lines: Int!) {
    orders(query: $query, first: $first, after: $after, sortKey: UPDATED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        name
        email
        test
        currencyCode
        displayFinancialStatus
        displayFulfillmentStatus
        customer { id }
        totalPriceSet { shopMoney { amount currencyCode } }
        subtotalPriceSet { shopMoney { amount currencyCode } }
        totalDiscountsSet { shopMoney { amount currencyCode } }
        totalRefundedSet { shopMoney { amount currencyCode } }
        processedAt
        cancelledAt
        createdAt
        updatedAt
        refunds { id createdAt note totalRefundedSet { shopMoney { amount currencyCode } } }
        lineItems(first: $lines) {
          pageInfo { hasNextPage endCursor }
          nodes {
            id
            title
            variantTitle
            sku
            quantity
            currentQuantity
            product { id }
            variant { id }
            originalUnitPriceSet { shopMoney { amount currencyCode } }
            discountedTotalSet { shopMoney { amount currencyCode } }
          }
        }
      }
    }
  }
`;

export const RECONCILE_ORDER_LINES_PAGE = `#graphql
  query ReconcileOrderLinesPage($id: ID!, $first: Int!, $after: String) {
    order(id: $id) {
      id
      lineItems(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          title
          variantTitle
          sku
          quantity
          currentQuantity
          product { id }
          variant { id }
          originalUnitPriceSet { shopMoney { amount currencyCode } }
          discountedTotalSet { shopMoney { amount currencyCode } }
        }
      }
    }
  }
`;

export const RECONCILE_PRODUCTS = `#graphql
  query ReconcileProducts($query: String!, $first: Int!, $after: String, $variants: Int!) {
    products(query: $query, first: $first, after: $after, sortKey: UPDATED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id
        title
        handle
        productType
        vendor
        tags
        status
        isGiftCard
        featuredMedia { preview { image { url } } }
        createdAt
        updatedAt
        variants(first: $variants) {
          pageInfo { hasNextPage endCursor }
          nodes { id title sku price }
        }
      }
    }
  }
`;

export const RECONCILE_PRODUCT_VARIANTS_PAGE = `#graphql
  query ReconcileProductVariantsPage($id: ID!, $first: Int!, $after: String) {
    product(id: $id) {
      id
      variants(first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { id title sku price }
      }
    }
  }
`;
