import type { SchemaDocument } from './document.js';
import { RuleError, type RuleErrorCode } from './rule-error.js';
import { quoteIdentifier, toSchemaModel, type FieldModel, type SchemaModel } from './schema-model.js';
import { didYouMean } from './suggest-name.js';

export interface SortKey {
  field: string;
  direction: 'asc' | 'desc';
  fieldModel: FieldModel;
}

export interface ParseSortOptions {
  schema: SchemaDocument | SchemaModel;
  collection: string;
  /** Refuse hidden fields (non-admin callers). Default true. */
  forbidHidden?: boolean;
  maxKeys?: number;
}

/**
 * Parses the `sort` parameter (`-createdAt,title`): comma-separated field names,
 * `-` for descending, `+` or nothing for ascending. Only scalar fields of the
 * collection itself; no json and no lists.
 */
export function parseSort(text: string, options: ParseSortOptions): SortKey[] {
  const model = toSchemaModel(options.schema);
  const collection = model.collections.get(options.collection);
  if (!collection) throw new TypeError(`parseSort: unknown collection ${JSON.stringify(options.collection)}`);
  const maxKeys = options.maxKeys ?? 8;
  const fail = (code: RuleErrorCode, detail: string, offset: number, length = 1): never => {
    throw new RuleError({
      code,
      detail,
      source: text,
      position: { offset, line: 1, col: offset + 1 },
      length,
      label: 'sort',
    });
  };
  if (typeof text !== 'string' || text.length > 1024) fail('rules/too-complex', 'sort is too long', 0);
  const keys: SortKey[] = [];
  const seen = new Set<string>();
  let offset = 0;
  for (const part of text.split(',')) {
    const start = offset;
    offset += part.length + 1;
    const trimmed = part.trim();
    const at = start + part.indexOf(trimmed);
    if (trimmed === '') fail('rules/syntax', 'empty sort key', start);
    if (keys.length >= maxKeys) fail('rules/too-complex', `at most ${maxKeys} sort keys`, at);
    const direction = trimmed.startsWith('-') ? 'desc' : 'asc';
    const name = trimmed.startsWith('-') || trimmed.startsWith('+') ? trimmed.slice(1) : trimmed;
    const nameAt = at + (trimmed.length - name.length);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      fail('rules/syntax', `"${trimmed}" is not a field name`, at, trimmed.length);
    const field = collection.fields.get(name);
    if (!field)
      fail(
        'rules/unknown-name',
        `unknown field "${name}" in ${collection.name}${didYouMean(name, collection.fields.keys())}`,
        nameAt,
        name.length,
      );
    const f = field as FieldModel;
    if (f.hidden && (options.forbidHidden ?? true))
      fail('rules/hidden-field', `field "${name}" is hidden and cannot be sorted on`, nameAt, name.length);
    if (f.type === 'json' || f.many)
      fail(
        'rules/type-mismatch',
        `cannot sort on ${f.type === 'json' ? 'a json field' : 'a list of ids'}`,
        nameAt,
        name.length,
      );
    if (seen.has(name)) fail('rules/syntax', `"${name}" is sorted on twice`, nameAt, name.length);
    seen.add(name);
    keys.push({ field: name, direction, fieldModel: f });
  }
  return keys;
}

/** `t."createdAt" DESC, t."title" ASC` for validated keys. */
export function compileSortToSql(keys: readonly SortKey[], alias = 't'): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(alias)) throw new TypeError('compileSortToSql: invalid alias');
  return keys
    .map((k) => `${alias}.${quoteIdentifier(k.field)} ${k.direction === 'desc' ? 'DESC' : 'ASC'}`)
    .join(', ');
}
