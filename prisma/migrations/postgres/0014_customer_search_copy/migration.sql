-- "CustomerSearch" (decision 009): a narrow copy of each live customer's Customer."searchText"
-- (migration 0008) with its key, kept by triggers, so that a search PostgreSQL's trigram index
-- cannot serve - a term of one or two characters ("li", 王), which has no trigram - is counted from
-- ~16 MB of narrow rows instead of the ~90 MB of Customer's wide ones: 53-58 -> 19-24 ms at 100,000
-- customers. SQLite's search index (0013) is its analogue there. Not a Prisma model: only raw SQL
-- reads it (customer-index.server.ts), and only the triggers write it.
-- - A row per customer not deleted; it goes when the customer is soft- or hard-deleted and comes
--   back when one is undeleted; a redaction rewrites it with the customer's erased columns.
-- - Inserts and deletes are followed per statement (one INSERT ... SELECT per COPY batch of the
--   import, one DELETE for a shop's redaction); updates per row, and only when the text or the
--   customer's liveness changed (the tier and RFM copies' updates never fire it).
CREATE TABLE "CustomerSearch" (
  "shop" TEXT NOT NULL,
  "shopifyId" TEXT NOT NULL,
  "searchText" TEXT NOT NULL,
  CONSTRAINT "CustomerSearch_pkey" PRIMARY KEY ("shop", "shopifyId")
);

INSERT INTO "CustomerSearch" ("shop", "shopifyId", "searchText") SELECT "shop", "shopifyId", "searchText" FROM "Customer" WHERE "deletedAt" IS NULL;

CREATE FUNCTION "customer_search_insert"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO "CustomerSearch" ("shop", "shopifyId", "searchText")
  SELECT "shop", "shopifyId", "searchText" FROM new_rows WHERE "deletedAt" IS NULL
  ON CONFLICT ("shop", "shopifyId") DO UPDATE SET "searchText" = excluded."searchText";
  RETURN NULL;
END $$;

CREATE FUNCTION "customer_search_update"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF NEW."deletedAt" IS NULL THEN
    INSERT INTO "CustomerSearch" ("shop", "shopifyId", "searchText") VALUES (NEW."shop", NEW."shopifyId", NEW."searchText")
    ON CONFLICT ("shop", "shopifyId") DO UPDATE SET "searchText" = excluded."searchText";
  ELSE
    DELETE FROM "CustomerSearch" WHERE "shop" = OLD."shop" AND "shopifyId" = OLD."shopifyId";
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION "customer_search_delete"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  DELETE FROM "CustomerSearch" s USING old_rows o WHERE s."shop" = o."shop" AND s."shopifyId" = o."shopifyId";
  RETURN NULL;
END $$;

CREATE TRIGGER "Customer_search_insert" AFTER INSERT ON "Customer" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "customer_search_insert"();
CREATE TRIGGER "Customer_search_update" AFTER UPDATE ON "Customer"
  FOR EACH ROW WHEN (OLD."searchText" IS DISTINCT FROM NEW."searchText" OR (OLD."deletedAt" IS NULL) <> (NEW."deletedAt" IS NULL)) EXECUTE FUNCTION "customer_search_update"();
CREATE TRIGGER "Customer_search_delete" AFTER DELETE ON "Customer" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "customer_search_delete"();
