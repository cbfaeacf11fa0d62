import { randomUUID } from 'node:crypto';
import {
  RuleError,
  accessDecision,
  allowsAccess,
  type CollectionModel,
  type CollectionRuleSet,
  type FieldModel,
  type RecordLike,
  type RelatedRecordResolver,
  type RuleContext,
  type SchemaModel,
} from '@hearth/schema';
import type { RuleTestCase } from './test-file.js';

export type Verdict = 'allow' | 'deny';

export interface CaseOutcome {
  /** What the rules decide; null when the case itself is broken (see `error`). */
  actual: Verdict | null;
  /** Why: the rule that decided, or "admin-only", or "admins bypass rules". */
  reason: string;
  error?: string;
}

export type Records = Record<string, Record<string, Record<string, unknown>>>;

/**
 * Decides one case the way the server does: admins (and service keys) bypass
 * rules; an operation with no rule is admin-only; create checks `data` as it
 * would be stored (defaults applied); update checks the row and `data` = the
 * row with the patch applied; list, view and delete check the row.
 */
export function runCase(
  testCase: RuleTestCase,
  model: SchemaModel,
  rules: Map<string, CollectionRuleSet>,
  sharedRecords: Records,
  fileNow: string | undefined,
): CaseOutcome {
  const collection = model.collections.get(testCase.collection);
  const ruleSet = rules.get(testCase.collection);
  if (!collection || !ruleSet) {
    const known = [...model.collections.keys()].join(', ');
    return broken(`unknown collection "${testCase.collection}" (the schema has ${known})`);
  }
  const { op } = testCase;
  const needsRecord = op !== 'create';
  const needsData = op === 'create' || op === 'update';
  if (needsRecord && !testCase.record) return broken(`a ${op} case needs "record" (the stored row)`);
  if (needsData && !testCase.data)
    return broken(`a ${op} case needs "data" (${op === 'create' ? 'the new record' : 'the patch'})`);
  if (!needsData && testCase.data) return broken(`a ${op} case takes no "data"`);
  for (const [what, values] of [
    ['record', testCase.record],
    ['data', testCase.data],
  ] as const) {
    const problem = values ? checkValues(collection, values, what === 'data') : null;
    if (problem) return broken(`${what}: ${problem}`);
  }

  const nowText = testCase.now ?? fileNow;
  const now = nowText === undefined ? new Date() : new Date(nowText);
  if (Number.isNaN(now.getTime())) return broken(`"now" is not a date: ${nowText ?? ''}`);

  const viewer = { admin: testCase.as?.role === 'admin', userId: testCase.as?.id ?? null };
  const decision = accessDecision(viewer, collection.name, ruleSet.checked, op);
  if (decision.kind === 'closed') return { actual: 'deny', reason: decision.reason };
  if (decision.kind === 'bypass') return { actual: 'allow', reason: 'admins bypass rules' };
  if (decision.kind === 'admin-only')
    return { actual: 'deny', reason: `${collection.name}.${op} has no rule (admin-only)` };

  const context = caseContext(testCase, collection, sharedRecords, now);
  try {
    const allowed = allowsAccess(decision, context);
    return {
      actual: allowed ? 'allow' : 'deny',
      reason: `${collection.name}.${op}: ${decision.rule.source}`,
    };
  } catch (error) {
    if (error instanceof RuleError && error.code === 'rules/relation-not-loaded')
      return broken(`${error.detail}: add the related record under "records" (or the case's "related")`);
    throw error;
  }
}

export interface CaseContext extends RuleContext {
  auth: RecordLike | null;
  record: RecordLike | null;
  data: RecordLike | null;
  now: Date;
  resolve: RelatedRecordResolver;
}

/**
 * What a case's rule reads: `auth` from "as", the stored row with system
 * fields, `data` as the server builds it (create: defaults applied; update:
 * the row with the patch applied), and the related records rules follow.
 */
export function caseContext(
  testCase: RuleTestCase,
  collection: CollectionModel,
  sharedRecords: Records,
  now: Date,
): CaseContext {
  const auth: RecordLike | null = testCase.as ? { role: 'user', verified: false, ...testCase.as } : null;
  const related: Records = mergeRecords(sharedRecords, testCase.related ?? {});
  if (auth) {
    related.users ??= {};
    related.users[auth.id as string] ??= { ...auth };
  }
  const resolve = (target: string, id: string): RecordLike | null => {
    const found = related[target]?.[id];
    return found ? { id, ...found } : null;
  };
  const stamp = now.toISOString();
  const record: Record<string, unknown> | null = testCase.record
    ? { id: 'record', createdAt: stamp, updatedAt: stamp, ...testCase.record }
    : null;
  let data: Record<string, unknown> | null = null;
  if (testCase.op === 'create')
    data = {
      id: randomUUID(),
      createdAt: stamp,
      updatedAt: stamp,
      ...defaults(collection, stamp),
      ...testCase.data,
    };
  if (testCase.op === 'update') data = { ...record, ...testCase.data };
  return { auth, record, data, now, resolve };
}

function broken(error: string): CaseOutcome {
  return { actual: null, reason: '', error };
}

function mergeRecords(a: Records, b: Records): Records {
  const out: Records = {};
  for (const source of [a, b])
    for (const [collection, records] of Object.entries(source))
      out[collection] = { ...out[collection], ...records };
  return out;
}

/** Field defaults, as the server fills them in on create. */
function defaults(collection: CollectionModel, now: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of collection.fields.values()) {
    const definition = field.definition;
    if (!definition || !('default' in definition) || definition.default === undefined) continue;
    out[field.name] = definition.default === 'now' && field.type === 'date' ? now : definition.default;
  }
  return out;
}

/** Catches typos and wrong types in a case, which would otherwise just read as null. */
function checkValues(
  collection: CollectionModel,
  values: Record<string, unknown>,
  isWrite: boolean,
): string | null {
  for (const [name, value] of Object.entries(values)) {
    const field = collection.fields.get(name);
    if (!field) {
      const known = [...collection.fields.keys()].join(', ');
      return `unknown field "${name}" in ${collection.name} (fields: ${known})`;
    }
    if (isWrite && field.system) return `"${name}" is a system field; a write cannot set it`;
    if (value === null) continue;
    const problem = typeProblem(field, value);
    if (problem) return `"${name}" ${problem}`;
  }
  return null;
}

function typeProblem(field: FieldModel, value: unknown): string | null {
  switch (field.type) {
    case 'text':
    case 'email':
    case 'url':
    case 'file':
      return typeof value === 'string' ? null : 'must be a string';
    case 'select':
      if (typeof value !== 'string') return 'must be a string';
      return field.values && !field.values.includes(value)
        ? `must be one of ${field.values.join(', ')}`
        : null;
    case 'number':
      return typeof value === 'number' ? null : 'must be a number';
    case 'bool':
      return typeof value === 'boolean' ? null : 'must be true or false';
    case 'date':
      return typeof value === 'string' && Number.isFinite(Date.parse(value))
        ? null
        : 'must be an ISO 8601 date';
    case 'relation':
      if (field.many)
        return Array.isArray(value) && value.every((v) => typeof v === 'string')
          ? null
          : 'must be a list of ids';
      return typeof value === 'string' ? null : 'must be an id';
    case 'json':
      return null;
  }
}
