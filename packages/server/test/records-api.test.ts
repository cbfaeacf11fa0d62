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
import type { ChangeEvent } from '../src/collections/change-events.js';

const schema = {
  collections: {
    projects: {
      fields: {
        name: { type: 'text', required: true },
        owner: { type: 'relation', to: 'users', required: true },
      },
      rules: { list: 'owner == auth.id', view: 'owner == auth.id', create: 'data.owner == auth.id' },
    },
    tags: {
      fields: { label: { type: 'text', unique: true } },
      rules: { list: 'true', view: 'true', create: 'auth != null' },
    },
    tasks: {
      fields: {
        title: { type: 'text', required: true, min: 1, max: 50 },
        done: { type: 'bool', default: false },
        priority: { type: 'number', integer: true, min: 0, max: 5 },
        status: { type: 'select', values: ['todo', 'doing', 'done'], default: 'todo' },
        due: { type: 'date' },
        contact: { type: 'email' },
        link: { type: 'url' },
        meta: { type: 'json' },
        owner: { type: 'relation', to: 'users', required: true },
        project: { type: 'relation', to: 'projects' },
        tags: { type: 'relation', to: 'tags', many: true },
      },
      indexes: [{ fields: ['owner', 'createdAt'] }],
      rules: {
        list: 'owner == auth.id',
        view: 'owner == auth.id',
        create: 'auth != null && data.owner == auth.id',
        update: 'owner == auth.id',
        delete: 'owner == auth.id',
      },
    },
  },
};

interface Task {
  id: string;
  title: string;
  done: boolean;
  priority: number | null;
  status: string;
  createdAt: string;
  updatedAt: string;
  expand?: Record<string, unknown>;
  [key: string]: unknown;
}
interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
interface Page {
  items: Task[];
  nextCursor: string | null;
  total?: number;
}

let app: TestApp;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;
let key: Record<string, string>;
const events: ChangeEvent[] = [];

const url = (id?: string, query = '') => `/api/collections/tasks/records${id ? `/${id}` : ''}${query}`;

beforeAll(async () => {
  app = await startAppWithOpenSignup();
  admin = await createTestAdmin(app);
  key = (await createTestServiceKey(app, admin.token)).headers;
  alice = await signUpTestUser(app);
  bob = await signUpTestUser(app);
  await applyTestSchema(app, key, schema);
  app.hearth.collections.events.on((event) => events.push(event));
});
afterAll(async () => {
  await app?.close();
});

async function createTask(user: TestUser, body: Record<string, unknown>) {
  const response = await app.request<Task>('POST', url(), {
    headers: user.headers,
    body: { owner: user.id, ...body },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

describe('validation', () => {
  it('applies defaults and returns system fields', async () => {
    const task = await createTask(alice, { title: 'defaults' });
    expect(task).toMatchObject({
      title: 'defaults',
      done: false,
      status: 'todo',
      priority: null,
      tags: [],
      owner: alice.id,
    });
    expect(task.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(task.createdAt)).not.toBeNaN();
  });

  it('reports every bad field with its own detail', async () => {
    const response = await app.request<ErrorBody>('POST', url(), {
      headers: alice.headers,
      body: {
        owner: alice.id,
        title: '',
        priority: 2.5,
        status: 'later',
        due: 'tomorrow',
        contact: 'not-an-email',
        link: 'javascript:alert(1)',
        tags: ['nope'],
        unknownField: 1,
        id: '00000000-0000-4000-8000-000000000000',
        createdAt: '2020-01-01T00:00:00Z',
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation/failed');
    const fields = response.body.error.details?.fields as Record<string, { code: string }>;
    expect(Object.keys(fields).sort()).toEqual(
      [
        'contact',
        'createdAt',
        'due',
        'id',
        'link',
        'priority',
        'status',
        'tags',
        'title',
        'unknownField',
      ].sort(),
    );
    expect(fields.id?.code).toBe('read-only');
    expect(fields.unknownField?.code).toBe('unknown');
    expect(fields.title?.code).toBe('required');
  });

  it('refuses a relation to a record that does not exist, and a duplicate unique value', async () => {
    const missing = await app.request<ErrorBody>('POST', url(), {
      headers: alice.headers,
      body: { owner: alice.id, title: 'x', project: '00000000-0000-4000-8000-000000000000' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details?.fields).toHaveProperty('project');
    const tag = { label: 'urgent' };
    expect(
      (await app.request('POST', '/api/collections/tags/records', { headers: alice.headers, body: tag }))
        .status,
    ).toBe(201);
    const duplicate = await app.request<ErrorBody>('POST', '/api/collections/tags/records', {
      headers: alice.headers,
      body: tag,
    });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error.details?.fields).toEqual({
      label: { code: 'unique', message: 'must be unique' },
    });
  });

  it('PATCH cannot change system fields or set unknown ones', async () => {
    const task = await createTask(alice, { title: 'patch me' });
    const response = await app.request<ErrorBody>('PATCH', url(task.id), {
      headers: alice.headers,
      body: { id: 'x', nope: 1 },
    });
    expect(response.status).toBe(400);
    expect(Object.keys(response.body.error.details?.fields as object).sort()).toEqual(['id', 'nope']);
  });
});

describe('listing', () => {
  let ids: string[] = [];
  beforeAll(async () => {
    ids = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await createTask(bob, { title: `bob ${i}`, priority: i % 3, done: i % 2 === 0 })).id);
    }
  });

  it('filters, ANDed with the rule', async () => {
    const page = await app.request<Page>(
      'GET',
      url(undefined, `?filter=${encodeURIComponent('priority == 1 && done == false')}`),
      { headers: bob.headers },
    );
    expect(page.status).toBe(200);
    expect(page.body.items.map((t) => t.title).sort()).toEqual(['bob 1']);
    const none = await app.request<Page>(
      'GET',
      url(undefined, `?filter=${encodeURIComponent('priority == 1')}`),
      { headers: alice.headers },
    );
    expect(none.body.items).toEqual([]);
  });

  it('sorts on several keys', async () => {
    const page = await app.request<Page>('GET', url(undefined, '?sort=-priority,title&limit=200'), {
      headers: bob.headers,
    });
    expect(page.body.items.map((t) => t.title)).toEqual([
      'bob 2',
      'bob 5',
      'bob 1',
      'bob 4',
      'bob 0',
      'bob 3',
      'bob 6',
    ]);
  });

  it('pages with opaque signed cursors until the end, and counts on request', async () => {
    for (const sort of ['', '-createdAt', '-priority,title', 'done,-title']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `?limit=3${sort ? `&sort=${sort}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}&count=true`;
        const page: { status: number; body: Page } = await app.request<Page>('GET', url(undefined, query), {
          headers: bob.headers,
        });
        expect(page.status).toBe(200);
        expect(page.body.total).toBe(7);
        seen.push(...page.body.items.map((t) => t.id));
        cursor = page.body.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect(seen.sort(), `sort ${sort}`).toEqual([...ids].sort());
      expect(pages).toBe(3);
    }
  });

  it('refuses a tampered cursor or one from another sort', async () => {
    const page = await app.request<Page>('GET', url(undefined, '?limit=2'), { headers: bob.headers });
    const cursor = page.body.nextCursor as string;
    const [body, sig] = cursor.split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), i: ids[0] })).toString('base64url')}.${sig}`;
    for (const query of [
      `?cursor=${forged}`,
      `?cursor=${encodeURIComponent(cursor)}&sort=-title`,
      '?cursor=garbage',
    ]) {
      const response = await app.request<ErrorBody>('GET', url(undefined, query), { headers: bob.headers });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('query/invalid');
    }
  });

  it('validates limit: default 20, maximum 200', async () => {
    for (const limit of ['0', '201', 'x', '-1']) {
      const response = await app.request<ErrorBody>('GET', url(undefined, `?limit=${limit}`), {
        headers: bob.headers,
      });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('query/invalid');
    }
  });

  it('pages 20 records at a time when no limit is given (the documented default)', async () => {
    // A user of its own, so that exactly 25 records are visible.
    const carol = await signUpTestUser(app);
    const created = await app.request<{ responses: Array<{ status: number }> }>('POST', '/api/batch', {
      headers: carol.headers,
      body: {
        requests: Array.from({ length: 25 }, (_, i) => ({
          method: 'POST',
          path: url(),
          body: { title: `page ${i}`, owner: carol.id },
        })),
      },
    });
    expect(created.body.responses.map((response) => response.status)).toEqual(Array(25).fill(201));

    const first = await app.request<Page>('GET', url(undefined, '?count=true'), { headers: carol.headers });
    expect(first.body.total).toBe(25);
    expect(first.body.items).toHaveLength(20);
    expect(first.body.nextCursor).not.toBeNull();
    const rest = await app.request<Page>('GET', url(undefined, `?cursor=${first.body.nextCursor}`), {
      headers: carol.headers,
    });
    expect(rest.body.items).toHaveLength(5);
    expect(rest.body.nextCursor).toBeNull();
    expect(new Set([...first.body.items, ...rest.body.items].map((task) => task.id)).size).toBe(25);

    const all = await app.request<Page>('GET', url(undefined, '?limit=200'), { headers: carol.headers });
    expect(all.body.items).toHaveLength(25);
  });

  it('selects fields', async () => {
    const page = await app.request<Page>('GET', url(undefined, '?fields=id,title&limit=1'), {
      headers: bob.headers,
    });
    expect(Object.keys(page.body.items[0] ?? {}).sort()).toEqual(['id', 'title']);
    const bad = await app.request<ErrorBody>('GET', url(undefined, '?fields=nope'), { headers: bob.headers });
    expect(bad.status).toBe(400);
  });

  it('expands relations only where the caller passes the related view rule', async () => {
    const project = await app.request<{ id: string }>('POST', '/api/collections/projects/records', {
      headers: alice.headers,
      body: { name: 'alice project', owner: alice.id },
    });
    const tag = await app.request<{ id: string }>('POST', '/api/collections/tags/records', {
      headers: alice.headers,
      body: { label: 'home' },
    });
    const task = await createTask(alice, {
      title: 'expand me',
      project: project.body.id,
      tags: [tag.body.id],
    });
    const mine = await app.request<Task>('GET', url(task.id, '?expand=project,tags,owner'), {
      headers: alice.headers,
    });
    expect(mine.body.expand).toMatchObject({
      project: { id: project.body.id, name: 'alice project' },
      tags: [{ id: tag.body.id, label: 'home' }],
      owner: { id: alice.id },
    });
    // Bob owns a task pointing at Alice's project: he may not see the project through it.
    const bobTask = await app.request<Task>('POST', url(), {
      headers: key,
      body: { title: 'sneaky', owner: bob.id, project: project.body.id },
    });
    const his = await app.request<Task>('GET', url(bobTask.body.id, '?expand=project'), {
      headers: bob.headers,
    });
    expect(his.status).toBe(200);
    expect(his.body.expand).toEqual({});
    const asAdmin = await app.request<Task>('GET', url(bobTask.body.id, '?expand=project'), {
      headers: admin.headers,
    });
    expect(asAdmin.body.expand).toMatchObject({ project: { name: 'alice project' } });
    const bad = await app.request<ErrorBody>('GET', url(undefined, '?expand=title'), {
      headers: bob.headers,
    });
    expect(bad.body.error.code).toBe('query/invalid');
  });
});

describe('Idempotency-Key', () => {
  it('the same key and body return the same record; another body is 422', async () => {
    const headers = { ...alice.headers, 'idempotency-key': 'create-once-1' };
    const body = { owner: alice.id, title: 'once' };
    const first = await app.request<Task>('POST', url(), { headers, body });
    const second = await app.request<Task>('POST', url(), { headers, body });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const other = await app.request<ErrorBody>('POST', url(), { headers, body: { ...body, title: 'twice' } });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('records/idempotency-mismatch');
    // Keys belong to their caller.
    const bobs = await app.request<Task>('POST', url(), {
      headers: { ...bob.headers, 'idempotency-key': 'create-once-1' },
      body: { owner: bob.id, title: 'once' },
    });
    expect(bobs.status).toBe(201);
    expect(bobs.body.id).not.toBe(first.body.id);
  });

  it('twenty concurrent duplicates make exactly one record', async () => {
    const headers = { ...alice.headers, 'idempotency-key': 'concurrent-1' };
    const body = { owner: alice.id, title: 'concurrent' };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => app.request<Task>('POST', url(), { headers, body })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    const { rows } = await app.hearth.pool.query(`SELECT id FROM app.tasks WHERE title = 'concurrent'`);
    expect(rows).toHaveLength(1);
  });

  it('a failed create does not burn the key', async () => {
    const headers = { ...alice.headers, 'idempotency-key': 'retry-after-400' };
    expect((await app.request('POST', url(), { headers, body: { owner: alice.id, title: '' } })).status).toBe(
      400,
    );
    expect(
      (await app.request('POST', url(), { headers, body: { owner: alice.id, title: 'ok' } })).status,
    ).toBe(201);
  });
});

describe('If-Match', () => {
  it('updates only the version the caller read; 412 otherwise', async () => {
    const task = await createTask(alice, { title: 'versioned' });
    const read = await app.request<Task>('GET', url(task.id), { headers: alice.headers });
    const etag = read.headers.get('etag') as string;
    expect(etag).toMatch(/^"\d+"$/);
    const ok = await app.request<Task>('PATCH', url(task.id), {
      headers: { ...alice.headers, 'if-match': etag },
      body: { title: 'v2' },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).not.toBe(etag);
    const stale = await app.request<ErrorBody>('PATCH', url(task.id), {
      headers: { ...alice.headers, 'if-match': etag },
      body: { title: 'v3' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('records/precondition-failed');
    // Someone who cannot see the record learns nothing: 404, not 412.
    const hidden = await app.request<ErrorBody>('PATCH', url(task.id), {
      headers: { ...bob.headers, 'if-match': etag },
      body: { title: 'x' },
    });
    expect(hidden.status).toBe(404);
    const current = await app.request<Task>('GET', url(task.id), { headers: alice.headers });
    expect(current.body.title).toBe('v2');
  });
});

describe('batch', () => {
  it('runs every request in one transaction', async () => {
    const response = await app.request<{ responses: Array<{ status: number; body: Task }> }>(
      'POST',
      '/api/batch',
      {
        headers: alice.headers,
        body: {
          requests: [
            {
              method: 'POST',
              path: '/api/collections/tasks/records',
              body: { owner: alice.id, title: 'batch a' },
            },
            {
              method: 'POST',
              path: '/api/collections/tasks/records',
              body: { owner: alice.id, title: 'batch b' },
            },
            {
              method: 'GET',
              path: `/api/collections/tasks/records?filter=${encodeURIComponent('title == "batch a"')}`,
            },
          ],
        },
      },
    );
    expect(response.status).toBe(200);
    expect(response.body.responses.map((r) => r.status)).toEqual([201, 201, 200]);
    expect((response.body.responses[2]?.body as unknown as Page).items).toHaveLength(1);
  });

  it('rolls everything back when one request fails, and emits no events for it', async () => {
    const before = events.length;
    const response = await app.request<ErrorBody>('POST', '/api/batch', {
      headers: alice.headers,
      body: {
        requests: [
          {
            method: 'POST',
            path: '/api/collections/tasks/records',
            body: { owner: alice.id, title: 'rolled back' },
          },
          {
            method: 'POST',
            path: '/api/collections/tasks/records',
            body: { owner: bob.id, title: 'not mine' },
          },
        ],
      },
    });
    expect(response.status).toBe(403);
    expect(response.body.error).toMatchObject({ code: 'rules/denied', details: { index: 1 } });
    const { rows } = await app.hearth.pool.query(`SELECT 1 FROM app.tasks WHERE title = 'rolled back'`);
    expect(rows).toHaveLength(0);
    expect(events.length).toBe(before);
  });

  it('refuses more than 100 requests and non-record paths', async () => {
    const tooMany = Array.from({ length: 101 }, () => ({
      method: 'GET',
      path: '/api/collections/tasks/records',
    }));
    expect(
      (
        await app.request<ErrorBody>('POST', '/api/batch', {
          headers: alice.headers,
          body: { requests: tooMany },
        })
      ).body.error.code,
    ).toBe('batch/invalid');
    const other = await app.request<ErrorBody>('POST', '/api/batch', {
      headers: alice.headers,
      body: { requests: [{ method: 'POST', path: '/api/admin/keys', body: { name: 'x' } }] },
    });
    expect(other.body.error.code).toBe('batch/invalid');
  });
});

describe('change events', () => {
  it('emits create, update and delete after commit with old and new records', async () => {
    const start = events.length;
    const task = await createTask(alice, { title: 'evented' });
    await app.request('PATCH', url(task.id), { headers: alice.headers, body: { title: 'evented 2' } });
    await app.request('DELETE', url(task.id), { headers: alice.headers });
    const mine = events.slice(start).filter((e) => e.record.id === task.id);
    expect(mine.map((e) => e.action)).toEqual(['create', 'update', 'delete']);
    expect(mine[0]).toMatchObject({ collection: 'tasks', oldRecord: null, record: { title: 'evented' } });
    expect(mine[1]).toMatchObject({ oldRecord: { title: 'evented' }, record: { title: 'evented 2' } });
    expect(mine[2]).toMatchObject({ record: { title: 'evented 2' } });
    for (const event of mine) expect(event.txid).toMatch(/^\d+$/);
  });
});
