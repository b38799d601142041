// Custom segment rules as plain data: the fields a rule can test and their operators (the builder renders from
// SEGMENT_FIELDS), the schema and parser with a message per condition, and the ready-made templates. Shared by the
// browser and the server (segment-sql.server.ts compiles rules to SQL), so nothing here touches the server.
import { z } from "zod";

import { toMinorUnits } from "../money/money";
import { RFM_SEGMENTS } from "./rfm";

// Numbers and money; dates and the forecast; option lists, text sets and the boolean.
export const OPERATORS = [
  "gte", "lte", "between", "eq",
  "before", "after", "inLastDays", "notInLastDays", "dueWithinDays", "overdue",
  "in", "notIn", "hasAny", "hasNone", "is",
] as const;
export type Operator = (typeof OPERATORS)[number];

/** What an operator's value is, for the builder's input (a single value or range is in the field's own kind). */
export const OPERATOR_VALUES = {
  gte: "single",
  lte: "single",
  eq: "single",
  between: "range",
  before: "date",
  after: "date",
  inLastDays: "days",
  notInLastDays: "days",
  dueWithinDays: "days",
  overdue: "none",
  in: "list",
  notIn: "list",
  hasAny: "list",
  hasNone: "list",
  is: "boolean",
} as const satisfies Record<Operator, "single" | "range" | "date" | "days" | "none" | "list" | "boolean">;

export type SegmentMatch = "all" | "any";
export type FieldKind = "money" | "number" | "date" | "forecast" | "option" | "textSet" | "boolean";

/** What the builder needs to know to render one field's condition. */
export interface SegmentField {
  kind: FieldKind;
  operators: readonly Operator[];
  /** number: what the value counts, its bounds and decimal places (churn risk is a percent with one decimal). */
  unit?: "orders" | "points" | "days" | "percent";
  min?: number;
  max?: number;
  decimals?: number;
  /** option: the fixed choices, or where the builder loads the shop's own (tiers, countries, staff). */
  options?: readonly string[];
  optionSource?: "loyaltyTiers" | "countries" | "staff";
  /** option: "none" is a choice, meaning the field is empty (no tier, no owner). */
  noneOption?: boolean;
  /** textSet: where the builder finds suggestions. */
  suggestions?: "tags" | "products" | "productTypes";
}

const MONEY = ["gte", "lte", "between"] as const;
const NUMBER = ["eq", "gte", "lte", "between"] as const;
const DATE = ["before", "after", "inLastDays", "notInLastDays"] as const;
const OPTION = ["in", "notIn"] as const;
const TEXT_SET = ["hasAny", "hasNone"] as const;
export const MAX_DAYS = 36_500;

// There is no birthday field: neither Shopify's customer nor the archive holds a date of birth, so no birthday
// segment or template exists until one is collected (a metafield the archive would have to sync).
export const SEGMENT_FIELDS = {
  spent: { kind: "money", operators: MONEY },
  averageOrder: { kind: "money", operators: MONEY },
  predictedValue: { kind: "money", operators: MONEY },
  orders: { kind: "number", operators: NUMBER, unit: "orders", min: 0, max: 1_000_000_000, decimals: 0 },
  points: { kind: "number", operators: NUMBER, unit: "points", min: -1_000_000_000, max: 1_000_000_000, decimals: 0 },
  daysSinceLastOrder: { kind: "number", operators: NUMBER, unit: "days", min: 0, max: MAX_DAYS, decimals: 0 },
  churnRisk: { kind: "number", operators: NUMBER, unit: "percent", min: 0, max: 100, decimals: 1 },
  firstOrderAt: { kind: "date", operators: DATE },
  lastOrderAt: { kind: "date", operators: DATE },
  expectedNextOrder: { kind: "forecast", operators: ["dueWithinDays", "overdue"] },
  tier: { kind: "option", operators: OPTION, optionSource: "loyaltyTiers", noneOption: true },
  rfmSegment: { kind: "option", operators: OPTION, options: RFM_SEGMENTS },
  country: { kind: "option", operators: OPTION, optionSource: "countries" },
  owner: { kind: "option", operators: OPTION, optionSource: "staff", noneOption: true },
  tag: { kind: "textSet", operators: TEXT_SET, suggestions: "tags" },
  productBought: { kind: "textSet", operators: TEXT_SET, suggestions: "products" },
  productType: { kind: "textSet", operators: TEXT_SET, suggestions: "productTypes" },
  emailSubscribed: { kind: "boolean", operators: ["is"] },
} as const satisfies Record<string, SegmentField>;

export type FieldKey = keyof typeof SEGMENT_FIELDS;
export const FIELD_KEYS = Object.keys(SEGMENT_FIELDS) as [FieldKey, ...FieldKey[]];
type FieldsOf<K extends FieldKind> = { [F in FieldKey]: (typeof SEGMENT_FIELDS)[F]["kind"] extends K ? F : never }[FieldKey];

/** The "none" choice of tier and owner: no tier (or no loyalty row), no owner. */
export const NONE_OPTION = "none";
/** Conditions in a whole rule set, groups' included: each is a term of one SQL statement. */
export const MAX_CONDITIONS = 50;
/** Entries in one list value (tags, products, options). */
export const MAX_LIST_ENTRIES = 100;

export type SegmentCondition =
  | { field: FieldsOf<"money">; operator: "gte" | "lte"; value: string }
  | { field: FieldsOf<"money">; operator: "between"; value: [string, string] }
  | { field: FieldsOf<"number">; operator: "eq" | "gte" | "lte"; value: number }
  | { field: FieldsOf<"number">; operator: "between"; value: [number, number] }
  | { field: FieldsOf<"date">; operator: "before" | "after"; value: string }
  | { field: FieldsOf<"date">; operator: "inLastDays" | "notInLastDays"; value: number }
  | { field: "expectedNextOrder"; operator: "dueWithinDays"; value: number }
  | { field: "expectedNextOrder"; operator: "overdue"; value?: null }
  | { field: FieldsOf<"option">; operator: "in" | "notIn"; value: string[] }
  | { field: FieldsOf<"textSet">; operator: "hasAny" | "hasNone"; value: string[] }
  | { field: "emailSubscribed"; operator: "is"; value: boolean };

export interface SegmentGroup {
  match: SegmentMatch;
  conditions: SegmentCondition[];
}
export interface SegmentRules {
  match: SegmentMatch;
  conditions: Array<SegmentCondition | SegmentGroup>;
}

export const isSegmentGroup = (item: SegmentCondition | SegmentGroup): item is SegmentGroup => "conditions" in item;

/** A rule set that cannot be used; `fieldErrors` maps a path ("conditions.2.value") to what is wrong there. */
export class SegmentRulesError extends Error {
  constructor(readonly fieldErrors: Record<string, string>) {
    super(
      Object.entries(fieldErrors)
        .map(([path, message]) => `${path}: ${message}`)
        .join("; "),
    );
    this.name = "SegmentRulesError";
  }
}

// --- Values --------------------------------------------------------------------------------------

type Checked = { value: SegmentCondition["value"] } | { error: string };

// At most 14 whole digits and 4 decimals (the most any currency has): every amount stays below 2^63 minor units.
const AMOUNT = /^\d{1,14}(\.\d{1,4})?$/;
const isCalendarDate = (value: string) => {
  const date = new Date(`${value}T00:00:00.000Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
};
const PRODUCT_GID = /^gid:\/\/shopify\/Product\/\d+$/;
const COUNTRY = /^[A-Z]{2}$/;

/** Two decimal texts compared exactly (no floats): -1, 0 or 1. */
export function compareAmounts(a: string, b: string): number {
  const [aWhole = "0", aFraction = ""] = a.split(".");
  const [bWhole = "0", bFraction = ""] = b.split(".");
  const width = Math.max(aFraction.length, bFraction.length);
  const [x, y] = [BigInt(aWhole + aFraction.padEnd(width, "0")), BigInt(bWhole + bFraction.padEnd(width, "0"))];
  return x < y ? -1 : x > y ? 1 : 0;
}

function checkAmount(value: unknown): string | { error: string } {
  if (typeof value !== "string" || !AMOUNT.test(value.trim())) return { error: "must be an amount such as 120 or 99.50" };
  return value.trim();
}

function checkNumber(value: unknown, { min, max, decimals }: { min: number; max: number; decimals: number }): number | { error: string } {
  const scaled = typeof value === "number" ? Math.round(value * 10 ** decimals) : NaN;
  if (typeof value !== "number" || !Number.isFinite(value) || Math.abs(scaled - value * 10 ** decimals) > 1e-9) {
    return { error: decimals === 0 ? "must be a whole number" : `must be a number with at most ${decimals} decimal` };
  }
  if (value < min || value > max) return { error: `must be between ${min} and ${max}` };
  return value;
}

function checkRange<T extends string | number>(value: unknown, check: (entry: unknown) => T | { error: string }, compare: (a: T, b: T) => number): [T, T] | { error: string } {
  if (!Array.isArray(value) || value.length !== 2) return { error: "must be a range [min, max]" };
  const [low, high] = [check(value[0]), check(value[1])];
  if (typeof low === "object") return low;
  if (typeof high === "object") return high;
  if (compare(low, high) > 0) return { error: "the minimum must not be above the maximum" };
  return [low, high];
}

function checkList(value: unknown, check: (entry: string) => string | { error: string }, anyCase = false): string[] | { error: string } {
  if (!Array.isArray(value) || value.length === 0) return { error: "must list at least one value" };
  if (value.length > MAX_LIST_ENTRIES) return { error: `must list at most ${MAX_LIST_ENTRIES} values` };
  const seen = new Set<string>();
  const list: string[] = [];
  for (const entry of value) {
    if (typeof entry !== "string" || !entry.trim()) return { error: "must list non-empty texts" };
    if (entry.trim().length > 255) return { error: "holds a value longer than 255 characters" };
    const checked = check(entry.trim());
    if (typeof checked === "object") return checked;
    // Duplicates add nothing but bind parameters (tags and product types are compared in any case).
    const key = anyCase ? checked.toLowerCase() : checked;
    if (!seen.has(key)) list.push(checked);
    seen.add(key);
  }
  return list;
}

const days = (value: unknown) => checkNumber(value, { min: 0, max: MAX_DAYS, decimals: 0 });
const result = (value: SegmentCondition["value"] | { error: string }): Checked => (value !== null && typeof value === "object" && "error" in value ? value : { value });

/** The value of one condition checked against its field and operator, normalised (trimmed, upper-case countries, no duplicates). */
export function checkConditionValue(field: FieldKey, operator: Operator, value: unknown): Checked {
  const definition: SegmentField = SEGMENT_FIELDS[field];
  switch (definition.kind) {
    case "money":
      return result(operator === "between" ? checkRange(value, checkAmount, compareAmounts) : checkAmount(value));
    case "number": {
      const bounds = { min: definition.min ?? 0, max: definition.max ?? 0, decimals: definition.decimals ?? 0 };
      const number = (entry: unknown) => checkNumber(entry, bounds);
      return result(operator === "between" ? checkRange(value, number, (a, b) => a - b) : number(value));
    }
    case "date":
      if (operator !== "before" && operator !== "after") return result(days(value));
      return typeof value === "string" && isCalendarDate(value.trim()) ? { value: value.trim() } : { error: "must be a date (YYYY-MM-DD)" };
    case "forecast":
      if (operator === "overdue") return value === undefined || value === null ? { value: null } : { error: "takes no value" };
      return result(days(value));
    case "option":
      return result(
        checkList(value, (entry) => {
          if (field === "rfmSegment") return (RFM_SEGMENTS as readonly string[]).includes(entry) ? entry : { error: `${entry} is not an RFM segment` };
          if (field === "country") return COUNTRY.test(entry.toUpperCase()) ? entry.toUpperCase() : { error: `${entry} is not a two-letter country code` };
          return entry;
        }),
      );
    case "textSet":
      return result(
        checkList(value, (entry) => {
          if (field === "tag" && entry.includes(",")) return { error: "a tag cannot contain a comma" };
          if (field === "productBought" && !PRODUCT_GID.test(entry)) return { error: `${entry} is not a product id (gid://shopify/Product/...)` };
          return entry;
        }, field !== "productBought"),
      );
    case "boolean":
      return typeof value === "boolean" ? { value } : { error: "must be true or false" };
  }
}

// --- Schema --------------------------------------------------------------------------------------

const matchSchema = z.enum(["all", "any"], { errorMap: () => ({ message: 'must be "all" or "any"' }) });

const conditionSchema = z
  .object({
    field: z.enum(FIELD_KEYS, { errorMap: () => ({ message: "is not a segment field" }) }),
    operator: z.enum(OPERATORS, { errorMap: () => ({ message: "is not an operator" }) }),
    value: z.unknown(),
  })
  .transform(({ field, operator, value }, ctx): SegmentCondition => {
    const operators: readonly Operator[] = SEGMENT_FIELDS[field].operators;
    if (!operators.includes(operator)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["operator"], message: `${field} takes ${operators.join(", ")}, not ${operator}` });
      return z.NEVER;
    }
    const checked = checkConditionValue(field, operator, value);
    if ("error" in checked) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["value"], message: checked.error });
      return z.NEVER;
    }
    // The checks above are what make this shape hold; "overdue" carries no value.
    return (checked.value === null ? { field, operator } : { field, operator, value: checked.value }) as SegmentCondition;
  });

const looksLikeGroup = (item: unknown) => typeof item === "object" && item !== null && "conditions" in item && !("field" in item);

/** Parses `item` with `schema`, reporting its issues under the caller's path (a union would report both branches' issues). */
function delegate<T>(item: unknown, schema: z.ZodType<T, z.ZodTypeDef, unknown>, ctx: z.RefinementCtx): T {
  const parsed = schema.safeParse(item);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: z.ZodIssueCode.custom, path: issue.path, message: issue.message });
  return z.NEVER;
}

const groupSchema = z.object({
  match: matchSchema,
  conditions: z
    .array(
      z.unknown().transform((item, ctx) => {
        if (!looksLikeGroup(item)) return delegate(item, conditionSchema, ctx);
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: "groups nest one level only" });
        return z.NEVER;
      }),
    )
    .min(1, "must hold at least one condition"),
});

const countConditions = (rules: SegmentRules) => rules.conditions.reduce((count, item) => count + (isSegmentGroup(item) ? item.conditions.length : 1), 0);

/** `{ match, conditions }` where a condition may be a group of conditions (one level deep); at most MAX_CONDITIONS in all. */
export const segmentRulesSchema: z.ZodType<SegmentRules, z.ZodTypeDef, unknown> = z
  .object({
    match: matchSchema,
    conditions: z
      .array(
        z.unknown().transform((item, ctx): SegmentCondition | SegmentGroup => (looksLikeGroup(item) ? delegate(item, groupSchema, ctx) : delegate(item, conditionSchema, ctx))),
      )
      .min(1, "must hold at least one condition"),
  })
  .superRefine((rules, ctx) => {
    if (countConditions(rules) <= MAX_CONDITIONS) return;
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["conditions"], message: `must hold at most ${MAX_CONDITIONS} conditions in all` });
  });

const pathOf = (path: ReadonlyArray<string | number>) => (path.length ? path.join(".") : "rules");

/**
 * Rules from their JSON (text, as Segment.rules stores it, or parsed), checked and normalised; a SegmentRulesError names
 * each wrong part by path. With `currencyCode`, amounts must also fit the currency (no cents in JPY).
 */
export function parseSegmentRules(json: unknown, { currencyCode }: { currencyCode?: string } = {}): SegmentRules {
  let raw = json;
  if (typeof json === "string") {
    try {
      raw = JSON.parse(json);
    } catch {
      throw new SegmentRulesError({ rules: "is not JSON" });
    }
  }
  const parsed = segmentRulesSchema.safeParse(raw);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) errors[pathOf(issue.path)] ??= issue.message;
    throw new SegmentRulesError(errors);
  }
  if (currencyCode) {
    const errors = amountErrors(parsed.data, currencyCode);
    if (Object.keys(errors).length) throw new SegmentRulesError(errors);
  }
  return parsed.data;
}

/** Each condition with the path that names it ("conditions.1.conditions.0"), groups' conditions included. */
export function* eachCondition(rules: SegmentRules): Generator<[SegmentCondition, string]> {
  for (const [index, item] of rules.conditions.entries()) {
    if (!isSegmentGroup(item)) yield [item, `conditions.${index}`];
    else for (const [inner, condition] of item.conditions.entries()) yield [condition, `conditions.${index}.conditions.${inner}`];
  }
}

/** Amounts the currency cannot hold ("99.50" in JPY), by path. */
function amountErrors(rules: SegmentRules, currencyCode: string): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const [condition, path] of eachCondition(rules)) {
    if (SEGMENT_FIELDS[condition.field].kind !== "money") continue;
    for (const amount of [condition.value].flat()) {
      try {
        toMinorUnits(String(amount), currencyCode);
      } catch {
        errors[`${path}.value`] ??= `${amount} has more decimals than ${currencyCode} has`;
      }
    }
  }
  return errors;
}

// --- Templates -----------------------------------------------------------------------------------

export const SEGMENT_TEMPLATE_KEYS = ["vipAtRisk", "oneTimeBuyers", "replenishmentDue", "championsNotSubscribed"] as const;
export type SegmentTemplateKey = (typeof SEGMENT_TEMPLATE_KEYS)[number];

/** Ready-made segments staff start from (names and descriptions are the UI's, by key). No birthday template: see SEGMENT_FIELDS. */
export const SEGMENT_TEMPLATES: ReadonlyArray<{ key: SegmentTemplateKey; rules: SegmentRules }> = [
  // Customers who bought more than once and have gone quiet: worth a personal win-back before they are lost.
  {
    key: "vipAtRisk",
    rules: {
      match: "all",
      conditions: [
        { field: "rfmSegment", operator: "in", value: ["atRisk", "cantLose"] },
        { field: "orders", operator: "gte", value: 2 },
      ],
    },
  },
  // First order in the last 90 days and no second yet: the second order is the one that makes a regular.
  {
    key: "oneTimeBuyers",
    rules: {
      match: "all",
      conditions: [
        { field: "orders", operator: "eq", value: 1 },
        { field: "daysSinceLastOrder", operator: "lte", value: 90 },
      ],
    },
  },
  // Regulars whose next order is due within a week (or slightly overdue) and who are still likely to come back.
  {
    key: "replenishmentDue",
    rules: {
      match: "all",
      conditions: [
        { field: "expectedNextOrder", operator: "dueWithinDays", value: 7 },
        { field: "churnRisk", operator: "lte", value: 70 },
      ],
    },
  },
  // The best customers the shop cannot email: ask for consent at the next order or in person.
  {
    key: "championsNotSubscribed",
    rules: {
      match: "all",
      conditions: [
        { field: "rfmSegment", operator: "in", value: ["champions", "loyal"] },
        { field: "emailSubscribed", operator: "is", value: false },
      ],
    },
  },
];
