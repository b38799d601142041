// The loyalty program the tests run: the default program's tiers (Member from $0, Silver from
// $200, Gold from $1,000, in cents) with perks, points from 2026-01-01, at 1 point per dollar.
import { defaultProgram, type Program, type Tier } from "../../app/modules/loyalty/program";

const PERKS: Record<string, string> = { silver: "Free gift wrap", gold: "Free shipping\nEarly access to sales" };

export const TEST_TIERS: Tier[] = defaultProgram(2, new Date(0)).tiers.map((tier) => ({ ...tier, perks: PERKS[tier.key] ?? "" }));

/** The test program, with `overrides`; `thresholds` replaces the tiers' thresholds in order. */
export function testProgram(overrides: Partial<Program> = {}, thresholds?: readonly number[]): Program {
  const base = defaultProgram(2, new Date("2026-01-01T00:00:00.000Z"));
  const tiers = thresholds ? TEST_TIERS.map((tier, index) => ({ ...tier, threshold: thresholds[index] ?? tier.threshold })) : TEST_TIERS;
  return { ...base, tiers, ...overrides };
}
