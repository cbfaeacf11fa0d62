import type {
  CheckedExpr,
  CheckedRule,
  CompareOperator,
  PathStep,
  ValueType,
  ViewRuleLookup,
} from './checked-rule.js';
import type { RecordLike } from './evaluate-rule.js';
import {
  ABSENT,
  ASCII_LOWER,
  ASCII_UPPER,
  applyFunction,
  compareValues,
  concatValues,
  dateMillis,
  isCanonicalUuid,
  listIncludes,
  normalizeValue,
  ownProperty,
  type RuleValue,
} from './rule-values.js';
import { USERS_COLLECTION, quoteIdentifier } from './schema-model.js';

export interface CompileRuleOptions {
  /** The signed-in user, or null. Its fields become bound parameters. */
  auth?: RecordLike | null;
  /** The incoming write (create and update rules). */
  data?: RecordLike | null;
  /** Defaults to the current time; bound as a parameter. */
  now?: Date | number | string;
  path?: string | null;
  channel?: string | null;
  /** The alias of the rule's collection in the caller's query (default `t`). */
  alias?: string;
  /** The number of the first parameter, so the caller can bind others before (default 1). */
  firstParam?: number;
  /** The SQL table for a collection (trusted text). Default: `hearth."users"` for users, `app."<name>"` otherwise. */
  tableFor?: (collection: string) => string;
  /**
   * When set, each relation hop of the expression joins a related row only if
   * that collection's view rule holds for it (compiled over the joined row,
   * same `auth` and `now`); a collection without one is seen by no hop. The
   * view rules themselves are compiled without this guard. Leave it unset for
   * rules and for admins.
   */
  viewRuleFor?: ViewRuleLookup;
}

export interface CompiledSql {
  /** A boolean SQL expression, never NULL, safe to AND into a WHERE clause. */
  sql: string;
  params: unknown[];
}

export function defaultTableFor(collection: string): string {
  return collection === USERS_COLLECTION
    ? `hearth.${quoteIdentifier(collection)}`
    : `app.${quoteIdentifier(collection)}`;
}

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** Stands for a parameter until folding is done; NUL cannot come from identifiers or keywords. */
// eslint-disable-next-line no-control-regex
const PLACEHOLDER = /\u0000(\d+)\u0000/g;

/**
 * Compiles a checked rule to a parameterized PostgreSQL boolean expression
 * over the row aliased `alias`. Identifiers come only from the schema and are
 * quoted; every literal and every `auth`/`data`/`now`/`path`/`channel` value is
 * a bound parameter. Dotted paths through relations become `EXISTS` subqueries.
 * The result is a strict boolean (never NULL) that agrees with `evaluateRule`.
 */
export function compileRuleToSql(rule: CheckedRule, options: CompileRuleOptions = {}): CompiledSql {
  const alias = options.alias ?? 't';
  if (!ALIAS.test(alias)) throw new TypeError(`compileRuleToSql: invalid alias ${JSON.stringify(alias)}`);
  const firstParam = options.firstParam ?? 1;
  if (!Number.isInteger(firstParam) || firstParam < 1)
    throw new TypeError('compileRuleToSql: firstParam must be a positive integer');
  const compiler = new SqlCompiler(rule, options, alias);
  const draft = compiler.predicate(rule.expr);
  // Number only the parameters that survived constant folding, in order of appearance.
  const params: unknown[] = [];
  const numbers = new Map<string, number>();
  const sql = draft.replace(PLACEHOLDER, (_, index: string) => {
    let n = numbers.get(index);
    if (n === undefined) {
      n = firstParam + params.length;
      numbers.set(index, n);
      params.push(compiler.values[Number(index)]);
    }
    return `$${n}`;
  });
  return { sql, params };
}

type PgType =
  'uuid' | 'text' | 'double precision' | 'boolean' | 'timestamptz' | 'jsonb' | 'uuid[]' | 'record';

/** A compiled operand: a value known now (folded like the evaluator would) or SQL. */
type Operand =
  | { k: 'const'; value: RuleValue; type: ValueType }
  | { k: 'sql'; sql: string; type: ValueType; pg: PgType; nullable: boolean };

/** A boolean known now, or strict (never NULL) SQL. */
type Atom = boolean | string;

interface Scope {
  from: string[];
  where: string[];
  joins: Map<string, string>;
}

class SqlCompiler {
  readonly values: unknown[] = [];
  private scope: Scope = newScope();
  private aliasCount = 0;
  /** Set while a hop's view rule is compiled: its own hops are the schema author's, unguarded. */
  private inGuard = false;
  private readonly now: number;
  private readonly tableFor: (collection: string) => string;

  constructor(
    private readonly rule: CheckedRule,
    private readonly options: CompileRuleOptions,
    private alias: string,
  ) {
    this.now = dateMillis(options.now ?? new Date()) ?? Date.now();
    this.tableFor = options.tableFor ?? defaultTableFor;
  }

  /** Strict boolean SQL for a boolean expression. */
  predicate(expr: CheckedExpr): string {
    return atomSql(this.atom(expr));
  }

  private atom(expr: CheckedExpr): Atom {
    switch (expr.kind) {
      case 'and': {
        const left = this.atom(expr.left);
        if (left === false) return false;
        const right = this.atom(expr.right);
        if (right === false) return false;
        if (left === true) return right;
        if (right === true) return left;
        return `(${left} AND ${right})`;
      }
      case 'or': {
        const left = this.atom(expr.left);
        if (left === true) return true;
        const right = this.atom(expr.right);
        if (right === true) return true;
        if (left === false) return right;
        if (right === false) return left;
        return `(${left} OR ${right})`;
      }
      case 'not': {
        const inner = this.atom(expr.operand);
        return typeof inner === 'boolean' ? !inner : `(NOT ${inner})`;
      }
      default:
        return this.boundary(expr);
    }
  }

  /**
   * One comparison (or boolean value) with its own relation joins: if a path in
   * it reaches a missing record, the whole comparison is false, as in JS.
   */
  private boundary(expr: CheckedExpr): Atom {
    const outer = this.scope;
    this.scope = newScope();
    try {
      const inner = this.innerAtom(expr);
      const scope = this.scope;
      if (inner === false || scope.from.length === 0) return inner;
      const conditions = inner === true ? scope.where : [...scope.where, inner];
      return `EXISTS (SELECT 1 FROM ${scope.from.join(', ')} WHERE ${conditions.join(' AND ')})`;
    } finally {
      this.scope = outer;
    }
  }

  private innerAtom(expr: CheckedExpr): Atom {
    if (expr.kind === 'compare')
      return this.compare(expr.op, this.operand(expr.left), this.operand(expr.right));
    if (expr.kind === 'in') return this.membership(this.operand(expr.needle), this.operand(expr.haystack));
    const value = this.operand(expr);
    if (value.k === 'const') return value.value === true;
    return value.nullable ? `COALESCE(${value.sql}, FALSE)` : value.sql;
  }

  private operand(expr: CheckedExpr): Operand {
    switch (expr.kind) {
      case 'literal':
        return { k: 'const', value: expr.value, type: expr.type };
      case 'list':
        return {
          k: 'const',
          value: expr.items.map((item) => (item.kind === 'literal' ? item.value : null)),
          type: expr.type,
        };
      case 'ref':
        return this.ref(expr);
      case 'call':
        return this.call(expr);
      case 'concat':
        return this.concat(expr);
      case 'compare':
      case 'in':
      case 'and':
      case 'or':
      case 'not': {
        const atom = this.atom(expr);
        return typeof atom === 'boolean'
          ? { k: 'const', value: atom, type: expr.type }
          : { k: 'sql', sql: atom, type: expr.type, pg: 'boolean', nullable: false };
      }
    }
  }

  private ref(expr: Extract<CheckedExpr, { kind: 'ref' }>): Operand {
    const o = this.options;
    const constant = (value: RuleValue): Operand => ({ k: 'const', value, type: expr.type });
    switch (expr.root) {
      case 'now':
        return constant(this.now);
      case 'path':
        return constant(typeof o.path === 'string' ? o.path : null);
      case 'channel':
        return constant(typeof o.channel === 'string' ? o.channel : null);
      case 'record': {
        const [first, ...rest] = expr.steps;
        if (!first) return constant(null);
        return this.walkColumns(this.column(this.alias, first), first, rest, expr.type);
      }
      case 'auth':
      case 'data':
        return this.walkBound(
          expr.root === 'auth' ? (o.auth ?? null) : (o.data ?? {}),
          expr.steps,
          expr.type,
        );
    }
  }

  /** Follows a path over a bound object until it reaches a relation, then continues in SQL. */
  private walkBound(start: unknown, steps: readonly PathStep[], type: ValueType): Operand {
    if (steps.length === 0) return { k: 'const', value: normalizeValue(start, type), type };
    const current: unknown = start;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i] as PathStep;
      if (current === null || current === undefined) return { k: 'const', value: ABSENT, type };
      const raw = ownProperty(current, step.field.name);
      if (i === steps.length - 1) return { k: 'const', value: normalizeValue(raw, step.type), type };
      const id = normalizeValue(raw, step.type);
      // No such row can exist, exactly as a resolver would find none.
      if (typeof id !== 'string' || !isCanonicalUuid(id)) return { k: 'const', value: ABSENT, type };
      const base: Operand = {
        k: 'sql',
        sql: this.param(id, 'uuid'),
        type: step.type,
        pg: 'uuid',
        nullable: false,
      };
      return this.walkColumns(base, step, steps.slice(i + 1), type);
    }
    return { k: 'const', value: ABSENT, type };
  }

  /** `base` holds the value of `baseStep`; each further step follows a relation with a join. */
  private walkColumns(
    base: Operand,
    baseStep: PathStep,
    rest: readonly PathStep[],
    type: ValueType,
  ): Operand {
    let current = base;
    let step = baseStep;
    for (const next of rest) {
      if (current.k !== 'sql') return { k: 'const', value: ABSENT, type };
      const target = step.field.target ?? next.collection;
      const key = `${current.sql}->${target}`;
      let alias = this.scope.joins.get(key);
      if (!alias) {
        alias = `_r${++this.aliasCount}`;
        const guard = this.hopGuard(target, alias);
        if (guard === false) return { k: 'const', value: ABSENT, type };
        this.scope.joins.set(key, alias);
        this.scope.from.push(`${this.tableFor(target)} ${alias}`);
        this.scope.where.push(`${alias}."id" = ${current.sql}`);
        if (guard !== true) this.scope.where.push(guard);
      }
      current = this.column(alias, next);
      step = next;
    }
    return current;
  }

  /** The target's view rule over the joined row `alias`, or false when no hop may see it. */
  private hopGuard(target: string, alias: string): Atom {
    const lookup = this.options.viewRuleFor;
    if (!lookup || this.inGuard) return true;
    const view = lookup(target);
    if (!view) return false;
    const outer = this.alias;
    this.alias = alias;
    this.inGuard = true;
    try {
      return this.atom(view.expr);
    } finally {
      this.alias = outer;
      this.inGuard = false;
    }
  }

  private column(alias: string, step: PathStep): Operand {
    const notNull = step.field.system && ['id', 'createdAt', 'updatedAt'].includes(step.field.name);
    return {
      k: 'sql',
      sql: `${alias}.${quoteIdentifier(step.field.name)}`,
      type: step.type,
      pg: pgTypeOf(step.type),
      nullable: !notNull,
    };
  }

  private call(expr: Extract<CheckedExpr, { kind: 'call' }>): Operand {
    const args = expr.args.map((arg) => this.operand(arg));
    const folded = foldIfConstant(args, (values) => applyFunction(expr.fn, values), expr.type);
    if (folded) return folded;
    const nullable = args.some((a) => a.k === 'sql' && a.nullable);
    const [a, b] = args as [Operand, Operand | undefined];
    const text = (x: Operand | undefined): string => (x ? this.textSql(x) : 'NULL');
    let sql: string;
    switch (expr.fn) {
      case 'size':
        sql =
          a.type.kind === 'list'
            ? `cardinality(${this.sqlOf(a, 'uuid[]')})::double precision`
            : `char_length(${text(a)})::double precision`;
        break;
      case 'lower':
        sql = `translate(${text(a)}, ${this.param(ASCII_UPPER, 'text')}, ${this.param(ASCII_LOWER, 'text')})`;
        break;
      case 'upper':
        sql = `translate(${text(a)}, ${this.param(ASCII_LOWER, 'text')}, ${this.param(ASCII_UPPER, 'text')})`;
        break;
      case 'startsWith':
        sql = `starts_with(${text(a)}, ${text(b)})`;
        break;
      case 'endsWith': {
        const suffix = text(b);
        sql = `(right(${text(a)}, char_length(${suffix})) = ${suffix})`;
        break;
      }
      case 'contains':
        sql = `(strpos(${text(a)}, ${text(b)}) > 0)`;
        break;
    }
    return { k: 'sql', sql, type: expr.type, pg: pgTypeOf(expr.type), nullable };
  }

  private concat(expr: Extract<CheckedExpr, { kind: 'concat' }>): Operand {
    const left = this.operand(expr.left);
    const right = this.operand(expr.right);
    const folded = foldIfConstant([left, right], ([a, b]) => concatValues(a ?? null, b ?? null), expr.type);
    if (folded) return folded;
    const nullable = (left.k === 'sql' && left.nullable) || (right.k === 'sql' && right.nullable);
    return {
      k: 'sql',
      sql: `(${this.textSql(left)} || ${this.textSql(right)})`,
      type: expr.type,
      pg: 'text',
      nullable,
    };
  }

  private compare(op: CompareOperator, left: Operand, right: Operand): Atom {
    if (isAbsent(left) || isAbsent(right)) return false;
    if (left.k === 'const' && right.k === 'const') return compareValues(op, left.value, right.value);
    if (left.k === 'const' && left.value === null) return this.nullCheck(op, right);
    if (right.k === 'const' && right.value === null) return this.nullCheck(op, left);
    const pair = this.alignIds(left, right);
    if (typeof pair === 'boolean') return op === '==' ? false : op === '!=' ? true : false;
    const [l, r] = pair;
    const lSql = this.sqlOf(l, pgOf(r));
    const rSql = this.sqlOf(r, pgOf(l));
    const lNull = l.k === 'sql' && l.nullable;
    const rNull = r.k === 'sql' && r.nullable;
    if (op === '==') {
      if (lNull && rNull) return `(${lSql} IS NOT DISTINCT FROM ${rSql})`;
      return guarded([lNull ? lSql : null, rNull ? rSql : null], `${lSql} = ${rSql}`);
    }
    if (op === '!=') {
      if (!lNull && !rNull) return `(${lSql} <> ${rSql})`;
      return `(${lSql} IS DISTINCT FROM ${rSql})`;
    }
    // Code point order, as in JS, whatever the database's collation.
    const collate = l.type.kind === 'string' ? ' COLLATE "C"' : '';
    return guarded([lNull ? lSql : null, rNull ? rSql : null], `${lSql}${collate} ${op} ${rSql}`);
  }

  private nullCheck(op: CompareOperator, other: Operand): Atom {
    if (other.k === 'const') return compareValues(op, other.value, null);
    if (op === '==') return other.nullable ? `(${other.sql} IS NULL)` : false;
    if (op === '!=') return other.nullable ? `(${other.sql} IS NOT NULL)` : true;
    return false;
  }

  /**
   * Ids are uuid columns. A constant that is not a canonical uuid can never equal
   * one (`false` here); an id compared with computed text is compared as text.
   */
  private alignIds(left: Operand, right: Operand): [Operand, Operand] | false {
    const fix = (id: Operand, other: Operand): [Operand, Operand] | false => {
      if (id.k !== 'sql' || id.pg !== 'uuid') return [id, other];
      if (other.k === 'const') {
        if (typeof other.value !== 'string' || !isCanonicalUuid(other.value)) return false;
        return [id, { ...other, type: { kind: 'id', target: null } }];
      }
      if (other.pg !== 'uuid')
        return [{ ...id, sql: `${id.sql}::text`, pg: 'text', type: { kind: 'string' } }, other];
      return [id, other];
    };
    const first = fix(left, right);
    if (!first) return false;
    const second = fix(first[1], first[0]);
    if (!second) return false;
    return [second[1], second[0]];
  }

  private membership(needle: Operand, haystack: Operand): Atom {
    if (isAbsent(needle) || isAbsent(haystack)) return false;
    if (needle.k === 'const' && needle.value === null) return false;
    if (haystack.k === 'const' && haystack.value === null) return false;
    if (needle.k === 'const' && haystack.k === 'const') return listIncludes(haystack.value, needle.value);
    if (haystack.k === 'const') {
      const n = needle as Extract<Operand, { k: 'sql' }>;
      let items = (haystack.value as readonly RuleValue[]).filter((item) => item !== null && item !== ABSENT);
      if (n.pg === 'uuid') items = items.filter((item) => typeof item === 'string' && isCanonicalUuid(item));
      if (items.length === 0) return false;
      const elementPg = n.pg === 'uuid' ? 'uuid' : pgTypeOf(needle.type);
      const array = this.param(
        items.map((item) => toParam(item, elementPg)),
        `${elementPg}[]`,
      );
      return guarded([n.nullable ? n.sql : null], `${n.sql} = ANY(${array})`);
    }
    if (needle.k === 'const') {
      if (typeof needle.value !== 'string' || !isCanonicalUuid(needle.value)) return false;
      return `COALESCE(${this.param(needle.value, 'uuid')} = ANY(${haystack.sql}), FALSE)`;
    }
    const array = needle.pg === 'uuid' ? haystack.sql : `${haystack.sql}::text[]`;
    return `COALESCE(${needle.sql} = ANY(${array}), FALSE)`;
  }

  /** SQL text for an operand; constants become parameters cast to `pg`. */
  private sqlOf(operand: Operand, pg: PgType): string {
    if (operand.k === 'sql') return operand.sql;
    const value = operand.value;
    if (value === null || value === ABSENT) return 'NULL';
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    let type: string;
    if (operand.type.kind === 'date' || pg === 'timestamptz') type = 'timestamptz';
    else if (typeof value === 'string') type = pg === 'uuid' && isCanonicalUuid(value) ? 'uuid' : 'text';
    else type = pgTypeOf(operand.type);
    return this.param(toParam(value, type), type);
  }

  private textSql(operand: Operand): string {
    if (operand.k === 'sql') return operand.pg === 'uuid' ? `${operand.sql}::text` : operand.sql;
    return this.sqlOf({ ...operand, type: { kind: 'string' } }, 'text');
  }

  private param(value: unknown, type: string): string {
    this.values.push(value);
    return `\u0000${this.values.length - 1}\u0000::${type}`;
  }
}

function newScope(): Scope {
  return { from: [], where: [], joins: new Map() };
}

function atomSql(atom: Atom): string {
  return typeof atom === 'boolean' ? (atom ? 'TRUE' : 'FALSE') : atom;
}

/** `x IS NOT NULL AND x = y`: strict, and still index-friendly. */
function guarded(nullableSides: (string | null)[], condition: string): string {
  const guards = nullableSides.filter((s): s is string => s !== null).map((s) => `${s} IS NOT NULL`);
  return guards.length === 0 ? `(${condition})` : `(${guards.join(' AND ')} AND ${condition})`;
}

function isAbsent(operand: Operand): boolean {
  return operand.k === 'const' && operand.value === ABSENT;
}

function foldIfConstant(
  args: Operand[],
  fold: (values: RuleValue[]) => RuleValue,
  type: ValueType,
): Operand | null {
  const constants = args.filter((a): a is Extract<Operand, { k: 'const' }> => a.k === 'const');
  if (constants.some((a) => a.value === ABSENT)) return { k: 'const', value: ABSENT, type };
  if (constants.some((a) => a.value === null)) return { k: 'const', value: null, type };
  if (constants.length === args.length)
    return { k: 'const', value: fold(constants.map((a) => a.value)), type };
  return null;
}

function pgOf(operand: Operand): PgType {
  return operand.k === 'sql' ? operand.pg : pgTypeOf(operand.type);
}

function pgTypeOf(type: ValueType): PgType {
  switch (type.kind) {
    case 'id':
      return 'uuid';
    case 'string':
      return 'text';
    case 'number':
      return 'double precision';
    case 'bool':
      return 'boolean';
    case 'date':
      return 'timestamptz';
    case 'json':
      return 'jsonb';
    case 'list':
      return 'uuid[]';
    case 'record':
      return 'record';
    case 'null':
      return 'text';
  }
}

function toParam(value: RuleValue, pg: string): unknown {
  if (pg === 'timestamptz' && typeof value === 'number') return new Date(value).toISOString();
  return value;
}
