-- Customer."searchText" (decision 009): the same text as PostgreSQL's generated column (SQLite's
-- lower() folds ASCII only). Virtual - computed when read, stores nothing: SQLite's index search
-- keeps LIKE on the columns themselves (already case-insensitive for ASCII), and the column is here
-- so that both databases have the schema's columns.
ALTER TABLE "Customer" ADD COLUMN "searchText" TEXT GENERATED ALWAYS AS (
  lower(coalesce("displayName", '') || char(10) || coalesce("email", '') || char(10) || coalesce("phone", '') || char(10) || "tags") || char(10) || char(31) || replace(lower("tags"), ', ', char(31)) || char(31)
) VIRTUAL;
