-- Indexes for the customers index's filters (decision 009). PostgreSQL's 0012 also indexes the
-- tier and RFM copies and the live customers' keys; SQLite has had its tier and RFM indexes since
-- 0007, and its custom-segment filter kept within the index's target without one.

-- The range filters' indexes end with "deletedAt" (spend and order count each with the other
-- before it): every count of the index also asks `deletedAt IS NULL`, which SQLite read from the
-- table row of each customer in the range - a spent range's count 60-110 ms at 100,000 customers
-- (bench:customers filter-spend), with an orders range 74-108 ms, through whichever of the two
-- indexes SQLite picks - and now reads from the index.
-- Trailing, so each index still serves its column's order and the planners' estimates of the
-- leading columns stay what they were (with "deletedAt" second, SQLite chose those indexes for
-- searches and owner filters too, which went from ~60 to ~250 ms). The schema's, so both databases.
DROP INDEX "Customer_shop_amountSpentMinor_idx";
DROP INDEX "Customer_shop_numberOfOrders_idx";
DROP INDEX "Customer_shop_lastOrderAt_idx";
CREATE INDEX "Customer_shop_amountSpentMinor_numberOfOrders_deletedAt_idx" ON "Customer"("shop", "amountSpentMinor", "numberOfOrders", "deletedAt");
CREATE INDEX "Customer_shop_numberOfOrders_amountSpentMinor_deletedAt_idx" ON "Customer"("shop", "numberOfOrders", "amountSpentMinor", "deletedAt");
CREATE INDEX "Customer_shop_lastOrderAt_deletedAt_idx" ON "Customer"("shop", "lastOrderAt", "deletedAt");
