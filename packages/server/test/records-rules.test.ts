import { describe, expect } from 'vitest';
import { acrossCallers, useApiScenarios, type ApiScenario, type ScenarioContext } from '@hearth/testkit';

/**
 * Every operation, for every kind of caller, over collections with public,
 * owner-only, relation-based and locked rules. One entry per request: adding
 * a case costs one entry, and every caller's status is one line of it.
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

// "owner" owns alice's post and is the team's only member; "other" owns bob's post.
const api = useApiScenarios({
  schema,
  users: ['owner', 'other'],
  seed: async ({ ids, insert, user }) => {
    ids.note = await insert('notes', { body: 'hello' });
    ids.alicePost = await insert('posts', {
      title: 'alice post',
      owner: user('owner').id,
      internal: 'staff only',
    });
    ids.bobPost = await insert('posts', { title: 'bob post', owner: user('other').id });
    ids.team = await insert('teams', { name: 'a-team', members: [user('owner').id] });
    ids.doc = await insert('docs', { title: 'team doc', team: ids.team });
    ids.secret = await insert('secrets', { value: 's3cret' });
  },
});

const records = (collection: string, id?: string) =>
  `/api/collections/${collection}/records${id ? `/${id}` : ''}`;
const created = (collection: string) => [{ collection, action: 'create' as const }];
const updated = (collection: string) => [{ collection, action: 'update' as const }];
const deleted = (collection: string) => [{ collection, action: 'delete' as const }];

// Reads and denials. Writes that succeed are below, each on fresh records.
const everyCaller: ApiScenario[] = [
  // public
  ...acrossCallers(
    { name: 'notes: list', method: 'GET', path: records('notes') },
    {
      anonymous: { status: 200, contains: ['hello'] },
      owner: 200,
      other: 200,
      admin: 200,
      key: 200,
    },
  ),
  ...acrossCallers(
    { name: 'notes: view', method: 'GET', path: (c) => records('notes', c.id('note')) },
    { anonymous: 200, owner: 200, other: 200, admin: 200, key: 200 },
  ),
  ...acrossCallers(
    {
      name: 'notes: create',
      method: 'POST',
      path: records('notes'),
      body: { body: 'new' },
      events: created('notes'),
    },
    { anonymous: 201, owner: 201, other: 201, admin: 201, key: 201 },
  ),
  // owner-only
  ...acrossCallers(
    { name: "posts: list shows only the caller's rows", method: 'GET', path: records('posts') },
    {
      anonymous: { status: 200, notContains: ['alice post', 'bob post'] },
      owner: { status: 200, contains: ['alice post'], notContains: ['bob post', 'staff only', 'internal'] },
      other: { status: 200, contains: ['bob post'], notContains: ['alice post'] },
      admin: { status: 200, contains: ['alice post', 'bob post', 'staff only'] },
      key: { status: 200, contains: ['alice post', 'bob post'] },
    },
  ),
  ...acrossCallers(
    { name: 'posts: view', method: 'GET', path: (c) => records('posts', c.id('alicePost')) },
    {
      anonymous: 404,
      owner: { status: 200, notContains: ['staff only'] },
      other: 404,
      admin: { status: 200, contains: ['staff only'] },
      key: { status: 200, contains: ['staff only'] },
    },
  ),
  ...acrossCallers(
    {
      name: 'posts: create for oneself',
      method: 'POST',
      path: records('posts'),
      body: (c) => ({ title: 't', owner: c.user('owner').id }),
      events: created('posts'),
    },
    { anonymous: 403, owner: 201, other: 403, admin: 201, key: 201 },
  ),
  ...acrossCallers(
    {
      name: 'posts: update',
      method: 'PATCH',
      path: (c) => records('posts', c.id('alicePost')),
      body: { title: 'alice post' },
      events: updated('posts'),
    },
    { anonymous: 404, owner: 200, other: 404, admin: 200, key: 200 },
  ),
  ...acrossCallers(
    {
      name: "posts: delete of someone else's",
      method: 'DELETE',
      path: (c) => records('posts', c.id('alicePost')),
    },
    { anonymous: 404, other: 404 },
  ),
  // relation-based (team membership)
  ...acrossCallers(
    { name: 'docs: list through team membership', method: 'GET', path: records('docs') },
    {
      anonymous: { status: 200, notContains: ['team doc'] },
      owner: { status: 200, contains: ['team doc'] },
      other: { status: 200, notContains: ['team doc'] },
      admin: { status: 200, contains: ['team doc'] },
      key: 200,
    },
  ),
  ...acrossCallers(
    { name: 'docs: view', method: 'GET', path: (c) => records('docs', c.id('doc')) },
    { anonymous: 404, owner: 200, other: 404, admin: 200, key: 200 },
  ),
  ...acrossCallers(
    {
      name: 'docs: create in a team',
      method: 'POST',
      path: records('docs'),
      body: (c) => ({ title: 'x', team: c.id('team') }),
      events: created('docs'),
    },
    { anonymous: 403, owner: 201, other: 403, admin: 201, key: 201 },
  ),
  ...acrossCallers(
    {
      name: 'docs: update',
      method: 'PATCH',
      path: (c) => records('docs', c.id('doc')),
      body: { title: 'team doc' },
      events: updated('docs'),
    },
    { anonymous: 404, owner: 200, other: 404, admin: 200, key: 200 },
  ),
  ...acrossCallers(
    { name: 'docs: delete by a non-member', method: 'DELETE', path: (c) => records('docs', c.id('doc')) },
    { anonymous: 404, other: 404 },
  ),
  // locked (no rules: admin-only)
  ...acrossCallers(
    { name: 'secrets: list', method: 'GET', path: records('secrets') },
    { anonymous: 403, owner: 403, other: 403, admin: { status: 200, contains: ['s3cret'] }, key: 200 },
  ),
  ...acrossCallers(
    { name: 'secrets: view', method: 'GET', path: (c) => records('secrets', c.id('secret')) },
    { anonymous: 403, owner: 403, other: 403, admin: 200, key: 200 },
  ),
  ...acrossCallers(
    {
      name: 'secrets: create',
      method: 'POST',
      path: records('secrets'),
      body: { value: 'v' },
      events: created('secrets'),
    },
    { anonymous: 403, owner: 403, other: 403, admin: 201, key: 201 },
  ),
  ...acrossCallers(
    {
      name: 'secrets: update',
      method: 'PATCH',
      path: (c) => records('secrets', c.id('secret')),
      body: { value: 's3cret' },
      events: updated('secrets'),
    },
    { anonymous: 403, owner: 403, other: 403, admin: 200, key: 200 },
  ),
  ...acrossCallers(
    { name: 'secrets: delete', method: 'DELETE', path: (c) => records('secrets', c.id('secret')) },
    { anonymous: 403, owner: 403, other: 403 },
  ),
  // users: by default a user sees only itself
  ...acrossCallers(
    { name: 'users: list', method: 'GET', path: records('users') },
    {
      anonymous: { status: 200, notContains: ['"id"'] },
      owner: { status: 200, contains: ['"email"'], notContains: ['passwordHash', '"totpSecret"'] },
      other: 200,
      admin: { status: 200, contains: ['"email"'] },
      key: 200,
    },
  ),
  ...acrossCallers(
    { name: 'users: view another user', method: 'GET', path: (c) => records('users', c.user('other').id) },
    { anonymous: 404, owner: 404, other: 200, admin: 200, key: 200 },
  ),
  ...acrossCallers(
    { name: 'users: create through the record API', method: 'POST', path: records('users'), body: {} },
    { anonymous: 403, owner: 403, admin: 403, key: 403 },
  ),
  ...acrossCallers(
    { name: 'unknown collection', method: 'GET', path: records('nope') },
    { anonymous: 404, owner: 404, admin: 404, key: 404 },
  ),
];

describe('record API scenarios', () => {
  api.run(everyCaller);
});

const deletePost = {
  name: 'delete the new post',
  as: 'owner',
  method: 'DELETE',
  path: (c: ScenarioContext) => records('posts', c.id('mine')),
  status: 204,
} satisfies ApiScenario;

describe('successful writes by the owner', () => {
  api.run([
    {
      ...deletePost,
      name: 'the owner updates and deletes their own post; others cannot even see it',
      before: async (c) => {
        const post = await c.createRecord('owner', 'posts', { title: 'mine', owner: c.user('owner').id });
        expect(post.owner).toBe(c.user('owner').id);
        c.ids.mine = post.id;
        const bobs = await api.send({ ...deletePost, as: 'other' });
        expect(bobs.status).toBe(404);
        expect(bobs.events).toEqual([]);
      },
      status: 204,
      events: (c) => [{ collection: 'posts', action: 'delete', record: { id: c.id('mine'), title: 'mine' } }],
      after: async () => {
        expect((await api.send({ ...deletePost, method: 'GET' })).status).toBe(404);
      },
    },
    ...acrossCallers(
      {
        name: 'a team member deletes a team doc; admins and keys delete anything',
        method: 'DELETE',
        path: (c) => records('docs', c.id('tmpDoc')),
        before: async (c) => {
          c.ids.tmpDoc = (await c.createRecord('owner', 'docs', { title: 'tmp', team: c.id('team') })).id;
        },
        events: deleted('docs'),
      },
      { owner: 204, admin: 204, key: 204 },
    ),
    {
      name: 'a denied create is 403 rules/denied',
      as: 'other',
      method: 'POST',
      path: records('posts'),
      body: (c) => ({ title: 'impersonation', owner: c.user('owner').id }),
      status: 403,
      content: { error: { code: 'rules/denied' } },
      notContains: ['impersonation'],
    },
    {
      name: "a user sees their own email in the users collection, not other users'",
      as: 'owner',
      method: 'GET',
      path: (c) => records('users', c.user('owner').id),
      status: 200,
      content: (c) => ({ id: c.user('owner').id, email: c.user('owner').email, role: 'user' }),
      notContains: (c) => [c.user('other').email],
    },
    {
      name: 'an admin lists every user',
      as: 'admin',
      method: 'GET',
      path: records('users'),
      status: 200,
      contains: (c) => [c.user('owner').email, c.user('other').email, c.admin.email],
    },
  ]);
});

describe("a user's list of users holds that user alone, however it is filtered or counted (default rules)", () => {
  const queries: Array<[string, (other: string) => Record<string, string>]> = [
    ['no query', () => ({})],
    ['count=true', () => ({ count: 'true' })],
    ['a filter that matches every user', () => ({ filter: 'id != ""' })],
    ['a filter naming the other user, counted', (other) => ({ filter: `id == "${other}"`, count: 'true' })],
  ];
  const pairs = [
    ['owner', 'other'],
    ['other', 'owner'],
  ] as const;
  api.run(
    pairs.flatMap(([me, other]) =>
      queries.map(([what, query]): ApiScenario => {
        const named = what.includes('naming');
        return {
          name: `${me}: ${what}`,
          as: me,
          method: 'GET',
          path: records('users'),
          query: (c) => query(c.user(other).id),
          status: 200,
          content: (c) => ({
            items: named ? [] : [{ id: c.user(me).id }],
            ...(what.includes('count') ? { total: named ? 0 : 1 } : {}),
          }),
          notContains: (c) => [c.user(other).id],
        };
      }),
    ),
  );
});
