import { beforeAll, describe, expect, it } from 'vitest';
import { useApiScenarios, type ApiScenario, type ScenarioContext } from '@hearth/testkit';

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
interface Page {
  items: Task[];
  nextCursor: string | null;
  total?: number;
}

const api = useApiScenarios({ schema, users: ['alice', 'bob', 'carol'] });

const url = (id?: string, query = '') => `/api/collections/tasks/records${id ? `/${id}` : ''}${query}`;
const createTask = (c: ScenarioContext, who: string, body: Record<string, unknown>) =>
  c.createRecord(who, 'tasks', { owner: c.user(who).id, ...body });
const taskCreated = (record: Record<string, unknown> = {}) => [
  { collection: 'tasks', action: 'create' as const, record, oldRecord: null },
];
/** Alice's create of a task. */
const aliceCreates = { as: 'alice', method: 'POST', path: url() } as const;
const queryInvalid = { error: { code: 'query/invalid' } };

describe('validation', () => {
  api.run([
    {
      name: 'applies defaults and returns system fields',
      ...aliceCreates,
      body: (c) => ({ owner: c.user('alice').id, title: 'defaults' }),
      status: 201,
      content: (c) => ({
        title: 'defaults',
        done: false,
        status: 'todo',
        priority: null,
        tags: [],
        owner: c.user('alice').id,
      }),
      events: taskCreated({ title: 'defaults' }),
      after: (_c, response) => {
        const task = response.body as Task;
        expect(task.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(Date.parse(task.createdAt)).not.toBeNaN();
      },
    },
    {
      name: 'reports every bad field with its own detail',
      ...aliceCreates,
      body: (c) => ({
        owner: c.user('alice').id,
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
      }),
      status: 400,
      content: {
        error: {
          code: 'validation/failed',
          details: {
            fields: {
              id: { code: 'read-only' },
              unknownField: { code: 'unknown' },
              title: { code: 'required' },
            },
          },
        },
      },
      after: (_c, response) => {
        const { fields } = (response.body as { error: { details: { fields: object } } }).error.details;
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
      },
    },
    {
      name: 'refuses a relation to a record that does not exist',
      ...aliceCreates,
      body: (c) => ({
        owner: c.user('alice').id,
        title: 'x',
        project: '00000000-0000-4000-8000-000000000000',
      }),
      status: 400,
      content: { error: { details: { fields: { project: {} } } } },
    },
    {
      name: 'refuses a duplicate unique value',
      as: 'alice',
      method: 'POST',
      path: '/api/collections/tags/records',
      body: { label: 'urgent' },
      before: async (c) => {
        await c.createRecord('alice', 'tags', { label: 'urgent' });
      },
      status: 400,
      after: (_c, response) =>
        expect((response.body as { error: { details: object } }).error.details).toEqual({
          fields: { label: { code: 'unique', message: 'must be unique' } },
        }),
    },
    {
      name: 'PATCH cannot change system fields or set unknown ones',
      as: 'alice',
      method: 'PATCH',
      path: (c) => url(c.id('patchMe')),
      body: { id: 'x', nope: 1 },
      before: async (c) => {
        c.ids.patchMe = (await createTask(c, 'alice', { title: 'patch me' })).id;
      },
      status: 400,
      after: (_c, response) => {
        const { fields } = (response.body as { error: { details: { fields: object } } }).error.details;
        expect(Object.keys(fields).sort()).toEqual(['id', 'nope']);
      },
    },
  ]);
});

describe('listing', () => {
  let ids: string[] = [];
  beforeAll(async () => {
    const c = api.context();
    ids = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await createTask(c, 'bob', { title: `bob ${i}`, priority: i % 3, done: i % 2 === 0 })).id);
    }
  });

  const list = { method: 'GET', path: url() } as const;
  api.run([
    {
      ...list,
      name: 'filters, ANDed with the rule',
      as: 'bob',
      query: { filter: 'priority == 1 && done == false' },
      status: 200,
      content: { items: [{ title: 'bob 1' }] },
    },
    {
      ...list,
      name: "a filter cannot reach another user's rows",
      as: 'alice',
      query: { filter: 'priority == 1' },
      status: 200,
      content: { items: [] },
      notContains: ['bob 1'],
    },
    {
      ...list,
      name: 'sorts on several keys',
      as: 'bob',
      query: { sort: '-priority,title', limit: 200 },
      status: 200,
      content: {
        items: ['bob 2', 'bob 5', 'bob 1', 'bob 4', 'bob 0', 'bob 3', 'bob 6'].map((title) => ({ title })),
      },
    },
  ]);

  it('pages with opaque signed cursors until the end, and counts on request', async () => {
    const { app, user } = api.context();
    for (const sort of ['', '-createdAt', '-priority,title', 'done,-title']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `?limit=3${sort ? `&sort=${sort}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}&count=true`;
        const page: { status: number; body: Page } = await app.request<Page>('GET', url(undefined, query), {
          headers: user('bob').headers,
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

  /** Keeps a real cursor of bob's, and one forged from it, as `ids.cursor` and `ids.forged`. */
  const readCursor = async (c: ScenarioContext) => {
    const page = await api.send({ ...list, as: 'bob', query: { limit: 2 } });
    const cursor = (page.body as Page).nextCursor as string;
    const [body, sig] = cursor.split('.');
    const decoded = JSON.parse(Buffer.from(body!, 'base64url').toString()) as object;
    c.ids.cursor = cursor;
    c.ids.forged = `${Buffer.from(JSON.stringify({ ...decoded, i: ids[0] })).toString('base64url')}.${sig}`;
  };
  const refusedCursors: Array<[string, (c: ScenarioContext) => Record<string, string>]> = [
    ['a tampered cursor', (c) => ({ cursor: c.id('forged') })],
    ['a cursor from another sort', (c) => ({ cursor: c.id('cursor'), sort: '-title' })],
    ['a cursor that is not one', () => ({ cursor: 'garbage' })],
  ];
  api.run(
    refusedCursors.map(([what, query]): ApiScenario => ({
      ...list,
      name: `refuses ${what}`,
      as: 'bob',
      query,
      before: readCursor,
      status: 400,
      content: queryInvalid,
    })),
  );

  api.run(
    ['0', '201', 'x', '-1'].map((limit): ApiScenario => ({
      ...list,
      name: `validates limit (default 20, maximum 200): limit=${limit} is a 400`,
      as: 'bob',
      query: { limit },
      status: 400,
      content: queryInvalid,
    })),
  );

  it('pages 20 records at a time when no limit is given (the documented default)', async () => {
    // A user of its own, so that exactly 25 records are visible.
    const { app, user } = api.context();
    const carol = user('carol');
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

  api.run([
    {
      ...list,
      name: 'selects fields',
      as: 'bob',
      query: { fields: 'id,title', limit: 1 },
      status: 200,
      after: (_c, response) =>
        expect(Object.keys((response.body as Page).items[0] ?? {}).sort()).toEqual(['id', 'title']),
    },
    {
      ...list,
      name: 'refuses to select an unknown field',
      as: 'bob',
      query: { fields: 'nope' },
      status: 400,
    },
  ]);

  describe('expands relations only where the caller passes the related view rule', () => {
    beforeAll(async () => {
      const c = api.context();
      const project = await c.createRecord('alice', 'projects', {
        name: 'alice project',
        owner: c.user('alice').id,
      });
      const tag = await c.createRecord('alice', 'tags', { label: 'home' });
      c.ids.project = project.id;
      c.ids.tag = tag.id;
      c.ids.aliceTask = (
        await createTask(c, 'alice', { title: 'expand me', project: project.id, tags: [tag.id] })
      ).id;
      // Bob owns a task pointing at Alice's project: he may not see the project through it.
      c.ids.bobTask = (
        await c.createRecord('key', 'tasks', {
          title: 'sneaky',
          owner: c.user('bob').id,
          project: project.id,
        })
      ).id;
    });
    api.run([
      {
        name: 'the owner sees every related record',
        as: 'alice',
        method: 'GET',
        path: (c) => url(c.id('aliceTask')),
        query: { expand: 'project,tags,owner' },
        status: 200,
        content: (c) => ({
          expand: {
            project: { id: c.id('project'), name: 'alice project' },
            tags: [{ id: c.id('tag'), label: 'home' }],
            owner: { id: c.user('alice').id },
          },
        }),
      },
      {
        name: "a user does not see another's project through his own task",
        as: 'bob',
        method: 'GET',
        path: (c) => url(c.id('bobTask')),
        query: { expand: 'project' },
        status: 200,
        notContains: ['alice project'],
        after: (_c, response) => expect((response.body as Task).expand).toEqual({}),
      },
      {
        name: 'an admin sees the project through the same task',
        as: 'admin',
        method: 'GET',
        path: (c) => url(c.id('bobTask')),
        query: { expand: 'project' },
        status: 200,
        content: { expand: { project: { name: 'alice project' } } },
      },
      {
        ...list,
        name: 'expanding a field that is not a relation is refused',
        as: 'bob',
        query: { expand: 'title' },
        status: 400,
        content: queryInvalid,
      },
    ]);
  });
});

describe('Idempotency-Key', () => {
  /** Alice's create with an Idempotency-Key. */
  const once = (key: string, title = 'once', as = 'alice') =>
    ({
      as,
      method: 'POST',
      path: url(),
      headers: { 'idempotency-key': key },
      body: (c: ScenarioContext) => ({ owner: c.user(as).id, title }),
    }) as const;
  /** Sends the first create of `key` and keeps its id as `ids[key]`. */
  const first = (key: string) => async (c: ScenarioContext) => {
    const response = await api.send(once(key));
    expect(response.status).toBe(201);
    c.ids[key] = (response.body as Task).id;
  };

  api.run([
    {
      ...once('create-once-1'),
      name: 'the same key and body return the same record, and write nothing again',
      before: first('create-once-1'),
      status: 201,
      content: (c) => ({ id: c.id('create-once-1') }),
      after: (_c, response) => expect(response.headers.get('idempotent-replayed')).toBe('true'),
    },
    {
      ...once('create-once-2', 'twice'),
      name: 'the same key with another body is 422',
      before: first('create-once-2'),
      status: 422,
      content: { error: { code: 'records/idempotency-mismatch' } },
    },
    {
      ...once('create-once-3', 'once', 'bob'),
      name: 'keys belong to their caller',
      before: first('create-once-3'),
      status: 201,
      events: taskCreated({ title: 'once' }),
      after: (c, response) => expect((response.body as Task).id).not.toBe(c.id('create-once-3')),
    },
  ]);

  it('twenty concurrent duplicates make exactly one record', async () => {
    const { app, user } = api.context();
    const alice = user('alice');
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

  api.run([
    {
      ...once('retry-after-400', 'ok'),
      name: 'a failed create does not burn the key',
      before: async () => expect((await api.send(once('retry-after-400', ''))).status).toBe(400),
      status: 201,
      events: taskCreated({ title: 'ok' }),
    },
  ]);
});

describe('If-Match: updates only the version the caller read; 412 otherwise', () => {
  /** Creates a task for alice and reads it, keeping its id and ETag. */
  const readVersion = async (c: ScenarioContext) => {
    c.ids.versioned = (await createTask(c, 'alice', { title: 'versioned' })).id;
    const read = await api.send({ as: 'alice', method: 'GET', path: url(c.id('versioned')) });
    c.ids.etag = read.headers.get('etag') as string;
    expect(c.ids.etag).toMatch(/^"\d+"$/);
  };
  const patch = (title: string, as = 'alice') =>
    ({
      as,
      method: 'PATCH',
      path: (c: ScenarioContext) => url(c.id('versioned')),
      headers: (c: ScenarioContext) => ({ 'if-match': c.id('etag') }),
      body: { title },
    }) as const;

  api.run([
    {
      ...patch('v2'),
      name: 'the version the caller read updates, with a new ETag',
      before: readVersion,
      status: 200,
      content: { title: 'v2' },
      events: [
        { collection: 'tasks', action: 'update', oldRecord: { title: 'versioned' }, record: { title: 'v2' } },
      ],
      after: (c, response) => expect(response.headers.get('etag')).not.toBe(c.id('etag')),
    },
    {
      ...patch('v3'),
      name: 'a stale version is 412 and changes nothing',
      before: async (c) => {
        await readVersion(c);
        expect((await api.send(patch('v2'))).status).toBe(200);
      },
      status: 412,
      content: { error: { code: 'records/precondition-failed' } },
      after: async (c) => {
        const current = await api.send({ as: 'alice', method: 'GET', path: url(c.id('versioned')) });
        expect((current.body as Task).title).toBe('v2');
      },
    },
    {
      ...patch('x', 'bob'),
      name: 'someone who cannot see the record learns nothing: 404, not 412',
      before: async (c) => {
        await readVersion(c);
        expect((await api.send(patch('v2'))).status).toBe(200);
      },
      status: 404,
      notContains: ['versioned', 'v2'],
    },
  ]);
});

describe('batch', () => {
  const batch = { as: 'alice', method: 'POST', path: '/api/batch' } as const;
  const create = (c: ScenarioContext, as: string, title: string) => ({
    method: 'POST',
    path: '/api/collections/tasks/records',
    body: { owner: c.user(as).id, title },
  });
  api.run([
    {
      ...batch,
      name: 'runs every request in one transaction',
      body: (c) => ({
        requests: [
          create(c, 'alice', 'batch a'),
          create(c, 'alice', 'batch b'),
          {
            method: 'GET',
            path: `/api/collections/tasks/records?filter=${encodeURIComponent('title == "batch a"')}`,
          },
        ],
      }),
      status: 200,
      content: {
        responses: [
          { status: 201 },
          { status: 201 },
          { status: 200, body: { items: [{ title: 'batch a' }] } },
        ],
      },
      events: [...taskCreated({ title: 'batch a' }), ...taskCreated({ title: 'batch b' })],
      after: (_c, response) => expect(response.events[0]?.txid).toBe(response.events[1]?.txid),
    },
    {
      ...batch,
      name: 'rolls everything back when one request fails, and emits no events for it',
      body: (c) => ({ requests: [create(c, 'alice', 'rolled back'), create(c, 'bob', 'not mine')] }),
      status: 403,
      content: { error: { code: 'rules/denied', details: { index: 1 } } },
      after: async (c) => {
        const { rows } = await c.app.hearth.pool.query(`SELECT 1 FROM app.tasks WHERE title = 'rolled back'`);
        expect(rows).toHaveLength(0);
      },
    },
    {
      ...batch,
      name: 'refuses more than 100 requests',
      body: {
        requests: Array.from({ length: 101 }, () => ({
          method: 'GET',
          path: '/api/collections/tasks/records',
        })),
      },
      status: 400,
      content: { error: { code: 'batch/invalid' } },
    },
    {
      ...batch,
      name: 'refuses non-record paths',
      body: { requests: [{ method: 'POST', path: '/api/admin/keys', body: { name: 'x' } }] },
      status: 400,
      content: { error: { code: 'batch/invalid' } },
    },
  ]);
});

describe('change events: create, update and delete are emitted after commit with old and new records', () => {
  const evented = async (c: ScenarioContext) => {
    c.ids.evented = (await createTask(c, 'alice', { title: 'evented' })).id;
  };
  const numericTxids = (_c: ScenarioContext, response: { events: Array<{ txid: string }> }) => {
    for (const event of response.events) expect(event.txid).toMatch(/^\d+$/);
  };
  api.run([
    {
      name: 'create',
      ...aliceCreates,
      body: (c) => ({ owner: c.user('alice').id, title: 'evented' }),
      status: 201,
      events: taskCreated({ title: 'evented' }),
      after: numericTxids,
    },
    {
      name: 'update',
      as: 'alice',
      method: 'PATCH',
      path: (c) => url(c.id('evented')),
      body: { title: 'evented 2' },
      before: evented,
      status: 200,
      events: (c) => [
        {
          collection: 'tasks',
          action: 'update',
          oldRecord: { id: c.id('evented'), title: 'evented' },
          record: { id: c.id('evented'), title: 'evented 2' },
        },
      ],
      after: numericTxids,
    },
    {
      name: 'delete',
      as: 'alice',
      method: 'DELETE',
      path: (c) => url(c.id('evented')),
      before: evented,
      status: 204,
      events: (c) => [
        { collection: 'tasks', action: 'delete', record: { id: c.id('evented'), title: 'evented' } },
      ],
      after: numericTxids,
    },
  ]);
});
