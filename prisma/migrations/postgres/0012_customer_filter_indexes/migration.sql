-- Indexes for the customers index's tier, RFM-segment and custom-segment filters (decision 009).
-- Without them each filter's total read the shop's whole Customer table - 90 MB at 100,000
-- customers once the copies' rewrites have spread it (bench:customers): a tier's count 45-70 ms, a
-- custom segment's hash join over every row 60-110 ms - and so did the page of a rare value (a tier
-- no one holds: a scan and a sort, 57 ms) or of one the default sort meets last (the lowest tier
-- walked 80,000 customers down the spend index: 112 ms).
--
-- Tier and RFM segment (the copies of migration 0007): a value's total is an index-only scan
-- (57,853 gold customers: 10 ms) and its page a walk down the index (0.2 ms). Partial, for live
-- customers, with "deletedAt" not a column: PostgreSQL takes only `=` as fixing a column for
-- ordering, so SQLite's shape `(shop, tierKey, deletedAt, amountSpentMinor)` could not serve
-- `ORDER BY amountSpentMinor` under `deletedAt IS NULL`.
CREATE INDEX "Customer_shop_tierKey_amountSpentMinor_live_idx" ON "Customer"("shop", "tierKey", "amountSpentMinor") WHERE ("deletedAt" IS NULL);
CREATE INDEX "Customer_shop_rfmSegment_amountSpentMinor_live_idx" ON "Customer"("shop", "rfmSegment", "amountSpentMinor") WHERE ("deletedAt" IS NULL);
-- The live customers' keys: a custom segment's members are joined to this index alone (21,298
-- members: 110 -> 30 ms, reading no customer row).
CREATE INDEX "Customer_shop_shopifyId_live_idx" ON "Customer"("shop", "shopifyId") WHERE ("deletedAt" IS NULL);
-- The cost: a change of a tier or RFM copy is no longer a heap-only update but writes every index
-- of Customer (bench:tiers' first recompute at 100,000 members 12 -> 20 s, decision 009).

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
