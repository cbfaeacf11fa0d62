import type { Pool, PoolClient } from '../db/pool.js';
import type { Caller } from './caller.js';
import type { LiveCollection, LiveSchema } from './live-schema.js';
import { StatementBuilder } from './record-sql.js';
import { validationError } from './record-validation.js';

/**
 * Checks the relation ids a write sets. Ids in a to-many relation must exist
 * (single relations are checked by their foreign key). A relation marked
 * `viewable` may only point at records the writer passes the target's view
 * rule for (admins and service keys are exempt); a missing id and a hidden
 * one get the same answer, so the check reveals nothing about which exist.
 */
export async function checkRelationTargets(
  caller: Caller,
  schema: LiveSchema,
  collection: LiveCollection,
  values: Map<string, unknown>,
  db: Pool | PoolClient,
): Promise<void> {
  const errors: Record<string, { code: string; message: string }> = {};
  for (const [name, value] of values) {
    const field = collection.writable.get(name);
    if (!field?.target || value === null || value === undefined) continue;
    const target = schema.collections.get(field.target);
    if (!target) continue;
    const ids = [...new Set(Array.isArray(value) ? (value as string[]) : [value as string])];
    if (ids.length === 0) continue;
    if (field.viewable && !caller.admin) {
      if (!(await allViewable(caller, schema, target, ids, db)))
        errors[name] = {
          code: 'relation',
          message: `refers to ${field.target} records that do not exist or that you may not view`,
        };
      continue;
    }
    if (!field.many) continue;
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${target.table} WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    if ((rows[0]?.n ?? 0) !== ids.length)
      errors[name] = { code: 'relation', message: `refers to ${field.target} records that do not exist` };
  }
  if (Object.keys(errors).length > 0) throw validationError(errors);
}

/** Whether the caller may view every one of `ids` in `target` (no view rule: admin-only, so no). */
async function allViewable(
  caller: Caller,
  schema: LiveSchema,
  target: LiveCollection,
  ids: string[],
  db: Pool | PoolClient,
): Promise<boolean> {
  const view = target.rules.view;
  if (!view) return false;
  const auth = await caller.auth(db, schema, target.rulesNeedAuthRow);
  const builder = new StatementBuilder();
  const idsParam = builder.param(ids, 'uuid[]');
  const ruleSql = builder.rule(view, 'x', { auth, now: new Date(), viewRuleFor: null });
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${target.table} x WHERE x.id = ANY(${idsParam}) AND ${ruleSql}`,
    builder.params,
  );
  return (rows[0]?.n ?? 0) === ids.length;
}
