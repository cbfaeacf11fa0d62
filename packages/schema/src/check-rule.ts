import {
  BOOL,
  DATE,
  NULL,
  NUMBER,
  STRING,
  describeType,
  type CheckedExpr,
  type CheckedRule,
  type CompareOperator,
  type PathStep,
  type RuleFunction,
  type RuleKind,
  type RuleRoot,
  type ValueType,
} from './checked-rule.js';
import { parseIsoDate, type SchemaDocument } from './document.js';
import { parseRule } from './parse-rule.js';
import type { ParsedRule, RuleNode } from './rule-ast.js';
import { RuleError, type RuleErrorCode } from './rule-error.js';
import { resolveLimits, type RuleLimits } from './rule-limits.js';
import {
  USERS_COLLECTION,
  toSchemaModel,
  type CollectionModel,
  type FieldModel,
  type SchemaModel,
} from './schema-model.js';
import type { SourcePosition } from './source-text.js';
import { didYouMean } from './suggest-name.js';

export interface CheckRuleOptions {
  schema: SchemaDocument | SchemaModel;
  kind: RuleKind;
  /** Required for collection rules and filters. */
  collection?: string;
  /**
   * Reject references to hidden fields of records (the row and related rows).
   * Set it for filters from callers who are not admins; the server answers 400.
   */
  forbidHidden?: boolean;
  label?: string;
  limits?: Partial<RuleLimits>;
}

const RECORD_KINDS: ReadonlySet<RuleKind> = new Set(['list', 'view', 'update', 'delete', 'filter']);
const DATA_KINDS: ReadonlySet<RuleKind> = new Set(['create', 'update']);
const BUCKET_KINDS: ReadonlySet<RuleKind> = new Set(['read', 'write']);
const CHANNEL_KINDS: ReadonlySet<RuleKind> = new Set(['join', 'broadcast', 'presence']);
const COMPARE_OPS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
const FUNCTIONS: Record<RuleFunction, number> = {
  startsWith: 2,
  endsWith: 2,
  contains: 2,
  lower: 1,
  upper: 1,
  size: 1,
};

/**
 * Resolves every name of a rule against the schema and checks types.
 * Throws a `RuleError` with a position; returns the resolved expression that
 * `compileRuleToSql` and `evaluateRule` run.
 */
export function checkRule(rule: string | ParsedRule, options: CheckRuleOptions): CheckedRule {
  const label = options.label ?? (typeof rule === 'string' ? options.kind : rule.label);
  const parsed =
    typeof rule === 'string'
      ? parseRule(rule, { label, ...(options.limits ? { limits: options.limits } : {}) })
      : rule;
  const model = toSchemaModel(options.schema);
  const checker = new Checker(parsed.source, label, model, options);
  const expr = checker.check(parsed.ast);
  if (expr.type.kind !== 'bool') {
    checker.fail(
      'rules/type-mismatch',
      `a rule must be true or false, but this is a ${describeType(expr.type)}`,
      parsed.ast.start,
      parsed.ast.end - parsed.ast.start.offset,
    );
  }
  return {
    source: parsed.source,
    label,
    kind: options.kind,
    collection: checker.collection?.name ?? null,
    expr,
  };
}

/** `checkRule` for the client `filter` parameter: no `data`, hidden fields refused unless told otherwise. */
export function checkFilter(
  filter: string,
  options: {
    schema: SchemaDocument | SchemaModel;
    collection: string;
    forbidHidden?: boolean;
    limits?: Partial<RuleLimits>;
  },
): CheckedRule {
  return checkRule(filter, {
    schema: options.schema,
    collection: options.collection,
    kind: 'filter',
    label: 'filter',
    forbidHidden: options.forbidHidden ?? true,
    ...(options.limits ? { limits: options.limits } : {}),
  });
}

class Checker {
  readonly collection: CollectionModel | null;
  private readonly limits: RuleLimits;

  constructor(
    private readonly source: string,
    private readonly label: string,
    private readonly model: SchemaModel,
    private readonly options: CheckRuleOptions,
  ) {
    this.limits = resolveLimits(options.limits);
    const needsCollection = RECORD_KINDS.has(options.kind) || DATA_KINDS.has(options.kind);
    if (needsCollection) {
      const name = options.collection ?? '';
      const collection = this.model.collections.get(name);
      if (!collection) throw new TypeError(`checkRule: unknown collection ${JSON.stringify(name)}`);
      this.collection = collection;
    } else {
      this.collection = null;
    }
  }

  check(node: RuleNode): CheckedExpr {
    switch (node.kind) {
      case 'string':
        return { kind: 'literal', type: STRING, value: node.value, at: node.start };
      case 'number':
        return { kind: 'literal', type: NUMBER, value: node.value, at: node.start };
      case 'bool':
        return { kind: 'literal', type: BOOL, value: node.value, at: node.start };
      case 'null':
        return { kind: 'literal', type: NULL, value: null, at: node.start };
      case 'list':
        return this.list(node);
      case 'name':
        return this.name(node);
      case 'member':
        return this.member(node);
      case 'call':
        return this.call(node);
      case 'not': {
        const operand = this.check(node.operand);
        this.expectBool(operand, node.operand, '!');
        return { kind: 'not', type: BOOL, operand, at: node.start };
      }
      case 'binary':
        return this.binary(node);
    }
  }

  private list(node: Extract<RuleNode, { kind: 'list' }>): CheckedExpr {
    const items: CheckedExpr[] = [];
    let element: ValueType = NULL;
    for (const itemNode of node.items) {
      const item = this.check(itemNode);
      if (item.kind !== 'literal' || item.type.kind === 'null') {
        this.fail(
          'rules/type-mismatch',
          'list items must be string, number or boolean literals',
          itemNode.start,
          span(itemNode),
        );
      }
      if (element.kind !== 'null' && element.kind !== item.type.kind) {
        this.fail(
          'rules/type-mismatch',
          `list mixes ${describeType(element)} and ${describeType(item.type)} items`,
          itemNode.start,
          span(itemNode),
        );
      }
      element = item.type;
      items.push(item);
    }
    return { kind: 'list', type: { kind: 'list', element }, items, at: node.start };
  }

  private name(node: Extract<RuleNode, { kind: 'name' }>): CheckedExpr {
    const kind = this.options.kind;
    const ref = (root: RuleRoot, type: ValueType): CheckedExpr => ({
      kind: 'ref',
      type,
      root,
      steps: [],
      at: node.start,
    });
    switch (node.name) {
      case 'auth':
        return ref('auth', { kind: 'record', collection: USERS_COLLECTION });
      case 'now':
        return ref('now', DATE);
      case 'data':
        if (!DATA_KINDS.has(kind) || !this.collection) {
          const why =
            kind === 'filter'
              ? 'filters cannot use "data"'
              : `"data" is only available in create and update rules`;
          this.fail('rules/not-allowed', why, node.start, 4);
        }
        return ref('data', { kind: 'record', collection: this.collection.name });
      case 'path':
        if (BUCKET_KINDS.has(kind)) return ref('path', STRING);
        break;
      case 'channel':
        if (CHANNEL_KINDS.has(kind)) return ref('channel', STRING);
        break;
    }
    if (this.collection && (RECORD_KINDS.has(kind) || kind === 'create')) {
      // In a create rule the record is the incoming one, so bare names read `data`.
      const root: RuleRoot = kind === 'create' ? 'data' : 'record';
      const step = this.step(this.collection, node.name, node.start, root === 'record');
      return { kind: 'ref', type: step.type, root, steps: [step], at: node.start };
    }
    const available = [
      'auth',
      'now',
      ...(BUCKET_KINDS.has(kind) ? ['path'] : []),
      ...(CHANNEL_KINDS.has(kind) ? ['channel'] : []),
    ];
    return this.fail(
      'rules/unknown-name',
      `unknown name "${node.name}" (${kind} rules can use ${available.join(', ')})`,
      node.start,
      node.name.length,
    );
  }

  private member(node: Extract<RuleNode, { kind: 'member' }>): CheckedExpr {
    const object = this.check(node.object);
    if (object.kind !== 'ref') {
      return this.fail(
        'rules/type-mismatch',
        `cannot read ".${node.property}" of a ${describeType(object.type)}`,
        node.propertyStart,
        node.property.length,
      );
    }
    let collection: CollectionModel | undefined;
    if (object.type.kind === 'record') {
      collection = this.model.collections.get(object.type.collection);
    } else if (object.type.kind === 'id' && object.type.target) {
      const hops = object.steps.filter((s) => s.type.kind === 'id' && s.type.target).length;
      if (hops > this.limits.maxRelationDepth) {
        this.fail(
          'rules/too-complex',
          `paths may follow at most ${this.limits.maxRelationDepth} relations`,
          node.propertyStart,
          node.property.length,
        );
      }
      collection = this.model.collections.get(object.type.target);
    } else if (object.type.kind === 'list') {
      return this.fail(
        'rules/type-mismatch',
        `cannot read ".${node.property}" through a list of ids; use "x in ${'field'}" instead`,
        node.propertyStart,
        node.property.length,
      );
    }
    if (!collection) {
      return this.fail(
        'rules/type-mismatch',
        `cannot read ".${node.property}" of a ${describeType(object.type)}`,
        node.propertyStart,
        node.property.length,
      );
    }
    // The caller's own fields are theirs to see; every other record's hidden fields are not.
    const guardHidden = !(object.root === 'auth' && object.steps.length === 0) && object.root !== 'data';
    const step = this.step(collection, node.property, node.propertyStart, guardHidden);
    return { kind: 'ref', type: step.type, root: object.root, steps: [...object.steps, step], at: object.at };
  }

  private step(
    collection: CollectionModel,
    name: string,
    at: SourcePosition,
    guardHidden: boolean,
  ): PathStep {
    const field = collection.fields.get(name);
    if (!field) {
      const hint = didYouMean(name, [...collection.fields.keys()]);
      return this.fail(
        'rules/unknown-name',
        `unknown field "${name}" in ${collection.name}${hint}`,
        at,
        name.length,
      );
    }
    if (guardHidden && field.hidden && this.options.forbidHidden) {
      this.fail(
        'rules/hidden-field',
        `field "${name}" of ${collection.name} is hidden and cannot be used here`,
        at,
        name.length,
      );
    }
    return { field, collection: collection.name, type: fieldValueType(field), at };
  }

  private call(node: Extract<RuleNode, { kind: 'call' }>): CheckedExpr {
    const fn = node.callee;
    if (!Object.hasOwn(FUNCTIONS, fn)) {
      return this.fail(
        'rules/unknown-name',
        `unknown function "${fn}" (functions: ${Object.keys(FUNCTIONS).join(', ')})`,
        node.calleeStart,
        fn.length,
      );
    }
    const name = fn as RuleFunction;
    const argNodes = node.receiver ? [node.receiver, ...node.args] : node.args;
    const arity = FUNCTIONS[name];
    if (argNodes.length !== arity) {
      const written = node.receiver
        ? `x.${name}(${arity === 2 ? 'y' : ''})`
        : `${name}(${arity === 2 ? 'x, y' : 'x'})`;
      this.fail(
        'rules/type-mismatch',
        `${name} takes ${arity} argument${arity === 1 ? '' : 's'}: ${written}`,
        node.calleeStart,
        fn.length,
      );
    }
    const args = argNodes.map((a) => this.check(a));
    const [first, second] = args as [CheckedExpr, CheckedExpr | undefined];
    const firstNode = argNodes[0] as RuleNode;
    switch (name) {
      case 'size':
        if (!isText(first.type) && first.type.kind !== 'list')
          this.argError(name, 'a string or a list', first, firstNode);
        return { kind: 'call', type: NUMBER, fn: name, args, at: node.start };
      case 'lower':
      case 'upper':
        this.expectText(name, first, firstNode);
        return { kind: 'call', type: STRING, fn: name, args, at: node.start };
      case 'contains':
        if (first.type.kind === 'list' && second) {
          // list.contains(x) is x in list.
          return this.membership(second, argNodes[1] as RuleNode, first, firstNode, node.start);
        }
        break;
      default:
        break;
    }
    this.expectText(name, first, firstNode);
    if (second) this.expectText(name, second, argNodes[1] as RuleNode);
    return { kind: 'call', type: BOOL, fn: name, args, at: node.start };
  }

  private binary(node: Extract<RuleNode, { kind: 'binary' }>): CheckedExpr {
    const { op } = node;
    let left = this.check(node.left);
    let right = this.check(node.right);
    if (op === '&&' || op === '||') {
      this.expectBool(left, node.left, op);
      this.expectBool(right, node.right, op);
      return { kind: op === '&&' ? 'and' : 'or', type: BOOL, left, right, at: node.start };
    }
    if (op === '+') {
      if (!isText(left.type) || !isText(right.type)) {
        const bad = isText(left.type) ? right : left;
        const badNode = isText(left.type) ? node.right : node.left;
        const why = bad.type.kind === 'number' ? ' (there is no arithmetic; + joins strings)' : '';
        this.fail(
          'rules/type-mismatch',
          `+ joins strings, but this is a ${describeType(bad.type)}${why}`,
          badNode.start,
          span(badNode),
        );
      }
      return { kind: 'concat', type: STRING, left, right, at: node.start };
    }
    if (op === 'in') return this.membership(left, node.left, right, node.right, node.start);
    if (!COMPARE_OPS.has(op)) return this.fail('rules/syntax', `unknown operator ${op}`, node.opStart);
    const cmp = op as CompareOperator;
    // A string literal next to a date is an ISO 8601 date.
    if (left.type.kind === 'date') right = this.asDate(right, node.right);
    if (right.type.kind === 'date') left = this.asDate(left, node.left);
    this.checkSelectLiteral(left, right, node.right);
    this.checkSelectLiteral(right, left, node.left);
    const lt = left.type;
    const rt = right.type;
    if (cmp === '==' || cmp === '!=') {
      if (!equatable(lt, rt)) {
        this.fail(
          'rules/type-mismatch',
          `cannot compare a ${describeType(lt)} with a ${describeType(rt)}`,
          node.opStart,
          op.length,
        );
      }
    } else {
      if (lt.kind === 'null' || rt.kind === 'null') {
        this.fail(
          'rules/type-mismatch',
          `${op} with null is always false; use == null or != null`,
          node.opStart,
          op.length,
        );
      }
      const orderable = (t: ValueType): boolean =>
        t.kind === 'string' || t.kind === 'number' || t.kind === 'date';
      if (!orderable(lt) || !orderable(rt) || lt.kind !== rt.kind) {
        this.fail(
          'rules/type-mismatch',
          `${op} needs two numbers, two strings or two dates, not a ${describeType(lt)} and a ${describeType(rt)}`,
          node.opStart,
          op.length,
        );
      }
    }
    return { kind: 'compare', type: BOOL, op: cmp, left, right, at: node.start };
  }

  private membership(
    needle: CheckedExpr,
    needleNode: RuleNode,
    haystack: CheckedExpr,
    haystackNode: RuleNode,
    at: SourcePosition,
  ): CheckedExpr {
    if (haystack.type.kind !== 'list') {
      const hint = isText(haystack.type) ? ' (for text, use x.contains(y))' : '';
      return this.fail(
        'rules/type-mismatch',
        `"in" needs a list on its right, not a ${describeType(haystack.type)}${hint}`,
        haystackNode.start,
        span(haystackNode),
      );
    }
    const element = haystack.type.element;
    if (needle.type.kind === 'null') {
      this.fail('rules/type-mismatch', 'null is never in a list', needleNode.start, span(needleNode));
    }
    if (needle.type.kind === 'date' && haystack.kind === 'list') {
      haystack = {
        ...haystack,
        type: { kind: 'list', element: DATE },
        items: haystack.items.map((item, i) =>
          this.asDate(item, (haystackNode as Extract<RuleNode, { kind: 'list' }>).items[i] as RuleNode),
        ),
      };
    } else if (element.kind !== 'null' && !equatable(needle.type, element)) {
      this.fail(
        'rules/type-mismatch',
        `a ${describeType(needle.type)} is never in a ${describeType(haystack.type)}`,
        needleNode.start,
        span(needleNode),
      );
    }
    if (!['string', 'number', 'bool', 'date', 'id'].includes(needle.type.kind)) {
      this.fail(
        'rules/type-mismatch',
        `"in" cannot look for a ${describeType(needle.type)}`,
        needleNode.start,
        span(needleNode),
      );
    }
    if (haystack.kind === 'list') {
      const listNode = haystackNode as Extract<RuleNode, { kind: 'list' }>;
      haystack.items.forEach((item, i) =>
        this.checkSelectLiteral(needle, item, listNode.items[i] as RuleNode),
      );
    }
    return { kind: 'in', type: BOOL, needle, haystack, at };
  }

  private asDate(expr: CheckedExpr, node: RuleNode): CheckedExpr {
    if (expr.kind !== 'literal' || typeof expr.value !== 'string') return expr;
    const ms = parseIsoDate(expr.value);
    if (!Number.isFinite(ms)) {
      this.fail(
        'rules/type-mismatch',
        `"${expr.value}" is not an ISO 8601 date from 0001-01-01 to 9999-12-31 (2024-01-31 or 2024-01-31T12:00:00Z)`,
        node.start,
        span(node),
      );
    }
    return { kind: 'literal', type: DATE, value: ms, at: expr.at };
  }

  /** `status == "publshed"` is a typo the checker can see. */
  private checkSelectLiteral(ref: CheckedExpr, literal: CheckedExpr, literalNode: RuleNode): void {
    if (ref.kind !== 'ref' || literal.kind !== 'literal' || typeof literal.value !== 'string') return;
    const field = ref.steps[ref.steps.length - 1]?.field;
    if (field?.values && !field.values.includes(literal.value)) {
      this.fail(
        'rules/type-mismatch',
        `${JSON.stringify(literal.value)} is not a value of ${field.name} (${field.values.join(', ')})`,
        literalNode.start,
        span(literalNode),
      );
    }
  }

  private expectBool(expr: CheckedExpr, node: RuleNode, op: string): void {
    if (expr.type.kind !== 'bool') {
      this.fail(
        'rules/type-mismatch',
        `${op} needs true/false operands, but this is a ${describeType(expr.type)}`,
        node.start,
        span(node),
      );
    }
  }

  private expectText(fn: string, expr: CheckedExpr, node: RuleNode): void {
    if (!isText(expr.type)) this.argError(fn, 'a string', expr, node);
  }

  private argError(fn: string, wanted: string, expr: CheckedExpr, node: RuleNode): never {
    return this.fail(
      'rules/type-mismatch',
      `${fn} needs ${wanted}, not a ${describeType(expr.type)}`,
      node.start,
      span(node),
    );
  }

  fail(code: RuleErrorCode, detail: string, position: SourcePosition, length = 1): never {
    throw new RuleError({ code, detail, source: this.source, position, length, label: this.label });
  }
}

export function fieldValueType(field: FieldModel): ValueType {
  if (field.name === 'id' && field.system) return { kind: 'id', target: null };
  switch (field.type) {
    case 'text':
    case 'email':
    case 'url':
    case 'select':
    case 'file':
      return STRING;
    case 'number':
      return NUMBER;
    case 'bool':
      return BOOL;
    case 'date':
      return DATE;
    case 'json':
      return { kind: 'json' };
    case 'relation': {
      const id: ValueType = { kind: 'id', target: field.target };
      return field.many ? { kind: 'list', element: id } : id;
    }
  }
}

function isText(type: ValueType): boolean {
  return type.kind === 'string' || type.kind === 'id';
}

function equatable(a: ValueType, b: ValueType): boolean {
  if (a.kind === 'null' || b.kind === 'null') return true;
  if (isText(a) && isText(b)) return true;
  if (a.kind === 'json' || a.kind === 'record' || a.kind === 'list') return false;
  return a.kind === b.kind;
}

function span(node: RuleNode): number {
  return Math.max(1, node.end - node.start.offset);
}
