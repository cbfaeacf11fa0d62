import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyTestSchema,
  createTestAdmin,
  createTestServiceKey,
  describeTimes,
  medianRatio,
  timeInPairs,
  signUpTestUser,
  startAppWithOpenSignup,
  type TestApp,
  type TestUser,
} from '@hearth/testkit';

/** Named attack tests for the record API: each is named after the attack it stops. */

const schema = {
  collections: {
    posts: {
      fields: {
        title: { type: 'text' },
        owner: { type: 'relation', to: 'users', required: true },
        internal: { type: 'text', hidden: true },
        reviewer: { type: 'relation', to: 'users', hidden: true },
      },
      rules: {
        list: 'owner == auth.id',
        view: 'owner == auth.id',
        create: 'auth != null && data.owner == auth.id',
        update: 'owner == auth.id && data.owner == auth.id',
        delete: 'owner == auth.id',
      },
    },
  },
};

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface Page {
  items: Array<{ id: string; title: string; owner: string }>;
  total?: number;
}

let app: TestApp;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;
const tricky = [
  "it's",
  'say "hi"',
  'back\\slash',
  '“curly”',
  '‘single’',
  'emoji 🔥',
  "'; DROP TABLE app.posts; --",
  'a%27b',
];

beforeAll(async () => {
  app = await startAppWithOpenSignup();
  admin = await createTestAdmin(app);
  const key = await createTestServiceKey(app, admin.token);
  alice = await signUpTestUser(app);
  bob = await signUpTestUser(app);
  await applyTestSchema(app, key.headers, schema);
  for (const title of tricky) {
    const response = await app.request('POST', '/api/collections/posts/records', {
      headers: alice.headers,
      body: { title, owner: alice.id, internal: 'secret note' },
    });
    expect(response.status).toBe(201);
  }
  for (let i = 0; i < 3; i++) {
    await app.request('POST', '/api/collections/posts/records', {
      headers: bob.headers,
      body: { title: `bob ${i}`, owner: bob.id },
    });
  }
});
afterAll(async () => {
  await app?.close();
});

const list = (user: TestUser, query: string) =>
  app.request<Page & ErrorBody>('GET', `/api/collections/posts/records${query}`, { headers: user.headers });

describe('filter injection: a filter cannot widen the rule', () => {
  const raw = 'owner != "x" || true';
  const forms = [
    `?filter=${encodeURIComponent(raw)}`,
    `?filter=owner%20!%3D%20%22x%22%20%7C%7C%20true`,
    `?filter=%6f%77%6e%65%72+!%3d+%22x%22+%7c%7c+true`,
    `?filter=${encodeURIComponent(encodeURIComponent(raw))}`,
    `?filter=${encodeURIComponent('true || true')}`,
    `?filter=${encodeURIComponent('(owner != "x") || (true)')}`,
    `?filter=${encodeURIComponent('!(owner == auth.id) || true')}`,
    `?filter=${encodeURIComponent('true) OR (1=1')}`,
    `?filter=${encodeURIComponent('owner == auth.id --')}`,
    `?filter=${encodeURIComponent("title == '' OR 1=1 --'")}`,
  ];
  for (const form of forms) {
    it(`filter=owner != "x" || true and friends (${form.slice(8, 60)}) still return only the caller's rows`, async () => {
      const response = await list(bob, `${form}&count=true&limit=200`);
      if (response.status === 200) {
        expect(response.body.items.every((p) => p.owner === bob.id)).toBe(true);
        expect(response.body.total).toBeLessThanOrEqual(3);
      } else {
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe('filter/invalid');
      }
    });
  }

  it("a filter that matches everything returns exactly the rule's rows", async () => {
    const response = await list(bob, `?filter=${encodeURIComponent(raw)}&count=true`);
    expect(response.status).toBe(200);
    expect(response.body.total).toBe(3);
  });

  it('a filter cannot use data', async () => {
    const response = await list(bob, `?filter=${encodeURIComponent('data.owner == auth.id')}`);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('filter/invalid');
  });
});

describe('hidden fields: filtering, sorting or expanding on them is a 400, never a different count', () => {
  const cases = [
    { name: 'filter on a hidden field', query: `?filter=${encodeURIComponent('internal == "secret note"')}` },
    {
      name: 'filter on a hidden field that matches nothing',
      query: `?filter=${encodeURIComponent('internal == "nope"')}`,
    },
    {
      name: 'filter probing a hidden field with startsWith',
      query: `?filter=${encodeURIComponent('internal.startsWith("s")')}`,
    },
    {
      name: 'filter on users.email through a relation',
      query: `?filter=${encodeURIComponent(`owner.email == "${'x@example.test'}"`)}`,
    },
    { name: 'sort on a hidden field', query: '?sort=internal' },
    { name: 'descending sort on a hidden field', query: '?sort=title,-internal' },
    { name: 'fields= a hidden field', query: '?fields=id,internal' },
    { name: 'expand a hidden relation', query: '?expand=reviewer' },
  ];
  for (const c of cases) {
    it(`${c.name} → 400 filter/forbidden-field`, async () => {
      const response = await list(alice, c.query);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('filter/forbidden-field');
    });
  }

  it('admins may filter and sort on hidden fields', async () => {
    const response = await app.request<Page>(
      'GET',
      `/api/collections/posts/records?filter=${encodeURIComponent('internal == "secret note"')}&sort=-internal&count=true`,
      {
        headers: admin.headers,
      },
    );
    expect(response.status).toBe(200);
    expect(response.body.total).toBe(tricky.length);
  });

  it('non-admins on the users collection cannot filter on email', async () => {
    const response = await app.request<ErrorBody>(
      'GET',
      `/api/collections/users/records?filter=${encodeURIComponent(`email == "${bob.email}"`)}`,
      {
        headers: alice.headers,
      },
    );
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('filter/forbidden-field');
  });
});

describe('quotes, backslashes, NUL and unicode quotes in literals stay data', () => {
  for (const title of tricky) {
    it(`finds exactly the record titled ${JSON.stringify(title)}`, async () => {
      const response = await list(
        alice,
        `?filter=${encodeURIComponent(`title == ${JSON.stringify(title)}`)}`,
      );
      expect(response.status).toBe(200);
      expect(response.body.items.map((p) => p.title)).toEqual([title]);
    });
  }

  it('single-quoted literals with escapes are data too', async () => {
    const response = await list(alice, `?filter=${encodeURIComponent("title == 'it\\'s'")}`);
    expect(response.status).toBe(200);
    expect(response.body.items.map((p) => p.title)).toEqual(["it's"]);
  });

  it('a NUL in a filter literal is a 400, and in a body a field error', async () => {
    const filter = await list(alice, `?filter=${encodeURIComponent('title == "a\\u0000b"')}`);
    expect([400]).toContain(filter.status);
    const raw = await list(alice, `?filter=${encodeURIComponent('title == "a\u0000b"')}`);
    expect(raw.status).toBe(400);
    const body = await app.request<ErrorBody>('POST', '/api/collections/posts/records', {
      headers: alice.headers,
      body: { title: 'a\u0000b', owner: alice.id },
    });
    expect(body.status).toBe(400);
    expect(body.body.error.details?.fields).toHaveProperty('title');
  });

  it('unicode quotes do not delimit strings', async () => {
    const response = await list(alice, `?filter=${encodeURIComponent('title == “curly”')}`);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('filter/invalid');
  });

  it('the table survived', async () => {
    const { rows } = await app.hearth.pool.query('SELECT count(*)::int AS n FROM app.posts');
    expect(rows[0]?.n).toBe(tricky.length + 3);
  });
});

describe('hostile filters fail fast', () => {
  type Answer = { status: number; body: ErrorBody };
  const filtered = (filter: string) => list(alice, `?filter=${encodeURIComponent(filter)}`);
  const batched = (filter: string) =>
    app.request<ErrorBody>('POST', '/api/batch', {
      headers: alice.headers,
      body: {
        requests: [
          { method: 'GET', path: `/api/collections/posts/records?filter=${encodeURIComponent(filter)}` },
        ],
      },
    });

  /**
   * A hostile filter is refused before any query runs, so answering it takes less time than a
   * one-term filter that does run its query. Timed in interleaved pairs, compared by the median
   * ratio: no threshold in milliseconds, which a loaded machine would break.
   */
  async function expectFasterThanAQuery(hostile: () => Promise<Answer>, query: () => Promise<Answer>) {
    expect((await query()).status).toBe(200);
    await hostile();
    const times = await timeInPairs(hostile, query, { pairs: 25 });
    expect(medianRatio(times), describeTimes(times)).toBeLessThan(1);
  }

  it('a 10,000-term filter is a 400, refused by its length before any query runs', async () => {
    // Short terms, so the whole filter fits in the query string.
    const filter = Array.from({ length: 10_000 }, () => '1').join('<');
    const response = await filtered(filter);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('filter/invalid');
    expect(response.body.error.details).toMatchObject({
      code: 'rules/too-complex',
      message: `filter:1:1: rule is ${filter.length} characters long; the limit is 4096`,
    });
    await expectFasterThanAQuery(
      () => filtered(filter),
      () => filtered('title == "nothing"'),
    );
  });

  it('a 10,000-comparison filter in a batch body is a 400: its path is too long to be read', async () => {
    // Too long for a URL, so through a batch body, whose paths are capped like URLs.
    const filter = Array.from({ length: 10_000 }, () => 'title == "x"').join(' || ');
    const response = await batched(filter);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 'batch/invalid',
      details: { issues: [{ path: 'requests.0.path', message: expect.stringMatching(/4096 characters/) }] },
    });
  });

  it('a 1,000-term filter within the length limit is a 400 at term 201, before any query runs', async () => {
    const filter = Array.from({ length: 1_000 }, () => '1').join('||');
    expect(filter.length).toBeLessThan(4096);
    const response = await filtered(filter);
    expect(response.status).toBe(400);
    expect(response.body.error.details).toMatchObject({
      code: 'rules/too-complex',
      message: `filter:1:${200 * 3 + 1}: more than 200 terms`,
    });
    await expectFasterThanAQuery(
      () => filtered(filter),
      () => filtered('title == "nothing"'),
    );
  });

  it.each([
    ['500-deep parentheses', `${'('.repeat(500)}true${')'.repeat(500)}`],
    ['500 nested negations', `${'!'.repeat(500)}true`],
  ])('%s are a 400 at depth 65, before any query runs', async (_name, filter) => {
    const response = await filtered(filter);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('filter/invalid');
    // Refused at the 65th level: the parser never read the rest.
    expect(response.body.error.details).toMatchObject({
      code: 'rules/too-complex',
      message: 'filter:1:65: nesting deeper than 64',
    });
    await expectFasterThanAQuery(
      () => filtered(filter),
      () => filtered('title == "nothing"'),
    );
  });
});

describe('__proto__ and constructor keys do not pollute', () => {
  it('a body with __proto__ or constructor keys is refused', async () => {
    for (const body of [
      '{"title":"x","owner":"OWNER","__proto__":{"polluted":true}}',
      '{"title":"x","owner":"OWNER","constructor":{"prototype":{"polluted":true}}}',
      '{"title":{"__proto__":{"polluted":true}},"owner":"OWNER"}',
    ]) {
      const response = await app.request<ErrorBody>('POST', '/api/collections/posts/records', {
        headers: alice.headers,
        body: body.replace('OWNER', alice.id),
      });
      expect(response.status).toBe(400);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('__proto__ and constructor in filters are unknown names', async () => {
    for (const filter of [
      '__proto__ == "x"',
      'constructor == "x"',
      'auth.__proto__ == null',
      'owner.constructor == "x"',
      'toString == "x"',
    ]) {
      const response = await list(alice, `?filter=${encodeURIComponent(filter)}`);
      expect(response.status, filter).toBe(400);
      expect(response.body.error.code).toBe('filter/invalid');
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('__proto__ as a collection name, sort key or field is just unknown', async () => {
    expect(
      (await app.request('GET', '/api/collections/__proto__/records', { headers: alice.headers })).status,
    ).toBe(404);
    expect(
      (await app.request('GET', '/api/collections/constructor/records', { headers: alice.headers })).status,
    ).toBe(404);
    expect((await list(alice, '?sort=__proto__')).status).toBe(400);
    expect((await list(alice, '?fields=constructor')).status).toBe(400);
    expect((await list(alice, '?expand=__proto__')).status).toBe(400);
  });
});

describe('writes that try to change ownership', () => {
  it('a PATCH setting owner to another user is denied when the rule says so', async () => {
    const created = await app.request<{ id: string }>('POST', '/api/collections/posts/records', {
      headers: alice.headers,
      body: { title: 'give away', owner: alice.id },
    });
    const response = await app.request<ErrorBody>(
      'PATCH',
      `/api/collections/posts/records/${created.body.id}`,
      {
        headers: alice.headers,
        body: { owner: bob.id },
      },
    );
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('rules/denied');
    const { rows } = await app.hearth.pool.query('SELECT owner FROM app.posts WHERE id = $1', [
      created.body.id,
    ]);
    expect(rows[0]?.owner).toBe(alice.id);
    // Changing something else stays allowed.
    const ok = await app.request('PATCH', `/api/collections/posts/records/${created.body.id}`, {
      headers: alice.headers,
      body: { title: 'kept' },
    });
    expect(ok.status).toBe(200);
  });

  it('mass-assigning id, createdAt or updatedAt is refused', async () => {
    for (const field of ['id', 'createdAt', 'updatedAt']) {
      const response = await app.request<ErrorBody>('POST', '/api/collections/posts/records', {
        headers: alice.headers,
        body: {
          title: 'x',
          owner: alice.id,
          [field]: field === 'id' ? '00000000-0000-4000-8000-000000000000' : '2000-01-01T00:00:00Z',
        },
      });
      expect(response.status).toBe(400);
      expect(response.body.error.details?.fields).toHaveProperty(field);
    }
  });

  it('a non-uuid id in the path is a 404, not a database error', async () => {
    for (const id of ["x' OR '1'='1", '1;DROP TABLE app.posts', '%00']) {
      const response = await app.request<ErrorBody>(
        'GET',
        `/api/collections/posts/records/${encodeURIComponent(id)}`,
        { headers: alice.headers },
      );
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('records/not-found');
    }
  });

  it('sort and expand take field names only', async () => {
    for (const query of [
      '?sort=title;DROP TABLE app.posts',
      '?sort=title%20DESC',
      '?expand=owner)--',
      '?sort=1',
    ]) {
      const response = await list(alice, query);
      expect(response.status, query).toBe(400);
      expect(response.body.error.code, query).toBe('query/invalid');
    }
    // And the table is still there, with its rows.
    expect((await list(alice, '')).body.items.map((p) => p.title)).toEqual(expect.arrayContaining(tricky));
  });
});
