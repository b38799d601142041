// Which tables hold a shop's data, derived from the Prisma model list so that a table added later
// cannot be forgotten by shop/redact: every model must have a `shop` column or be exempt here.
import { Prisma } from "../../db.server";

export type ModelName = Prisma.ModelName;

/** Models without a `shop` column, and why they hold nothing of any shop. None today. */
export const MODELS_WITHOUT_SHOP: Partial<Record<ModelName, string>> = {};

/** Every model of the schema, from the generated client. */
export function allModels(): ModelName[] {
  return Object.values(Prisma.ModelName);
}

/** A model's scalar field names, from the generated client (`Prisma.<Model>ScalarFieldEnum`). */
export function modelFields(model: ModelName): string[] {
  const fieldEnum = (Prisma as unknown as Record<string, Record<string, string> | undefined>)[`${model}ScalarFieldEnum`];
  if (!fieldEnum) throw new Error(`Prisma has no field list for model ${model}`);
  return Object.values(fieldEnum);
}

/**
 * The models whose rows belong to a shop through their `shop` column. Throws, naming it, when a
 * model has no `shop` column and is not listed in MODELS_WITHOUT_SHOP: shop/redact refuses to run
 * rather than leave a table behind.
 */
export function shopScopedModels(): ModelName[] {
  const missing = allModels().filter((model) => !modelFields(model).includes("shop") && !(model in MODELS_WITHOUT_SHOP));
  if (missing.length > 0) {
    throw new Error(`Models without a shop column: ${missing.join(", ")}. Add one, or list them in MODELS_WITHOUT_SHOP with the reason.`);
  }
  return allModels().filter((model) => !(model in MODELS_WITHOUT_SHOP));
}

/** `OrderLine` -> `orderLine`: the client's delegate property for a model. */
export const delegateName = (model: ModelName) => `${model.charAt(0).toLowerCase()}${model.slice(1)}`;
