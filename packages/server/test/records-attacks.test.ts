import { describe, expect, it } from 'vitest';
import {
  describeTimes,
  medianRatio,
  timeInPairs,
  useApiScenarios,
  type ApiScenario,
  type ScenarioContext,
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

const api = useApiScenarios({
  schema,
  users: ['alice', 'bob'],
  seed: async (c) => {
    for (const title of tricky)
      await c.createRecord('alice', 'posts', { title, owner: c.user('alice').id, internal: 'secret note' });
    for (let i = 0; i < 3; i++)
      await c.createRecord('bob', 'posts', { title: `bob ${i}`, owner: c.user('bob').id });
  },
});

const posts = '/api/collections/posts/records';
const list = (as: string, query: Record<string, string> = {}) =>
  ({ as, method: 'GET', path: posts, query }) as const;
const refusedAs = (code: string) => ({ status: 400, content: { error: { code } } });
const polluted = () => expect(({} as Record<string, unknown>).polluted).toBeUndefined();

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
  // Each form is sent as written (its encoding is the point), and may parse or not: both answers are checked.
  for (const form of forms) {
    it(`filter=owner != "x" || true and friends (${form.slice(8, 60)}) still return only the caller's rows`, async () => {
      const { user } = api.context();
      const response = await api.send({
        as: 'bob',
        method: 'GET',
        path: `${posts}${form}&count=true&limit=200`,
      });
      const body = response.body as Page & ErrorBody;
      if (response.status === 200) {
        expect(body.items.every((p) => p.owner === user('bob').id)).toBe(true);
        expect(body.total).toBeLessThanOrEqual(3);
      } else {
        expect(response.status).toBe(400);
        expect(body.error.code).toBe('filter/invalid');
      }
      expect(response.text).not.toContain('secret note');
    });
  }

  api.run([
    {
      ...list('bob', { filter: raw, count: 'true' }),
      name: "a filter that matches everything returns exactly the rule's rows",
      status: 200,
      content: { total: 3 },
      notContains: tricky.map((title) => JSON.stringify(title)),
    },
    {
      ...list('bob', { filter: 'data.owner == auth.id' }),
      ...refusedAs('filter/invalid'),
      name: 'a filter cannot use data',
    },
  ]);
});

describe('hidden fields: filtering, sorting or expanding on them is a 400, never a different count', () => {
  const cases: Array<[string, Record<string, string>]> = [
    ['filter on a hidden field', { filter: 'internal == "secret note"' }],
    ['filter on a hidden field that matches nothing', { filter: 'internal == "nope"' }],
    ['filter probing a hidden field with startsWith', { filter: 'internal.startsWith("s")' }],
    ['filter on users.email through a relation', { filter: `owner.email == "${'x@example.test'}"` }],
    ['sort on a hidden field', { sort: 'internal' }],
    ['descending sort on a hidden field', { sort: 'title,-internal' }],
    ['fields= a hidden field', { fields: 'id,internal' }],
    ['expand a hidden relation', { expand: 'reviewer' }],
  ];
  api.run([
    ...cases.map(([name, query]): ApiScenario => ({
      ...list('alice', query),
      ...refusedAs('filter/forbidden-field'),
      name: `${name} → 400 filter/forbidden-field`,
      notContains: ['"total"', '"items"'],
    })),
    {
      ...list('admin', { filter: 'internal == "secret note"', sort: '-internal', count: 'true' }),
      name: 'admins may filter and sort on hidden fields',
      status: 200,
      content: { total: tricky.length },
    },
    {
      name: 'non-admins on the users collection cannot filter on email',
      as: 'alice',
      method: 'GET',
      path: '/api/collections/users/records',
      query: (c) => ({ filter: `email == "${c.user('bob').email}"` }),
      ...refusedAs('filter/forbidden-field'),
    },
  ]);
});

describe('quotes, backslashes, NUL and unicode quotes in literals stay data', () => {
  api.run([
    ...tricky.map((title): ApiScenario => ({
      ...list('alice', { filter: `title == ${JSON.stringify(title)}` }),
      name: `finds exactly the record titled ${JSON.stringify(title)}`,
      status: 200,
      content: { items: [{ title }] },
    })),
    {
      ...list('alice', { filter: "title == 'it\\'s'" }),
      name: 'single-quoted literals with escapes are data too',
      status: 200,
      content: { items: [{ title: "it's" }] },
    },
    {
      ...list('alice', { filter: 'title == "a\\u0000b"' }),
      name: 'an escaped NUL in a filter literal is a 400',
      status: 400,
    },
    {
      ...list('alice', { filter: 'title == "a\u0000b"' }),
      name: 'a raw NUL in a filter literal is a 400',
      status: 400,
    },
    {
      name: 'a NUL in a body is a field error',
      as: 'alice',
      method: 'POST',
      path: posts,
      body: (c) => ({ title: 'a\u0000b', owner: c.user('alice').id }),
      status: 400,
      content: { error: { details: { fields: { title: {} } } } },
    },
    {
      ...list('alice', { filter: 'title == “curly”' }),
      ...refusedAs('filter/invalid'),
      name: 'unicode quotes do not delimit strings',
    },
  ]);

  it('the table survived', async () => {
    const { rows } = await api.context().app.hearth.pool.query('SELECT count(*)::int AS n FROM app.posts');
    expect(rows[0]?.n).toBe(tricky.length + 3);
  });
});

describe('hostile filters fail fast', () => {
  type Answer = { status: number; body: ErrorBody };
  const filtered = async (filter: string): Promise<Answer> => {
    const { status, body } = await api.send(list('alice', { filter }));
    return { status, body: body as ErrorBody };
  };

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
    // Its 20 KB URL costs something to receive and parse, so the yardstick is a list that counts
    // (two statements): on a loaded CI machine a one-statement list took as long as the refusal.
    await expectFasterThanAQuery(
      () => filtered(filter),
      async () => {
        const { status, body } = await api.send(
          list('alice', { filter: 'title == "nothing"', count: 'true' }),
        );
        return { status, body: body as ErrorBody };
      },
    );
  });

  api.run([
    {
      // Too long for a URL, so through a batch body, whose paths are capped like URLs.
      name: 'a 10,000-comparison filter in a batch body is a 400: its path is too long to be read',
      as: 'alice',
      method: 'POST',
      path: '/api/batch',
      body: {
        requests: [
          {
            method: 'GET',
            path: `${posts}?filter=${encodeURIComponent(Array.from({ length: 10_000 }, () => 'title == "x"').join(' || '))}`,
          },
        ],
      },
      status: 400,
      content: {
        error: {
          code: 'batch/invalid',
          details: {
            issues: [{ path: 'requests.0.path', message: expect.stringMatching(/4096 characters/) }],
          },
        },
      },
    },
  ]);

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
  const bodies = [
    '{"title":"x","owner":"OWNER","__proto__":{"polluted":true}}',
    '{"title":"x","owner":"OWNER","constructor":{"prototype":{"polluted":true}}}',
    '{"title":{"__proto__":{"polluted":true}},"owner":"OWNER"}',
  ];
  const filters = [
    '__proto__ == "x"',
    'constructor == "x"',
    'auth.__proto__ == null',
    'owner.constructor == "x"',
    'toString == "x"',
  ];
  api.run([
    ...bodies.map((body): ApiScenario => ({
      name: `a body with __proto__ or constructor keys is refused: ${body}`,
      as: 'alice',
      method: 'POST',
      path: posts,
      body: (c) => body.replace('OWNER', c.user('alice').id),
      status: 400,
      after: polluted,
    })),
    ...filters.map((filter): ApiScenario => ({
      ...list('alice', { filter }),
      ...refusedAs('filter/invalid'),
      name: `__proto__ and constructor in filters are unknown names: ${filter}`,
      after: polluted,
    })),
    ...['__proto__', 'constructor'].map((name): ApiScenario => ({
      name: `${name} as a collection name is just unknown`,
      as: 'alice',
      method: 'GET',
      path: `/api/collections/${name}/records`,
      status: 404,
    })),
    { ...list('alice', { sort: '__proto__' }), name: '__proto__ as a sort key is just unknown', status: 400 },
    {
      ...list('alice', { fields: 'constructor' }),
      name: 'constructor as a field is just unknown',
      status: 400,
    },
    {
      ...list('alice', { expand: '__proto__' }),
      name: '__proto__ as an expand is just unknown',
      status: 400,
    },
  ]);
});

describe('writes that try to change ownership', () => {
  /** A post of alice's, kept as `ids.post`. */
  const alicePost = async (c: ScenarioContext) => {
    c.ids.post = (
      await c.createRecord('alice', 'posts', { title: 'give away', owner: c.user('alice').id })
    ).id;
  };
  const patch = {
    as: 'alice',
    method: 'PATCH',
    path: (c: ScenarioContext) => `${posts}/${c.id('post')}`,
    before: alicePost,
  } as const;
  api.run([
    {
      ...patch,
      name: 'a PATCH setting owner to another user is denied when the rule says so',
      body: (c) => ({ owner: c.user('bob').id }),
      status: 403,
      content: { error: { code: 'rules/denied' } },
      after: async (c) => {
        const { rows } = await c.app.hearth.pool.query('SELECT owner FROM app.posts WHERE id = $1', [
          c.id('post'),
        ]);
        expect(rows[0]?.owner).toBe(c.user('alice').id);
      },
    },
    {
      ...patch,
      name: 'changing something else stays allowed, after the denied change of owner',
      body: { title: 'kept' },
      before: async (c) => {
        await alicePost(c);
        expect((await api.send({ ...patch, body: { owner: c.user('bob').id } })).status).toBe(403);
      },
      status: 200,
      events: [{ collection: 'posts', action: 'update', record: { title: 'kept' } }],
    },
    ...['id', 'createdAt', 'updatedAt'].map((field): ApiScenario => ({
      name: `mass-assigning ${field} is refused`,
      as: 'alice',
      method: 'POST',
      path: posts,
      body: (c) => ({
        title: 'x',
        owner: c.user('alice').id,
        [field]: field === 'id' ? '00000000-0000-4000-8000-000000000000' : '2000-01-01T00:00:00Z',
      }),
      status: 400,
      content: { error: { details: { fields: { [field]: {} } } } },
    })),
    ...["x' OR '1'='1", '1;DROP TABLE app.posts', '%00'].map((id): ApiScenario => ({
      name: `a non-uuid id in the path (${id}) is a 404, not a database error`,
      as: 'alice',
      method: 'GET',
      path: `${posts}/${encodeURIComponent(id)}`,
      status: 404,
      content: { error: { code: 'records/not-found' } },
    })),
    ...['?sort=title;DROP TABLE app.posts', '?sort=title%20DESC', '?expand=owner)--', '?sort=1'].map(
      (query): ApiScenario => ({
        name: `sort and expand take field names only: ${query}`,
        as: 'alice',
        method: 'GET',
        path: `${posts}${query}`,
        ...refusedAs('query/invalid'),
      }),
    ),
    {
      ...list('alice'),
      name: 'and the table is still there, with its rows',
      status: 200,
      after: (_c, response) =>
        expect((response.body as Page).items.map((p) => p.title)).toEqual(expect.arrayContaining(tricky)),
    },
  ]);
});
