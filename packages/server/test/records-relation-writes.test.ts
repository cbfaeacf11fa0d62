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

let app: TestApp;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;
const ids: Record<string, string> = {};
const MISSING = '0f0f0f0f-0000-4000-8000-000000000000';

beforeAll(async () => {
  app = await startAppWithOpenSignup();
  admin = await createTestAdmin(app);
  const key = await createTestServiceKey(app, admin.token);
  alice = await signUpTestUser(app);
  bob = await signUpTestUser(app);
  await applyTestSchema(app, key.headers, schema);
  const insert = async (collection: string, row: Record<string, unknown>) => {
    const columns = Object.keys(row);
    const { rows } = await app.hearth.pool.query<{ id: string }>(
      `INSERT INTO app.${collection} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      Object.values(row),
    );
    return rows[0]!.id;
  };
  ids.aliceProject = await insert('projects', { name: 'alice', owner: alice.id });
  ids.publicLabel = await insert('labels', { name: 'open', public: true });
  ids.hiddenLabel = await insert('labels', { name: 'staff', public: false });
  ids.vault = await insert('vaults', { code: 'v' });
});
afterAll(async () => {
  await app?.close();
});

const tasks = '/api/collections/tasks/records';
const create = (who: TestUser, body: Record<string, unknown>) =>
  app.request<Body>('POST', tasks, { headers: who.headers, body: { title: 't', ...body } });

/** The field error a refused write names, which must not tell hidden from missing. */
function fieldError(response: { status: number; body: Body }, field: string) {
  expect(response.status).toBe(400);
  expect(response.body.error?.code).toBe('validation/failed');
  return response.body.error?.details?.fields?.[field];
}

describe('a viewable relation cannot point at a record the writer cannot view', () => {
  it("bob cannot attach a task to alice's private project, and the answer is the same as for a missing id", async () => {
    const hidden = fieldError(await create(bob, { project: ids.aliceProject }), 'project');
    const missing = fieldError(await create(bob, { project: MISSING }), 'project');
    expect(hidden).toEqual({
      code: 'relation',
      message: 'refers to projects records that do not exist or that you may not view',
    });
    expect(missing).toEqual(hidden);
    expect((await create(alice, { project: ids.aliceProject })).status).toBe(201);
  });

  it('a many relation with one hidden id is refused like one with a missing id', async () => {
    const hidden = fieldError(await create(alice, { labels: [ids.publicLabel, ids.hiddenLabel] }), 'labels');
    const missing = fieldError(await create(alice, { labels: [ids.publicLabel, MISSING] }), 'labels');
    expect(hidden?.code).toBe('relation');
    expect(missing).toEqual(hidden);
    expect((await create(alice, { labels: [ids.publicLabel] })).status).toBe(201);
  });

  it('a viewable relation into an admin-only collection is refused for everyone but admins and keys', async () => {
    expect(fieldError(await create(alice, { vault: ids.vault }), 'vault')?.code).toBe('relation');
    expect((await create(admin, { vault: ids.vault, labels: [ids.hiddenLabel] })).status).toBe(201);
  });

  it('PATCH cannot move a task into a project the writer cannot view', async () => {
    const own = await create(bob, {});
    expect(own.status).toBe(201);
    const moved = await app.request<Body>('PATCH', `${tasks}/${own.body.id}`, {
      headers: bob.headers,
      body: { project: ids.aliceProject },
    });
    expect(fieldError(moved, 'project')?.code).toBe('relation');
    const labels = await app.request<Body>('PATCH', `${tasks}/${own.body.id}`, {
      headers: bob.headers,
      body: { labels: [ids.hiddenLabel] },
    });
    expect(fieldError(labels, 'labels')?.code).toBe('relation');
    // A patch that leaves the relation alone is not checked again.
    const retitle = await app.request<Body>('PATCH', `${tasks}/${own.body.id}`, {
      headers: bob.headers,
      body: { title: 'renamed' },
    });
    expect(retitle.status).toBe(200);
  });

  it('a batch that points a relation at a hidden record is refused and rolls back', async () => {
    const before = await app.hearth.pool.query('SELECT count(*)::int AS n FROM app.tasks');
    const response = await app.request<Body>('POST', '/api/batch', {
      headers: bob.headers,
      body: {
        requests: [
          { method: 'POST', path: tasks, body: { title: 'first' } },
          { method: 'POST', path: tasks, body: { title: 'second', project: ids.aliceProject } },
        ],
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 'validation/failed',
      details: { index: 1, details: { fields: { project: { code: 'relation' } } } },
    });
    const after = await app.hearth.pool.query('SELECT count(*)::int AS n FROM app.tasks');
    expect(after.rows[0]).toEqual(before.rows[0]);
  });

  it('an unmarked relation still accepts any existing id: a task may be assigned to another user', async () => {
    expect((await create(bob, { assignee: alice.id })).status).toBe(201);
  });
});
