import { checkRule } from './check-rule.js';
import type { CheckedRule } from './checked-rule.js';
import { COLLECTION_RULE_NAMES, type CollectionRuleName } from './document.js';
import { evaluateRule, type RuleContext } from './evaluate-rule.js';
import {
  DEFAULT_USERS_RULES,
  USERS_COLLECTION,
  type CollectionModel,
  type FieldModel,
  type SchemaModel,
} from './schema-model.js';

/**
 * The access policy of the record API, in one place: which rule applies to
 * whom, and which fields a caller sees. The server (SQL), `hearth rules test`
 * (offline) and realtime fan-out (in process) all decide through it.
 */

/** What the policy needs to know of a caller. */
export interface AccessViewer {
  /** Admin users and service keys: rules do not apply and every field is visible. */
  admin: boolean;
  /** The signed-in user's id; null when signed out or for a service key. */
  userId: string | null;
}

/** A collection's rules as the record API applies them. */
export interface CollectionRuleSet {
  /** The rule text; null when the operation is admin-only (or closed, see closedOperation). */
  source: Record<CollectionRuleName, string | null>;
  checked: Record<CollectionRuleName, CheckedRule | null>;
  /** Whether each rule was written in the document (not a built-in default). */
  declared: Record<CollectionRuleName, boolean>;
}

/**
 * How the policy answers one operation: admins bypass rules, an operation
 * with no rule is admin-only, and some operations are closed to the record
 * API for everyone (accounts belong to the auth API).
 */
export type AccessDecision =
  | { kind: 'bypass' }
  | { kind: 'rule'; rule: CheckedRule }
  | { kind: 'admin-only' }
  | { kind: 'closed'; reason: string };

const CLOSED: Partial<Record<string, Partial<Record<CollectionRuleName, string>>>> = {
  [USERS_COLLECTION]: {
    create: 'Users are created through /api/auth/signup or the admin API, not the record API.',
    // A user's delete must also end their sessions at once, which only the auth API does.
    delete:
      'Users are deleted through DELETE /api/admin/users/:id or DELETE /api/auth/me, not the record API.',
  },
};

/** Why the record API refuses an operation on a collection to everyone, or null. */
export function closedOperation(collection: string, op: CollectionRuleName): string | null {
  return CLOSED[collection]?.[op] ?? null;
}

/** One collection's rules, checked: users gets its default rules when the document sets none. */
export function collectionRuleSet(model: SchemaModel, name: string): CollectionRuleSet {
  const definition = model.collections.get(name)?.definition ?? {};
  const builtin = name === USERS_COLLECTION;
  const sources: Partial<Record<CollectionRuleName, string | null | undefined>> =
    builtin && definition.rules === undefined ? DEFAULT_USERS_RULES : (definition.rules ?? {});
  const set: CollectionRuleSet = {
    source: { list: null, view: null, create: null, update: null, delete: null },
    checked: { list: null, view: null, create: null, update: null, delete: null },
    declared: { list: false, view: false, create: false, update: false, delete: false },
  };
  for (const op of COLLECTION_RULE_NAMES) {
    const source = sources[op];
    if (typeof source !== 'string' || closedOperation(name, op) !== null) continue;
    set.source[op] = source;
    set.declared[op] = definition.rules !== undefined;
    set.checked[op] = checkRule(source, {
      schema: model,
      kind: op,
      collection: name,
      label: `collections.${name}.rules.${op}`,
    });
  }
  return set;
}

/** Every collection's rules, checked once. */
export function collectionRuleSets(model: SchemaModel): Map<string, CollectionRuleSet> {
  return new Map([...model.collections.keys()].map((name) => [name, collectionRuleSet(model, name)]));
}

/** Which rule, if any, holds a caller to an operation. */
export function accessDecision(
  viewer: AccessViewer,
  collection: string,
  rules: Readonly<Record<CollectionRuleName, CheckedRule | null>>,
  op: CollectionRuleName,
): AccessDecision {
  const closed = closedOperation(collection, op);
  if (closed !== null) return { kind: 'closed', reason: closed };
  if (viewer.admin) return { kind: 'bypass' };
  const rule = rules[op];
  return rule ? { kind: 'rule', rule } : { kind: 'admin-only' };
}

/**
 * Decides an operation in JS against one record: for create, `data` is the
 * record as it would be stored; for update, the row with the patch applied.
 */
export function allowsAccess(decision: AccessDecision, context: RuleContext): boolean {
  switch (decision.kind) {
    case 'bypass':
      return true;
    case 'rule':
      return evaluateRule(decision.rule, context);
    case 'admin-only':
    case 'closed':
      return false;
  }
}

/**
 * Whether a caller may read, filter or sort on a field. A hidden field is
 * for admins, except a user's own email on their own users record.
 */
export function seesField(viewer: AccessViewer, field: FieldModel, ownRecord = false): boolean {
  return !field.hidden || viewer.admin || (ownRecord && field.name === 'email');
}

/** Whether `record` is the caller's own users record. */
export function isOwnRecord(
  viewer: AccessViewer,
  collection: CollectionModel,
  record: { id?: unknown },
): boolean {
  return collection.builtin && viewer.userId !== null && record.id === viewer.userId;
}

/** What a caller may see of a stored record; `only` narrows it to the fields asked for. */
export function visibleRecord(
  viewer: AccessViewer,
  collection: CollectionModel,
  record: Record<string, unknown>,
  only: readonly string[] = [],
): Record<string, unknown> {
  if (viewer.admin && only.length === 0) return record;
  const own = isOwnRecord(viewer, collection, record);
  const out: Record<string, unknown> = {};
  for (const field of collection.fields.values()) {
    if (!seesField(viewer, field, own)) continue;
    if (only.length > 0 && !only.includes(field.name)) continue;
    out[field.name] = record[field.name];
  }
  return out;
}
