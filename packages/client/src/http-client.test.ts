import { describe, expect, it, vi } from 'vitest';
import { HearthError } from './hearth-error.js';
import { HttpClient, type FetchLike } from './http-client.js';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function clientWith(fetch: FetchLike, headers?: Record<string, string>) {
  return new HttpClient({ url: 'http://hearth.test/', fetch, ...(headers ? { headers } : {}) });
}

async function failure(promise: Promise<unknown>): Promise<HearthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HearthError);
  return error as HearthError;
}

describe('HttpClient', () => {
  it('builds URLs from the base URL, path and query, leaving out empty values', () => {
    const http = clientWith(vi.fn());
    expect(http.url('/api/x', { a: 1, b: undefined, c: null, d: 'x y', e: false })).toBe(
      'http://hearth.test/api/x?a=1&d=x%20y&e=false',
    );
    expect(new HttpClient({ url: 'https://h.example/base/', fetch: vi.fn() }).url('api')).toBe(
      'https://h.example/base/api',
    );
  });

  it('rejects a base URL that is not absolute http(s)', () => {
    expect(() => new HttpClient({ url: 'localhost:8090', fetch: vi.fn() })).toThrow(TypeError);
    expect(() => new HttpClient({ url: 'ftp://x', fetch: vi.fn() })).toThrow(/http/);
  });

  it('sends JSON bodies with a content type and default headers, and parses the answer', async () => {
    const fetch = vi.fn<FetchLike>(async () => json(200, { ok: true }));
    const http = clientWith(fetch, { 'x-request-id': 'r1' });
    await expect(http.request('POST', '/api/a', { body: { n: 1 }, auth: 'none' })).resolves.toEqual({
      ok: true,
    });
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('http://hearth.test/api/a');
    expect(init.method).toBe('POST');
    expect(init.body).toBe('{"n":1}');
    expect(init.headers).toEqual({ 'x-request-id': 'r1', 'content-type': 'application/json' });
  });

  it('passes FormData through untouched so fetch sets the multipart boundary', async () => {
    const fetch = vi.fn<FetchLike>(async () => json(201, {}));
    const form = new FormData();
    form.append('path', 'a.txt');
    await clientWith(fetch).request('POST', '/up', { body: form, auth: 'none' });
    const init = fetch.mock.calls[0]![1];
    expect(init.body).toBe(form);
    expect(init.headers).not.toHaveProperty('content-type');
  });

  it('returns undefined for 204 and empty bodies', async () => {
    const http = clientWith(async () => new Response(null, { status: 204 }));
    await expect(http.request('DELETE', '/x')).resolves.toBeUndefined();
  });

  it("maps an error body to a HearthError with the server's code, status, message and details", async () => {
    const http = clientWith(async () =>
      json(400, {
        error: { code: 'validation/failed', message: 'bad', details: { fields: { email: 'x' } } },
      }),
    );
    const error = await failure(http.request('POST', '/x'));
    expect(error.code).toBe('validation/failed');
    expect(error.status).toBe(400);
    expect(error.message).toBe('bad');
    expect(error.details).toEqual({ fields: { email: 'x' } });
  });

  it('keeps codes it does not know (a newer server) and reads Retry-After', async () => {
    const http = clientWith(async () =>
      json(429, { error: { code: 'auth/some-new-code', message: 'slow down' } }, { 'retry-after': '7' }),
    );
    const error = await failure(http.request('GET', '/x'));
    expect(error.code).toBe('auth/some-new-code');
    expect(error.retryAfter).toBe(7);
  });

  it('maps a non-JSON error page (a proxy in front) to client/invalid-response with the status', async () => {
    const http = clientWith(async () => new Response('<html>Bad gateway</html>', { status: 502 }));
    const error = await failure(http.request('GET', '/x'));
    expect(error.code).toBe('client/invalid-response');
    expect(error.status).toBe(502);
    expect(error.details).toEqual({ body: '<html>Bad gateway</html>' });
  });

  it('maps a 200 whose body is not JSON to client/invalid-response', async () => {
    const http = clientWith(async () => new Response('hello', { status: 200 }));
    expect((await failure(http.request('GET', '/x'))).code).toBe('client/invalid-response');
  });

  it('maps network failures to client/network with status 0 and the cause', async () => {
    const cause = new TypeError('fetch failed');
    const http = clientWith(async () => {
      throw cause;
    });
    const error = await failure(http.request('GET', '/x'));
    expect(error.code).toBe('client/network');
    expect(error.status).toBe(0);
    expect(error.cause).toBe(cause);
  });

  it('maps aborts to client/aborted', async () => {
    const controller = new AbortController();
    const http = clientWith(
      (_url, init) =>
        new Promise((_resolve, reject) => {
          if (init.signal?.aborted === true) reject(new DOMException('aborted', 'AbortError'));
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
    );
    const pending = http.request('GET', '/x', { signal: controller.signal });
    controller.abort();
    expect((await failure(pending)).code).toBe('client/aborted');
  });

  it("attaches the session's token, an explicit bearer, or none", async () => {
    const fetch = vi.fn<FetchLike>(async () => json(200, {}));
    const http = clientWith(fetch);
    http.setAccessTokenSource({ getAccessToken: async () => 'session-token' });
    await http.request('GET', '/a');
    await http.request('GET', '/b', { auth: { bearer: 'service-key' } });
    await http.request('GET', '/c', { auth: 'none' });
    const auths = fetch.mock.calls.map(
      ([, init]) => (init.headers as Record<string, string>)['authorization'],
    );
    expect(auths).toEqual(['Bearer session-token', 'Bearer service-key', undefined]);
  });

  it('retries once with a refreshed token after a 401, and not again', async () => {
    const fetch = vi.fn<FetchLike>(async () =>
      json(401, { error: { code: 'auth/invalid-token', message: 'no' } }),
    );
    const http = clientWith(fetch);
    const refreshAfterUnauthorized = vi.fn(async () => 'fresh');
    http.setAccessTokenSource({ getAccessToken: async () => 'stale', refreshAfterUnauthorized });
    const error = await failure(http.request('GET', '/me'));
    expect(error.code).toBe('auth/invalid-token');
    expect(refreshAfterUnauthorized).toHaveBeenCalledWith('stale');
    expect(fetch).toHaveBeenCalledTimes(2);
    expect((fetch.mock.calls[1]![1].headers as Record<string, string>)['authorization']).toBe('Bearer fresh');
  });

  it('does not refresh after a 401 that is about the input, not the token (a wrong current password)', async () => {
    const fetch = vi.fn<FetchLike>(async () =>
      json(401, { error: { code: 'auth/invalid-credentials', message: 'wrong password' } }),
    );
    const http = clientWith(fetch);
    const refreshAfterUnauthorized = vi.fn(async () => 'fresh');
    http.setAccessTokenSource({ getAccessToken: async () => 'token', refreshAfterUnauthorized });
    expect((await failure(http.request('POST', '/api/auth/reauthenticate'))).code).toBe(
      'auth/invalid-credentials',
    );
    expect(refreshAfterUnauthorized).not.toHaveBeenCalled();
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
