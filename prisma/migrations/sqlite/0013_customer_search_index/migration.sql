-- "CustomerSearch" (decision 009): a trigram index of the text the customers index searches - a
-- customer's name, email, phone and tags, one line each - so that a term of three characters or
-- more is looked up, where LIKE read every customer of the shop (~35 ms a pass at 100,000). It is
-- SQLite's analogue of PostgreSQL's GIN on Customer."searchText".
-- - Lowercased by lower() (ASCII only, as LIKE folds case) and matched case-sensitively, so a term
--   (its ASCII letters lowercased) finds exactly what LIKE on each of the four columns finds: the
--   page, the CSV export and bulk actions (which keep LIKE) select the same customers.
-- - Contentless (content=''): it holds the index only; a row's rowid is its customer's. Rows are
--   removed with the 'delete' command and the text they were indexed with, which the triggers
--   compute from OLD. (VACUUM may renumber Customer's rowids: rebuild this index after one.)
-- - secure-delete: a removed row's trigrams leave the index at once instead of lingering in older
--   segments - a redacted customer's name and email leave no trace here either.
-- - columnsize=0: no per-row sizes (they are for ranking, which the app does not do).
CREATE VIRTUAL TABLE "CustomerSearch" USING fts5("text", content='', columnsize=0, tokenize='trigram case_sensitive 1');
INSERT INTO "CustomerSearch"("CustomerSearch", "rank") VALUES ('secure-delete', 1);
INSERT INTO "CustomerSearch"(rowid, "text") SELECT rowid, lower(coalesce("displayName", '') || char(10) || coalesce("email", '') || char(10) || coalesce("phone", '') || char(10) || "tags") FROM "Customer";

CREATE TRIGGER "Customer_search_insert" AFTER INSERT ON "Customer" BEGIN
  INSERT INTO "CustomerSearch"(rowid, "text") VALUES (NEW.rowid, lower(coalesce(NEW."displayName", '') || char(10) || coalesce(NEW."email", '') || char(10) || coalesce(NEW."phone", '') || char(10) || NEW."tags"));
END;
CREATE TRIGGER "Customer_search_update" AFTER UPDATE OF "displayName", "email", "phone", "tags" ON "Customer"
WHEN OLD."displayName" IS NOT NEW."displayName" OR OLD."email" IS NOT NEW."email" OR OLD."phone" IS NOT NEW."phone" OR OLD."tags" IS NOT NEW."tags"
BEGIN
  INSERT INTO "CustomerSearch"("CustomerSearch", rowid, "text") VALUES ('delete', OLD.rowid, lower(coalesce(OLD."displayName", '') || char(10) || coalesce(OLD."email", '') || char(10) || coalesce(OLD."phone", '') || char(10) || OLD."tags"));
  INSERT INTO "CustomerSearch"(rowid, "text") VALUES (NEW.rowid, lower(coalesce(NEW."displayName", '') || char(10) || coalesce(NEW."email", '') || char(10) || coalesce(NEW."phone", '') || char(10) || NEW."tags"));
END;
CREATE TRIGGER "Customer_search_delete" AFTER DELETE ON "Customer" BEGIN
  INSERT INTO "CustomerSearch"("CustomerSearch", rowid, "text") VALUES ('delete', OLD.rowid, lower(coalesce(OLD."displayName", '') || char(10) || coalesce(OLD."email", '') || char(10) || coalesce(OLD."phone", '') || char(10) || OLD."tags"));
END;
