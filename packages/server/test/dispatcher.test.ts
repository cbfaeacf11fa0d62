import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyTestSchema,
  createTestAdmin,
  startAppWithOpenSignup,
  type TestApp,
  type TestUser,
} from '@hearth/testkit';

// Every API route is declared once (src/http/route.ts) and served by one
// dispatcher (src/http/dispatcher.ts), with one path-matching behaviour.
// These tests hold it to the contract: ids, CORS, security headers, the
// error table, metrics, and the same matching for every route.

let app: TestApp;
let admin: TestUser;
let recordId: string;

beforeAll(async () => {
  app = await startAppWithOpenSignup();
  admin = await createTestAdmin(app);
  await applyTestSchema(app, admin.headers, {
    collections: {
      notes: { fields: { title: { type: 'text', required: true } }, rules: { list: 'true', view: 'true' } },
    },
  });
  const created = await app.request<{ id: string }>('POST', '/api/collections/notes/records', {
    body: { title: 'hello' },
    headers: admin.headers,
  });
  expect(created.status).toBe(201);
  recordId = created.body.id;
});
afterAll(async () => {
  await app?.close();
});

describe('routes served by the dispatcher', () => {
  it('answer with the record, its ETag, a request id, CORS and the API security headers', async () => {
    const response = await app.fetch(`/api/collections/notes/records/${recordId}`, {
      headers: { origin: 'https://app.example', 'x-request-id': 'edge-1' },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { title: string }).title).toBe('hello');
    expect(response.headers.get('etag')).toMatch(/^"\d+"$/);
    expect(response.headers.get('x-request-id')).toBe('edge-1');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toContain('ETag');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('lists, a repeated query key refused', async () => {
    const { status, body } = await app.request<{ items: unknown[] }>(
      'GET',
      '/api/collections/notes/records?limit=5&filter=title%20%3D%3D%20%22hello%22',
    );
    expect(status).toBe(200);
    expect(body.items).toHaveLength(1);
    const repeated = await app.request<{ error: { code: string } }>(
      'GET',
      '/api/collections/notes/records?limit=1&limit=2',
    );
    expect(repeated.status).toBe(400);
    expect(repeated.body.error.code).toBe('query/invalid');
  });

  it('answer HEAD with the headers and no body', async () => {
    const response = await app.fetch(`/api/collections/notes/records/${recordId}`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(Number(response.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await response.text()).toBe('');
  });

  it('map errors through the one error table, with the same headers', async () => {
    const missing = await app.fetch('/api/collections/nothing/records/x');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('collections/not-found');
    expect(missing.headers.get('x-content-type-options')).toBe('nosniff');
    expect(missing.headers.get('x-request-id')).toBeTruthy();

    const badToken = await app.fetch(`/api/collections/notes/records/${recordId}`, {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(badToken.status).toBe(401);
    expect(((await badToken.json()) as { error: { code: string } }).error.code).toMatch(/^auth\//);
  });

  it('refuse malformed paths, and check a GET body as any other', async () => {
    const malformed = await app.fetch('/api/collections/%E0%A4%A/records');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('http/malformed-url');

    // A body is checked the same way on every route: not JSON is 415.
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(`${app.url}/api/collections/notes/records`, {
        method: 'GET',
        headers: { 'content-type': 'text/plain', 'content-length': '5' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
      request.end('hello');
    });
    expect(status).toBe(415);
  });

  it('answer CORS preflights', async () => {
    const response = await app.fetch('/api/collections/notes/records', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('create records: 201 with Location, ETag and the API security headers', async () => {
    const response = await app.fetch('/api/collections/notes/records', {
      method: 'POST',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'from the dispatcher' }),
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; title: string };
    expect(created.title).toBe('from the dispatcher');
    expect(response.headers.get('location')).toBe(`/api/collections/notes/records/${created.id}`);
    expect(response.headers.get('etag')).toMatch(/^"\d+"$/);
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    const denied = await app.request<{ error: { code: string } }>('POST', '/api/collections/notes/records', {
      body: { title: 'anonymous' },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('rules/denied');
  });

  it('check a create body as every body is checked', async () => {
    const post = async (body: string, contentType = 'application/json') => {
      const response = await app.fetch('/api/collections/notes/records', {
        method: 'POST',
        headers: { ...admin.headers, 'content-type': contentType },
        body,
      });
      const json = (await response.json()) as { error?: { code: string; details?: { key?: string } } };
      return { status: response.status, code: json.error?.code, key: json.error?.details?.key };
    };
    expect(await post('{"title": "x"', 'application/json')).toMatchObject({
      status: 400,
      code: 'http/invalid-json',
    });
    expect(await post('title=x', 'application/x-www-form-urlencoded')).toMatchObject({
      status: 415,
      code: 'http/unsupported-media-type',
    });
    expect(await post('{"title": "x", "__proto__": {"admin": true}}')).toMatchObject({
      status: 400,
      code: 'http/forbidden-key',
      key: '__proto__',
    });
    expect(await post(JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024) }))).toMatchObject({
      status: 413,
      code: 'http/payload-too-large',
    });
    expect(await post('[1, 2]')).toMatchObject({ status: 400, code: 'validation/failed' });
    expect(await post('')).toMatchObject({ status: 400, code: 'validation/failed' });
  });

  it('store and replay a create with an Idempotency-Key, with the API headers', async () => {
    const send = () =>
      app.fetch('/api/collections/notes/records', {
        method: 'POST',
        headers: { ...admin.headers, 'content-type': 'application/json', 'idempotency-key': 'edge-create-1' },
        body: JSON.stringify({ title: 'once' }),
      });
    const first = await send();
    const second = await send();
    expect(first.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(((await second.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(first.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('are measured under their route template', async () => {
    const text = await (await app.fetch('/metrics')).text();
    expect(text).toMatch(/route="\/api\/collections\/:name\/records\/:id",status="200"/);
    expect(text).toMatch(/route="\/api\/collections\/:name\/records",status="200"/);
    expect(text).toMatch(/method="POST",route="\/api\/collections\/:name\/records",status="201"/);
    expect(text).not.toContain(recordId);
  });
});

describe('one path-matching behaviour for every route', () => {
  // One route of each domain, as declared, then altered.
  const declared = [
    { method: 'GET', path: () => `/api/collections/notes/records/${recordId}`, headers: () => ({}) },
    { method: 'GET', path: () => '/api/collections/notes/records', headers: () => ({}) },
    { method: 'GET', path: () => '/api/auth/me', headers: () => admin.headers },
    { method: 'GET', path: () => '/api/admin/users', headers: () => admin.headers },
    { method: 'GET', path: () => '/api/admin/schema', headers: () => admin.headers },
    { method: 'GET', path: () => '/ready', headers: () => ({}) },
  ];

  it.each(declared)('$method $path: matched case-sensitively, a trailing slash ignored', async (r) => {
    const path = r.path();
    const exact = await app.fetch(path, { headers: r.headers() });
    expect(exact.status, path).toBe(200);
    const slash = await app.fetch(`${path}/`, { headers: r.headers() });
    expect(slash.status, `${path}/`).toBe(200);
    const upper = await app.fetch(path.toUpperCase().replace(recordId.toUpperCase(), recordId), {
      headers: r.headers(),
    });
    expect(upper.status, path.toUpperCase()).toBe(404);
    expect(((await upper.json()) as { error: { code: string } }).error.code).toBe('http/not-found');
  });

  it('decodes percent-encoded parameters the same way everywhere', async () => {
    const encoded = await app.fetch(`/api/collections/%6Eotes/records/${recordId}`);
    expect(encoded.status).toBe(200);
    const inBatch = await app.request<{ responses: Array<{ body: { id: string } }> }>('POST', '/api/batch', {
      body: { requests: [{ method: 'GET', path: `/api/collections/%6Eotes/records/${recordId}` }] },
      headers: admin.headers,
    });
    expect(inBatch.status).toBe(200);
    expect(inBatch.body.responses[0]?.body.id).toBe(recordId);
  });

  it('refuses a repeated query key in a batch request as the list route does', async () => {
    const list = await app.request<{ error: { code: string } }>(
      'GET',
      '/api/collections/notes/records?limit=1&limit=2',
    );
    const inBatch = await app.request<{ error: { code: string; details: { index: number } } }>(
      'POST',
      '/api/batch',
      {
        body: { requests: [{ method: 'GET', path: '/api/collections/notes/records?limit=1&limit=2' }] },
        headers: admin.headers,
      },
    );
    expect([list.status, list.body.error.code]).toEqual([400, 'query/invalid']);
    expect([inBatch.status, inBatch.body.error.code]).toEqual([400, 'query/invalid']);
    expect(inBatch.body.error.details.index).toBe(0);
  });

  it.each([
    '/API/Collections/notes/records',
    'http://elsewhere.example/api/collections/notes/records',
    '//api/collections/notes/records',
    '/api/collections/notes/records/../../admin/users',
  ])(
    'refuses %s as a batch request: only record API paths, matched as the API matches them',
    async (path) => {
      const inBatch = await app.request<{ error: { code: string } }>('POST', '/api/batch', {
        body: { requests: [{ method: 'GET', path }] },
        headers: admin.headers,
      });
      expect([inBatch.status, inBatch.body.error.code]).toEqual([400, 'batch/invalid']);
    },
  );
});
