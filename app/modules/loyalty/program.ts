// The loyalty program's settings: one zod schema for what the editor submits, what the database
// stores (LoyaltyProgram.settings, JSON) and what the rules read (decision 010). Client-safe.
import { z } from "zod";

export const BASES = ["spend", "orders", "points"] as const;
export type Basis = (typeof BASES)[number];
export const WINDOWS = ["lifetime", "calendarYear", "rollingMonths"] as const;
export type WindowKind = (typeof WINDOWS)[number];

const safeCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const tierSchema = z.object({
  /** Stable across versions: members point at it, so a rename keeps them. */
  key: z.string().regex(/^[a-z0-9-]{1,40}$/),
  name: z.string().trim().min(1).max(40),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  /** Minor units of the shop's currency (spend), orders, or points - what the basis counts. */
  threshold: safeCount,
  perks: z.string().trim().max(500).default(""),
});
export type Tier = z.infer<typeof tierSchema>;

export const pointsSchema = z.object({
  enabled: z.boolean(),
  /** Points per whole unit of the shop's currency of an order's subtotal (after discounts, before shipping and tax). */
  perUnit: z.number().int().min(0).max(1000),
  signupBonus: z.number().int().min(0).max(1_000_000),
  firstOrderBonus: z.number().int().min(0).max(1_000_000),
  /** Points expire after this many months without earning; 0 = never. */
  expiryMonths: z.number().int().min(0).max(120),
  /** Orders processed before this earn nothing (ISO date); the merchant decides whether history earns. */
  from: z.string().datetime(),
});
export type PointsRules = z.infer<typeof pointsSchema>;

export const programSchema = z
  .object({
    basis: z.enum(BASES),
    window: z.object({ kind: z.enum(WINDOWS), months: z.number().int().min(1).max(60).default(12) }),
    graceDays: z.number().int().min(0).max(365),
    /** Lowest threshold first; at least one tier. */
    tiers: z.array(tierSchema).min(1).max(10),
    points: pointsSchema,
    /** Tag each member in Shopify with "Tier: <name>" (Shopify Email, Flow and segments can use it). */
    tagMembers: z.boolean().default(false),
  })
  .superRefine((program, ctx) => {
    const keys = new Set<string>();
    const names = new Set<string>();
    program.tiers.forEach((tier, index) => {
      if (keys.has(tier.key)) ctx.addIssue({ code: "custom", path: ["tiers", index, "key"], message: "duplicate" });
      if (names.has(tier.name.toLowerCase())) ctx.addIssue({ code: "custom", path: ["tiers", index, "name"], message: "duplicate" });
      keys.add(tier.key);
      names.add(tier.name.toLowerCase());
      const previous = program.tiers[index - 1];
      if (previous && tier.threshold <= previous.threshold) ctx.addIssue({ code: "custom", path: ["tiers", index, "threshold"], message: "ascending" });
    });
  });
export type Program = z.infer<typeof programSchema>;

/** What a shop starts with before the merchant edits anything: three tiers on lifetime spend. */
export function defaultProgram(currencyExponent: number, now: Date): Program {
  const unit = 10 ** currencyExponent;
  return {
    basis: "spend",
    window: { kind: "lifetime", months: 12 },
    graceDays: 30,
    tiers: [
      { key: "member", name: "Member", color: "#8c9196", threshold: 0, perks: "" },
      { key: "silver", name: "Silver", color: "#6d7175", threshold: 200 * unit, perks: "" },
      { key: "gold", name: "Gold", color: "#b98900", threshold: 1000 * unit, perks: "" },
    ],
    points: { enabled: true, perUnit: 1, signupBonus: 0, firstOrderBonus: 0, expiryMonths: 0, from: now.toISOString() },
    tagMembers: false,
  };
}

/** A key for a new tier from its name, unique among `taken`. */
export function tierKeyFor(name: string, taken: ReadonlySet<string>): string {
  const base = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 30) || "tier";
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}-${n}`;
  return key;
}
