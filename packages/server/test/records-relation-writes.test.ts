import { describe, expect } from 'vitest';
import { useApiScenarios, type ScenarioContext, type ScenarioResponse } from '@hearth/testkit';

/**
 * A relation marked `viewable` may only be pointed at records the writer may
 * view; a hidden target and a missing one get the same 400. Unmarked
 * relations accept any existing id (assigning a task to another user).
 */

const schema = {
  collections: {
    users: { fields: { displayName: { type: 'text' } } },
    projects: {
      fields: { name: { type: 'text' }, owner: { type: 'relation', to: 'users' } },
      rules: { list: 'owner == auth.id', view: 'owner == auth.id' },
    },
    labels: {
      fields: { name: { type: 'text' }, public: { type: 'bool' } },
      rules: { list: 'public', view: 'public' },
    },
    vaults: { fields: { code: { type: 'text' } } },
    tasks: {
      fields: {
        title: { type: 'text' },
        project: { type: 'relation', to: 'projects', viewable: true },
        labels: { type: 'relation', to: 'labels', many: true, viewable: true },
        vault: { type: 'relation', to: 'vaults', viewable: true },
        assignee: { type: 'relation', to: 'users' },
      },
      rules: { list: 'true', view: 'true', create: 'auth != null', update: 'auth != null' },
    },
  },
};

interface Body {
  id?: string;
  error?: { code: string; details?: { fields?: Record<string, { code: string; message: string }> } };
}

const MISSING = '0f0f0f0f-0000-4000-8000-000000000000';

const api = useApiScenarios({
  schema,
  users: ['alice', 'bob'],
  seed: async ({ ids, insert, user }) => {
    ids.aliceProject = await insert('projects', { name: 'alice', owner: user('alice').id });
    ids.publicLabel = await insert('labels', { name: 'open', public: true });
    ids.hiddenLabel = await insert('labels', { name: 'staff', public: false });
    ids.vault = await insert('vaults', { code: 'v' });
  },
});

const tasks = '/api/collections/tasks/records';
const create = (as: string, body: (c: ScenarioContext) => Record<string, unknown>) =>
  ({ as, method: 'POST', path: tasks, body: (c: ScenarioContext) => ({ title: 't', ...body(c) }) }) as const;
const createdTask = [{ collection: 'tasks', action: 'create' as const }];

/** The field error a refused write names, which must not tell hidden from missing: the same for both. */
const relationError = (collection: string) => ({
  code: 'relation',
  message: `refers to ${collection} records that do not exist or that you may not view`,
});
const refused = (field: string, collection: string) => ({
  status: 400,
  content: { error: { code: 'validation/failed' } },
  after: (_c: ScenarioContext, response: ScenarioResponse) =>
    expect((response.body as Body).error?.details?.fields?.[field]).toEqual(relationError(collection)),
});

describe('a viewable relation cannot point at a record the writer cannot view', () => {
  api.run([
    {
      ...create('bob', (c) => ({ project: c.id('aliceProject') })),
      ...refused('project', 'projects'),
      name: "bob cannot attach a task to alice's private project",
    },
    {
      ...create('bob', () => ({ project: MISSING })),
      ...refused('project', 'projects'),
      name: 'a missing project gets the same answer as a hidden one',
    },
    {
      ...create('alice', (c) => ({ project: c.id('aliceProject') })),
      name: 'alice attaches a task to her own project',
      status: 201,
      events: createdTask,
    },
    {
      ...create('alice', (c) => ({ labels: [c.id('publicLabel'), c.id('hiddenLabel')] })),
      ...refused('labels', 'labels'),
      name: 'a many relation with one hidden id is refused',
    },
    {
      ...create('alice', (c) => ({ labels: [c.id('publicLabel'), MISSING] })),
      ...refused('labels', 'labels'),
      name: 'a many relation with one missing id is refused the same way',
    },
    {
      ...create('alice', (c) => ({ labels: [c.id('publicLabel')] })),
      name: 'a many relation with only visible ids passes',
      status: 201,
      events: createdTask,
    },
    {
      ...create('alice', (c) => ({ vault: c.id('vault') })),
      ...refused('vault', 'vaults'),
      name: 'a viewable relation into an admin-only collection is refused for a user',
    },
    {
      ...create('admin', (c) => ({ vault: c.id('vault'), labels: [c.id('hiddenLabel')] })),
      name: 'admins may point viewable relations anywhere',
      status: 201,
      events: createdTask,
    },
    {
      ...create('key', (c) => ({ vault: c.id('vault'), labels: [c.id('hiddenLabel')] })),
      name: 'service keys may point viewable relations anywhere',
      status: 201,
      events: createdTask,
    },
  ]);

  /** A task of bob's, kept as `ids.own`. */
  const bobsTask = async (c: ScenarioContext) => {
    c.ids.own = (await c.createRecord('bob', 'tasks', { title: 't' })).id;
  };
  const patch = (body: (c: ScenarioContext) => Record<string, unknown>) =>
    ({
      as: 'bob',
      method: 'PATCH',
      path: (c: ScenarioContext) => `${tasks}/${c.id('own')}`,
      body,
      before: bobsTask,
    }) as const;
  api.run([
    {
      ...patch((c) => ({ project: c.id('aliceProject') })),
      ...refused('project', 'projects'),
      name: 'PATCH cannot move a task into a project the writer cannot view',
    },
    {
      ...patch((c) => ({ labels: [c.id('hiddenLabel')] })),
      ...refused('labels', 'labels'),
      name: 'PATCH cannot add a label the writer cannot view',
    },
    {
      ...patch(() => ({ title: 'renamed' })),
      name: 'a patch that leaves the relation alone is not checked again',
      status: 200,
      events: [{ collection: 'tasks', action: 'update', record: { title: 'renamed' } }],
    },
    {
      name: 'a batch that points a relation at a hidden record is refused and rolls back',
      as: 'bob',
      method: 'POST',
      path: '/api/batch',
      body: (c) => ({
        requests: [
          { method: 'POST', path: tasks, body: { title: 'first' } },
          { method: 'POST', path: tasks, body: { title: 'second', project: c.id('aliceProject') } },
        ],
      }),
      before: async (c) => {
        const { rows } = await c.app.hearth.pool.query('SELECT count(*)::int AS n FROM app.tasks');
        c.ids.tasksBefore = String(rows[0].n);
      },
      status: 400,
      content: {
        error: {
          code: 'validation/failed',
          details: { index: 1, details: { fields: { project: { code: 'relation' } } } },
        },
      },
      after: async (c) => {
        const { rows } = await c.app.hearth.pool.query('SELECT count(*)::int AS n FROM app.tasks');
        expect(String(rows[0].n)).toBe(c.id('tasksBefore'));
      },
    },
    {
      ...create('bob', (c) => ({ assignee: c.user('alice').id })),
      name: 'an unmarked relation still accepts any existing id: a task may be assigned to another user',
      status: 201,
      events: createdTask,
    },
  ]);
});
