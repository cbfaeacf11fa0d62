import {
  accessDecision,
  allowsAccess,
  relationPathsOf,
  seesField,
  visibleRecord,
  type CheckedRule,
  type CollectionRuleName,
  type FieldModel,
  type RelatedRecordResolver,
} from '@hearth/schema';
import type { Pool, PoolClient } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import type { Caller } from './caller.js';
import { readsAuthRow, type LiveCollection, type LiveSchema } from './live-schema.js';

/**
 * The server's side of the access policy (@hearth/schema's collection-access):
 * the rule a caller is held to, what they see of a record, and a JS check of
 * one record for callers that hold the record already (realtime, storage).
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

/** What a caller may see of a stored record; `fields` narrows it to the fields asked for. */
export function visibleTo(
  caller: Caller,
  collection: LiveCollection,
  record: Record<string, unknown>,
  fields: readonly string[] = [],
): Record<string, unknown> {
  return visibleRecord(caller, collection.model, record, fields);
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

/** A record the caller holds already, checked in JS; `data` for create and update. */
export interface RecordAccessCheck {
  op: CollectionRuleName;
  record: Record<string, unknown> | null;
  data?: Record<string, unknown> | null;
  now?: Date;
  /** Loads related records a rule follows; without one, a rule that follows a relation throws. */
  resolve?: RelatedRecordResolver;
}

/**
 * May this caller do `op` to this record? For realtime fan-out and storage,
 * which hold the record already: the same decision the record API makes in SQL.
 */
export async function mayAccess(
  caller: Caller,
  schema: LiveSchema,
  collection: LiveCollection,
  check: RecordAccessCheck,
  db: Pool | PoolClient,
): Promise<boolean> {
  const decision = accessDecision(caller, collection.name, collection.rules, check.op);
  if (decision.kind !== 'rule') return allowsAccess(decision, { auth: null, record: check.record });
  const auth = await caller.auth(db, schema, needsAuthRow(collection));
  return allowsAccess(decision, {
    auth,
    record: check.record,
    data: check.data ?? null,
    now: check.now ?? new Date(),
    ...(check.resolve ? { resolve: check.resolve } : {}),
  });
}
