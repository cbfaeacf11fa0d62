import { describe, expect, it } from 'vitest';
import type { ScenarioResponse } from './api-scenario.js';
import { checkScenarioResponse } from './api-scenario-checks.js';
import { acrossCallers, useApiScenarios } from './api-scenarios.js';

const answer = (body: unknown, events: ScenarioResponse['events'] = []): ScenarioResponse => ({
  status: 200,
  headers: new Headers(),
  body,
  text: JSON.stringify(body),
  events,
});
const created = {
  collection: 'notes',
  action: 'create' as const,
  record: { id: 'n1', body: 'hi' },
  oldRecord: null,
  txid: '1',
};

describe('checkScenarioResponse', () => {
  it('passes an answer that meets every expectation', () => {
    expect(() =>
      checkScenarioResponse(
        {
          status: 200,
          content: { items: [{ body: 'hi' }] },
          contains: ['"hi"'],
          notContains: ['secret'],
          events: [{ collection: 'notes', action: 'create', record: { body: 'hi' } }],
        },
        answer({ items: [{ id: 'n1', body: 'hi' }] }, [created]),
      ),
    ).not.toThrow();
  });

  it.each([
    ['a wrong status', { status: 404 }],
    ['content that does not match', { status: 200, content: { items: [{ body: 'bye' }] } }],
    ['a list of another length', { status: 200, content: { items: [] } }],
    ['a missing string', { status: 200, contains: ['bye'] }],
    ['a string that must not appear', { status: 200, notContains: ['"hi"'] }],
  ])('fails on %s', (_what, expected) => {
    expect(() => checkScenarioResponse(expected, answer({ items: [{ body: 'hi' }] }))).toThrow();
  });

  it('fails on an event nobody expected: no events declared means none may happen', () => {
    expect(() => checkScenarioResponse({ status: 200 }, answer({}, [created]))).toThrow(/change events/);
  });

  it('fails on a missing or a different event', () => {
    const update = { collection: 'notes', action: 'update' as const };
    expect(() => checkScenarioResponse({ status: 200, events: [update] }, answer({}))).toThrow();
    expect(() => checkScenarioResponse({ status: 200, events: [update] }, answer({}, [created]))).toThrow();
  });
});

describe('acrossCallers', () => {
  it('names one scenario per caller and keeps success expectations off refused callers', () => {
    const scenarios = acrossCallers(
      {
        name: 'notes: create',
        method: 'POST',
        path: '/x',
        contains: ['new'],
        events: [{ collection: 'notes', action: 'create' }],
      },
      { anonymous: 403, alice: 201, key: { status: 201, contains: ['other'] } },
    );
    expect(scenarios.map((s) => [s.name, s.as, s.status, s.contains, s.events?.length])).toEqual([
      ['notes: create as anonymous → 403', 'anonymous', 403, undefined, undefined],
      ['notes: create as alice → 201', 'alice', 201, ['new'], 1],
      ['notes: create as key → 201', 'key', 201, ['other'], undefined],
    ]);
  });
});

describe('useApiScenarios against the real server', () => {
  const api = useApiScenarios({
    users: ['alice', 'bob'],
    schema: {
      collections: {
        notes: {
          fields: { body: { type: 'text' }, owner: { type: 'relation', to: 'users' } },
          rules: { list: 'owner == auth.id', view: 'owner == auth.id', create: 'data.owner == auth.id' },
        },
      },
    },
    seed: async (context) => {
      context.ids.note = await context.insert('notes', {
        body: 'alice note',
        owner: context.user('alice').id,
      });
    },
  });

  api.run([
    ...acrossCallers(
      { name: 'view a note', method: 'GET', path: (c) => `/api/collections/notes/records/${c.id('note')}` },
      {
        anonymous: { status: 404, notContains: ['alice note'] },
        alice: { status: 200, content: { body: 'alice note' } },
        bob: { status: 404, notContains: ['alice note'] },
        admin: 200,
      },
    ),
    {
      name: 'a filter in the query is percent-encoded and ANDed with the rule',
      as: 'bob',
      method: 'GET',
      path: '/api/collections/notes/records',
      query: { filter: 'body == "alice note"', count: true },
      status: 200,
      content: { items: [], total: 0 },
    },
    {
      name: 'a create reports its change event',
      as: 'alice',
      method: 'POST',
      path: '/api/collections/notes/records',
      body: (c) => ({ body: 'second', owner: c.user('alice').id }),
      status: 201,
      content: { body: 'second' },
      events: [{ collection: 'notes', action: 'create', record: { body: 'second' }, oldRecord: null }],
    },
    {
      name: 'a denied create causes no event',
      as: 'bob',
      method: 'POST',
      path: '/api/collections/notes/records',
      body: (c) => ({ body: 'forged', owner: c.user('alice').id }),
      status: 403,
      content: { error: { code: 'rules/denied' } },
    },
    {
      name: 'before and after wrap the request; events of before are not counted',
      as: 'alice',
      method: 'GET',
      path: (c) => `/api/collections/notes/records/${c.id('fresh')}`,
      before: async (c) => {
        c.ids.fresh = (
          await c.createRecord('alice', 'notes', { body: 'fresh', owner: c.user('alice').id })
        ).id;
      },
      status: 200,
      after: (c, response) => expect(response.body).toMatchObject({ id: c.id('fresh') }),
    },
  ]);
});

describe('the example in docs/development.md ("API scenarios") runs as written', () => {
  const schema = {
    collections: {
      posts: {
        fields: {
          title: { type: 'text' },
          owner: { type: 'relation', to: 'users' },
          internal: { type: 'text', hidden: true },
        },
        rules: { list: 'owner == auth.id', view: 'owner == auth.id', create: 'data.owner == auth.id' },
      },
    },
  };
  const api = useApiScenarios({
    schema,
    users: ['alice', 'bob'],
    seed: async (c) => {
      c.ids.post = await c.insert('posts', {
        title: 'draft',
        owner: c.user('alice').id,
        internal: 'staff only',
      });
    },
  });

  api.run([
    ...acrossCallers(
      { name: 'posts: view', method: 'GET', path: (c) => `/api/collections/posts/records/${c.id('post')}` },
      {
        anonymous: 404,
        alice: { status: 200, content: { title: 'draft' }, notContains: ['staff only'] },
        bob: { status: 404, notContains: ['draft'] },
        admin: { status: 200, contains: ['staff only'] },
      },
    ),
    {
      name: 'a create announces its change event',
      as: 'alice',
      method: 'POST',
      path: '/api/collections/posts/records',
      body: (c) => ({ title: 'new', owner: c.user('alice').id }),
      status: 201,
      events: [{ collection: 'posts', action: 'create', record: { title: 'new' } }],
    },
  ]);
});
