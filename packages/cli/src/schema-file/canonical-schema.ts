import type { SchemaDocument } from '@hearth/schema';

/**
 * A stable layout for a schema document: the same document always prints the
 * same text, whatever key order the server stored it in, so `schema pull`
 * output diffs cleanly and pull-then-push changes nothing.
 */
const TOP = ['$schema', 'collections', 'buckets', 'channels'];
const COLLECTION = ['description', 'renamedFrom', 'fields', 'indexes', 'rules'];
const FIELD = [
  'type',
  'to',
  'many',
  'values',
  'required',
  'unique',
  'hidden',
  'default',
  'min',
  'max',
  'integer',
  'onDelete',
  'cascade',
  'maxSize',
  'types',
  'renamedFrom',
  'description',
];
const RULES = [
  'list',
  'view',
  'create',
  'update',
  'delete',
  'read',
  'write',
  'join',
  'broadcast',
  'presence',
];
const BUCKET = ['description', 'maxSize', 'types', 'rules'];
const CHANNEL = ['description', 'rules'];
const INDEX = ['fields', 'unique'];

export function canonicalSchema(document: SchemaDocument): SchemaDocument {
  const top = ordered(document as Record<string, unknown>, TOP);
  if (isObject(top.collections))
    top.collections = mapSorted(top.collections, (collection) => {
      const c = ordered(collection, COLLECTION);
      if (isObject(c.fields)) c.fields = mapSorted(c.fields, (field) => ordered(field, FIELD));
      if (Array.isArray(c.indexes))
        c.indexes = c.indexes.map((index) => (isObject(index) ? ordered(index, INDEX) : index));
      if (isObject(c.rules)) c.rules = ordered(c.rules, RULES);
      return c;
    });
  if (isObject(top.buckets))
    top.buckets = mapSorted(top.buckets, (bucket) => {
      const b = ordered(bucket, BUCKET);
      if (isObject(b.rules)) b.rules = ordered(b.rules, RULES);
      return b;
    });
  if (isObject(top.channels))
    top.channels = mapSorted(top.channels, (channel) => {
      const c = ordered(channel, CHANNEL);
      if (isObject(c.rules)) c.rules = ordered(c.rules, RULES);
      return c;
    });
  return top as SchemaDocument;
}

export function formatSchemaDocument(document: SchemaDocument): string {
  return `${JSON.stringify(canonicalSchema(document), null, 2)}\n`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Known keys in their usual order, then any others alphabetically. */
function ordered(value: Record<string, unknown>, order: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of order) if (Object.hasOwn(value, key) && value[key] !== undefined) out[key] = value[key];
  for (const key of Object.keys(value).sort())
    if (!Object.hasOwn(out, key) && value[key] !== undefined) out[key] = value[key];
  return out;
}

function mapSorted(
  value: Record<string, unknown>,
  each: (item: Record<string, unknown>) => Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = value[key];
    out[key] = isObject(item) ? each(item) : item;
  }
  return out;
}
