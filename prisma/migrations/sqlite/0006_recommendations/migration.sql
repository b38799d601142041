-- CreateTable
CREATE TABLE "RecommendationModel" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "builtAt" DATETIME NOT NULL,
    "customers" INTEGER NOT NULL,
    "orders" INTEGER NOT NULL,
    "products" INTEGER NOT NULL,
    "buildMs" INTEGER NOT NULL,
    "model" TEXT NOT NULL
);

