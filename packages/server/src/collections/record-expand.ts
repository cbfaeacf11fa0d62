import { quoteIdentifier as q, type CheckedRule, type RecordLike } from '@hearth/schema';
import type { Caller } from './caller.js';
import { mayQueryField } from './record-access.js';
import type { Expansion } from './record-query.js';
import { jsonValue, type StatementBuilder } from './record-sql.js';

/** The view rule an expansion's related rows must pass; null when the caller bypasses rules. */
export function expansionRule(caller: Caller, expansion: Expansion): CheckedRule | null {
  return caller.admin ? null : (expansion.target?.rules.view ?? null);
}

/**
 * One subquery per expanded relation: the related rows the caller passes
 * the target's view rule for, as JSON, with hidden fields left out.
 */
export function expandSql(
  caller: Caller,
  expansion: Expansion,
  builder: StatementBuilder,
  auth: RecordLike | null,
  now: Date,
  i: number,
  maxItems: number,
): string {
  const { field, target } = expansion;
  if (!target) return 'NULL';
  const rule = expansionRule(caller, expansion);
  if (!caller.admin && !rule) return 'NULL';
  const alias = `_x${i}`;
  const columns = target.fields
    .filter((f) => mayQueryField(caller, f))
    .map((f) => `${alias}.${q(f.name)}`)
    .join(', ');
  const ruleSql = rule ? builder.rule(rule, alias, { auth, now, viewRuleFor: null }) : 'TRUE';
  const column = `t.${q(field.name)}`;
  if (field.many) {
    // One more than the cap, so the answer can say the list was cut.
    const cap = builder.param(maxItems + 1, 'int');
    return `(SELECT jsonb_agg(to_jsonb(_xr) - '__pos' ORDER BY _xr.__pos) FROM (SELECT ${columns}, array_position(${column}, ${alias}.id) AS __pos FROM ${target.table} ${alias} WHERE ${alias}.id = ANY(${column}) AND ${ruleSql} ORDER BY __pos LIMIT ${cap}) _xr)`;
  }
  return `(SELECT to_jsonb(_xr) FROM (SELECT ${columns} FROM ${target.table} ${alias} WHERE ${alias}.id = ${column} AND ${ruleSql}) _xr)`;
}

/** The expansion columns of a SELECT, one subquery each. */
export function expandColumns(
  caller: Caller,
  expansions: readonly Expansion[],
  builder: StatementBuilder,
  auth: RecordLike | null,
  now: Date,
  maxItems: number,
): string[] {
  return expansions.map(
    (e, i) => `${expandSql(caller, e, builder, auth, now, i, maxItems)} AS "${e.column}"`,
  );
}

/** Adds `expand` (and `expandTruncated` where a list was cut at maxItems) to a record. */
export function attachExpansions(
  record: Record<string, unknown>,
  row: Record<string, unknown>,
  expansions: readonly Expansion[],
  maxItems: number,
): Record<string, unknown> {
  if (expansions.length === 0) return record;
  const expand: Record<string, unknown> = {};
  const truncated: string[] = [];
  for (const { field, target, column } of expansions) {
    const value = row[column];
    if (value === null || value === undefined || !target) continue;
    const convert = (item: Record<string, unknown>) => {
      for (const f of target.fields)
        if (Object.hasOwn(item, f.name)) item[f.name] = jsonValue(f, item[f.name]);
      return item;
    };
    if (Array.isArray(value)) {
      const items = value as Record<string, unknown>[];
      if (items.length > maxItems) truncated.push(field.name);
      expand[field.name] = items.slice(0, maxItems).map(convert);
    } else {
      expand[field.name] = convert(value as Record<string, unknown>);
    }
  }
  return truncated.length > 0 ? { ...record, expand, expandTruncated: truncated } : { ...record, expand };
}
