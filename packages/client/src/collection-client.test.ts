import { describe, expect, it, vi } from 'vitest';
import { createClient } from './hearth-client.js';
import type { FetchLike } from './http-client.js';
import { etagOf } from './record-etag.js';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

/** A client on a fake fetch that answers from `answer` and records each request. */
function fake(answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: Array<{ method: string; url: string; headers: Record<string, string>; body: unknown }> = [];
  const fetch = vi.fn<FetchLike>(async (url, init) => {
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({
      method: init.method ?? 'GET',
      url: decodeURIComponent(url),
      headers: init.headers as Record<string, string>,
      body,
    });
    return answer(url, init);
  });
  const hearth = createClient('http://hearth.test', { fetch, autoRefresh: false, tabSync: false });
  return { hearth, calls, fetch };
}

describe('collection(name)', () => {
  it('list sends every parameter and returns the page', async () => {
    const { hearth, calls } = fake(() => json(200, { items: [{ id: '1' }], nextCursor: 'c2', total: 7 }));
    const page = await hearth.collection('posts').list({
      filter: 'published == true',
      sort: ['-createdAt', 'title'],
      limit: 50,
      cursor: 'c1',
      expand: ['owner'],
      fields: ['id', 'title'],
      count: true,
    });
    expect(page).toEqual({ items: [{ id: '1' }], nextCursor: 'c2', total: 7 });
    expect(calls[0]!.method).toBe('GET');
    expect(calls[0]!.url).toBe(
      'http://hearth.test/api/collections/posts/records?filter=published == true&sort=-createdAt,title&limit=50&cursor=c1&expand=owner&fields=id,title&count=true',
    );
  });

  it('leaves out empty parameters and encodes names and ids', async () => {
    const { hearth, fetch } = fake(() => json(200, { items: [], nextCursor: null }));
    await hearth.collection('a/b').list({ filter: ' ', sort: [], expand: [], cursor: null, count: false });
    expect(fetch.mock.calls[0]![0]).toBe('http://hearth.test/api/collections/a%2Fb/records');
    await hearth
      .collection('posts')
      .get('x/../y')
      .catch(() => undefined);
    expect(fetch.mock.calls[1]![0]).toBe('http://hearth.test/api/collections/posts/records/x%2F..%2Fy');
  });

  it('refuses an empty id or name and a bad limit before sending anything', async () => {
    const { hearth, fetch } = fake(() => json(200, {}));
    await expect(hearth.collection('posts').get('')).rejects.toThrow(TypeError);
    await expect(hearth.collection('posts').update('', {})).rejects.toThrow(TypeError);
    await expect(hearth.collection('posts').delete('')).rejects.toThrow(TypeError);
    await expect(hearth.collection('posts').list({ limit: 0 })).rejects.toThrow(/limit/);
    await expect(hearth.collection('posts').list({ limit: 2.5 })).rejects.toThrow(/limit/);
    expect(() => hearth.collection('')).toThrow(TypeError);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('get remembers the ETag, and update sends it as If-Match', async () => {
    const { hearth, calls } = fake((_url, init) =>
      init.method === 'GET'
        ? json(200, { id: 'r1', title: 'a' }, { etag: '"101"' })
        : json(200, { id: 'r1', title: 'b' }, { etag: '"102"' }),
    );
    const posts = hearth.collection('posts');
    const post = await posts.get('r1', { expand: ['owner'], fields: ['title'] });
    expect(calls[0]!.url).toBe(
      'http://hearth.test/api/collections/posts/records/r1?expand=owner&fields=title',
    );
    expect(etagOf(post)).toBe('"101"');
    expect(JSON.stringify(post)).toBe('{"id":"r1","title":"a"}');
    const updated = await posts.update('r1', { title: 'b' }, { ifMatch: etagOf(post) });
    expect(calls[1]).toMatchObject({ method: 'PATCH', body: { title: 'b' } });
    expect(calls[1]!.headers['if-match']).toBe('"101"');
    expect(etagOf(updated)).toBe('"102"');
    expect(etagOf({ ...updated })).toBeUndefined();
  });

  it('create sends a fresh Idempotency-Key per call, or the given one, or none', async () => {
    const { hearth, calls } = fake(() => json(201, { id: 'n' }, { etag: '"1"' }));
    const posts = hearth.collection('posts');
    await posts.create({ title: 'a' });
    await posts.create({ title: 'a' });
    await posts.create({ title: 'a' }, { idempotencyKey: 'mine-1' });
    await posts.create({ title: 'a' }, { idempotencyKey: false });
    const keys = calls.map((c) => c.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[\x21-\x7e]{16,255}$/);
    expect(keys[1]).toMatch(/^[\x21-\x7e]{16,255}$/);
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe('mine-1');
    expect(keys[3]).toBeUndefined();
    expect(calls[0]).toMatchObject({ method: 'POST', body: { title: 'a' } });
  });

  it('create retries once with the same key after a network failure, and not without a key', async () => {
    let failures = 1;
    const { hearth, calls } = fake(() => {
      if (failures-- > 0) throw new TypeError('fetch failed');
      return json(201, { id: 'n' });
    });
    await expect(hearth.collection('posts').create({ title: 'a' })).resolves.toEqual({ id: 'n' });
    expect(calls).toHaveLength(2);
    expect(calls[1]!.headers['idempotency-key']).toBe(calls[0]!.headers['idempotency-key']);

    failures = 1;
    calls.length = 0;
    await expect(
      hearth.collection('posts').create({ title: 'a' }, { idempotencyKey: false }),
    ).rejects.toMatchObject({
      code: 'client/network',
    });
    expect(calls).toHaveLength(1);
  });

  it('a server error is not retried and keeps its code', async () => {
    const { hearth, calls } = fake(() => json(403, { error: { code: 'rules/denied', message: 'no' } }));
    await expect(hearth.collection('posts').create({ title: 'a' })).rejects.toMatchObject({
      code: 'rules/denied',
      status: 403,
    });
    expect(calls).toHaveLength(1);
  });

  it('delete sends If-Match when given and resolves undefined on 204', async () => {
    const { hearth, calls } = fake(() => json(204, null));
    await expect(hearth.collection('posts').delete('r1', { ifMatch: '"5"' })).resolves.toBeUndefined();
    expect(calls[0]).toMatchObject({
      method: 'DELETE',
      url: 'http://hearth.test/api/collections/posts/records/r1',
    });
    expect(calls[0]!.headers['if-match']).toBe('"5"');
  });

  it('iterate walks the pages lazily and stops fetching on break', async () => {
    const pages: Record<string, { items: Array<{ n: number }>; nextCursor: string | null }> = {
      '': { items: [{ n: 1 }, { n: 2 }], nextCursor: 'p2' },
      p2: { items: [{ n: 3 }], nextCursor: 'p3' },
      p3: { items: [{ n: 4 }], nextCursor: null },
    };
    const { hearth, calls } = fake((url) => json(200, pages[/cursor=([^&]+)/.exec(url)?.[1] ?? '']));
    const seen: unknown[] = [];
    for await (const item of hearth.collection('posts').iterate({ filter: 'a == 1', limit: 2 }))
      seen.push(item.n);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(calls.map((c) => c.url.replace(/^.*\?/, ''))).toEqual([
      'filter=a == 1&limit=2',
      'filter=a == 1&limit=2&cursor=p2',
      'filter=a == 1&limit=2&cursor=p3',
    ]);

    calls.length = 0;
    for await (const item of hearth.collection('posts').iterate()) if (item.n === 2) break;
    expect(calls).toHaveLength(1);
  });
});

describe('batch', () => {
  it('sends the operations as record API requests and returns their bodies in order', async () => {
    const { hearth, calls } = fake(() =>
      json(200, {
        responses: [
          { status: 201, body: { id: 'a' } },
          { status: 200, body: { id: 'b' } },
          { status: 204, body: null },
          { status: 200, body: { id: 'c' } },
        ],
      }),
    );
    const results = await hearth.batch([
      { action: 'create', collection: 'posts', data: { title: 't' } },
      { action: 'update', collection: 'posts', id: 'b', data: { title: 'u' }, ifMatch: '"9"' },
      { action: 'delete', collection: 'comments', id: 'x' },
      { action: 'get', collection: 'posts', id: 'c' },
    ]);
    expect(results).toEqual([{ id: 'a' }, { id: 'b' }, null, { id: 'c' }]);
    expect(calls[0]).toMatchObject({ method: 'POST', url: 'http://hearth.test/api/batch' });
    expect(calls[0]!.body).toEqual({
      requests: [
        { method: 'POST', path: '/api/collections/posts/records', body: { title: 't' } },
        {
          method: 'PATCH',
          path: '/api/collections/posts/records/b',
          body: { title: 'u' },
          headers: { 'If-Match': '"9"' },
        },
        { method: 'DELETE', path: '/api/collections/comments/records/x' },
        { method: 'GET', path: '/api/collections/posts/records/c' },
      ],
    });
  });

  it('refuses malformed operations before sending', async () => {
    const { hearth, fetch } = fake(() => json(200, { responses: [] }));
    await expect(hearth.batch([])).rejects.toThrow(/non-empty/);
    await expect(
      hearth.batch([{ action: 'upsert', collection: 'posts', data: {} } as never]),
    ).rejects.toThrow(/action "upsert"/);
    await expect(hearth.batch([{ action: 'delete', collection: 'posts' } as never])).rejects.toThrow(
      /needs a record id/,
    );
    expect(fetch).not.toHaveBeenCalled();
  });
});
