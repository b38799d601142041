-- AlterTable
ALTER TABLE "WebhookEvent" ADD COLUMN     "redactedAt" TIMESTAMP(3),
ADD COLUMN     "subjectId" TEXT;

-- AlterTable
ALTER TABLE "SyncRun" ADD COLUMN     "heartbeatAt" TIMESTAMP(3),
ADD COLUMN     "linesProcessed" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "repaired" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "resourcesDone" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "since" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "Refund" (
    "shop" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "note" TEXT,
    "totalMinor" BIGINT NOT NULL,
    "currencyCode" TEXT NOT NULL,
    "shopifyCreatedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Refund_pkey" PRIMARY KEY ("shop","shopifyId")
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

    CONSTRAINT "RefundLine_pkey" PRIMARY KEY ("shop","shopifyId")
);

-- CreateTable
CREATE TABLE "AppliedVersion" (
    "shop" TEXT NOT NULL,
    "subjectId" TEXT NOT NULL,
    "aspect" TEXT NOT NULL,
    "version" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AppliedVersion_pkey" PRIMARY KEY ("shop","subjectId","aspect")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "shop" TEXT,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "uniqueKey" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 8,
    "runAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DataExport" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "requestId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "content" TEXT,
    "error" TEXT,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "DataExport_pkey" PRIMARY KEY ("id")
);

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

