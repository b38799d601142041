// Shopify's GraphQL Admin query cost and the leaky-bucket throttle.
// Rules (shopify.dev "API rate limits"): scalars and enums 0, objects 1, connections
// 2 + first/last x (cost of one node), mutations 10; single query max 1000.
import {
  getNamedType,
  isCompositeType,
  isListType,
  isNonNullType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

export const MAX_QUERY_COST = 1000;
const MUTATION_COST = 10;

type Vars = Record<string, unknown>;

export function isConnectionType(type: GraphQLNamedType): boolean {
  return type.name.endsWith("Connection") && "getFields" in type && "edges" in (type as { getFields(): Record<string, unknown> }).getFields();
}

function argValue(node: FieldNode, name: string, vars: Vars): unknown {
  const arg = node.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  return literal(arg.value, vars);
}
function literal(value: ValueNode, vars: Vars): unknown {
  switch (value.kind) {
    case Kind.VARIABLE:
      return vars[value.name.value];
    case Kind.INT:
      return Number(value.value);
    case Kind.LIST:
      return value.values.map((v) => literal(v, vars));
    case Kind.STRING:
      return value.value;
    default:
      return undefined;
  }
}

export function selectOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? ops.find((o) => o.name?.value === operationName) : ops[0];
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  vars: Vars;
}

/** Fields of a selection set grouped as: always-applying fields + per-type-condition groups. */
function collect(w: Walk, set: SelectionSetNode, parent: GraphQLCompositeType): { common: FieldNode[]; conditional: Map<string, FieldNode[]> } {
  const common: FieldNode[] = [];
  const conditional = new Map<string, FieldNode[]>();
  const visit = (s: SelectionSetNode, condition: string | null) => {
    for (const sel of s.selections) {
      if (sel.kind === Kind.FIELD) {
        if (condition === null || condition === parent.name) common.push(sel);
        else (conditional.get(condition) ?? conditional.set(condition, []).get(condition)!).push(sel);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        visit(sel.selectionSet, sel.typeCondition?.name.value ?? condition);
      } else {
        const frag = w.fragments.get(sel.name.value);
        if (frag) visit(frag.selectionSet, frag.typeCondition.name.value);
      }
    }
  };
  visit(set, null);
  return { common, conditional };
}

function fieldType(w: Walk, parentName: string, field: FieldNode): GraphQLOutputType | null {
  if (field.name.value === "__typename") return null;
  const parent = w.schema.getType(parentName);
  if (!parent || !("getFields" in parent)) return null;
  const def = (parent as { getFields(): Record<string, { type: GraphQLOutputType }> }).getFields()[field.name.value];
  return def?.type ?? null;
}

function unwrapIsList(type: GraphQLOutputType): boolean {
  let t = type;
  if (isNonNullType(t)) t = t.ofType;
  return isListType(t);
}

/** Requested cost of a selection set on `parentName`. */
function setCost(w: Walk, set: SelectionSetNode | undefined, parentName: string, inConnection: boolean): number {
  if (!set) return 0;
  const parent = w.schema.getType(parentName) as GraphQLCompositeType;
  const { common, conditional } = collect(w, set, parent);
  let total = common.reduce((s, f) => s + fieldCost(w, f, parentName, inConnection), 0);
  let maxConditional = 0;
  for (const [typeName, fields] of conditional) {
    maxConditional = Math.max(maxConditional, fields.reduce((s, f) => s + fieldCost(w, f, typeName, inConnection), 0));
  }
  total += maxConditional;
  return total;
}

function fieldCost(w: Walk, field: FieldNode, parentName: string, inConnection: boolean): number {
  const type = fieldType(w, parentName, field);
  if (!type) return 0;
  const named = getNamedType(type);
  if (!isCompositeType(named)) return 0;
  const name = field.name.value;
  if (inConnection && (name === "edges" || name === "pageInfo")) {
    return name === "edges" ? setCost(w, field.selectionSet, named.name, true) : 0;
  }
  if (isConnectionType(named)) {
    const size = Number(argValue(field, "first", w.vars) ?? argValue(field, "last", w.vars) ?? 1) || 1;
    return 2 + size * setCost(w, field.selectionSet, named.name, true);
  }
  const child = 1 + setCost(w, field.selectionSet, named.name, false);
  if (unwrapIsList(type) && !inConnection) {
    const ids = argValue(field, "ids", w.vars);
    const size = Array.isArray(ids) ? ids.length : Number(argValue(field, "first", w.vars) ?? 1) || 1;
    return size * child;
  }
  return child;
}

export function requestedQueryCost(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Vars): number {
  const op = selectOperation(document, operationName);
  if (!op) return 0;
  const w: Walk = { schema, fragments: fragmentsOf(document), vars: variables };
  if (op.operation === "mutation") {
    const mutationType = schema.getMutationType()!;
    return collect(w, op.selectionSet, mutationType).common.filter((f) => f.name.value !== "__typename").length * MUTATION_COST;
  }
  return setCost(w, op.selectionSet, schema.getQueryType()!.name, false);
}

function fragmentsOf(document: DocumentNode) {
  return new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
}

/** Cost of what was actually returned (fewer nodes than requested => lower cost). */
export function actualQueryCost(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Vars, data: unknown): number {
  const op = selectOperation(document, operationName);
  if (!op || data === null || data === undefined) return 0;
  const w: Walk = { schema, fragments: fragmentsOf(document), vars: variables };
  if (op.operation === "mutation") return requestedQueryCost(schema, document, operationName, variables);
  return actualSet(w, op.selectionSet, schema.getQueryType()!.name, data, false);
}

function actualSet(w: Walk, set: SelectionSetNode | undefined, parentName: string, data: unknown, inConnection: boolean): number {
  if (!set || data === null || typeof data !== "object") return 0;
  const parent = w.schema.getType(parentName) as GraphQLCompositeType;
  const { common, conditional } = collect(w, set, parent);
  const seen = new Set<string>();
  let total = 0;
  const all: Array<[FieldNode, string]> = common.map((f) => [f, parentName]);
  for (const [typeName, fields] of conditional) for (const f of fields) all.push([f, typeName]);
  for (const [field, typeName] of all) {
    const key = field.alias?.value ?? field.name.value;
    if (seen.has(key)) continue;
    const value = (data as Record<string, unknown>)[key];
    if (value === undefined) continue;
    seen.add(key);
    total += actualField(w, field, typeName, value, inConnection);
  }
  return total;
}

function actualField(w: Walk, field: FieldNode, parentName: string, value: unknown, inConnection: boolean): number {
  const type = fieldType(w, parentName, field);
  if (!type || value === null) return 0;
  const named = getNamedType(type);
  if (!isCompositeType(named)) return 0;
  const name = field.name.value;
  if (inConnection && name === "pageInfo") return 0;
  if (inConnection && name === "edges") {
    return (value as unknown[]).reduce<number>((s, edge) => s + actualSet(w, field.selectionSet, named.name, edge, true), 0);
  }
  if (isConnectionType(named)) return 2 + actualSet(w, field.selectionSet, named.name, value, true);
  if (Array.isArray(value)) return value.reduce<number>((s, item) => s + (item === null ? 0 : 1 + actualSet(w, field.selectionSet, named.name, item, false)), 0);
  return 1 + actualSet(w, field.selectionSet, named.name, value, false);
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

/** Leaky bucket: `restoreRate` points per second back up to `maximumAvailable`. */
export class CostBucket {
  private available: number;
  private last: number;
  constructor(
    readonly maximumAvailable: number,
    readonly restoreRate: number,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.available = maximumAvailable;
    this.last = now();
  }
  private refill() {
    const t = this.now();
    this.available = Math.min(this.maximumAvailable, this.available + ((t - this.last) / 1000) * this.restoreRate);
    this.last = t;
  }
  status(): ThrottleStatus {
    this.refill();
    return { maximumAvailable: this.maximumAvailable, currentlyAvailable: Math.floor(this.available), restoreRate: this.restoreRate };
  }
  /** Takes `cost` points if available. */
  take(cost: number): boolean {
    this.refill();
    if (cost > this.available) return false;
    this.available -= cost;
    return true;
  }
  refund(points: number) {
    this.refill();
    this.available = Math.min(this.maximumAvailable, this.available + points);
  }
}
