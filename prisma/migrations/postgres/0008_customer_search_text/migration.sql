-- Customer."searchText" (decision 009): what the customers index searches, lowercased once when a
-- row is written instead of on every row of every search. A case-insensitive ILIKE on the four
-- columns lowercased each of them per row scanned (70 ms of CPU for a two-letter term at 100,000
-- customers); one LIKE on this column is a third of that. The text is lower(displayName), email,
-- phone and tags (", "-joined, as stored), one per line - a term matches within one of them, as
-- SQLite's LIKE on each column does - then every tag again between U+001F marks
-- ("<US>vip<US>wholesale<US>"), so that a whole tag is one LIKE '%<US>tag<US>%' (a tag holds no
-- comma). Generated and stored: whatever writes the columns (Prisma, the bulk writers,
-- COPY, a redaction) writes it too; the app never names it in a write.
-- Adding a stored generated column rewrites the table once, under an exclusive lock.
ALTER TABLE "Customer" ADD COLUMN "searchText" TEXT GENERATED ALWAYS AS (
  lower(coalesce("displayName", '') || E'\n' || coalesce("email", '') || E'\n' || coalesce("phone", '') || E'\n' || "tags") || E'\n' || E'\x1f' || replace(lower("tags"), ', ', E'\x1f') || E'\x1f'
) STORED;

-- One trigram index for the search and the tag filter, in place of one per column (migration 0003;
-- IF EXISTS: an import that crashed leaves its deferred indexes dropped, decision 007).
DROP INDEX IF EXISTS "Customer_displayName_trgm_idx";
DROP INDEX IF EXISTS "Customer_email_trgm_idx";
DROP INDEX IF EXISTS "Customer_phone_trgm_idx";
DROP INDEX IF EXISTS "Customer_tags_trgm_idx";
CREATE INDEX "Customer_searchText_trgm_idx" ON "Customer" USING gin ("searchText" public.gin_trgm_ops);
