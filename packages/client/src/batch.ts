import type { HttpClient } from './http-client.js';
import { recordPath } from './record-query.js';
import type { CollectionName, CreateOf, RecordOf, UpdateOf } from './record-types.js';

/** One operation of `hearth.batch([...])`. */
export type BatchOperation<Schema> = {
  [Name in CollectionName<Schema>]:
    | { action: 'create'; collection: Name; data: CreateOf<Schema, Name> }
    | {
        action: 'update';
        collection: Name;
        id: string;
        data: UpdateOf<Schema, Name>;
        ifMatch?: string | undefined;
      }
    | { action: 'delete'; collection: Name; id: string; ifMatch?: string | undefined }
    | { action: 'get'; collection: Name; id: string };
}[CollectionName<Schema>];

/** What one operation resolves to: the record, or null for a delete. */
export type BatchResult<Schema, Operation> = Operation extends { action: 'delete' }
  ? null
  : Operation extends { collection: infer Name extends string }
    ? RecordOf<Schema, Name>
    : never;

/** The results, in the order of the operations. */
export type BatchResults<Schema, Operations extends readonly unknown[]> = {
  -readonly [Index in keyof Operations]: BatchResult<Schema, Operations[Index]>;
};

export interface BatchOptions {
  signal?: AbortSignal | undefined;
}

interface BatchRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * `POST /api/batch`: the operations run in one transaction, in order. If one
 * fails, none is applied and the call rejects with that operation's error
 * (`details.index` says which).
 */
export async function runBatch(
  http: HttpClient,
  operations: readonly unknown[],
  options: BatchOptions = {},
): Promise<unknown[]> {
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new TypeError('Hearth: batch() needs a non-empty list of operations.');
  }
  const requests = operations.map((operation, index) => toRequest(operation, index));
  const answer = await http.request<{ responses: Array<{ status: number; body: unknown }> }>(
    'POST',
    '/api/batch',
    { body: { requests }, ...(options.signal === undefined ? {} : { signal: options.signal }) },
  );
  return answer.responses.map((response) => (response.status === 204 ? null : response.body));
}

function toRequest(operation: unknown, index: number): BatchRequest {
  const op = (typeof operation === 'object' && operation !== null ? operation : {}) as Record<
    string,
    unknown
  >;
  const { action, collection, id } = op;
  if (typeof collection !== 'string' || collection === '') {
    throw new TypeError(`Hearth: batch operation ${index} needs a collection name.`);
  }
  const needsId = action === 'update' || action === 'delete' || action === 'get';
  if (needsId && (typeof id !== 'string' || id === '')) {
    throw new TypeError(`Hearth: batch operation ${index} (${String(action)}) needs a record id.`);
  }
  const ifMatch = typeof op['ifMatch'] === 'string' ? { headers: { 'If-Match': op['ifMatch'] } } : {};
  switch (action) {
    case 'create':
      return { method: 'POST', path: recordPath(collection), body: op['data'] ?? {} };
    case 'update':
      return {
        method: 'PATCH',
        path: recordPath(collection, id as string),
        body: op['data'] ?? {},
        ...ifMatch,
      };
    case 'delete':
      return { method: 'DELETE', path: recordPath(collection, id as string), ...ifMatch };
    case 'get':
      return { method: 'GET', path: recordPath(collection, id as string) };
    default:
      throw new TypeError(
        `Hearth: batch operation ${index} has action ${JSON.stringify(action)}; use create, update, delete or get.`,
      );
  }
}
