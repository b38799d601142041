-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "firstOrderAt" TIMESTAMP(3),
ADD COLUMN     "lastOrderAt" TIMESTAMP(3),
ADD COLUMN     "ownerId" TEXT;

-- AlterTable
ALTER TABLE "AuditLog" ADD COLUMN     "batchId" TEXT;

-- CreateTable
CREATE TABLE "StaffMember" (
    "shop" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StaffMember_pkey" PRIMARY KEY ("shop","userId")
);

-- CreateTable
CREATE TABLE "Note" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "authorId" TEXT NOT NULL,
    "authorName" TEXT NOT NULL,
    "followUpAt" TIMESTAMP(3),
    "followUpAssigneeId" TEXT,
    "followUpDoneAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "editedAt" TIMESTAMP(3),
    "deletedAt" TIMESTAMP(3),
    "deletedById" TEXT,

    CONSTRAINT "Note_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NoteRevision" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "noteId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "editedById" TEXT NOT NULL,
    "editedByName" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NoteRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SavedView" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SavedView_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Note_shop_customerId_createdAt_idx" ON "Note"("shop", "customerId", "createdAt");

-- CreateIndex
CREATE INDEX "Note_shop_followUpAssigneeId_followUpDoneAt_followUpAt_idx" ON "Note"("shop", "followUpAssigneeId", "followUpDoneAt", "followUpAt");

-- CreateIndex
CREATE INDEX "NoteRevision_shop_noteId_createdAt_idx" ON "NoteRevision"("shop", "noteId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "SavedView_shop_name_key" ON "SavedView"("shop", "name");

-- CreateIndex
CREATE INDEX "Customer_shop_displayName_idx" ON "Customer"("shop", "displayName");

-- CreateIndex
CREATE INDEX "Customer_shop_numberOfOrders_idx" ON "Customer"("shop", "numberOfOrders");

-- CreateIndex
CREATE INDEX "Customer_shop_lastOrderAt_idx" ON "Customer"("shop", "lastOrderAt");

-- CreateIndex
CREATE INDEX "Customer_shop_ownerId_idx" ON "Customer"("shop", "ownerId");

-- CreateIndex
CREATE INDEX "Customer_shop_shopifyCreatedAt_idx" ON "Customer"("shop", "shopifyCreatedAt");

-- CreateIndex
CREATE INDEX "Customer_shop_deletedAt_idx" ON "Customer"("shop", "deletedAt");

-- CreateIndex
CREATE INDEX "AuditLog_shop_batchId_idx" ON "AuditLog"("shop", "batchId");


-- Customer search (the customers index: a case-insensitive substring of name, email, phone or
-- tags, ILIKE) through trigram indexes instead of reading every customer of the shop. Not in
-- schema.prisma, which cannot express them; the bulk import drops and rebuilds them like the others.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX "Customer_displayName_trgm_idx" ON "Customer" USING gin ("displayName" public.gin_trgm_ops);
CREATE INDEX "Customer_email_trgm_idx" ON "Customer" USING gin ("email" public.gin_trgm_ops);
CREATE INDEX "Customer_phone_trgm_idx" ON "Customer" USING gin ("phone" public.gin_trgm_ops);
CREATE INDEX "Customer_tags_trgm_idx" ON "Customer" USING gin ("tags" public.gin_trgm_ops);
