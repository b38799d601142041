-- CreateTable
CREATE TABLE "RecommendationModel" (
    "shop" TEXT NOT NULL,
    "builtAt" TIMESTAMP(3) NOT NULL,
    "customers" INTEGER NOT NULL,
    "orders" INTEGER NOT NULL,
    "products" INTEGER NOT NULL,
    "buildMs" INTEGER NOT NULL,
    "model" TEXT NOT NULL,

    CONSTRAINT "RecommendationModel_pkey" PRIMARY KEY ("shop")
);

