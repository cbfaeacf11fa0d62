import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyTestSchema,
  createTestAdmin,
  createTestServiceKey,
  signUpTestUser,
  startAppWithOpenSignup,
  type TestApp,
  type TestUser,
} from '@hearth/testkit';

/**
 * Every operation, for every kind of caller, over collections with public,
 * owner-only, relation-based and locked rules. One row per case: adding a
 * case costs one line.
 */

const schema = {
  collections: {
    notes: {
      fields: { body: { type: 'text' } },
      rules: { list: 'true', view: 'true', create: 'true', update: 'true', delete: 'true' },
    },
    posts: {
      fields: {
        title: { type: 'text', required: true },
        owner: { type: 'relation', to: 'users', required: true },
        internal: { type: 'text', hidden: true },
      },
      rules: {
        list: 'owner == auth.id',
        view: 'owner == auth.id',
        create: 'auth != null && data.owner == auth.id',
        update: 'owner == auth.id && data.owner == auth.id',
        delete: 'owner == auth.id',
      },
    },
    teams: {
      fields: { name: { type: 'text' }, members: { type: 'relation', to: 'users', many: true } },
      rules: { list: 'auth.id in members', view: 'auth.id in members' },
    },
    docs: {
      fields: {
        title: { type: 'text' },
        team: { type: 'relation', to: 'teams', required: true, cascade: true },
      },
      rules: {
        list: 'auth.id in team.members',
        view: 'auth.id in team.members',
        create: 'auth.id in data.team.members',
        update: 'auth.id in team.members',
        delete: 'auth.id in team.members',
      },
    },
    secrets: { fields: { value: { type: 'text' } } },
  },
};

type Who = 'anonymous' | 'owner' | 'other' | 'admin' | 'key';
const callers: Who[] = ['anonymous', 'owner', 'other', 'admin', 'key'];

let app: TestApp;
const headers: Record<Who, Record<string, string>> = {
  anonymous: {},
  owner: {},
  other: {},
  admin: {},
  key: {},
};
let alice: TestUser;
let bob: TestUser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  app = await startAppWithOpenSignup();
  const admin = await createTestAdmin(app);
  const key = await createTestServiceKey(app, admin.token);
  alice = await signUpTestUser(app);
  bob = await signUpTestUser(app);
  Object.assign(headers, {
    owner: alice.headers,
    other: bob.headers,
    admin: admin.headers,
    key: key.headers,
  });
  await applyTestSchema(app, key.headers, schema);
  const insert = async (collection: string, row: Record<string, unknown>) => {
    const columns = Object.keys(row);
    const { rows } = await app.hearth.pool.query<{ id: string }>(
      `INSERT INTO app.${collection} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      Object.values(row),
    );
    return rows[0]!.id;
  };
  ids.note = await insert('notes', { body: 'hello' });
  ids.alicePost = await insert('posts', { title: 'alice post', owner: alice.id, internal: 'staff only' });
  ids.bobPost = await insert('posts', { title: 'bob post', owner: bob.id });
  ids.team = await insert('teams', { name: 'a-team', members: [alice.id] });
  ids.doc = await insert('docs', { title: 'team doc', team: ids.team });
  ids.secret = await insert('secrets', { value: 's3cret' });
});
afterAll(async () => {
  await app?.close();
});

interface Scenario {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: () => string;
  body?: () => unknown;
  expect: Partial<Record<Who, number>>;
  /** Substrings the body must contain, per caller that got 2xx. */
  contains?: Partial<Record<Who, string[]>>;
  notContains?: Partial<Record<Who, string[]>>;
}

const records = (collection: string, id?: string) =>
  `/api/collections/${collection}/records${id ? `/${id}` : ''}`;

// Reads and denials. Writes that succeed are below, each on fresh records.
const scenarios: Scenario[] = [
  // public
  {
    name: 'notes: list',
    method: 'GET',
    path: () => records('notes'),
    expect: { anonymous: 200, owner: 200, other: 200, admin: 200, key: 200 },
    contains: { anonymous: ['hello'] },
  },
  {
    name: 'notes: view',
    method: 'GET',
    path: () => records('notes', ids.note),
    expect: { anonymous: 200, owner: 200, other: 200, admin: 200, key: 200 },
  },
  {
    name: 'notes: create',
    method: 'POST',
    path: () => records('notes'),
    body: () => ({ body: 'new' }),
    expect: { anonymous: 201, owner: 201, other: 201, admin: 201, key: 201 },
  },
  // owner-only
  {
    name: "posts: list shows only the caller's rows",
    method: 'GET',
    path: () => records('posts'),
    expect: { anonymous: 200, owner: 200, other: 200, admin: 200, key: 200 },
    contains: {
      owner: ['alice post'],
      other: ['bob post'],
      admin: ['alice post', 'bob post', 'staff only'],
      key: ['alice post', 'bob post'],
    },
    notContains: {
      anonymous: ['alice post', 'bob post'],
      owner: ['bob post', 'staff only', 'internal'],
      other: ['alice post'],
    },
  },
  {
    name: 'posts: view',
    method: 'GET',
    path: () => records('posts', ids.alicePost),
    expect: { anonymous: 404, owner: 200, other: 404, admin: 200, key: 200 },
    contains: { admin: ['staff only'], key: ['staff only'] },
    notContains: { owner: ['staff only'] },
  },
  {
    name: 'posts: create for oneself',
    method: 'POST',
    path: () => records('posts'),
    body: () => ({ title: 't', owner: alice.id }),
    expect: { anonymous: 403, owner: 201, other: 403, admin: 201, key: 201 },
  },
  {
    name: 'posts: update',
    method: 'PATCH',
    path: () => records('posts', ids.alicePost),
    body: () => ({ title: 'alice post' }),
    expect: { anonymous: 404, owner: 200, other: 404, admin: 200, key: 200 },
  },
  {
    name: "posts: delete of someone else's",
    method: 'DELETE',
    path: () => records('posts', ids.alicePost),
    expect: { anonymous: 404, other: 404 },
  },
  // relation-based (team membership)
  {
    name: 'docs: list through team membership',
    method: 'GET',
    path: () => records('docs'),
    expect: { anonymous: 200, owner: 200, other: 200, admin: 200, key: 200 },
    contains: { owner: ['team doc'], admin: ['team doc'] },
    notContains: { anonymous: ['team doc'], other: ['team doc'] },
  },
  {
    name: 'docs: view',
    method: 'GET',
    path: () => records('docs', ids.doc),
    expect: { anonymous: 404, owner: 200, other: 404, admin: 200, key: 200 },
  },
  {
    name: 'docs: create in a team',
    method: 'POST',
    path: () => records('docs'),
    body: () => ({ title: 'x', team: ids.team }),
    expect: { anonymous: 403, owner: 201, other: 403, admin: 201, key: 201 },
  },
  {
    name: 'docs: update',
    method: 'PATCH',
    path: () => records('docs', ids.doc),
    body: () => ({ title: 'team doc' }),
    expect: { anonymous: 404, owner: 200, other: 404, admin: 200, key: 200 },
  },
  {
    name: 'docs: delete by a non-member',
    method: 'DELETE',
    path: () => records('docs', ids.doc),
    expect: { anonymous: 404, other: 404 },
  },
  // locked (no rules: admin-only)
  {
    name: 'secrets: list',
    method: 'GET',
    path: () => records('secrets'),
    expect: { anonymous: 403, owner: 403, other: 403, admin: 200, key: 200 },
    contains: { admin: ['s3cret'] },
  },
  {
    name: 'secrets: view',
    method: 'GET',
    path: () => records('secrets', ids.secret),
    expect: { anonymous: 403, owner: 403, other: 403, admin: 200, key: 200 },
  },
  {
    name: 'secrets: create',
    method: 'POST',
    path: () => records('secrets'),
    body: () => ({ value: 'v' }),
    expect: { anonymous: 403, owner: 403, other: 403, admin: 201, key: 201 },
  },
  {
    name: 'secrets: update',
    method: 'PATCH',
    path: () => records('secrets', ids.secret),
    body: () => ({ value: 's3cret' }),
    expect: { anonymous: 403, owner: 403, other: 403, admin: 200, key: 200 },
  },
  {
    name: 'secrets: delete',
    method: 'DELETE',
    path: () => records('secrets', ids.secret),
    expect: { anonymous: 403, owner: 403, other: 403 },
  },
  // users: by default a user sees only itself
  {
    name: 'users: list',
    method: 'GET',
    path: () => records('users'),
    expect: { anonymous: 200, owner: 200, other: 200, admin: 200, key: 200 },
    contains: { owner: ['"email"'], admin: ['"email"'] },
    notContains: { anonymous: ['"id"'], owner: ['passwordHash', '"totpSecret"'] },
  },
  {
    name: 'users: view another user',
    method: 'GET',
    path: () => records('users', bob.id),
    expect: { anonymous: 404, owner: 404, other: 200, admin: 200, key: 200 },
  },
  {
    name: 'users: create through the record API',
    method: 'POST',
    path: () => records('users'),
    body: () => ({}),
    expect: { anonymous: 403, owner: 403, admin: 403, key: 403 },
  },
  {
    name: 'unknown collection',
    method: 'GET',
    path: () => records('nope'),
    expect: { anonymous: 404, owner: 404, admin: 404, key: 404 },
  },
];

describe('record API scenarios', () => {
  for (const scenario of scenarios) {
    for (const who of callers) {
      const status = scenario.expect[who];
      if (status === undefined) continue;
      it(`${scenario.name} as ${who} → ${status}`, async () => {
        const response = await app.request(scenario.method, scenario.path(), {
          headers: headers[who],
          ...(scenario.body ? { body: scenario.body() } : {}),
        });
        const text = JSON.stringify(response.body ?? '');
        expect(response.status, text).toBe(status);
        for (const wanted of scenario.contains?.[who] ?? []) expect(text).toContain(wanted);
        for (const unwanted of scenario.notContains?.[who] ?? []) expect(text).not.toContain(unwanted);
      });
    }
  }
});

describe('successful writes by the owner', () => {
  it('the owner updates and deletes their own post; others cannot even see it', async () => {
    const created = await app.request<{ id: string; owner: string }>('POST', records('posts'), {
      headers: alice.headers,
      body: { title: 'mine', owner: alice.id },
    });
    expect(created.status).toBe(201);
    expect(created.body.owner).toBe(alice.id);
    const id = created.body.id;
    expect((await app.request('DELETE', records('posts', id), { headers: bob.headers })).status).toBe(404);
    expect((await app.request('DELETE', records('posts', id), { headers: alice.headers })).status).toBe(204);
    expect((await app.request('GET', records('posts', id), { headers: alice.headers })).status).toBe(404);
  });

  it('a team member deletes a team doc; admins and keys delete anything', async () => {
    const make = async () =>
      (
        await app.request<{ id: string }>('POST', records('docs'), {
          headers: alice.headers,
          body: { title: 'tmp', team: ids.team },
        })
      ).body.id;
    expect(
      (await app.request('DELETE', records('docs', await make()), { headers: alice.headers })).status,
    ).toBe(204);
    expect(
      (await app.request('DELETE', records('docs', await make()), { headers: headers.admin })).status,
    ).toBe(204);
    expect(
      (await app.request('DELETE', records('docs', await make()), { headers: headers.key })).status,
    ).toBe(204);
  });

  it('a denied create is 403 rules/denied', async () => {
    const response = await app.request<{ error: { code: string } }>('POST', records('posts'), {
      headers: bob.headers,
      body: { title: 'impersonation', owner: alice.id },
    });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('rules/denied');
  });

  it("a user sees their own email in the users collection, not other users'", async () => {
    const own = await app.request<{ id: string; email: string }>('GET', records('users', alice.id), {
      headers: alice.headers,
    });
    expect(own.body).toMatchObject({ id: alice.id, email: alice.email, role: 'user' });
    const list = await app.request<{ items: Array<{ email?: string }> }>('GET', records('users'), {
      headers: headers.admin,
    });
    expect(list.body.items.length).toBeGreaterThanOrEqual(3);
  });

  it("a user's list of users holds that user alone, however it is filtered or counted (default rules)", async () => {
    for (const [me, other] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      for (const query of [
        '',
        '?count=true',
        `?filter=${encodeURIComponent('id != ""')}`,
        `?filter=${encodeURIComponent(`id == "${other.id}"`)}&count=true`,
      ]) {
        const list = await app.request<{ items: Array<{ id: string }>; total?: number }>(
          'GET',
          `${records('users')}${query}`,
          { headers: me.headers },
        );
        expect(list.status, query).toBe(200);
        const expected = query.includes(other.id) ? [] : [me.id];
        expect(
          list.body.items.map((user) => user.id),
          query,
        ).toEqual(expected);
        if (query.includes('count=true')) expect(list.body.total, query).toBe(expected.length);
      }
    }
  });
});
