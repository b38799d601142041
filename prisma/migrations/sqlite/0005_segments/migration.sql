-- CreateTable
CREATE TABLE "CustomerInsight" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "netSpentMinor" BIGINT NOT NULL DEFAULT 0,
    "firstOrderAt" DATETIME,
    "lastOrderAt" DATETIME,
    "recency" INTEGER NOT NULL DEFAULT 0,
    "frequency" INTEGER NOT NULL DEFAULT 0,
    "monetary" INTEGER NOT NULL DEFAULT 0,
    "rfmSegment" TEXT,
    "rfmSince" DATETIME,
    "expectedNextOrderAt" DATETIME,
    "churnRisk" INTEGER NOT NULL DEFAULT 0,
    "predictedValueMinor" BIGINT NOT NULL DEFAULT 0,
    "reason" TEXT NOT NULL DEFAULT '{}',
    "dirty" BOOLEAN NOT NULL DEFAULT false,
    "pushNeeded" BOOLEAN NOT NULL DEFAULT false,
    "computedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "customerId")
);

-- CreateTable
CREATE TABLE "InsightModel" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "distribution" TEXT NOT NULL,
    "parameters" TEXT NOT NULL,
    "customers" INTEGER NOT NULL,
    "fittedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RfmChange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "fromSegment" TEXT,
    "toSegment" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Segment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "rules" TEXT NOT NULL,
    "template" TEXT,
    "tagName" TEXT,
    "retiredTags" TEXT NOT NULL DEFAULT '',
    "memberCount" INTEGER NOT NULL DEFAULT 0,
    "countedAt" DATETIME,
    "createdById" TEXT,
    "createdByName" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "deletedAt" DATETIME
);

-- CreateTable
CREATE TABLE "SegmentMember" (
    "shop" TEXT NOT NULL,
    "segmentId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "enteredAt" DATETIME NOT NULL,

    PRIMARY KEY ("segmentId", "customerId")
);

-- CreateIndex
CREATE INDEX "CustomerInsight_shop_rfmSegment_idx" ON "CustomerInsight"("shop", "rfmSegment");

-- CreateIndex
CREATE INDEX "CustomerInsight_shop_dirty_idx" ON "CustomerInsight"("shop", "dirty");

-- CreateIndex
CREATE INDEX "CustomerInsight_shop_pushNeeded_idx" ON "CustomerInsight"("shop", "pushNeeded");

-- CreateIndex
CREATE INDEX "RfmChange_shop_createdAt_idx" ON "RfmChange"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "RfmChange_shop_customerId_idx" ON "RfmChange"("shop", "customerId");

-- CreateIndex
CREATE INDEX "Segment_shop_deletedAt_idx" ON "Segment"("shop", "deletedAt");

-- CreateIndex
CREATE INDEX "SegmentMember_shop_customerId_idx" ON "SegmentMember"("shop", "customerId");

