// Bulk query operations: validation against Shopify's bulk rules, asynchronous execution in
// batches of root records, JSONL streamed to a temp file (children of nested connections become
// separate lines with "__parentId"), status transitions and the bulk_operations/finish hook.
import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  execute,
  getNamedType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from "graphql";

import { isConnectionType } from "./cost";
import { fieldResolver, typeResolver, type BulkOperationView, type Context, type ResolverHooks, type UserError } from "./resolvers";
import { gid, iso, type Store } from "./store";

export type BulkStatus = "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "FAILED" | "EXPIRED";
export interface BulkOperationRecord {
  id: number;
  shop: string;
  query: string;
  status: BulkStatus;
  errorCode: string | null;
  createdAt: number;
  completedAt: number | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  file: string;
  done: Promise<void>;
}

interface Plan {
  /** response key of a nested connection -> plan of its nodes */
  connections: Array<{ key: string; plan: Plan }>;
}

export interface BulkRunnerOptions {
  schema: GraphQLSchema;
  baseUrl: () => string;
  rowsPerTick: number;
  /** Max concurrent bulk queries per shop (1 before API 2026-01). */
  maxConcurrent?: number;
  onFinish: (op: BulkOperationRecord) => void;
  hooks: () => ResolverHooks;
}

const PARENT_KEY = "bulkParentId__";

export class BulkRunner {
  readonly operations = new Map<number, BulkOperationRecord>();
  private nextId = 4_400_000_000;
  private readonly dir = mkdtempSync(join(tmpdir(), "shopify-emulator-bulk-"));
  private closed = false;

  constructor(private readonly options: BulkRunnerOptions) {}

  view(op: BulkOperationRecord): BulkOperationView {
    const finished = op.status === "COMPLETED";
    return {
      __typename: "BulkOperation",
      id: gid("BulkOperation", op.id),
      status: op.status,
      errorCode: op.errorCode,
      createdAt: iso(op.createdAt),
      completedAt: op.completedAt ? iso(op.completedAt) : null,
      objectCount: String(op.objectCount),
      rootObjectCount: String(op.rootObjectCount),
      fileSize: op.fileSize === null ? null : String(op.fileSize),
      url: finished && op.objectCount > 0 ? `${this.options.baseUrl()}/bulk/${op.id}.jsonl` : null,
      partialDataUrl: op.status === "FAILED" && op.objectCount > 0 ? `${this.options.baseUrl()}/bulk/${op.id}.jsonl` : null,
      query: op.query,
      type: "QUERY",
    };
  }

  get(shop: string, id: string): BulkOperationRecord | null {
    const numeric = Number(/BulkOperation\/(\d+)/.exec(id)?.[1] ?? NaN);
    const op = this.operations.get(numeric);
    return op && op.shop === shop ? op : null;
  }
  current(shop: string): BulkOperationRecord | null {
    let latest: BulkOperationRecord | null = null;
    for (const op of this.operations.values()) if (op.shop === shop && (!latest || op.id > latest.id)) latest = op;
    return latest;
  }
  filePath(id: number) {
    return this.operations.get(id)?.file ?? null;
  }

  /** Validates `query` against the schema and bulk rules; returns the parsed plan or user errors. */
  check(query: string): { document: DocumentNode; root: FieldNode; plan: Plan } | { errors: UserError[] } {
    const invalid = (message: string): { errors: UserError[] } => ({ errors: [{ field: ["query"], message, code: "INVALID" }] });
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return invalid(`Invalid bulk query: ${(error as Error).message}`);
    }
    const errors = validate(this.options.schema, document);
    if (errors.length) return invalid(`Invalid bulk query: ${errors.map((e) => e.message).join("; ")}`);
    const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    if (ops.length !== 1 || ops[0]!.operation !== "query") return invalid("Bulk queries must contain exactly one query operation.");
    if (ops[0]!.variableDefinitions?.length) return invalid("Bulk queries cannot use variables.");
    // Inline fragment spreads so one walk sees everything.
    const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
    const inline = (set: SelectionSetNode): SelectionSetNode => ({
      ...set,
      selections: set.selections.map((sel): SelectionNode => {
        if (sel.kind === Kind.FRAGMENT_SPREAD) {
          const frag = fragments.get(sel.name.value)!;
          return { kind: Kind.INLINE_FRAGMENT, typeCondition: frag.typeCondition, directives: [], selectionSet: inline(frag.selectionSet) };
        }
        return sel.selectionSet ? ({ ...sel, selectionSet: inline(sel.selectionSet) } as SelectionNode) : sel;
      }),
    });
    const op = { ...ops[0]!, selectionSet: inline(ops[0]!.selectionSet) };
    const rootFields = op.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value !== "__typename");
    if (rootFields.length !== 1) return invalid("Bulk queries must have exactly one top-level field.");
    const root = rootFields[0]!;
    const queryType = this.options.schema.getQueryType()!;
    const rootType = getNamedType(queryType.getFields()[root.name.value]!.type);
    if (!isConnectionType(rootType)) return invalid("Bulk queries must contain at least one connection, starting at the top-level field.");
    let count = 0;
    let depthError = false;
    const schema = this.options.schema;
    // Walk a connection's selection; returns the plan for its nodes and rewrites it to inject parent ids.
    const walkConnection = (field: FieldNode, connectionTypeName: string, depth: number): { field: FieldNode; plan: Plan } => {
      count += 1;
      if (depth > 2) depthError = true;
      const connType = schema.getType(connectionTypeName) as unknown as { getFields(): Record<string, { type: GraphQLOutputType }> };
      const edgeTypeName = getNamedType(connType.getFields().edges!.type).name;
      const nodeTypeName = getNamedType((schema.getType(edgeTypeName) as unknown as { getFields(): Record<string, { type: GraphQLOutputType }> }).getFields().node!.type).name;
      const plan: Plan = { connections: [] };
      const rewriteNodeSet = (set: SelectionSetNode, typeName: string): SelectionSetNode => {
        let hasChildren = false;
        const selections = set.selections.map((sel): SelectionNode => {
          if (sel.kind === Kind.INLINE_FRAGMENT) {
            const inner = rewriteNodeSet(sel.selectionSet, sel.typeCondition?.name.value ?? typeName);
            if (inner.selections.some((s) => s.kind === Kind.FIELD && s.alias?.value === PARENT_KEY)) hasChildren = true;
            return { ...sel, selectionSet: { ...inner, selections: inner.selections.filter((s) => !(s.kind === Kind.FIELD && s.alias?.value === PARENT_KEY)) } };
          }
          if (sel.kind !== Kind.FIELD || !sel.selectionSet) return sel;
          const type = schema.getType(typeName) as unknown as { getFields?(): Record<string, { type: GraphQLOutputType }> };
          const def = type.getFields?.()[sel.name.value];
          if (!def) return sel;
          const named = getNamedType(def.type);
          if (isConnectionType(named)) {
            const child = walkConnection(sel, named.name, depth + 1);
            plan.connections.push({ key: sel.alias?.value ?? sel.name.value, plan: child.plan });
            hasChildren = true;
            return child.field;
          }
          return sel;
        });
        if (hasChildren) selections.push({ kind: Kind.FIELD, alias: { kind: Kind.NAME, value: PARENT_KEY }, name: { kind: Kind.NAME, value: "id" } });
        return { ...set, selections };
      };
      const rewriteConnectionSet = (set: SelectionSetNode): SelectionSetNode => ({
        ...set,
        selections: set.selections.map((sel): SelectionNode => {
          if (sel.kind !== Kind.FIELD || !sel.selectionSet) return sel;
          if (sel.name.value === "nodes") return { ...sel, selectionSet: rewriteNodeSet(sel.selectionSet, nodeTypeName) };
          if (sel.name.value === "edges") {
            return {
              ...sel,
              selectionSet: {
                ...sel.selectionSet,
                selections: sel.selectionSet.selections.map((e): SelectionNode => (e.kind === Kind.FIELD && e.name.value === "node" && e.selectionSet ? { ...e, selectionSet: rewriteNodeSet(e.selectionSet, nodeTypeName) } : e)),
              },
            };
          }
          return sel;
        }),
      });
      return { field: { ...field, selectionSet: field.selectionSet && rewriteConnectionSet(field.selectionSet) }, plan };
    };
    const rewritten = walkConnection(root, rootType.name, 1);
    if (depthError) return invalid("Bulk queries cannot contain connections with a nesting depth greater than 2.");
    if (count > 5) return invalid("Bulk queries cannot contain more than 5 connections.");
    const newOp: OperationDefinitionNode = { ...op, selectionSet: { ...op.selectionSet, selections: [rewritten.field] } };
    return { document: { kind: Kind.DOCUMENT, definitions: [newOp] }, root: rewritten.field, plan: rewritten.plan };
  }

  run(store: Store, query: string): { bulkOperation: BulkOperationView | null; userErrors: UserError[] } {
    const shop = store.shop.domain;
    const running = [...this.operations.values()].filter((op) => op.shop === shop && (op.status === "CREATED" || op.status === "RUNNING" || op.status === "CANCELING"));
    if (running.length >= (this.options.maxConcurrent ?? 1)) {
      return { bulkOperation: null, userErrors: [{ field: null, message: `A bulk query operation for this app and shop is already in progress: ${gid("BulkOperation", running[0]!.id)}.`, code: "OPERATION_IN_PROGRESS" }] };
    }
    const checked = this.check(query);
    if ("errors" in checked) return { bulkOperation: null, userErrors: checked.errors };
    const id = this.nextId++;
    const op: BulkOperationRecord = { id, shop, query, status: "CREATED", errorCode: null, createdAt: Math.floor(Date.now() / 1000) * 1000, completedAt: null, objectCount: 0, rootObjectCount: 0, fileSize: null, file: join(this.dir, `${id}.jsonl`), done: Promise.resolve() };
    this.operations.set(id, op);
    op.done = this.execute(store, op, checked.document, checked.plan);
    return { bulkOperation: this.view(op), userErrors: [] };
  }

  cancel(shop: string, id: string): { bulkOperation: BulkOperationView | null; userErrors: UserError[] } {
    const op = this.get(shop, id);
    if (!op) return { bulkOperation: null, userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }] };
    if (op.status !== "CREATED" && op.status !== "RUNNING") {
      return { bulkOperation: this.view(op), userErrors: [{ field: null, message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` }] };
    }
    op.status = "CANCELING";
    return { bulkOperation: this.view(op), userErrors: [] };
  }

  private async execute(store: Store, op: BulkOperationRecord, document: DocumentNode, plan: Plan) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const out = createWriteStream(op.file);
    let completed = false;
    const write = async (line: string) => {
      if (!out.write(line)) await once(out, "drain");
    };
    const ctx: Context = { store, hooks: this.options.hooks(), bulk: { offset: 0, limit: this.options.rowsPerTick } };
    try {
      if ((op.status as BulkStatus) === "CREATED") op.status = "RUNNING";
      for (;;) {
        if (this.closed) return;
        if ((op.status as BulkStatus) === "CANCELING") {
          op.status = "CANCELED";
          break;
        }
        const result = await execute({ schema: this.options.schema, document, contextValue: ctx, fieldResolver, typeResolver });
        if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join("; "));
        const rootKey = Object.keys(result.data ?? {})[0]!;
        const nodes = extractNodes((result.data as Record<string, unknown>)[rootKey]);
        for (const node of nodes) {
          op.rootObjectCount += 1;
          await this.emit(node, plan, null, op, write);
        }
        ctx.bulk!.offset += ctx.bulk!.limit;
        if (ctx.bulk!.offset >= (ctx.bulk!.rootIds?.length ?? 0)) {
          completed = true;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    } catch (error) {
      op.status = "FAILED";
      op.errorCode = "INTERNAL_SERVER_ERROR";
      console.error("[emulator] bulk operation failed:", error);
    } finally {
      out.end();
      await once(out, "close").catch(() => undefined);
    }
    if (this.closed) return;
    // Like Shopify, COMPLETED (and with it the url) only once the file is whole and closed.
    if (completed && (op.status === "RUNNING" || op.status === "CANCELING")) op.status = "COMPLETED";
    op.completedAt = Math.floor(Date.now() / 1000) * 1000;
    op.fileSize = op.status === "COMPLETED" && op.objectCount > 0 ? statSync(op.file).size : null;
    this.options.onFinish(op);
  }

  private async emit(node: Record<string, unknown>, plan: Plan, parentId: string | null, op: BulkOperationRecord, write: (line: string) => Promise<void>) {
    const children: Array<{ nodes: Record<string, unknown>[]; plan: Plan }> = [];
    for (const connection of plan.connections) {
      const value = node[connection.key];
      delete node[connection.key];
      children.push({ nodes: extractNodes(value), plan: connection.plan });
    }
    const ownId = node[PARENT_KEY] as string | undefined;
    delete node[PARENT_KEY];
    const line = parentId === null ? node : { ...node, __parentId: parentId };
    op.objectCount += 1;
    await write(`${JSON.stringify(line)}\n`);
    for (const child of children) for (const n of child.nodes) await this.emit(n, child.plan, ownId ?? (node.id as string), op, write);
  }

  close() {
    this.closed = true;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function extractNodes(connection: unknown): Record<string, unknown>[] {
  if (!connection || typeof connection !== "object") return [];
  const c = connection as { edges?: Array<{ node: Record<string, unknown> }>; nodes?: Record<string, unknown>[] };
  if (c.edges) return c.edges.map((e) => e.node);
  return c.nodes ?? [];
}
