// The Admin GraphQL documents the import sends. Each bulk query stays within Shopify's
// bulk rules (<= 5 connections, <= 2 levels of nesting); test/graphql validates them all.

export const RUN_BULK_QUERY = `#graphql
  mutation RunBulkQuery($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation { id status }
      userErrors { field message code }
    }
  }
`;

export const BULK_OPERATION_STATUS = `#graphql
  query BulkOperationStatus($id: ID!) {
    node(id: $id) {
      ... on BulkOperation {
        id
        status
        errorCode
        objectCount
        rootObjectCount
        fileSize
        url
        partialDataUrl
        createdAt
        completedAt
      }
    }
  }
`;

export const CUSTOMERS_BULK_QUERY = `#graphql
  query CustomersExport {
    customers {
      edges {
        node {
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
  }
`;

export const PRODUCTS_BULK_QUERY = `#graphql
  query ProductsExport {
    products {
      edges {
        node {
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
          variants {
            edges {
              node { id title sku price }
            }
          }
        }
      }
    }
  }
`;

export const ORDERS_BULK_QUERY = `#graphql
  query OrdersExport {
    orders {
      edges {
        node {
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
          lineItems {
            edges {
              node {
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
    }
  }
`;

export const SHOP_DETAILS = `#graphql
  query ShopDetails {
    shop {
      id
      name
      myshopifyDomain
      currencyCode
      ianaTimezone
      plan { displayName }
    }
  }
`;
