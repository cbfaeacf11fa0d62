import { Router, type Request } from 'express';
import { z } from 'zod';
import { anonymous } from '../auth/principal.js';
import { cancellableDb, type Pool } from '../db/pool.js';
import type { EdgeRoute } from '../http/edge-routes.js';
import { requestSignalOf } from '../db/query-cancellation.js';
import type { ConcurrencyLimit } from '../lib/concurrency-limit.js';
import { withTransaction } from '../db/transaction.js';
import { HearthError, isHearthError } from '../errors/index.js';
import { Caller } from './caller.js';
import type { ChangeEvent, ChangeEvents } from './change-events.js';
import {
  checkIdempotencyKey,
  claimIdempotencyKey,
  requestHash,
  storeIdempotentResponse,
  type StoredResponse,
} from './idempotency.js';
import type { ListParams, RecordService, WriteScope } from './record-service.js';
import type { WriteRateLimit } from './write-rate-limit.js';
import { clientInfo } from '../auth/client-info.js';

/** The most requests one `POST /api/batch` may carry. */
export const MAX_BATCH_REQUESTS = 100;

const LIST_PARAMS = ['filter', 'sort', 'limit', 'cursor', 'expand', 'fields', 'count'] as const;

function callerOf(req: Request): Caller {
  return new Caller(req.principal ?? anonymous);
}

function single(value: unknown, param: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new HearthError('query/invalid', `${param} may be given once.`, { details: { param } });
  }
  return value;
}

function listParams(query: Record<string, unknown>): ListParams {
  const params: ListParams = {};
  for (const name of LIST_PARAMS) {
    const value = single(query[name], name);
    if (value !== undefined) params[name] = value;
  }
  return params;
}

function locationOf(collection: string, id: unknown): string {
  return `/api/collections/${encodeURIComponent(collection)}/records/${encodeURIComponent(String(id))}`;
}

const batchSchema = z.strictObject({
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

const BATCH_PATH = /^\/api\/collections\/([^/]+)\/records(?:\/([^/]+))?$/;

/**
 * Listing and viewing records: the hottest reads, served by the edge before
 * Express (src/http/edge.ts). Thin: parse, call the service, map.
 */
export function recordEdgeRoutes(
  records: RecordService,
  pool: Pool,
  listSlots: ConcurrencyLimit,
  writes: WriteRateLimit,
): EdgeRoute[] {
  return [
    {
      method: 'GET',
      template: '/api/collections/:name/records',
      async handle({ principal, params, query, clientGone }) {
        // Lists run caller-written filters: their statements are cancelled if the client disconnects.
        const gone = clientGone();
        const list = () =>
          records.list(
            new Caller(principal),
            params.name ?? '',
            listParams(query),
            cancellableDb(pool, gone),
          );
        return { body: await listSlots.run(list, gone) };
      },
    },
    {
      method: 'GET',
      template: '/api/collections/:name/records/:id',
      async handle({ principal, params, query }) {
        const options = { expand: single(query.expand, 'expand'), fields: single(query.fields, 'fields') };
        const result = await records.get(
          new Caller(principal),
          params.name ?? '',
          params.id ?? '',
          options,
          pool,
        );
        return { headers: { ETag: result.etag }, body: result.record };
      },
    },
    {
      method: 'POST',
      template: '/api/collections/:name/records',
      // A create with an Idempotency-Key needs its transaction and stored reply: Express serves it.
      serves: (headers) => headers['idempotency-key'] === undefined,
      async handle({ principal, params, body, ip }) {
        await writes.consume(principal, ip);
        const name = params.name ?? '';
        const result = await records.create(new Caller(principal), name, body, { db: pool });
        return {
          status: 201,
          headers: { ETag: result.etag, Location: locationOf(name, result.record.id) },
          body: result.record,
        };
      },
    },
  ];
}

/**
 * Writes to `/api/collections/:name/records[/:id]` and `POST /api/batch`. Thin: parse, call the service, map.
 * Every write is counted against the write rate limit first, as the edge's create is.
 */
export function recordRoutes(
  records: RecordService,
  pool: Pool,
  events: ChangeEvents,
  listSlots: ConcurrencyLimit,
  writes: WriteRateLimit,
): Router {
  const router = Router();
  const countWrites = (req: Request, n = 1) =>
    writes.consume(req.principal ?? anonymous, clientInfo(req).ip, n);
  // Batches may list with caller-written filters: their statements are cancelled if the client
  // disconnects. Single-record writes are bounded by the statement budget.
  const dbFor = (req: Request) => cancellableDb(pool, requestSignalOf(req));

  router.post('/api/collections/:name/records', async (req, res) => {
    await countWrites(req);
    const caller = callerOf(req);
    const name = req.params.name;
    const header = req.get('idempotency-key');
    if (header === undefined) {
      const result = await records.create(caller, name, req.body, { db: pool });
      res
        .status(201)
        .set('ETag', result.etag)
        .location(locationOf(name, result.record.id))
        .json(result.record);
      return;
    }
    const key = checkIdempotencyKey(header);
    const deferred: ChangeEvent[] = [];
    const outcome = await withTransaction(pool, async (db) => {
      const stored = await claimIdempotencyKey(db, caller.scope, key, requestHash(name, req.body ?? null));
      if (stored) return { response: stored, replayed: true };
      const result = await records.create(caller, name, req.body, { db, deferred });
      const response: StoredResponse = {
        status: 201,
        body: result.record,
        headers: { ETag: result.etag, Location: locationOf(name, result.record.id) },
      };
      await storeIdempotentResponse(db, caller.scope, key, response);
      return { response, replayed: false };
    });
    events.emitAll(deferred);
    res
      .status(outcome.response.status)
      .set(outcome.response.headers)
      .set('Idempotent-Replayed', String(outcome.replayed))
      .json(outcome.response.body);
  });

  router.patch('/api/collections/:name/records/:id', async (req, res) => {
    await countWrites(req);
    const result = await records.update(
      callerOf(req),
      req.params.name,
      req.params.id,
      req.body,
      { ifMatch: req.get('if-match') },
      { db: pool },
    );
    res.set('ETag', result.etag).json(result.record);
  });

  router.delete('/api/collections/:name/records/:id', async (req, res) => {
    await countWrites(req);
    await records.delete(
      callerOf(req),
      req.params.name,
      req.params.id,
      { ifMatch: req.get('if-match') },
      { db: pool },
    );
    res.status(204).end();
  });

  router.post('/api/batch', async (req, res) => {
    const parsed = batchSchema.safeParse(req.body);
    if (!parsed.success) {
      throw new HearthError(
        'batch/invalid',
        `The body must be {requests: [{method, path, body?}]} with 1 to ${MAX_BATCH_REQUESTS} requests.`,
        {
          details: {
            issues: parsed.error.issues
              .slice(0, 10)
              .map((i) => ({ path: i.path.join('.'), message: i.message })),
          },
        },
      );
    }
    const caller = callerOf(req);
    const requests = parsed.data.requests;
    await countWrites(req, requests.filter((request) => request.method !== 'GET').length);
    const targets = requests.map((request, index) => {
      const url = new URL(request.path, 'http://batch.invalid');
      const match = BATCH_PATH.exec(url.pathname);
      const name = match?.[1];
      const id = match?.[2];
      const valid =
        match !== null &&
        name !== undefined &&
        (request.method === 'POST' ? id === undefined : request.method === 'GET' || id !== undefined);
      if (!valid || !request.path.startsWith('/api/collections/')) {
        throw new HearthError('batch/invalid', `Request ${index} is not a record API call.`, {
          details: { index },
        });
      }
      return {
        name: decodeURIComponent(name),
        id: id === undefined ? undefined : decodeURIComponent(id),
        query: url.searchParams,
      };
    });
    const deferred: ChangeEvent[] = [];
    const lists = requests.some((request, index) => request.method === 'GET' && !targets[index]?.id);
    const transaction = () =>
      withTransaction(dbFor(req), async (db) => {
        const scope: WriteScope = { db, deferred };
        const out: Array<{ status: number; body: unknown }> = [];
        for (const [index, request] of requests.entries()) {
          const { name, id, query } = targets[index] as (typeof targets)[number];
          const headers = Object.fromEntries(
            Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
          );
          try {
            if (request.method === 'GET' && id === undefined) {
              const params = listParams(Object.fromEntries(query));
              out.push({ status: 200, body: await records.list(caller, name, params, db) });
            } else if (request.method === 'GET') {
              const params = {
                expand: query.get('expand') ?? undefined,
                fields: query.get('fields') ?? undefined,
              };
              out.push({
                status: 200,
                body: (await records.get(caller, name, id as string, params, db)).record,
              });
            } else if (request.method === 'POST') {
              out.push({
                status: 201,
                body: (await records.create(caller, name, request.body, scope)).record,
              });
            } else if (request.method === 'PATCH') {
              const result = await records.update(
                caller,
                name,
                id as string,
                request.body,
                { ifMatch: headers['if-match'] },
                scope,
              );
              out.push({ status: 200, body: result.record });
            } else {
              await records.delete(caller, name, id as string, { ifMatch: headers['if-match'] }, scope);
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
    const responses = lists ? await listSlots.run(transaction, requestSignalOf(req)) : await transaction();
    events.emitAll(deferred);
    res.json({ responses });
  });

  return router;
}
