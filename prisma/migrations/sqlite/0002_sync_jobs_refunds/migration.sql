-- AlterTable
ALTER TABLE "WebhookEvent" ADD COLUMN "redactedAt" DATETIME;
ALTER TABLE "WebhookEvent" ADD COLUMN "subjectId" TEXT;

-- CreateTable
CREATE TABLE "Refund" (
    "shop" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "note" TEXT,
    "totalMinor" BIGINT NOT NULL,
    "currencyCode" TEXT NOT NULL,
    "shopifyCreatedAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "shopifyId")
);

-- CreateTable
CREATE TABLE "RefundLine" (
    "shop" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "refundId" TEXT NOT NULL,
    "orderLineId" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "subtotalMinor" BIGINT NOT NULL,
    "restockType" TEXT,

    PRIMARY KEY ("shop", "shopifyId")
);

-- CreateTable
CREATE TABLE "AppliedVersion" (
    "shop" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "aspect" TEXT NOT NULL,
    "version" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "subjectId", "aspect")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "queue" TEXT NOT NULL,
    "shop" TEXT,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "uniqueKey" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 8,
    "runAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedBy" TEXT,
    "lockedUntil" DATETIME,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);

-- CreateTable
CREATE TABLE "DataExport" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "requestId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "content" TEXT,
    "error" TEXT,
    "requestedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" DATETIME
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_SyncRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "resource" TEXT,
    "resourcesDone" TEXT NOT NULL DEFAULT '',
    "bulkOperationId" TEXT,
    "linesProcessed" INTEGER NOT NULL DEFAULT 0,
    "objectsTotal" INTEGER NOT NULL DEFAULT 0,
    "objectsImported" INTEGER NOT NULL DEFAULT 0,
    "repaired" INTEGER NOT NULL DEFAULT 0,
    "since" DATETIME,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" DATETIME,
    "finishedAt" DATETIME,
    "error" TEXT
);
INSERT INTO "new_SyncRun" ("bulkOperationId", "error", "finishedAt", "id", "kind", "objectsImported", "objectsTotal", "resource", "shop", "startedAt", "status") SELECT "bulkOperationId", "error", "finishedAt", "id", "kind", "objectsImported", "objectsTotal", "resource", "shop", "startedAt", "status" FROM "SyncRun";
DROP TABLE "SyncRun";
ALTER TABLE "new_SyncRun" RENAME TO "SyncRun";
CREATE INDEX "SyncRun_shop_startedAt_idx" ON "SyncRun"("shop", "startedAt");
CREATE INDEX "SyncRun_shop_kind_status_idx" ON "SyncRun"("shop", "kind", "status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Refund_shop_orderId_idx" ON "Refund"("shop", "orderId");

-- CreateIndex
CREATE INDEX "RefundLine_shop_refundId_idx" ON "RefundLine"("shop", "refundId");

-- CreateIndex
CREATE INDEX "RefundLine_shop_orderLineId_idx" ON "RefundLine"("shop", "orderLineId");

-- CreateIndex
CREATE UNIQUE INDEX "Job_uniqueKey_key" ON "Job"("uniqueKey");

-- CreateIndex
CREATE INDEX "Job_status_runAt_idx" ON "Job"("status", "runAt");

-- CreateIndex
CREATE INDEX "Job_queue_status_runAt_idx" ON "Job"("queue", "status", "runAt");

-- CreateIndex
CREATE INDEX "Job_shop_status_idx" ON "Job"("shop", "status");

-- CreateIndex
CREATE INDEX "DataExport_shop_requestedAt_idx" ON "DataExport"("shop", "requestedAt");

-- CreateIndex
CREATE INDEX "WebhookEvent_shop_subjectId_idx" ON "WebhookEvent"("shop", "subjectId");

-- CreateIndex
CREATE INDEX "WebhookEvent_shop_status_receivedAt_idx" ON "WebhookEvent"("shop", "status", "receivedAt");

