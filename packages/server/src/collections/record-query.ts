import {
  checkFilter,
  filterCost,
  isRuleError,
  parseSort as parseSortText,
  type CheckedRule,
  type FieldModel,
  type SortKey,
} from '@hearth/schema';
import { HearthError } from '../errors/index.js';
import type { Caller } from './caller.js';
import type { LiveCollection, LiveSchema } from './live-schema.js';
import { mayQueryField } from './record-access.js';

/** Parses the record API's query parameters (filter, sort, limit, fields, expand, count) into checked values. */

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 200;
export const MAX_EXPAND = 8;

export function queryError(param: string, message: string): HearthError {
  return new HearthError('query/invalid', message, { details: { param } });
}

function hiddenField(param: string, name: string): HearthError {
  return new HearthError('filter/forbidden-field', `Field "${name}" is hidden.`, {
    details: { param, field: name },
  });
}

/** A rule error in a filter or sort, as the API's error: a hidden field is its own code. */
function queryRuleError(error: unknown, code: 'filter/invalid' | 'query/invalid', details: object): unknown {
  if (!isRuleError(error)) return error;
  return new HearthError(
    error.code === 'rules/hidden-field' ? 'filter/forbidden-field' : code,
    error.message,
    {
      details: { ...details, ...error.toJSON() },
    },
  );
}

/** `a, b` → ['a', 'b'], bounded. */
export function nameList(value: string | undefined, param: string, max: number): string[] {
  if (value === undefined || value.trim() === '') return [];
  if (value.length > 2048) throw queryError(param, `${param} is too long.`);
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw queryError(param, `${param} has an empty entry.`);
  if (items.length > max) throw queryError(param, `${param} may name at most ${max} fields.`);
  return items;
}

export function parseLimit(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_LIMIT;
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT) {
    throw queryError('limit', `limit must be a whole number from 1 to ${MAX_LIMIT}.`);
  }
  return Number(value);
}

export function parseCount(value: string | undefined): boolean {
  if (value !== undefined && !['true', '1', 'false', '0', ''].includes(value)) {
    throw queryError('count', 'count must be true or false.');
  }
  return value === 'true' || value === '1';
}

export function parseFields(caller: Caller, collection: LiveCollection, value: string | undefined): string[] {
  const fields = nameList(value, 'fields', 256);
  for (const name of fields) {
    const field = collection.model.fields.get(name);
    if (!field) throw queryError('fields', `${collection.name} has no field "${name}".`);
    if (!mayQueryField(caller, field)) throw hiddenField('fields', name);
  }
  return fields;
}

/** A relation to expand, and the column its JSON comes back in. */
export interface Expansion {
  field: FieldModel;
  target: LiveCollection | undefined;
  column: string;
}

export function parseExpand(
  caller: Caller,
  schema: LiveSchema,
  collection: LiveCollection,
  value: string | undefined,
): Expansion[] {
  return nameList(value, 'expand', MAX_EXPAND).map((name, i) => {
    const field = collection.model.fields.get(name);
    if (!field || field.type !== 'relation' || field.target === null) {
      throw queryError('expand', `"${name}" is not a relation field of ${collection.name}.`);
    }
    if (!mayQueryField(caller, field)) throw hiddenField('expand', name);
    return { field, target: schema.collections.get(field.target), column: `__x${i}` };
  });
}

/** The client's filter, checked against the schema and bounded in cost; null when there is none. */
export function parseFilter(
  caller: Caller,
  schema: LiveSchema,
  collection: LiveCollection,
  filter: string | undefined,
  maxCost: number,
): CheckedRule | null {
  if (filter === undefined || filter.trim() === '') return null;
  let checked: CheckedRule;
  try {
    checked = checkFilter(filter, {
      schema: schema.model,
      collection: collection.name,
      forbidHidden: !caller.admin,
    });
  } catch (error) {
    throw queryRuleError(error, 'filter/invalid', {});
  }
  const { cost } = filterCost(checked, caller.admin ? undefined : schema.viewRuleFor);
  if (cost > maxCost) {
    throw new HearthError(
      'filter/too-costly',
      `The filter would cost ${cost} (terms × relation hops, with the view rules each hop must pass); the limit is ${maxCost}.`,
      { details: { param: 'filter', cost, limit: maxCost } },
    );
  }
  return checked;
}

/** The sort keys; by createdAt when none is given. */
export function parseSort(
  caller: Caller,
  schema: LiveSchema,
  collection: LiveCollection,
  sort: string | undefined,
): SortKey[] {
  if (sort === undefined || sort.trim() === '') {
    return [
      {
        field: 'createdAt',
        direction: 'asc',
        fieldModel: collection.model.fields.get('createdAt') as FieldModel,
      },
    ];
  }
  try {
    return parseSortText(sort, {
      schema: schema.model,
      collection: collection.name,
      forbidHidden: !caller.admin,
    });
  } catch (error) {
    throw queryRuleError(error, 'query/invalid', { param: 'sort' });
  }
}

/** `-createdAt,title`: what a cursor is bound to. */
export function sortText(keys: readonly SortKey[]): string {
  return keys.map((k) => `${k.direction === 'desc' ? '-' : ''}${k.field}`).join(',');
}
