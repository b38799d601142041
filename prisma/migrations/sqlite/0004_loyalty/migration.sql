-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "loyaltySweptAt" DATETIME;

-- CreateTable
CREATE TABLE "LoyaltyProgram" (
    "shop" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "settings" TEXT NOT NULL,
    "createdById" TEXT,
    "createdByName" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "version")
);

-- CreateTable
CREATE TABLE "LoyaltyMember" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "tierKey" TEXT,
    "tierSince" DATETIME,
    "qualifiedKey" TEXT,
    "downgradeDueAt" DATETIME,
    "overrideKey" TEXT,
    "overrideReason" TEXT,
    "overrideById" TEXT,
    "overrideByName" TEXT,
    "overrideAt" DATETIME,
    "metric" BIGINT NOT NULL DEFAULT 0,
    "programVersion" INTEGER NOT NULL DEFAULT 0,
    "pointsBalance" INTEGER NOT NULL DEFAULT 0,
    "lastActivityAt" DATETIME,
    "dirty" BOOLEAN NOT NULL DEFAULT false,
    "pushNeeded" BOOLEAN NOT NULL DEFAULT false,
    "evaluatedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "customerId")
);

-- CreateTable
CREATE TABLE "TierChange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "fromKey" TEXT,
    "toKey" TEXT,
    "fromName" TEXT,
    "toName" TEXT,
    "reason" TEXT NOT NULL,
    "programVersion" INTEGER NOT NULL,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "actorName" TEXT,
    "note" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "PointsEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "balanceAfter" INTEGER NOT NULL,
    "orderId" TEXT,
    "orderDelta" INTEGER,
    "perUnit" INTEGER,
    "key" TEXT,
    "reason" TEXT,
    "actorId" TEXT,
    "actorName" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "FlowEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "customerId" TEXT,
    "payload" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT
);

-- CreateIndex
CREATE INDEX "LoyaltyMember_shop_tierKey_idx" ON "LoyaltyMember"("shop", "tierKey");

-- CreateIndex
CREATE INDEX "LoyaltyMember_shop_dirty_idx" ON "LoyaltyMember"("shop", "dirty");

-- CreateIndex
CREATE INDEX "LoyaltyMember_shop_pushNeeded_idx" ON "LoyaltyMember"("shop", "pushNeeded");

-- CreateIndex
CREATE INDEX "LoyaltyMember_shop_programVersion_idx" ON "LoyaltyMember"("shop", "programVersion");

-- CreateIndex
CREATE INDEX "TierChange_shop_customerId_idx" ON "TierChange"("shop", "customerId");

-- CreateIndex
CREATE UNIQUE INDEX "PointsEntry_shop_customerId_key_key" ON "PointsEntry"("shop", "customerId", "key");

-- CreateIndex
CREATE INDEX "FlowEvent_shop_sentAt_idx" ON "FlowEvent"("shop", "sentAt");

