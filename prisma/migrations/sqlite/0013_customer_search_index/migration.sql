-- "CustomerSearch" (decision 009): a trigram index of the text the customers index searches - a
-- live customer's Customer."searchText" (migration 0008: name, email, phone and tags lowercased,
-- one per line, then every tag again between U+001F marks) and its shop - so that a term of three
-- characters or more, and a whole tag (between its marks), is looked up, where LIKE read every
-- customer of the shop (~35 ms a pass at 100,000), and a shorter term is read from this narrow
-- copy (~15 ms) instead of the customers' rows. SQLite's analogue of PostgreSQL's GIN on the same
-- text.
-- - searchText is lowercased by lower() (ASCII only, as LIKE folds case) and the index matches
--   case-sensitively, so a term (its ASCII letters lowercased) finds exactly what LIKE on each of
--   the four columns finds: the page, the CSV export and bulk actions (which keep LIKE) select the
--   same customers.
-- - A row's rowid is its customer's; only live customers have one (deletedAt set removes it).
--   (VACUUM may renumber Customer's rowids: rebuild this index after one.)
-- - A removed or changed row's trigrams linger in the index's older segments until they are
--   merged: a redaction merges them all (purgeSearchIndex), so nothing of the erased text is left.
--   (secure-delete, which drops them at every write, cost 0.66 ms per changed name.)
-- - columnsize=0: no per-row sizes (they are for ranking, which the app does not do).
-- The import defers it with the secondary indexes: it drops the Customer_search_* triggers, empties
-- it, and refills it with the INSERT ... SELECT below (app/modules/sync/archive-sql.ts).
CREATE VIRTUAL TABLE "CustomerSearch" USING fts5("text", "shop" UNINDEXED, columnsize=0, tokenize='trigram case_sensitive 1');
-- A 16 MB buffer of new entries (default 1 MB) before they are written out as a segment: filling
-- it from 100,000 customers took 0.49 s instead of 0.73 s. A transaction's entries are written at
-- its end whatever the size, so an ordinary write holds no more than its own.
INSERT INTO "CustomerSearch"("CustomerSearch", "rank") VALUES ('hashsize', 16777216);
INSERT INTO "CustomerSearch"(rowid, "text", "shop") SELECT rowid, "searchText", "shop" FROM "Customer" WHERE "deletedAt" IS NULL;

CREATE TRIGGER "Customer_search_insert" AFTER INSERT ON "Customer" WHEN NEW."deletedAt" IS NULL BEGIN
  INSERT INTO "CustomerSearch"(rowid, "text", "shop") VALUES (NEW.rowid, NEW."searchText", NEW."shop");
END;
CREATE TRIGGER "Customer_search_update" AFTER UPDATE OF "displayName", "email", "phone", "tags", "deletedAt" ON "Customer"
WHEN OLD."displayName" IS NOT NEW."displayName" OR OLD."email" IS NOT NEW."email" OR OLD."phone" IS NOT NEW."phone" OR OLD."tags" IS NOT NEW."tags" OR (OLD."deletedAt" IS NULL) <> (NEW."deletedAt" IS NULL)
BEGIN
  DELETE FROM "CustomerSearch" WHERE rowid = OLD.rowid;
  INSERT INTO "CustomerSearch"(rowid, "text", "shop") SELECT NEW.rowid, NEW."searchText", NEW."shop" WHERE NEW."deletedAt" IS NULL;
END;
CREATE TRIGGER "Customer_search_delete" AFTER DELETE ON "Customer" BEGIN
  DELETE FROM "CustomerSearch" WHERE rowid = OLD.rowid;
END;
