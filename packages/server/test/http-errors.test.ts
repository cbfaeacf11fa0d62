import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '@hearth/testkit';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ HEARTH_BODY_LIMIT: '1kb' });
});
afterAll(async () => {
  await app?.close();
});

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

const cases: Array<{
  name: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  code: string;
}> = [
  { name: 'unknown route', method: 'GET', path: '/nope', status: 404, code: 'http/not-found' },
  {
    name: 'malformed percent-encoding in a path parameter',
    method: 'DELETE',
    path: '/api/collections/x/records/%E0%A4%A',
    status: 400,
    code: 'http/malformed-url',
  },
  {
    name: 'unknown api route',
    method: 'DELETE',
    path: '/api/nothing/here',
    status: 404,
    code: 'http/not-found',
  },
  {
    name: 'malformed JSON',
    method: 'POST',
    path: '/api/auth/login',
    body: '{"a":',
    status: 400,
    code: 'http/invalid-json',
  },
  {
    name: 'JSON with trailing junk',
    method: 'POST',
    path: '/api/auth/login',
    body: '{"a":1} x',
    status: 400,
    code: 'http/invalid-json',
  },
  {
    name: 'bare NUL byte body',
    method: 'POST',
    path: '/api/auth/login',
    body: '\u0000',
    status: 400,
    code: 'http/invalid-json',
  },
  {
    name: 'oversized body',
    method: 'POST',
    path: '/api/auth/login',
    body: JSON.stringify({ a: 'x'.repeat(2048) }),
    status: 413,
    code: 'http/payload-too-large',
  },
  {
    name: 'text/plain body',
    method: 'POST',
    path: '/api/auth/login',
    body: 'hello',
    headers: { 'content-type': 'text/plain' },
    status: 415,
    code: 'http/unsupported-media-type',
  },
  {
    name: 'form-encoded body',
    method: 'PATCH',
    path: '/api/auth/me',
    body: 'a=1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    code: 'http/unsupported-media-type',
  },
  {
    name: 'body with no content type',
    method: 'POST',
    path: '/api/auth/login',
    body: '{}',
    headers: { 'content-type': '' },
    status: 415,
    code: 'http/unsupported-media-type',
  },
  {
    name: 'multipart to a JSON route',
    method: 'POST',
    path: '/api/auth/login',
    body: '--b\r\n\r\nx\r\n--b--',
    headers: { 'content-type': 'multipart/form-data; boundary=b' },
    status: 415,
    code: 'http/unsupported-media-type',
  },
  {
    name: 'non-UTF-8 charset',
    method: 'POST',
    path: '/api/auth/login',
    body: '{}',
    headers: { 'content-type': 'application/json; charset=latin1' },
    status: 415,
    code: 'http/unsupported-media-type',
  },
  {
    name: '__proto__ key at the top',
    method: 'POST',
    path: '/api/auth/login',
    body: '{"__proto__":{"polluted":true}}',
    status: 400,
    code: 'http/forbidden-key',
  },
  {
    name: 'constructor.prototype nested',
    method: 'POST',
    path: '/api/auth/login',
    body: '{"a":[{"constructor":{"prototype":{"polluted":true}}}]}',
    status: 400,
    code: 'http/forbidden-key',
  },
  {
    name: 'escaped __proto__ key',
    method: 'POST',
    path: '/api/auth/login',
    body: '{"\\u005f_proto__":{"polluted":true}}',
    status: 400,
    code: 'http/forbidden-key',
  },
  {
    name: 'well-formed body to an unknown route',
    method: 'POST',
    path: '/api/x',
    body: '{"a":1}',
    status: 404,
    code: 'http/not-found',
  },
];

describe('malformed requests get a documented 4xx, never a 500', () => {
  it.each(cases)('$name → $status $code', async ({ method, path, body, headers, status, code }) => {
    const response = await app.fetch(path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body }),
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const json = (await response.json()) as ErrorBody;
    expect(json.error.code).toBe(code);
    expect(typeof json.error.message).toBe('string');
    expect(JSON.stringify(json)).not.toMatch(/at .*\.(js|ts):\d+/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives a deeply nested body without a stack overflow', async () => {
    const app2 = await startTestApp({ HEARTH_BODY_LIMIT: '2mb' });
    try {
      const depth = 200_000;
      const body = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const response = await app2.fetch('/api/x', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect([400, 404]).toContain(response.status);
    } finally {
      await app2.close();
    }
  });
});

describe('HTTP hygiene', () => {
  it('sets security headers and hides the framework', async () => {
    const response = await app.fetch('/health');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('echoes a safe X-Request-Id and replaces an unsafe one', async () => {
    const kept = await app.fetch('/health', { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const replaced = await app.fetch('/health', { headers: { 'x-request-id': 'bad id\u00e9<script>' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers CORS preflights for any origin by default', async () => {
    const response = await app.fetch('/api/collections/posts/records', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('limits CORS to the configured origins', async () => {
    const limited = await startTestApp({ HEARTH_CORS_ORIGINS: 'https://good.example' });
    try {
      const good = await limited.fetch('/health', { headers: { origin: 'https://good.example' } });
      expect(good.headers.get('access-control-allow-origin')).toBe('https://good.example');
      const evil = await limited.fetch('/health', { headers: { origin: 'https://evil.example' } });
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await limited.close();
    }
  });
});
