-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "rfmSegment" TEXT,
ADD COLUMN     "tierKey" TEXT;

-- The schema's relation SegmentMember -> Customer (for the customers index's segment filter) has no
-- foreign key here, on purpose (decision 009): a membership may outlive its customer, and webhooks
-- and bulk files arrive in any order. The AddForeignKey Prisma generates for it is left out.

-- Customer."tierKey" and Customer."rfmSegment" are copies of LoyaltyMember."tierKey" and
-- CustomerInsight."rfmSegment" (decision 009): the customers index filters and sorts on one table.
-- These triggers keep them, whatever writes the source rows (Prisma, the bulk writers, COPY; a
-- rollback takes both back); a customer that arrives after its member or insight picks the values
-- up. Statement-level, over the rows the statement wrote (transition tables), so a bulk upsert
-- calls each function once. Over a thousand changed values they are one UPDATE ... FROM (a join);
-- fewer, each customer is updated by its key in a loop - the join was planned as a scan of every
-- customer when the transition table held one row (60 ms for one order's points). The copies are
-- not indexed here (SQLite's migration indexes them): an update of an unindexed column that fits
-- its page is a HOT update, which writes none of Customer's other indexes - a recompute that set
-- 100,000 tiers had doubled from 9 to 17 s writing them.
CREATE FUNCTION "copy_member_tier"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE r record; changed bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    FOR r IN SELECT o."shop", o."customerId" FROM old_rows o WHERE o."tierKey" IS NOT NULL LOOP
      UPDATE "Customer" SET "tierKey" = NULL WHERE "shop" = r."shop" AND "shopifyId" = r."customerId" AND "tierKey" IS NOT NULL;
    END LOOP;
  ELSIF TG_OP = 'INSERT' THEN
    SELECT count(*) INTO changed FROM new_rows n WHERE n."tierKey" IS NOT NULL;
    IF changed > 1000 THEN
      UPDATE "Customer" c SET "tierKey" = n."tierKey" FROM new_rows n WHERE c."shop" = n."shop" AND c."shopifyId" = n."customerId" AND n."tierKey" IS NOT NULL AND c."tierKey" IS DISTINCT FROM n."tierKey";
    ELSIF changed > 0 THEN
      FOR r IN SELECT n."shop", n."customerId", n."tierKey" FROM new_rows n WHERE n."tierKey" IS NOT NULL LOOP
        UPDATE "Customer" SET "tierKey" = r."tierKey" WHERE "shop" = r."shop" AND "shopifyId" = r."customerId" AND "tierKey" IS DISTINCT FROM r."tierKey";
      END LOOP;
    END IF;
  ELSE
    SELECT count(*) INTO changed FROM new_rows n JOIN old_rows o ON o."shop" = n."shop" AND o."customerId" = n."customerId" WHERE o."tierKey" IS DISTINCT FROM n."tierKey";
    IF changed > 1000 THEN
      UPDATE "Customer" c SET "tierKey" = d."tierKey"
        FROM (SELECT n."shop", n."customerId", n."tierKey" FROM new_rows n JOIN old_rows o ON o."shop" = n."shop" AND o."customerId" = n."customerId" WHERE o."tierKey" IS DISTINCT FROM n."tierKey") d
        WHERE c."shop" = d."shop" AND c."shopifyId" = d."customerId" AND c."tierKey" IS DISTINCT FROM d."tierKey";
    ELSIF changed > 0 THEN
      FOR r IN SELECT n."shop", n."customerId", n."tierKey" FROM new_rows n JOIN old_rows o ON o."shop" = n."shop" AND o."customerId" = n."customerId" WHERE o."tierKey" IS DISTINCT FROM n."tierKey" LOOP
        UPDATE "Customer" SET "tierKey" = r."tierKey" WHERE "shop" = r."shop" AND "shopifyId" = r."customerId" AND "tierKey" IS DISTINCT FROM r."tierKey";
      END LOOP;
    END IF;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "LoyaltyMember_tier_copy_insert" AFTER INSERT ON "LoyaltyMember" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "copy_member_tier"();
CREATE TRIGGER "LoyaltyMember_tier_copy_update" AFTER UPDATE ON "LoyaltyMember" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "copy_member_tier"();
CREATE TRIGGER "LoyaltyMember_tier_copy_delete" AFTER DELETE ON "LoyaltyMember" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "copy_member_tier"();

CREATE FUNCTION "copy_insight_rfm"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE r record; changed bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN
    FOR r IN SELECT o."shop", o."customerId" FROM old_rows o WHERE o."rfmSegment" IS NOT NULL LOOP
      UPDATE "Customer" SET "rfmSegment" = NULL WHERE "shop" = r."shop" AND "shopifyId" = r."customerId" AND "rfmSegment" IS NOT NULL;
    END LOOP;
  ELSIF TG_OP = 'INSERT' THEN
    SELECT count(*) INTO changed FROM new_rows n WHERE n."rfmSegment" IS NOT NULL;
    IF changed > 1000 THEN
      UPDATE "Customer" c SET "rfmSegment" = n."rfmSegment" FROM new_rows n WHERE c."shop" = n."shop" AND c."shopifyId" = n."customerId" AND n."rfmSegment" IS NOT NULL AND c."rfmSegment" IS DISTINCT FROM n."rfmSegment";
    ELSIF changed > 0 THEN
      FOR r IN SELECT n."shop", n."customerId", n."rfmSegment" FROM new_rows n WHERE n."rfmSegment" IS NOT NULL LOOP
        UPDATE "Customer" SET "rfmSegment" = r."rfmSegment" WHERE "shop" = r."shop" AND "shopifyId" = r."customerId" AND "rfmSegment" IS DISTINCT FROM r."rfmSegment";
      END LOOP;
    END IF;
  ELSE
    SELECT count(*) INTO changed FROM new_rows n JOIN old_rows o ON o."shop" = n."shop" AND o."customerId" = n."customerId" WHERE o."rfmSegment" IS DISTINCT FROM n."rfmSegment";
    IF changed > 1000 THEN
      UPDATE "Customer" c SET "rfmSegment" = d."rfmSegment"
        FROM (SELECT n."shop", n."customerId", n."rfmSegment" FROM new_rows n JOIN old_rows o ON o."shop" = n."shop" AND o."customerId" = n."customerId" WHERE o."rfmSegment" IS DISTINCT FROM n."rfmSegment") d
        WHERE c."shop" = d."shop" AND c."shopifyId" = d."customerId" AND c."rfmSegment" IS DISTINCT FROM d."rfmSegment";
    ELSIF changed > 0 THEN
      FOR r IN SELECT n."shop", n."customerId", n."rfmSegment" FROM new_rows n JOIN old_rows o ON o."shop" = n."shop" AND o."customerId" = n."customerId" WHERE o."rfmSegment" IS DISTINCT FROM n."rfmSegment" LOOP
        UPDATE "Customer" SET "rfmSegment" = r."rfmSegment" WHERE "shop" = r."shop" AND "shopifyId" = r."customerId" AND "rfmSegment" IS DISTINCT FROM r."rfmSegment";
      END LOOP;
    END IF;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "CustomerInsight_rfm_copy_insert" AFTER INSERT ON "CustomerInsight" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "copy_insight_rfm"();
CREATE TRIGGER "CustomerInsight_rfm_copy_update" AFTER UPDATE ON "CustomerInsight" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "copy_insight_rfm"();
CREATE TRIGGER "CustomerInsight_rfm_copy_delete" AFTER DELETE ON "CustomerInsight" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "copy_insight_rfm"();

CREATE FUNCTION "customer_tier_rfm_pick_up"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT n."shop", n."shopifyId", m."tierKey", i."rfmSegment" FROM new_rows n
      LEFT JOIN "LoyaltyMember" m ON m."shop" = n."shop" AND m."customerId" = n."shopifyId"
      LEFT JOIN "CustomerInsight" i ON i."shop" = n."shop" AND i."customerId" = n."shopifyId"
      WHERE m."tierKey" IS NOT NULL OR i."rfmSegment" IS NOT NULL
  LOOP
    UPDATE "Customer" SET "tierKey" = r."tierKey", "rfmSegment" = r."rfmSegment" WHERE "shop" = r."shop" AND "shopifyId" = r."shopifyId";
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER "Customer_tier_rfm_pick_up" AFTER INSERT ON "Customer" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "customer_tier_rfm_pick_up"();

-- What the shop's members and insights say today.
UPDATE "Customer" c SET "tierKey" = m."tierKey" FROM "LoyaltyMember" m WHERE m."shop" = c."shop" AND m."customerId" = c."shopifyId" AND m."tierKey" IS NOT NULL;
UPDATE "Customer" c SET "rfmSegment" = i."rfmSegment" FROM "CustomerInsight" i WHERE i."shop" = c."shop" AND i."customerId" = c."shopifyId" AND i."rfmSegment" IS NOT NULL;
