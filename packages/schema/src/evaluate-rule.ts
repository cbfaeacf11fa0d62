import type { CheckedExpr, CheckedRule, PathStep, ViewRuleLookup } from './checked-rule.js';
import { RuleError } from './rule-error.js';
import {
  ABSENT,
  applyFunction,
  compareValues,
  concatValues,
  dateMillis,
  listIncludes,
  normalizeValue,
  ownProperty,
  type RuleValue,
} from './rule-values.js';

export type RecordLike = Readonly<Record<string, unknown>>;

/** Loads a related record synchronously; null or undefined means it does not exist. */
export type RelatedRecordResolver = (collection: string, id: string) => RecordLike | null | undefined;

export interface RuleContext {
  /** The row, for list/view/update/delete rules and filters. */
  record?: RecordLike | null;
  /** The signed-in user (`id`, `email`, `role`, `verified` and profile fields), or null. */
  auth?: RecordLike | null;
  /** The record as it would be stored, for create and update rules. */
  data?: RecordLike | null;
  /** Defaults to the current time. */
  now?: Date | number | string;
  /** Bucket rules: the object path. */
  path?: string | null;
  /** Channel rules: the concrete channel name. */
  channel?: string | null;
  /**
   * How dotted paths reach related records. A relation field may also hold the
   * related record itself (pre-expanded, `{ id, ...fields }`), which needs no resolver.
   */
  resolve?: RelatedRecordResolver;
  /**
   * When set, each relation hop sees a related record only if that
   * collection's view rule holds for it with the same `auth` and `now`; a
   * collection without one is seen by no hop. The view rules themselves read
   * related records directly. Leave it unset for rules and for admins.
   */
  viewRuleFor?: ViewRuleLookup;
}

/**
 * Runs a checked rule in JS. Agrees with `compileRuleToSql` on every input
 * (a property test holds them to it). Throws `rules/relation-not-loaded` when a
 * path needs a related record that is neither pre-expanded nor resolvable.
 */
export function evaluateRule(rule: CheckedRule, context: RuleContext): boolean {
  const needsRecord =
    rule.kind === 'list' ||
    rule.kind === 'view' ||
    rule.kind === 'update' ||
    rule.kind === 'delete' ||
    rule.kind === 'filter';
  if (needsRecord && (context.record === undefined || context.record === null)) {
    throw new TypeError(`evaluateRule: a ${rule.kind} rule needs context.record`);
  }
  return new Evaluator(rule, context).predicate(rule.expr);
}

/** A hop's view rule, run on the related record: the schema author's rule, so its own hops are not guarded. */
function passesViewRule(view: CheckedRule, record: RecordLike, context: RuleContext): boolean {
  const { viewRuleFor: _guard, data: _data, ...rest } = context;
  return new Evaluator(view, { ...rest, record }).predicate(view.expr);
}

class Evaluator {
  private readonly now: number;

  private readonly hops: HopReader;

  constructor(
    private readonly rule: CheckedRule,
    private readonly context: RuleContext,
  ) {
    this.now = dateMillis(context.now ?? new Date()) ?? Date.now();
    const lookup = context.viewRuleFor;
    this.hops = {
      resolve: context.resolve,
      visible: lookup
        ? (collection, record) => {
            const view = lookup(collection);
            return view !== null && passesViewRule(view, record, context);
          }
        : undefined,
    };
  }

  predicate(expr: CheckedExpr): boolean {
    switch (expr.kind) {
      case 'and':
        return this.predicate(expr.left) && this.predicate(expr.right);
      case 'or':
        return this.predicate(expr.left) || this.predicate(expr.right);
      case 'not':
        return !this.predicate(expr.operand);
      default:
        return this.value(expr) === true;
    }
  }

  value(expr: CheckedExpr): RuleValue {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'list':
        return expr.items.map((item) => this.value(item));
      case 'ref':
        return this.ref(expr);
      case 'compare': {
        const left = this.value(expr.left);
        const right = this.value(expr.right);
        if (left === ABSENT || right === ABSENT) return false;
        return compareValues(expr.op, left, right);
      }
      case 'in': {
        const needle = this.value(expr.needle);
        const haystack = this.value(expr.haystack);
        if (needle === ABSENT || haystack === ABSENT) return false;
        return listIncludes(haystack, needle);
      }
      case 'call':
        return applyFunction(
          expr.fn,
          expr.args.map((arg) => this.value(arg)),
        );
      case 'concat':
        return concatValues(this.value(expr.left), this.value(expr.right));
      case 'and':
      case 'or':
      case 'not':
        return this.predicate(expr);
    }
  }

  private ref(expr: Extract<CheckedExpr, { kind: 'ref' }>): RuleValue {
    const ctx = this.context;
    switch (expr.root) {
      case 'now':
        return this.now;
      case 'path':
        return typeof ctx.path === 'string' ? ctx.path : null;
      case 'channel':
        return typeof ctx.channel === 'string' ? ctx.channel : null;
      case 'auth':
        return walkPath(ctx.auth ?? null, expr.steps, expr.type, this.hops, this.rule);
      case 'data':
        return walkPath(ctx.data ?? {}, expr.steps, expr.type, this.hops, this.rule);
      case 'record':
        return walkPath(ctx.record ?? {}, expr.steps, expr.type, this.hops, this.rule);
    }
  }
}

/** How a path reaches related records, and (for client filters) whether a hop may see one. */
interface HopReader {
  resolve: RelatedRecordResolver | undefined;
  visible: ((collection: string, record: RecordLike) => boolean) | undefined;
}

/**
 * Follows `steps` from `start`. Every step but the last is a single relation:
 * its value is an id (looked up with `resolve`) or the related record itself.
 */
export function walkPath(
  start: unknown,
  steps: readonly PathStep[],
  type: CheckedExpr['type'],
  hops: HopReader,
  rule: CheckedRule,
): RuleValue {
  if (steps.length === 0) return normalizeValue(start, type);
  let current: unknown = start;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as PathStep;
    if (current === null || current === undefined) return ABSENT;
    const raw = ownProperty(current, step.field.name);
    if (i === steps.length - 1) return normalizeValue(raw, step.type);
    current = related(raw, step, hops, rule);
  }
  return ABSENT;
}

function related(raw: unknown, step: PathStep, hops: HopReader, rule: CheckedRule): unknown {
  const target = step.field.target ?? '';
  const record = relatedRecord(raw, step, target, hops.resolve, rule);
  if (record === null || !hops.visible) return record;
  return hops.visible(target, record as RecordLike) ? record : null;
}

function relatedRecord(
  raw: unknown,
  step: PathStep,
  target: string,
  resolve: RelatedRecordResolver | undefined,
  rule: CheckedRule,
): unknown {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'object' && !Array.isArray(raw)) return raw;
  const id = normalizeValue(raw, step.type);
  if (typeof id !== 'string') return null;
  if (!resolve) {
    throw new RuleError({
      code: 'rules/relation-not-loaded',
      detail: `"${step.field.name}" (${target} ${id}) is not loaded; pre-expand it or pass context.resolve`,
      source: rule.source,
      position: step.at,
      length: step.field.name.length,
      label: rule.label,
    });
  }
  return resolve(target, id) ?? null;
}
