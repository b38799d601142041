// The shop's loyalty program: its versions, and what the rules need to know about the shop.
import type { Prisma, PrismaClient } from "../../db.server";
import { currencyExponent } from "../money/money";
import { defaultProgram, programSchema, type Program } from "./program";

export type Db = PrismaClient | Prisma.TransactionClient;

export interface ProgramVersion {
  version: number;
  program: Program;
  createdAt: Date;
  createdByName: string | null;
}

export interface ShopTerms {
  currencyCode: string;
  exponent: number;
  timeZone: string;
}

export async function shopTerms(db: Db, shop: string): Promise<ShopTerms> {
  const row = await db.shop.findUnique({ where: { shop }, select: { currencyCode: true, ianaTimezone: true } });
  const currencyCode = row?.currencyCode ?? "USD";
  let timeZone = row?.ianaTimezone ?? "UTC";
  try {
    new Intl.DateTimeFormat("en", { timeZone });
  } catch {
    timeZone = "UTC";
  }
  return { currencyCode, exponent: currencyExponent(currencyCode), timeZone };
}

const toVersion = (row: { version: number; settings: string; createdAt: Date; createdByName: string | null }): ProgramVersion => ({
  version: row.version,
  program: programSchema.parse(JSON.parse(row.settings)),
  createdAt: row.createdAt,
  createdByName: row.createdByName,
});

/** The shop's program; a shop that never saved one gets the default as version 1 (three tiers on lifetime spend, points from today). */
export async function currentProgram(db: Db, shop: string, now = new Date()): Promise<ProgramVersion> {
  const row = await db.loyaltyProgram.findFirst({ where: { shop }, orderBy: { version: "desc" } });
  if (row) return toVersion(row);
  const terms = await shopTerms(db, shop);
  const settings = JSON.stringify(defaultProgram(terms.exponent, now));
  // upsert: two first readers at once both end with the same version 1.
  return toVersion(await db.loyaltyProgram.upsert({ where: { shop_version: { shop, version: 1 } }, create: { shop, version: 1, settings, createdAt: now }, update: {} }));
}

export async function programHistory(db: Db, shop: string, take = 20) {
  const rows = await db.loyaltyProgram.findMany({ where: { shop }, orderBy: { version: "desc" }, take });
  return rows.map(toVersion);
}
