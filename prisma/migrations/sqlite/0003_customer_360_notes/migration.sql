-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "firstOrderAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "lastOrderAt" DATETIME;
ALTER TABLE "Customer" ADD COLUMN "ownerId" TEXT;

-- AlterTable
ALTER TABLE "AuditLog" ADD COLUMN "batchId" TEXT;

-- CreateTable
CREATE TABLE "StaffMember" (
    "shop" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "userId")
);

-- CreateTable
CREATE TABLE "Note" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "pinned" BOOLEAN NOT NULL DEFAULT false,
    "authorId" TEXT NOT NULL,
    "authorName" TEXT NOT NULL,
    "followUpAt" DATETIME,
    "followUpAssigneeId" TEXT,
    "followUpDoneAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "editedAt" DATETIME,
    "deletedAt" DATETIME,
    "deletedById" TEXT
);

-- CreateTable
CREATE TABLE "NoteRevision" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "noteId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "editedById" TEXT NOT NULL,
    "editedByName" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "SavedView" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
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

