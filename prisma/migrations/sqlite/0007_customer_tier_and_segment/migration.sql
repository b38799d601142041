-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "rfmSegment" TEXT;
ALTER TABLE "Customer" ADD COLUMN "tierKey" TEXT;

-- The schema's relation SegmentMember -> Customer (for the customers index's segment filter) has no
-- foreign key here, on purpose (decision 009): a membership may outlive its customer, and webhooks
-- and bulk files arrive in any order. The RedefineTables block Prisma generates for it is left out.

-- Hand-written (not in the schema: PostgreSQL leaves the copies unindexed, see the schema's comment).
-- With deletedAt (IS NULL is an equality to an index): the count of a tier reads only the index.
CREATE INDEX "Customer_shop_tierKey_deletedAt_amountSpentMinor_idx" ON "Customer"("shop", "tierKey", "deletedAt", "amountSpentMinor");
CREATE INDEX "Customer_shop_rfmSegment_deletedAt_amountSpentMinor_idx" ON "Customer"("shop", "rfmSegment", "deletedAt", "amountSpentMinor");

-- Customer."tierKey" and Customer."rfmSegment" are copies of LoyaltyMember."tierKey" and
-- CustomerInsight."rfmSegment" (decision 009): the customers index filters and sorts on one table.
-- These triggers keep them, whatever writes the source rows (Prisma, the bulk writers, a rollback
-- takes both back); a customer that arrives after its member or insight picks the values up.
CREATE TRIGGER "LoyaltyMember_tier_copy_insert" AFTER INSERT ON "LoyaltyMember" WHEN NEW."tierKey" IS NOT NULL BEGIN
  UPDATE "Customer" SET "tierKey" = NEW."tierKey" WHERE "shop" = NEW."shop" AND "shopifyId" = NEW."customerId";
END;
CREATE TRIGGER "LoyaltyMember_tier_copy_update" AFTER UPDATE OF "tierKey" ON "LoyaltyMember" WHEN OLD."tierKey" IS NOT NEW."tierKey" BEGIN
  UPDATE "Customer" SET "tierKey" = NEW."tierKey" WHERE "shop" = NEW."shop" AND "shopifyId" = NEW."customerId";
END;
CREATE TRIGGER "LoyaltyMember_tier_copy_delete" AFTER DELETE ON "LoyaltyMember" WHEN OLD."tierKey" IS NOT NULL BEGIN
  UPDATE "Customer" SET "tierKey" = NULL WHERE "shop" = OLD."shop" AND "shopifyId" = OLD."customerId";
END;
CREATE TRIGGER "CustomerInsight_rfm_copy_insert" AFTER INSERT ON "CustomerInsight" WHEN NEW."rfmSegment" IS NOT NULL BEGIN
  UPDATE "Customer" SET "rfmSegment" = NEW."rfmSegment" WHERE "shop" = NEW."shop" AND "shopifyId" = NEW."customerId";
END;
CREATE TRIGGER "CustomerInsight_rfm_copy_update" AFTER UPDATE OF "rfmSegment" ON "CustomerInsight" WHEN OLD."rfmSegment" IS NOT NEW."rfmSegment" BEGIN
  UPDATE "Customer" SET "rfmSegment" = NEW."rfmSegment" WHERE "shop" = NEW."shop" AND "shopifyId" = NEW."customerId";
END;
CREATE TRIGGER "CustomerInsight_rfm_copy_delete" AFTER DELETE ON "CustomerInsight" WHEN OLD."rfmSegment" IS NOT NULL BEGIN
  UPDATE "Customer" SET "rfmSegment" = NULL WHERE "shop" = OLD."shop" AND "shopifyId" = OLD."customerId";
END;
CREATE TRIGGER "Customer_tier_rfm_pick_up" AFTER INSERT ON "Customer"
WHEN EXISTS (SELECT 1 FROM "LoyaltyMember" m WHERE m."shop" = NEW."shop" AND m."customerId" = NEW."shopifyId" AND m."tierKey" IS NOT NULL)
  OR EXISTS (SELECT 1 FROM "CustomerInsight" i WHERE i."shop" = NEW."shop" AND i."customerId" = NEW."shopifyId" AND i."rfmSegment" IS NOT NULL)
BEGIN
  UPDATE "Customer" SET
    "tierKey" = (SELECT m."tierKey" FROM "LoyaltyMember" m WHERE m."shop" = NEW."shop" AND m."customerId" = NEW."shopifyId"),
    "rfmSegment" = (SELECT i."rfmSegment" FROM "CustomerInsight" i WHERE i."shop" = NEW."shop" AND i."customerId" = NEW."shopifyId")
  WHERE "shop" = NEW."shop" AND "shopifyId" = NEW."shopifyId";
END;

-- What the shop's members and insights say today.
UPDATE "Customer" SET
  "tierKey" = (SELECT m."tierKey" FROM "LoyaltyMember" m WHERE m."shop" = "Customer"."shop" AND m."customerId" = "Customer"."shopifyId"),
  "rfmSegment" = (SELECT i."rfmSegment" FROM "CustomerInsight" i WHERE i."shop" = "Customer"."shop" AND i."customerId" = "Customer"."shopifyId");
