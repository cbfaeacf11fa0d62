import { describe, expect, it } from 'vitest';
import { signUpTestUser, useApiScenarios } from '@hearth/testkit';

/**
 * One account (or one address) filling the database: record writes are
 * rate limited per user and per client address, on the edge's create and on
 * every Express write alike, and a batch counts each of its writes.
 */

const PER_USER = 5;
const PER_IP = 8;
const open = { list: 'true', view: 'true', create: 'true', update: 'true', delete: 'true' };

let address = 0;
/** A fresh client address (the app trusts X-Forwarded-For from loopback). */
const newAddress = () => ({ 'x-forwarded-for': `198.51.100.${(address += 1)}` });

const api = useApiScenarios({
  env: {
    HEARTH_WRITE_RATE_LIMIT_USER: String(PER_USER),
    HEARTH_WRITE_RATE_LIMIT_IP: String(PER_IP),
    HEARTH_TRUST_PROXY: '127.0.0.1',
  },
  schema: { collections: { notes: { fields: { body: { type: 'text' } }, rules: open } } },
});
const app = () => api.context().app;

const url = '/api/collections/notes/records';
const post = (headers: Record<string, string>) =>
  app().request<{ id: string; error?: { code: string } }>('POST', url, { body: { body: 'spam' }, headers });

async function notesCount(): Promise<number> {
  const { rows } = await app().hearth.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM app.notes');
  return rows[0]?.n ?? -1;
}

describe('the record write rate limit', () => {
  it('one user cannot write past the per-user limit, whatever path the write takes (429 with Retry-After)', async () => {
    const user = await signUpTestUser(app());
    const headers = { ...user.headers, ...newAddress() };
    const created: string[] = [];
    for (let i = 0; i < PER_USER; i += 1) {
      const response = await post(headers);
      expect(response.status).toBe(201);
      created.push(response.body.id);
    }
    const edge = await post(headers);
    expect(edge.status).toBe(429);
    expect(edge.body.error?.code).toBe('http/rate-limited');
    expect(Number(edge.headers.get('retry-after'))).toBeGreaterThan(0);

    // Served by Express, not the edge: the create with an Idempotency-Key, updates, deletes and batches.
    const refusals = await Promise.all([
      post({ ...headers, 'idempotency-key': 'k-1' }),
      app().request('PATCH', `${url}/${created[0]}`, { body: { body: 'x' }, headers }),
      app().request('DELETE', `${url}/${created[0]}`, { headers }),
      app().request('POST', '/api/batch', {
        body: { requests: [{ method: 'POST', path: url, body: { body: 'x' } }] },
        headers,
      }),
    ]);
    expect(refusals.map((r) => r.status)).toEqual([429, 429, 429, 429]);
    // Reads are not writes.
    expect((await app().request('GET', url, { headers })).status).toBe(200);

    // Another account from another address is unaffected.
    const other = await signUpTestUser(app());
    expect((await post({ ...other.headers, ...newAddress() })).status).toBe(201);
  });

  it('a batch counts each of its writes and, refused, writes nothing', async () => {
    const user = await signUpTestUser(app());
    const before = await notesCount();
    const batch = await app().request<{ error: { code: string } }>('POST', '/api/batch', {
      body: {
        requests: Array.from({ length: PER_USER + 1 }, () => ({
          method: 'POST',
          path: url,
          body: { body: 'bulk' },
        })),
      },
      headers: { ...user.headers, ...newAddress() },
    });
    expect(batch.status).toBe(429);
    expect(batch.body.error.code).toBe('http/rate-limited');
    expect(await notesCount()).toBe(before);
  });

  it('one address cannot write past the per-address limit, anonymous or with many accounts', async () => {
    const from = newAddress();
    const statuses: number[] = [];
    for (let i = 0; i < PER_IP; i += 1) statuses.push((await post(from)).status);
    expect(statuses).toEqual(Array.from({ length: PER_IP }, () => 201));
    expect((await post(from)).status).toBe(429);
    const fresh = await signUpTestUser(app());
    expect((await post({ ...fresh.headers, ...from })).status).toBe(429);
    expect((await post(newAddress())).status).toBe(201);
  });

  it('admins and service keys are not limited (imports and seeding)', async () => {
    const from = newAddress();
    const statuses = [];
    for (let i = 0; i < PER_IP + PER_USER; i += 1)
      statuses.push((await post({ ...api.context().key.headers, ...from })).status);
    expect(statuses.every((status) => status === 201)).toBe(true);
  });
});
