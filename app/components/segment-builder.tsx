// The segment rule builder: conditions and one level of AND/OR groups, each value edited in the
// widget its field's kind calls for. It edits a RulesForm; the page turns it into rules.
import { BlockStack, Box, Button, ChoiceList, InlineGrid, InlineStack, Select, Tag, Text, TextField } from "@shopify/polaris";
import { useTranslation } from "react-i18next";

import { changeField, isGroupForm, newCondition, newGroup, typedList, type ConditionForm, type GroupForm, type RulesForm } from "~/modules/segments/segment-form";
import { FIELD_KEYS, NONE_OPTION, SEGMENT_FIELDS, type FieldKey, type Operator, type SegmentMatch } from "~/modules/segments/segment-rules";
import { RFM_SEGMENTS } from "~/modules/segments/rfm";

export interface Choice {
  value: string;
  label: string;
}

/** The shop's own choices for option fields and product pickers. */
export interface BuilderOptions {
  loyaltyTiers: Choice[];
  countries: Choice[];
  staff: Choice[];
  products: Choice[];
  currencyCode: string;
}

type Errors = Record<string, string>;

function ValueInput({ condition, path, options, errors, onChange }: { condition: ConditionForm; path: string; options: BuilderOptions; errors: Errors; onChange: (condition: ConditionForm) => void }) {
  const { t } = useTranslation();
  const definition = SEGMENT_FIELDS[condition.field];
  const error = errors[`${path}.value`] ? t(`segments.errors.${errors[`${path}.value`]}`, { defaultValue: errors[`${path}.value`] }) : undefined;
  const label = t("segments.builder.value");
  const set = (patch: Partial<ConditionForm>) => onChange({ ...condition, ...patch });
  switch (definition.kind) {
    case "money":
    case "number": {
      const suffix = definition.kind === "money" ? options.currencyCode : "unit" in definition ? t(`segments.units.${definition.unit}`) : undefined;
      const inputMode = definition.kind === "money" || ("decimals" in definition && definition.decimals > 0) ? "decimal" : "numeric";
      if (condition.operator === "between") {
        return (
          <InlineGrid columns={2} gap="200">
            <TextField label={t("segments.builder.from")} value={condition.value} onChange={(value) => set({ value })} autoComplete="off" inputMode={inputMode} suffix={suffix} error={error} />
            <TextField label={t("segments.builder.to")} value={condition.value2} onChange={(value2) => set({ value2 })} autoComplete="off" inputMode={inputMode} suffix={suffix} />
          </InlineGrid>
        );
      }
      return <TextField label={label} labelHidden value={condition.value} onChange={(value) => set({ value })} autoComplete="off" inputMode={inputMode} suffix={suffix} error={error} />;
    }
    case "date":
      if (condition.operator === "before" || condition.operator === "after") return <TextField label={label} labelHidden type="date" value={condition.value} onChange={(value) => set({ value })} autoComplete="off" error={error} />;
      return <TextField label={label} labelHidden value={condition.value} onChange={(value) => set({ value })} autoComplete="off" inputMode="numeric" suffix={t("segments.units.days")} error={error} />;
    case "forecast":
      if (condition.operator === "overdue") return null;
      return <TextField label={label} labelHidden value={condition.value} onChange={(value) => set({ value })} autoComplete="off" inputMode="numeric" suffix={t("segments.units.days")} error={error} />;
    case "boolean":
      return (
        <Select
          label={label}
          labelHidden
          options={[
            { value: "true", label: t("segments.builder.yes") },
            { value: "false", label: t("segments.builder.no") },
          ]}
          value={String(condition.flag)}
          onChange={(value) => set({ flag: value === "true" })}
        />
      );
    case "option": {
      const choices: Choice[] =
        condition.field === "rfmSegment"
          ? RFM_SEGMENTS.map((key) => ({ value: key, label: t(`rfm.names.${key}`) }))
          : [...(condition.field === "tier" ? options.loyaltyTiers : condition.field === "owner" ? options.staff : options.countries), ...("noneOption" in definition && definition.noneOption ? [{ value: NONE_OPTION, label: t(`segments.builder.none.${condition.field}`) }] : [])];
      return (
        <Box maxWidth="100%">
          <div style={{ maxHeight: 180, overflowY: "auto" }}>
            <ChoiceList title={label} titleHidden allowMultiple choices={choices} selected={condition.values} onChange={(values) => set({ values })} error={error} />
          </div>
        </Box>
      );
    }
    case "textSet": {
      if (typedList(condition.field)) return <TextField label={label} labelHidden value={condition.value} onChange={(value) => set({ value })} autoComplete="off" placeholder={t(`segments.builder.placeholder.${condition.field}`)} error={error} helpText={t("segments.builder.commaSeparated")} />;
      const picked = new Set(condition.values);
      return (
        <BlockStack gap="200">
          <Select label={t("segments.builder.addProduct")} labelHidden options={[{ value: "", label: t("segments.builder.addProduct") }, ...options.products.filter((product) => !picked.has(product.value))]} value="" onChange={(value) => value && set({ values: [...condition.values, value] })} error={error} />
          <InlineStack gap="100">
            {condition.values.map((value) => (
              <Tag key={value} onRemove={() => set({ values: condition.values.filter((entry) => entry !== value) })}>
                {options.products.find((product) => product.value === value)?.label ?? value}
              </Tag>
            ))}
          </InlineStack>
        </BlockStack>
      );
    }
  }
}

function ConditionRow({ condition, path, options, errors, onChange, onRemove }: { condition: ConditionForm; path: string; options: BuilderOptions; errors: Errors; onChange: (condition: ConditionForm) => void; onRemove: () => void }) {
  const { t } = useTranslation();
  const operators: readonly Operator[] = SEGMENT_FIELDS[condition.field].operators;
  return (
    <div data-testid="segment-condition">
      <InlineGrid columns={{ xs: 1, md: "minmax(10rem, 1fr) minmax(9rem, 0.8fr) minmax(12rem, 1.6fr) auto" }} gap="200" alignItems="start">
        <Select label={t("segments.builder.field")} labelHidden options={FIELD_KEYS.map((key) => ({ value: key, label: t(`segments.fields.${key}`) }))} value={condition.field} onChange={(field) => onChange(changeField(condition, field as FieldKey))} />
        <Select label={t("segments.builder.operator")} labelHidden options={operators.map((operator) => ({ value: operator, label: t(`segments.operators.${operator}`) }))} value={condition.operator} onChange={(operator) => onChange({ ...condition, operator: operator as Operator })} />
        <ValueInput condition={condition} path={path} options={options} errors={errors} onChange={onChange} />
        <Button variant="tertiary" tone="critical" onClick={onRemove} accessibilityLabel={t("segments.builder.removeCondition")}>
          {t("segments.builder.remove")}
        </Button>
      </InlineGrid>
    </div>
  );
}

function MatchSelect({ value, onChange, label }: { value: SegmentMatch; onChange: (match: SegmentMatch) => void; label: string }) {
  const { t } = useTranslation();
  return (
    <InlineStack gap="200" blockAlign="center">
      <Select
        label={label}
        labelInline
        options={[
          { value: "all", label: t("segments.builder.all") },
          { value: "any", label: t("segments.builder.any") },
        ]}
        value={value}
        onChange={(match) => onChange(match as SegmentMatch)}
      />
      <Text as="span" tone="subdued">
        {t("segments.builder.ofTheseConditions")}
      </Text>
    </InlineStack>
  );
}

function GroupBox({ group, path, options, errors, onChange, onRemove }: { group: GroupForm; path: string; options: BuilderOptions; errors: Errors; onChange: (group: GroupForm) => void; onRemove: () => void }) {
  const { t } = useTranslation();
  return (
    <Box padding="300" borderWidth="025" borderColor="border" borderRadius="200" background="bg-surface-secondary">
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <MatchSelect label={t("segments.builder.groupMatch")} value={group.match} onChange={(match) => onChange({ ...group, match })} />
          <Button variant="tertiary" tone="critical" onClick={onRemove}>
            {t("segments.builder.removeGroup")}
          </Button>
        </InlineStack>
        {group.conditions.map((condition, index) => (
          <ConditionRow
            key={condition.key}
            condition={condition}
            path={`${path}.conditions.${index}`}
            options={options}
            errors={errors}
            onChange={(next) => onChange({ ...group, conditions: group.conditions.map((entry) => (entry.key === condition.key ? next : entry)) })}
            onRemove={() => (group.conditions.length > 1 ? onChange({ ...group, conditions: group.conditions.filter((entry) => entry.key !== condition.key) }) : onRemove())}
          />
        ))}
        <InlineStack>
          <Button onClick={() => onChange({ ...group, conditions: [...group.conditions, newCondition()] })}>{t("segments.builder.addCondition")}</Button>
        </InlineStack>
      </BlockStack>
    </Box>
  );
}

/** Edits `form`; `errors` are by rule path (conditions.1.conditions.0.value) with translated or server messages. */
export function SegmentBuilder({ form, onChange, options, errors }: { form: RulesForm; onChange: (form: RulesForm) => void; options: BuilderOptions; errors: Errors }) {
  const { t } = useTranslation();
  const replace = (key: string, next: ConditionForm | GroupForm | null) => onChange({ ...form, items: form.items.flatMap((item) => (item.key === key ? (next ? [next] : []) : [item])) });
  return (
    <BlockStack gap="300">
      <MatchSelect label={t("segments.builder.match")} value={form.match} onChange={(match) => onChange({ ...form, match })} />
      {form.items.map((item, index) =>
        isGroupForm(item) ? (
          <GroupBox key={item.key} group={item} path={`conditions.${index}`} options={options} errors={errors} onChange={(next) => replace(item.key, next)} onRemove={() => replace(item.key, null)} />
        ) : (
          <ConditionRow key={item.key} condition={item} path={`conditions.${index}`} options={options} errors={errors} onChange={(next) => replace(item.key, next)} onRemove={() => replace(item.key, null)} />
        ),
      )}
      {errors.rules && (
        <Text as="p" tone="critical">
          {t(`segments.errors.${errors.rules}`, { defaultValue: errors.rules })}
        </Text>
      )}
      <InlineStack gap="200">
        <Button onClick={() => onChange({ ...form, items: [...form.items, newCondition()] })}>{t("segments.builder.addCondition")}</Button>
        <Button onClick={() => onChange({ ...form, items: [...form.items, newGroup()] })}>{t("segments.builder.addGroup")}</Button>
      </InlineStack>
    </BlockStack>
  );
}
