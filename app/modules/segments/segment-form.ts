// The rule builder's editable form <-> segment rules. Inputs hold text while staff type; turning
// the form into rules checks each value and names what is wrong by path ("conditions.1.value")
// with a code the page translates. The server parses the result again (segment-rules.ts).
import { compareAmounts, isSegmentGroup, SEGMENT_FIELDS, type FieldKey, type SegmentField, type Operator, type SegmentCondition, type SegmentMatch, type SegmentRules } from "./segment-rules";

export interface ConditionForm {
  key: string;
  field: FieldKey;
  operator: Operator;
  /** The value, or a range's minimum. */
  value: string;
  /** A range's maximum. */
  value2: string;
  /** Options and products (picked from lists); tags and product types are typed into `value`, comma-separated. */
  values: string[];
  flag: boolean;
}

export interface GroupForm {
  key: string;
  match: SegmentMatch;
  conditions: ConditionForm[];
}

export interface RulesForm {
  match: SegmentMatch;
  items: Array<ConditionForm | GroupForm>;
}

export type FormErrorCode = "required" | "number" | "amount" | "date" | "range" | "list" | "bounds";

export const isGroupForm = (item: ConditionForm | GroupForm): item is GroupForm => "conditions" in item;

let counter = 0;
const nextKey = () => `k${++counter}`;

/** A condition on `field` with its first operator and an empty value. */
export function newCondition(field: FieldKey = "orders", operator?: Operator): ConditionForm {
  return { key: nextKey(), field, operator: operator ?? SEGMENT_FIELDS[field].operators[0]!, value: "", value2: "", values: [], flag: true };
}

export const newGroup = (): GroupForm => ({ key: nextKey(), match: "any", conditions: [newCondition()] });

/** The condition with another field: its operator and values start over unless the kind is the same. */
export function changeField(condition: ConditionForm, field: FieldKey): ConditionForm {
  const operators: readonly Operator[] = SEGMENT_FIELDS[field].operators;
  if (SEGMENT_FIELDS[field].kind === SEGMENT_FIELDS[condition.field].kind && operators.includes(condition.operator)) return { ...condition, field, values: [] };
  return { ...newCondition(field), key: condition.key };
}

function conditionToForm(condition: SegmentCondition): ConditionForm {
  const form = newCondition(condition.field, condition.operator);
  const value = "value" in condition ? condition.value : null;
  if (Array.isArray(value) && typedList(condition.field)) form.value = value.join(", ");
  else if (Array.isArray(value) && SEGMENT_FIELDS[condition.field].kind !== "option" && SEGMENT_FIELDS[condition.field].kind !== "textSet") {
    form.value = String(value[0]);
    form.value2 = String(value[1]);
  } else if (Array.isArray(value)) form.values = value.map(String);
  else if (typeof value === "boolean") form.flag = value;
  else if (value !== null && value !== undefined) form.value = String(value);
  return form;
}

/** Fields whose list is typed (comma-separated) rather than picked. */
export const typedList = (field: FieldKey) => field === "tag" || field === "productType";

export function rulesToForm(rules: SegmentRules): RulesForm {
  return { match: rules.match, items: rules.conditions.map((item) => (isSegmentGroup(item) ? { key: nextKey(), match: item.match, conditions: item.conditions.map(conditionToForm) } : conditionToForm(item))) };
}

const AMOUNT = /^\d{1,12}(\.\d{1,4})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function numberOf(text: string, field: FieldKey): number | FormErrorCode {
  const definition: SegmentField = SEGMENT_FIELDS[field];
  const trimmed = text.trim();
  if (!trimmed) return "required";
  const decimals = definition.decimals ?? 0;
  const pattern = decimals > 0 ? new RegExp(`^-?\\d+(\\.\\d{1,${decimals}})?$`) : /^-?\d+$/;
  if (!pattern.test(trimmed)) return "number";
  const value = Number(trimmed);
  if ((definition.min !== undefined && value < definition.min) || (definition.max !== undefined && value > definition.max)) return "bounds";
  return value;
}

const daysOf = (text: string) => {
  const trimmed = text.trim();
  if (!trimmed) return "required" as const;
  return /^\d{1,5}$/.test(trimmed) && Number(trimmed) <= 36_500 ? Number(trimmed) : ("number" as const);
};

function conditionFromForm(form: ConditionForm): SegmentCondition | FormErrorCode {
  const { field, operator } = form;
  const kind = SEGMENT_FIELDS[field].kind;
  const single = <T>(value: T | FormErrorCode) => value;
  switch (kind) {
    case "money": {
      const amount = (text: string) => (!text.trim() ? "required" : AMOUNT.test(text.trim()) ? text.trim() : "amount");
      if (operator === "between") {
        const [low, high] = [amount(form.value), amount(form.value2)];
        if (low === "required" || low === "amount") return low;
        if (high === "required" || high === "amount") return high;
        if (compareAmounts(low, high) > 0) return "range";
        return { field, operator, value: [low, high] } as SegmentCondition;
      }
      const value = amount(form.value);
      return value === "required" || value === "amount" ? value : ({ field, operator, value } as SegmentCondition);
    }
    case "number": {
      if (operator === "between") {
        const [low, high] = [numberOf(form.value, field), numberOf(form.value2, field)];
        if (typeof low === "string") return low;
        if (typeof high === "string") return high;
        return low > high ? "range" : ({ field, operator, value: [low, high] } as SegmentCondition);
      }
      const value = numberOf(form.value, field);
      return typeof value === "string" ? value : ({ field, operator, value } as SegmentCondition);
    }
    case "date": {
      if (operator === "before" || operator === "after") {
        const text = form.value.trim();
        if (!text) return "required";
        return DATE.test(text) && !Number.isNaN(new Date(`${text}T00:00:00Z`).getTime()) ? ({ field, operator, value: text } as SegmentCondition) : "date";
      }
      const value = single(daysOf(form.value));
      return typeof value === "string" ? value : ({ field, operator, value } as SegmentCondition);
    }
    case "forecast": {
      if (operator === "overdue") return { field: "expectedNextOrder", operator: "overdue" };
      const value = daysOf(form.value);
      return typeof value === "string" ? value : { field: "expectedNextOrder", operator: "dueWithinDays", value };
    }
    case "option":
    case "textSet": {
      const values = [...new Set((typedList(field) ? form.value.split(",") : form.values).map((value) => value.trim()).filter(Boolean))];
      return values.length === 0 ? "list" : ({ field, operator, value: values } as SegmentCondition);
    }
    case "boolean":
      return { field: "emailSubscribed", operator: "is", value: form.flag };
  }
}

/** Rules from the form, or the errors by path (nothing is sent while any remains). */
export function formToRules(form: RulesForm): { rules: SegmentRules | null; errors: Record<string, FormErrorCode> } {
  const errors: Record<string, FormErrorCode> = {};
  const convert = (condition: ConditionForm, path: string) => {
    const converted = conditionFromForm(condition);
    if (typeof converted === "string") {
      errors[`${path}.value`] = converted;
      return null;
    }
    return converted;
  };
  const conditions = form.items.map((item, index) =>
    isGroupForm(item) ? { match: item.match, conditions: item.conditions.map((condition, inner) => convert(condition, `conditions.${index}.conditions.${inner}`)) } : convert(item, `conditions.${index}`),
  );
  if (form.items.length === 0) errors.rules = "required";
  if (Object.keys(errors).length > 0) return { rules: null, errors };
  return { rules: { match: form.match, conditions: conditions as SegmentRules["conditions"] }, errors };
}
