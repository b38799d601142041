-- Customer pages keep 30% free (decision 009): the app rewrites every customer row after an import
-- (order dates) and whenever tiers or RFM segments move (their copies, migration 0007). On full
-- pages each such update writes the new row version to another page, and so an entry into each of
-- the table's indexes (one of them trigram GIN); with room on the page, an update of columns no
-- index covers (tierKey, rfmSegment) is a heap-only tuple, which writes no index at all. Applies
-- to pages written from now on: an import fills them to 70%.
ALTER TABLE "Customer" SET (fillfactor = 70);
