import type { QueryValue } from './url-params.js';

/** What the list and view endpoints take, before it becomes a query string. */
export interface RecordQueryInput {
  filter?: string | undefined;
  sort?: string | readonly string[] | undefined;
  limit?: number | undefined;
  cursor?: string | null | undefined;
  expand?: readonly string[] | undefined;
  fields?: readonly string[] | undefined;
  count?: boolean | undefined;
}

/** `?filter=&sort=&limit=&cursor=&expand=&fields=&count=` with empty parts left out. */
export function recordQuery(input: RecordQueryInput): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = {};
  if (input.filter !== undefined && input.filter.trim() !== '') query['filter'] = input.filter;
  const sort = typeof input.sort === 'string' ? input.sort : input.sort?.join(',');
  if (sort !== undefined && sort !== '') query['sort'] = sort;
  if (input.limit !== undefined) {
    if (!Number.isInteger(input.limit) || input.limit < 1) {
      throw new TypeError(`Hearth: limit must be a whole number of at least 1 (got ${String(input.limit)}).`);
    }
    query['limit'] = input.limit;
  }
  if (input.cursor !== undefined && input.cursor !== null && input.cursor !== '')
    query['cursor'] = input.cursor;
  if (input.expand !== undefined && input.expand.length > 0) query['expand'] = input.expand.join(',');
  if (input.fields !== undefined && input.fields.length > 0) query['fields'] = input.fields.join(',');
  if (input.count === true) query['count'] = 'true';
  return query;
}

/** `/api/collections/:name/records[/:id]`, each part encoded. */
export function recordPath(collection: string, id?: string): string {
  const base = `/api/collections/${encodeURIComponent(collection)}/records`;
  return id === undefined ? base : `${base}/${encodeURIComponent(id)}`;
}
