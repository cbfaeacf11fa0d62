import type { FieldModel } from './schema-model.js';
import type { SourcePosition } from './source-text.js';

/** Where a rule is used; decides which names it may use. */
export type RuleKind =
  | 'list'
  | 'view'
  | 'create'
  | 'update'
  | 'delete'
  /** The client's `filter` parameter: like `list`, without `data`. */
  | 'filter'
  /** Bucket rules. */
  | 'read'
  | 'write'
  /** Channel rules. */
  | 'join'
  | 'broadcast'
  | 'presence';

export type ValueType =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'bool' }
  | { kind: 'date' }
  | { kind: 'json' }
  | { kind: 'null' }
  /** A record id; `target` is set when the value can be followed (`project.owner`). */
  | { kind: 'id'; target: string | null }
  | { kind: 'list'; element: ValueType }
  /** `auth` and `data` themselves. */
  | { kind: 'record'; collection: string };

/** Where a name's value comes from. `record` is the row; the others are bound values. */
export type RuleRoot = 'record' | 'data' | 'auth' | 'now' | 'path' | 'channel';

export interface PathStep {
  /** The field read at this step, in `collection`. */
  field: FieldModel;
  collection: string;
  type: ValueType;
  at: SourcePosition;
}

export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type RuleFunction = 'startsWith' | 'endsWith' | 'contains' | 'lower' | 'upper' | 'size';

/** The checked, fully resolved expression both back ends run. */
export type CheckedExpr =
  | { kind: 'literal'; type: ValueType; value: string | number | boolean | null; at: SourcePosition }
  | { kind: 'list'; type: ValueType; items: CheckedExpr[]; at: SourcePosition }
  | { kind: 'ref'; type: ValueType; root: RuleRoot; steps: PathStep[]; at: SourcePosition }
  | {
      kind: 'compare';
      type: ValueType;
      op: CompareOperator;
      left: CheckedExpr;
      right: CheckedExpr;
      at: SourcePosition;
    }
  | { kind: 'in'; type: ValueType; needle: CheckedExpr; haystack: CheckedExpr; at: SourcePosition }
  | { kind: 'and' | 'or'; type: ValueType; left: CheckedExpr; right: CheckedExpr; at: SourcePosition }
  | { kind: 'not'; type: ValueType; operand: CheckedExpr; at: SourcePosition }
  | { kind: 'call'; type: ValueType; fn: RuleFunction; args: CheckedExpr[]; at: SourcePosition }
  | { kind: 'concat'; type: ValueType; left: CheckedExpr; right: CheckedExpr; at: SourcePosition };

export interface CheckedRule {
  source: string;
  label: string;
  kind: RuleKind;
  /** The collection whose rows (or incoming record) the rule reads; null for bucket and channel rules. */
  collection: string | null;
  expr: CheckedExpr;
}

/**
 * The view rule a relation hop must pass to see a record of `collection`, for
 * the same caller. Null means only admins may view that collection, so the hop
 * sees nothing. Callers pass this for expressions a client wrote (filters);
 * rules the schema's author wrote read related records directly.
 */
export type ViewRuleLookup = (collection: string) => CheckedRule | null;

export const BOOL: ValueType = { kind: 'bool' };
export const STRING: ValueType = { kind: 'string' };
export const NUMBER: ValueType = { kind: 'number' };
export const DATE: ValueType = { kind: 'date' };
export const NULL: ValueType = { kind: 'null' };

export function describeType(type: ValueType): string {
  switch (type.kind) {
    case 'id':
      return type.target ? `relation to ${type.target}` : 'id';
    case 'list':
      return `list of ${describeType(type.element)}`;
    case 'record':
      return `${type.collection} record`;
    case 'bool':
      return 'boolean';
    default:
      return type.kind;
  }
}
