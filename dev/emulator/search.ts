// A subset of Shopify's search syntax: `field:value`, `field:>value` (>, >=, <, <=), quoted
// values, `-field:value` / `NOT field:value`, implicit AND, top-level OR, `value*` prefixes and
// bare words (free text). Unknown fields match nothing, like Shopify's strict search does not;
// Shopify ignores them - we ignore them too (they match everything) and report them in `ignored`.

export type Comparator = ":" | ">" | ">=" | "<" | "<=";
export interface Term {
  field: string | null;
  op: Comparator;
  value: string;
  negate: boolean;
}
export type SearchQuery = Term[][]; // OR of ANDs

export function parseSearch(query: string | null | undefined): SearchQuery {
  if (!query || !query.trim()) return [];
  const tokens: string[] = [];
  const re = /\s*(-?[\w.]+:(?:>=|<=|>|<)?(?:'[^']*'|"[^"]*"|[^\s()]*)|'[^']*'|"[^"]*"|[^\s()]+)/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(query))) tokens.push(match[1]!);
  const groups: SearchQuery = [[]];
  let negateNext = false;
  for (const token of tokens) {
    if (token === "AND") continue;
    if (token === "OR") {
      groups.push([]);
      continue;
    }
    if (token === "NOT") {
      negateNext = true;
      continue;
    }
    const m = /^(-?)([\w.]+):(>=|<=|>|<)?(.*)$/.exec(token);
    let term: Term;
    if (m) {
      term = { field: m[2]!.toLowerCase(), op: (m[3] as Comparator | undefined) ?? ":", value: unquote(m[4]!), negate: m[1] === "-" };
    } else {
      const negate = token.startsWith("-") && token.length > 1;
      term = { field: null, op: ":", value: unquote(negate ? token.slice(1) : token), negate };
    }
    if (negateNext) term.negate = !term.negate;
    negateNext = false;
    groups[groups.length - 1]!.push(term);
  }
  return groups.filter((g) => g.length > 0);
}

function unquote(value: string) {
  if ((value.startsWith("'") && value.endsWith("'")) || (value.startsWith('"') && value.endsWith('"'))) return value.slice(1, -1);
  return value;
}

export type FieldKind = "date" | "number" | "string" | "id" | "bool" | "list";
/** How to read one searchable field of record `idx`. */
export interface FieldSpec<Ctx> {
  kind: FieldKind;
  get: (idx: number, ctx: Ctx) => unknown;
}

function compare(kind: FieldKind, actual: unknown, term: Term): boolean {
  if (term.value === "*") return actual !== null && actual !== undefined && actual !== "";
  if (actual === null || actual === undefined) return false;
  switch (kind) {
    case "date": {
      const wanted = Date.parse(term.value);
      if (Number.isNaN(wanted)) return false;
      return cmp(actual as number, wanted, term.op);
    }
    case "number":
    case "id": {
      const wanted = Number(term.value.replace(/^gid:\/\/shopify\/\w+\//, ""));
      if (Number.isNaN(wanted)) return false;
      return cmp(Number(actual), wanted, term.op);
    }
    case "bool":
      return String(actual) === term.value.toLowerCase();
    case "list":
      return (actual as string[]).some((v) => matchString(v, term.value));
    default:
      return matchString(String(actual), term.value);
  }
}
function cmp(a: number, b: number, op: Comparator) {
  switch (op) {
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    default:
      return a === b;
  }
}
function matchString(actual: string, wanted: string) {
  const a = actual.toLowerCase();
  const w = wanted.toLowerCase();
  return w.endsWith("*") ? a.startsWith(w.slice(0, -1)) : a === w;
}

/** Builds a predicate over record indices; `text` handles bare words. */
export function compileSearch<Ctx>(
  query: SearchQuery,
  fields: Record<string, FieldSpec<Ctx>>,
  text: (idx: number, ctx: Ctx, word: string) => boolean,
): ((idx: number, ctx: Ctx) => boolean) | null {
  if (query.length === 0) return null;
  const groups = query.map((terms) =>
    terms
      .map((term) => {
        if (term.field === null) return (idx: number, ctx: Ctx) => text(idx, ctx, term.value.toLowerCase()) !== term.negate;
        const spec = fields[term.field];
        if (!spec) return null; // unknown field: ignored
        return (idx: number, ctx: Ctx) => compare(spec.kind, spec.get(idx, ctx), term) !== term.negate;
      })
      .filter((t): t is (idx: number, ctx: Ctx) => boolean => t !== null),
  );
  return (idx, ctx) => groups.some((terms) => terms.every((t) => t(idx, ctx)));
}
