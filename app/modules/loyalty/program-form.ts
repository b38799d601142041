// The program editor's form values (text, as the fields hold them) and the conversion to and from
// the program (integers: minor units, counts, days). Client-safe: the page converts to show errors
// as the merchant types, the action converts again before anything is saved.
import { toDecimalString, toMinorUnits } from "../money/money";
import { programSchema, tierKeyFor, type Basis, type Program, type WindowKind } from "./program";

export interface TierForm {
  key: string;
  name: string;
  color: string;
  threshold: string;
  perks: string;
}

export interface ProgramForm {
  basis: Basis;
  windowKind: WindowKind;
  windowMonths: string;
  graceDays: string;
  tiers: TierForm[];
  points: { enabled: boolean; perUnit: string; signupBonus: string; firstOrderBonus: string; expiryMonths: string; from: string };
  tagMembers: boolean;
}

export function toForm(program: Program, currencyCode: string): ProgramForm {
  return {
    basis: program.basis,
    windowKind: program.window.kind,
    windowMonths: String(program.window.months),
    graceDays: String(program.graceDays),
    tiers: program.tiers.map((tier) => ({ ...tier, threshold: program.basis === "spend" ? toDecimalString(BigInt(tier.threshold), currencyCode) : String(tier.threshold) })),
    points: {
      enabled: program.points.enabled,
      perUnit: String(program.points.perUnit),
      signupBonus: String(program.points.signupBonus),
      firstOrderBonus: String(program.points.firstOrderBonus),
      expiryMonths: String(program.points.expiryMonths),
      from: program.points.from.slice(0, 10),
    },
    tagMembers: program.tagMembers,
  };
}

const WHOLE = /^\d+$/;

/** The program a form describes, or the errors by field path ("tiers.1.threshold": "ascending"). */
export function fromForm(form: ProgramForm, currencyCode: string): { program: Program; errors: null } | { program: null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const whole = (path: string, text: string) => {
    const trimmed = text.trim();
    if (!WHOLE.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
      errors[path] = "whole";
      return 0;
    }
    return Number(trimmed);
  };
  const taken = new Set(form.tiers.map((tier) => tier.key).filter(Boolean));
  const tiers = form.tiers.map((tier, index) => {
    let threshold = 0;
    if (form.basis === "spend") {
      try {
        const minor = toMinorUnits(tier.threshold.trim() || "0", currencyCode);
        if (minor < 0n || minor > BigInt(Number.MAX_SAFE_INTEGER)) errors[`tiers.${index}.threshold`] = "amount";
        else threshold = Number(minor);
      } catch {
        errors[`tiers.${index}.threshold`] = "amount";
      }
    } else threshold = whole(`tiers.${index}.threshold`, tier.threshold);
    let key = tier.key;
    if (!key) taken.add((key = tierKeyFor(tier.name, taken)));
    return { key, name: tier.name, color: tier.color, threshold, perks: tier.perks };
  });
  const draft = {
    basis: form.basis,
    window: { kind: form.windowKind, months: form.windowKind === "rollingMonths" ? whole("windowMonths", form.windowMonths) : 12 },
    graceDays: whole("graceDays", form.graceDays),
    tiers,
    points: {
      enabled: form.points.enabled,
      perUnit: whole("points.perUnit", form.points.perUnit),
      signupBonus: whole("points.signupBonus", form.points.signupBonus),
      firstOrderBonus: whole("points.firstOrderBonus", form.points.firstOrderBonus),
      expiryMonths: whole("points.expiryMonths", form.points.expiryMonths),
      from: /^\d{4}-\d{2}-\d{2}$/.test(form.points.from) ? `${form.points.from}T00:00:00.000Z` : "",
    },
    tagMembers: form.tagMembers,
  };
  const parsed = programSchema.safeParse(draft);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.join(".").replace("window.months", "windowMonths");
      errors[path] ??= issue.code === "custom" ? issue.message : issue.code === "too_small" ? "tooSmall" : issue.code === "too_big" ? "tooBig" : "invalid";
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { program: null, errors };
  return { program: parsed.data, errors: null };
}

/** A new tier row below the last: a threshold above it and a colour of its own. */
export function newTierForm(form: ProgramForm): TierForm {
  const palette = ["#8c9196", "#6d7175", "#b98900", "#2c6ecb", "#8051ff", "#d72c0d", "#007f5f"];
  const used = new Set(form.tiers.map((tier) => tier.color));
  return { key: "", name: "", color: palette.find((color) => !used.has(color)) ?? "#2c6ecb", threshold: "", perks: "" };
}
