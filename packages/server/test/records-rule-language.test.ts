import { describe, expect } from 'vitest';
import { useApiScenarios, type ApiScenario, type ScenarioContext } from '@hearth/testkit';

/** What the rule language must say, and what it must refuse cleanly, over HTTP. */

const schema = {
  collections: {
    posts: {
      fields: {
        title: { type: 'text' },
        published: { type: 'bool', default: false },
        at: { type: 'date' },
        owner: { type: 'relation', to: 'users', required: true },
      },
      // The rules guide's "public read, owner write".
      rules: {
        list: 'published || owner == auth.id',
        view: 'published || owner == auth.id',
        create: 'auth != null && data.owner == auth.id',
        update: 'owner == auth.id && data.owner == owner',
        delete: 'owner == auth.id',
      },
    },
  },
};

const api = useApiScenarios({ schema, users: ['alice', 'bob'] });

const records = '/api/collections/posts/records';
const list = { as: 'alice', method: 'GET', path: records } as const;

describe('out-of-range dates are a 400, never a 500', () => {
  const filters = [
    'createdAt > "0000-01-01"',
    'at < "0000-12-31T23:59:59Z"',
    'at == "0001-01-01T00:30:00+01:00"',
    'createdAt in ["2024-01-01", "0000-06-01"]',
    '!(updatedAt >= "0000-01-01")',
  ];
  api.run([
    ...filters.map((filter): ApiScenario => ({
      ...list,
      name: `filter=${filter} → 400 filter/invalid`,
      query: { filter },
      status: 400,
      content: {
        error: { code: 'filter/invalid', message: expect.stringContaining('0001-01-01 to 9999-12-31') },
      },
    })),
    {
      ...list,
      name: 'the first storable date still filters',
      query: { filter: 'createdAt > "0001-01-01"' },
      status: 200,
    },
    {
      name: 'a record with a year-0000 date is a field error, not a database error',
      as: 'alice',
      method: 'POST',
      path: records,
      body: (c) => ({ title: 'old', owner: c.user('alice').id, at: '0000-01-01' }),
      status: 400,
      content: { error: { code: 'validation/failed', details: { fields: { at: {} } } } },
    },
  ]);
});

describe('public read, owner write: the owner cannot give a record away', () => {
  /** A published post of alice's, kept as `ids.mine`. */
  const alicePost = async (c: ScenarioContext) => {
    c.ids.mine = (
      await c.createRecord('alice', 'posts', { title: 'mine', owner: c.user('alice').id, published: true })
    ).id;
  };
  const patch = {
    as: 'alice',
    method: 'PATCH',
    path: (c: ScenarioContext) => `${records}/${c.id('mine')}`,
  } as const;
  const ownerIsStill = (who: string) => async (c: ScenarioContext) => {
    const stored = await c.app.hearth.pool.query<{ owner: string }>(
      'SELECT owner FROM app.posts WHERE id = $1',
      [c.id('mine')],
    );
    expect(stored.rows[0]?.owner).toBe(c.user(who).id);
  };
  api.run([
    {
      ...patch,
      name: 'a PATCH that moves the owner to someone else is 403',
      body: (c) => ({ owner: c.user('bob').id }),
      before: alicePost,
      status: 403,
      content: { error: { code: 'rules/denied' } },
      after: ownerIsStill('alice'),
    },
    {
      ...patch,
      name: 'a PATCH that names the same owner passes',
      body: (c) => ({ owner: c.user('alice').id, title: 'still mine' }),
      before: alicePost,
      status: 200,
      events: [{ collection: 'posts', action: 'update', record: { title: 'still mine' } }],
    },
    {
      ...patch,
      name: 'a PATCH that leaves the owner alone passes and keeps it',
      body: { title: 'renamed' },
      before: alicePost,
      status: 200,
      content: (c) => ({ title: 'renamed', owner: c.user('alice').id }),
      events: [{ collection: 'posts', action: 'update', record: { title: 'renamed' } }],
      after: ownerIsStill('alice'),
    },
    {
      ...patch,
      name: 'another user can read the published post but not take it',
      as: 'bob',
      body: (c) => ({ owner: c.user('bob').id }),
      before: async (c) => {
        await alicePost(c);
        expect((await api.send({ ...patch, method: 'GET', as: 'bob' })).status).toBe(200);
      },
      status: 403,
      after: ownerIsStill('alice'),
    },
  ]);
});

describe('misspelt names get a "did you mean", as filters do', () => {
  api.run([
    {
      ...list,
      name: 'sort=-createdAd → 400 suggesting createdAt',
      query: { sort: '-createdAd' },
      status: 400,
      content: {
        error: { code: 'query/invalid', message: expect.stringContaining('did you mean "createdAt"?') },
      },
    },
    {
      ...list,
      name: 'GET /api/collections/psots/records → 404 suggesting posts',
      path: '/api/collections/psots/records',
      status: 404,
      content: {
        error: {
          code: 'collections/not-found',
          message: 'No collection is named "psots"; did you mean "posts"?',
        },
      },
    },
    {
      ...list,
      name: 'a name with nothing close gets no suggestion',
      path: '/api/collections/zzzzzzzz/records',
      status: 404,
      content: { error: { message: 'No collection is named "zzzzzzzz".' } },
    },
  ]);
});
