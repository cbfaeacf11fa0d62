import FindMyWay from 'find-my-way';
import { z } from 'zod';
import { parse as parseQuery } from 'node:querystring';
import { cancellableDb } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import { HearthError, isHearthError } from '../errors/index.js';
import { json, noContent, route, type Route, type RouteRequest } from '../http/route.js';
import { fieldProblems, queryParam, validateQuery } from '../http/validate-input.js';
import { Caller } from './caller.js';
import type { ChangeEvent } from './change-events.js';
import type { Collections } from './create-collections.js';
import {
  checkIdempotencyKey,
  claimIdempotencyKey,
  requestHash,
  storeIdempotentResponse,
  type StoredResponse,
} from './idempotency.js';
import type { WriteScope } from './record-service.js';

/** The most requests one `POST /api/batch` may carry. */
export const MAX_BATCH_REQUESTS = 100;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const recordParams = z.object({ name: z.string(), id: z.string() });
const collectionParams = z.object({ name: z.string() });

const viewQuery = z.object({
  expand: queryParam.optional().describe('Comma-separated relation fields to embed (docs/collections.md).'),
  fields: queryParam.optional().describe('Comma-separated fields to return.'),
});
const listQuery = viewQuery.extend({
  filter: queryParam.optional().describe('A rule expression ANDed with the list rule (docs/rules.md).'),
  sort: queryParam.optional().describe('Comma-separated fields, `-` for descending. Default `createdAt`.'),
  limit: queryParam.optional().describe('How many records, 1 to 500 (default 50).'),
  cursor: queryParam.optional().describe('The `nextCursor` of the previous page (same `sort`).'),
  count: queryParam.optional().describe('`true` adds `total`.'),
});
type ListQuery = z.output<typeof listQuery>;

/** A record query that fails: 400 query/invalid naming the first parameter, as the service's own checks do. */
function invalidQuery(issues: readonly z.core.$ZodIssue[]): HearthError {
  const fields = fieldProblems(issues);
  const first = fields[0] ?? { path: '', message: 'is invalid' };
  return new HearthError('query/invalid', `${first.path} ${first.message}.`, {
    details: { param: first.path, fields },
  });
}

/** Only the parameters given: the service tells an absent one from an empty one. */
function listParams(query: ListQuery) {
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params[name] = value;
  return params;
}

const batchBody = z.strictObject({
  requests: z
    .array(
      z.strictObject({
        method: z.enum(['GET', 'POST', 'PATCH', 'DELETE']),
        path: z.string().min(1).max(4096),
        body: z.unknown().optional(),
        headers: z.record(z.string(), z.string()).optional(),
      }),
    )
    .min(1)
    .max(MAX_BATCH_REQUESTS),
});
type BatchRequest = z.output<typeof batchBody>['requests'][number];

function locationOf(collection: string, id: unknown): string {
  return `/api/collections/${encodeURIComponent(collection)}/records/${encodeURIComponent(String(id))}`;
}

/** The record API's paths, matched for a batch's requests exactly as the dispatcher matches them. */
const batchPaths = FindMyWay({ ignoreTrailingSlash: true, caseSensitive: true });
for (const method of ['POST', 'GET'] as const)
  batchPaths.on(method, '/api/collections/:name/records', () => 0);
for (const method of ['GET', 'PATCH', 'DELETE'] as const)
  batchPaths.on(method, '/api/collections/:name/records/:id', () => 0);

interface BatchTarget {
  name: string;
  id: string | undefined;
  query: ListQuery;
}

function batchTarget(request: BatchRequest, index: number): BatchTarget {
  const queryStart = request.path.indexOf('?');
  // A path, not a URL: find-my-way would match the path part of `http://host/api/...` too.
  const found = request.path.startsWith('/api/collections/')
    ? batchPaths.find(request.method, queryStart === -1 ? request.path : request.path.slice(0, queryStart))
    : null;
  if (!found) {
    throw new HearthError('batch/invalid', `Request ${index} is not a record API call.`, {
      details: { index },
    });
  }
  const raw = queryStart === -1 ? {} : parseQuery(request.path.slice(queryStart + 1));
  try {
    return {
      name: found.params.name ?? '',
      id: found.params.id,
      query: validateQuery(listQuery, raw, invalidQuery),
    };
  } catch (error) {
    if (!isHearthError(error)) throw error;
    throw new HearthError(error.code, `Request ${index}: ${error.message}`, {
      details: { index, details: error.details },
    });
  }
}

const batchSummary = `Runs 1 to ${MAX_BATCH_REQUESTS} record API calls in one transaction: all succeed or none does.`;

/** `/api/collections/:name/records[/:id]` and `POST /api/batch`. Thin: parse, call the service, map. */
export function recordRoutes(collections: Collections): Route[] {
  const { records, pool, events, listSlots, writes } = collections;

  async function create({ principal, params, body, ip, headers }: RouteRequest) {
    const { name } = params as { name: string };
    await writes.consume(principal, ip);
    const caller = new Caller(principal);
    const header = headers['idempotency-key'];
    if (header === undefined) {
      const result = await records.create(caller, name, body, { db: pool });
      return json(result.record, 201, { ETag: result.etag, Location: locationOf(name, result.record.id) });
    }
    const key = checkIdempotencyKey(Array.isArray(header) ? header.join(', ') : header);
    const deferred: ChangeEvent[] = [];
    const outcome = await withTransaction(pool, async (db) => {
      const stored = await claimIdempotencyKey(db, caller.scope, key, requestHash(name, body ?? null));
      if (stored) return { response: stored, replayed: true };
      const result = await records.create(caller, name, body, { db, deferred });
      const response: StoredResponse = {
        status: 201,
        body: result.record,
        headers: { ETag: result.etag, Location: locationOf(name, result.record.id) },
      };
      await storeIdempotentResponse(db, caller.scope, key, response);
      return { response, replayed: false };
    });
    events.emitAll(deferred);
    const { status, body: stored, headers: storedHeaders } = outcome.response;
    return json(stored, status, { ...storedHeaders, 'Idempotent-Replayed': String(outcome.replayed) });
  }

  async function batch({
    principal,
    body,
    ip,
    clientGone,
  }: RouteRequest<'anyone', unknown, unknown, z.output<typeof batchBody>>) {
    const caller = new Caller(principal);
    const { requests } = body;
    await writes.consume(principal, ip, requests.filter((request) => request.method !== 'GET').length);
    const targets = requests.map(batchTarget);
    const deferred: ChangeEvent[] = [];
    const lists = requests.some((request, index) => request.method === 'GET' && !targets[index]?.id);
    // Batches may list with caller-written filters: their statements are cancelled if the client disconnects.
    const gone = clientGone();
    const transaction = () =>
      withTransaction(cancellableDb(pool, gone), async (db) => {
        const scope: WriteScope = { db, deferred };
        const out: Array<{ status: number; body: unknown }> = [];
        for (const [index, request] of requests.entries()) {
          const { name, id, query } = targets[index]!;
          const headers = Object.fromEntries(
            Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
          );
          try {
            if (request.method === 'GET' && id === undefined) {
              out.push({ status: 200, body: await records.list(caller, name, listParams(query), db) });
            } else if (request.method === 'GET') {
              const options = { expand: query.expand, fields: query.fields };
              out.push({ status: 200, body: (await records.get(caller, name, id!, options, db)).record });
            } else if (request.method === 'POST') {
              out.push({
                status: 201,
                body: (await records.create(caller, name, request.body, scope)).record,
              });
            } else if (request.method === 'PATCH') {
              const ifMatch = { ifMatch: headers['if-match'] };
              const result = await records.update(caller, name, id!, request.body, ifMatch, scope);
              out.push({ status: 200, body: result.record });
            } else {
              await records.delete(caller, name, id!, { ifMatch: headers['if-match'] }, scope);
              out.push({ status: 204, body: null });
            }
          } catch (error) {
            if (!isHearthError(error)) throw error;
            throw new HearthError(error.code, `Request ${index}: ${error.message}`, {
              details: { index, ...(error.details === undefined ? {} : { details: error.details }) },
              cause: error,
            });
          }
        }
        return out;
      });
    // A batch that lists is as expensive as a list: it takes one of the list slots too.
    const responses = lists ? await listSlots.run(transaction, gone) : await transaction();
    events.emitAll(deferred);
    return json({ responses });
  }

  const ifMatch = (headers: RouteRequest['headers']) => {
    const value = headers['if-match'];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const tag = 'Records';
  const readErrors = [
    'collections/not-found',
    'records/not-found',
    'rules/denied',
    'filter/invalid',
    'filter/too-costly',
    'filter/forbidden-field',
    'query/invalid',
  ] as const;
  const createErrors = [
    'collections/not-found',
    'rules/denied',
    'validation/failed',
    'records/idempotency-mismatch',
    'http/rate-limited',
  ] as const;
  const updateErrors = [
    'collections/not-found',
    'records/not-found',
    'rules/denied',
    'validation/failed',
    'records/precondition-failed',
    'http/rate-limited',
  ] as const;
  const deleteErrors = [
    'collections/not-found',
    'records/not-found',
    'rules/denied',
    'records/precondition-failed',
    'records/referenced',
    'records/cascade-too-deep',
    'http/rate-limited',
  ] as const;
  // A batch fails with the error of the request that failed (its index in details).
  const batchErrors = [
    ...new Set([...readErrors, ...createErrors, ...updateErrors, ...deleteErrors, 'batch/invalid' as const]),
  ];

  return [
    route({
      method: 'GET',
      path: '/api/collections/:name/records',
      operationId: 'listRecords',
      summary: 'List the records the list rule allows.',
      tag,
      caller: 'anyone',
      params: collectionParams,
      query: listQuery,
      invalidQuery,
      responses: { 200: { description: 'A page of records.', schema: ref('RecordPage') } },
      errors: readErrors,
      async handle({ principal, params, query, clientGone }) {
        // Lists run caller-written filters: their statements are cancelled if the client disconnects.
        const gone = clientGone();
        const list = () =>
          records.list(new Caller(principal), params.name, listParams(query), cancellableDb(pool, gone));
        return json(await listSlots.run(list, gone));
      },
    }),
    route({
      method: 'GET',
      path: '/api/collections/:name/records/:id',
      operationId: 'getRecord',
      summary: 'View a record (404 when the view rule hides it).',
      tag,
      caller: 'anyone',
      params: recordParams,
      query: viewQuery,
      invalidQuery,
      responses: {
        200: { description: 'The record.', schema: ref('Record'), headers: { ETag: 'The record version.' } },
      },
      errors: readErrors,
      async handle({ principal, params, query }) {
        const options = { expand: query.expand, fields: query.fields };
        const result = await records.get(new Caller(principal), params.name, params.id, options, pool);
        return json(result.record, 200, { ETag: result.etag });
      },
    }),
    route({
      method: 'POST',
      path: '/api/collections/:name/records',
      operationId: 'createRecord',
      summary: 'Create a record (checked against the create rule).',
      tag,
      caller: 'anyone',
      params: collectionParams,
      requestHeaders: {
        'Idempotency-Key':
          'Makes retries safe for 24 hours: same key and body → same response; another body → 422.',
      },
      bodyDoc: ref('RecordInput'),
      responses: {
        201: {
          description: 'The new record.',
          schema: ref('Record'),
          headers: { ETag: 'The record version.', Location: 'Where the record is.' },
        },
      },
      errors: createErrors,
      handle: create,
    }),
    route({
      method: 'PATCH',
      path: '/api/collections/:name/records/:id',
      operationId: 'updateRecord',
      summary: 'Update some fields of a record (checked against the update rule).',
      tag,
      caller: 'anyone',
      params: recordParams,
      requestHeaders: { 'If-Match': 'An ETag from a read: 412 if the record changed since.' },
      bodyDoc: ref('RecordInput'),
      responses: { 200: { description: 'The updated record.', schema: ref('Record') } },
      errors: updateErrors,
      async handle({ principal, params, body, ip, headers }) {
        await writes.consume(principal, ip);
        const result = await records.update(
          new Caller(principal),
          params.name,
          params.id,
          body,
          { ifMatch: ifMatch(headers) },
          { db: pool },
        );
        return json(result.record, 200, { ETag: result.etag });
      },
    }),
    route({
      method: 'DELETE',
      path: '/api/collections/:name/records/:id',
      operationId: 'deleteRecord',
      summary: 'Delete a record (checked against the delete rule).',
      tag,
      caller: 'anyone',
      params: recordParams,
      requestHeaders: { 'If-Match': 'An ETag from a read: 412 if the record changed since.' },
      responses: { 204: { description: 'Deleted.' } },
      errors: deleteErrors,
      async handle({ principal, params, ip, headers }) {
        await writes.consume(principal, ip);
        await records.delete(
          new Caller(principal),
          params.name,
          params.id,
          { ifMatch: ifMatch(headers) },
          {
            db: pool,
          },
        );
        return noContent();
      },
    }),
    route({
      method: 'POST',
      path: '/api/batch',
      operationId: 'runBatch',
      summary: batchSummary,
      tag,
      caller: 'anyone',
      body: batchBody,
      invalidBody: (issues) =>
        new HearthError(
          'batch/invalid',
          `The body must be {requests: [{method, path, body?}]} with 1 to ${MAX_BATCH_REQUESTS} requests.`,
          { details: { issues: fieldProblems(issues).slice(0, 10) } },
        ),
      responses: {
        200: { description: 'Each request’s status and body, in order.', schema: ref('BatchResult') },
      },
      errors: batchErrors,
      handle: batch,
    }),
  ];
}
