import {
  accessDecision,
  allowsAccess,
  relationPathsOf,
  seesField,
  type CheckedRule,
  type CollectionRuleName,
  type FieldModel,
  type RecordLike,
  type RelatedRecordResolver,
} from '@hearth/schema';
import { HearthError } from '../errors/index.js';
import type { Caller } from './caller.js';
import { readsAuthRow, type LiveCollection, type LiveSchema } from './live-schema.js';

/**
 * The server's side of the access policy (@hearth/schema's collection-access):
 * the rule a caller is held to, and a JS check of one record for callers
 * that hold the record already (realtime, storage). What a caller sees of a
 * record is @hearth/schema's visibleRecord(caller, collection.model, record).
 * The record API puts the rule into its SQL; it never filters rows in JS.
 */

/** The rule for an operation, or null when the caller bypasses rules; admin-only and closed operations throw. */
export function ruleFor(
  caller: Caller,
  collection: LiveCollection,
  op: CollectionRuleName,
): CheckedRule | null {
  const decision = accessDecision(caller, collection.name, collection.rules, op);
  switch (decision.kind) {
    case 'bypass':
      return null;
    case 'rule':
      return decision.rule;
    case 'closed':
      throw new HearthError('rules/denied', decision.reason);
    case 'admin-only':
      throw new HearthError('rules/denied', `Only admins may ${op} records of ${collection.name}.`);
  }
}

/** Whether a caller may name a field in a filter, sort, expand or fields list. */
export function mayQueryField(caller: Caller, field: FieldModel): boolean {
  return seesField(caller, field);
}

/** The view rules a filter's relation hops will be held to. */
export function hopViewRules(schema: LiveSchema, filter: CheckedRule): CheckedRule[] {
  const targets = new Set(relationPathsOf(filter).flatMap((path) => path.collections));
  return [...targets].map(schema.viewRuleFor).filter((rule) => rule !== null);
}

/** Whether the rules to apply read the caller's profile fields, which live in their users row. */
export function needsAuthRow(
  collection: LiveCollection,
  ...extra: Array<CheckedRule | null | undefined>
): boolean {
  return collection.rulesNeedAuthRow || extra.some((rule) => rule != null && readsAuthRow(rule.expr));
}

/** A record the caller holds already, to check in JS. */
export interface RecordAccessCheck {
  op: CollectionRuleName;
  /** The stored row (list, view, update, delete); for a delete, the record as it was. */
  record: RecordLike | null;
  /** Create: the record as it would be stored; update: the row with the patch applied. */
  data?: RecordLike | null;
  /** The caller's `auth` record (Caller.auth, with the users row when needsAuthRow says so). */
  auth: RecordLike | null;
  now?: Date;
  /** Loads related records a rule follows; without one, a rule that follows a relation throws. */
  resolve?: RelatedRecordResolver;
}

/**
 * May this caller do `op` to this record? For realtime fan-out and storage,
 * which hold the record and the caller's auth already: the decision the
 * record API makes in SQL, made in process with no query.
 */
export function mayAccess(caller: Caller, collection: LiveCollection, check: RecordAccessCheck): boolean {
  const decision = accessDecision(caller, collection.name, collection.rules, check.op);
  return allowsAccess(decision, {
    auth: check.auth,
    record: check.record,
    data: check.data ?? null,
    now: check.now ?? new Date(),
    ...(check.resolve ? { resolve: check.resolve } : {}),
  });
}
