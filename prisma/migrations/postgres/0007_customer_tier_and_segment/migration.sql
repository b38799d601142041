-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "rfmSegment" TEXT,
ADD COLUMN     "tierKey" TEXT;

-- CreateIndex
CREATE INDEX "Customer_shop_tierKey_amountSpentMinor_idx" ON "Customer"("shop", "tierKey", "amountSpentMinor");

-- CreateIndex
CREATE INDEX "Customer_shop_rfmSegment_amountSpentMinor_idx" ON "Customer"("shop", "rfmSegment", "amountSpentMinor");

-- The schema's relation SegmentMember -> Customer (for the customers index's segment filter) has no
-- foreign key here, on purpose (decision 009): a membership may outlive its customer, and webhooks
-- and bulk files arrive in any order. The AddForeignKey Prisma generates for it is left out.

-- Customer."tierKey" and Customer."rfmSegment" are copies of LoyaltyMember."tierKey" and
-- CustomerInsight."rfmSegment" (decision 009): the customers index filters and sorts on one table.
-- These triggers keep them, whatever writes the source rows (Prisma, the bulk writers, COPY; a
-- rollback takes both back); a customer that arrives after its member or insight picks the values
-- up. Statement-level, over the rows the statement wrote (transition tables): a recompute that
-- writes 100,000 members runs one join, not 100,000 updates.
CREATE FUNCTION "copy_tier_to_customer"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE "Customer" c SET "tierKey" = NULL FROM old_rows o WHERE c."shop" = o."shop" AND c."shopifyId" = o."customerId" AND c."tierKey" IS NOT NULL;
  ELSE
    UPDATE "Customer" c SET "tierKey" = n."tierKey" FROM new_rows n WHERE c."shop" = n."shop" AND c."shopifyId" = n."customerId" AND c."tierKey" IS DISTINCT FROM n."tierKey";
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "LoyaltyMember_tier_copy_insert" AFTER INSERT ON "LoyaltyMember" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "copy_tier_to_customer"();
CREATE TRIGGER "LoyaltyMember_tier_copy_update" AFTER UPDATE ON "LoyaltyMember" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "copy_tier_to_customer"();
CREATE TRIGGER "LoyaltyMember_tier_copy_delete" AFTER DELETE ON "LoyaltyMember" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "copy_tier_to_customer"();

CREATE FUNCTION "copy_rfm_to_customer"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE "Customer" c SET "rfmSegment" = NULL FROM old_rows o WHERE c."shop" = o."shop" AND c."shopifyId" = o."customerId" AND c."rfmSegment" IS NOT NULL;
  ELSE
    UPDATE "Customer" c SET "rfmSegment" = n."rfmSegment" FROM new_rows n WHERE c."shop" = n."shop" AND c."shopifyId" = n."customerId" AND c."rfmSegment" IS DISTINCT FROM n."rfmSegment";
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "CustomerInsight_rfm_copy_insert" AFTER INSERT ON "CustomerInsight" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "copy_rfm_to_customer"();
CREATE TRIGGER "CustomerInsight_rfm_copy_update" AFTER UPDATE ON "CustomerInsight" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "copy_rfm_to_customer"();
CREATE TRIGGER "CustomerInsight_rfm_copy_delete" AFTER DELETE ON "CustomerInsight" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "copy_rfm_to_customer"();

CREATE FUNCTION "customer_tier_rfm_pick_up"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE "Customer" c SET "tierKey" = m."tierKey" FROM new_rows n JOIN "LoyaltyMember" m ON m."shop" = n."shop" AND m."customerId" = n."shopifyId"
    WHERE c."shop" = n."shop" AND c."shopifyId" = n."shopifyId" AND m."tierKey" IS NOT NULL;
  UPDATE "Customer" c SET "rfmSegment" = i."rfmSegment" FROM new_rows n JOIN "CustomerInsight" i ON i."shop" = n."shop" AND i."customerId" = n."shopifyId"
    WHERE c."shop" = n."shop" AND c."shopifyId" = n."shopifyId" AND i."rfmSegment" IS NOT NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER "Customer_tier_rfm_pick_up" AFTER INSERT ON "Customer" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "customer_tier_rfm_pick_up"();

-- What the shop's members and insights say today.
UPDATE "Customer" c SET "tierKey" = m."tierKey" FROM "LoyaltyMember" m WHERE m."shop" = c."shop" AND m."customerId" = c."shopifyId" AND m."tierKey" IS NOT NULL;
UPDATE "Customer" c SET "rfmSegment" = i."rfmSegment" FROM "CustomerInsight" i WHERE i."shop" = c."shop" AND i."customerId" = c."shopifyId" AND i."rfmSegment" IS NOT NULL;
