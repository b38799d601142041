-- Indexes no query reads (decision 007): nothing ranges over shopifyUpdatedAt (the newer-wins
-- checks read a row by its key) and nothing sorts or filters customers by lastName (the index
-- sorts by displayName). Each cost every archive write and the import's rebuild (the Order one is
-- 500,000 entries in the benchmark store). IF EXISTS: an import that crashed leaves its deferred
-- indexes dropped until the next import (decision 007).
DROP INDEX IF EXISTS "Customer_shop_shopifyUpdatedAt_idx";
DROP INDEX IF EXISTS "Customer_shop_lastName_idx";
DROP INDEX IF EXISTS "Order_shop_shopifyUpdatedAt_idx";
DROP INDEX IF EXISTS "Product_shop_shopifyUpdatedAt_idx";
