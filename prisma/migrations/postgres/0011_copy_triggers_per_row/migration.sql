-- The tier and RFM copies on Customer (migration 0007) follow an UPDATE of LoyaltyMember or
-- CustomerInsight row by row, and only when the copied column changed. The statement-level UPDATE
-- triggers found the changed rows by joining the statement's old and new transition tables, which
-- have no statistics: PostgreSQL planned that join as a nested loop, so every upsert of N rows cost
-- N x N comparisons - the daily segments sweep (100,000 insights upserted) took 198 s instead of
-- seconds, even upserts that never touch rfmSegment (the push flag) paid it. SQLite's triggers were
-- row-level from the start. INSERT and DELETE keep their statement-level triggers (no join there).
DROP TRIGGER "LoyaltyMember_tier_copy_update" ON "LoyaltyMember";
DROP TRIGGER "CustomerInsight_rfm_copy_update" ON "CustomerInsight";

CREATE FUNCTION "copy_member_tier_row"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE "Customer" SET "tierKey" = NEW."tierKey" WHERE "shop" = NEW."shop" AND "shopifyId" = NEW."customerId" AND "tierKey" IS DISTINCT FROM NEW."tierKey";
  RETURN NULL;
END $$;
CREATE TRIGGER "LoyaltyMember_tier_copy_update" AFTER UPDATE OF "tierKey" ON "LoyaltyMember"
  FOR EACH ROW WHEN (OLD."tierKey" IS DISTINCT FROM NEW."tierKey") EXECUTE FUNCTION "copy_member_tier_row"();

CREATE FUNCTION "copy_insight_rfm_row"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  UPDATE "Customer" SET "rfmSegment" = NEW."rfmSegment" WHERE "shop" = NEW."shop" AND "shopifyId" = NEW."customerId" AND "rfmSegment" IS DISTINCT FROM NEW."rfmSegment";
  RETURN NULL;
END $$;
CREATE TRIGGER "CustomerInsight_rfm_copy_update" AFTER UPDATE OF "rfmSegment" ON "CustomerInsight"
  FOR EACH ROW WHEN (OLD."rfmSegment" IS DISTINCT FROM NEW."rfmSegment") EXECUTE FUNCTION "copy_insight_rfm_row"();
