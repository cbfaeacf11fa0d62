import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestAdmin,
  createTestServiceKey,
  signUpTestUser,
  startAppWithOpenSignup,
  TEST_PASSWORD,
  type TestApp,
  type TestUser,
} from '@hearth/testkit';

interface PutResult {
  plan: Array<{ kind: string; destructive: boolean; description: string }>;
  destructive: boolean;
  errors: Array<{
    code: string;
    pointer: string;
    message: string;
    line?: number;
    col?: number;
    rule?: { line: number; col: number };
  }>;
  sql: string[];
  applied: boolean;
  version: number | null;
}
interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

let app: TestApp;
let admin: TestUser;
let keyHeaders: Record<string, string>;
let user: TestUser;

beforeAll(async () => {
  app = await startAppWithOpenSignup();
  admin = await createTestAdmin(app);
  keyHeaders = (await createTestServiceKey(app, admin.token)).headers;
  user = await signUpTestUser(app);
});
afterAll(async () => {
  await app?.close();
});

const put = (
  schema: unknown,
  options: { dryRun?: boolean; allowDestructive?: boolean; ifVersion?: number | null } = {},
  headers = keyHeaders,
) =>
  app.request<PutResult & ErrorBody>('PUT', `/api/admin/schema${options.dryRun ? '?dryRun=true' : ''}`, {
    body: {
      schema,
      ...(options.allowDestructive ? { allowDestructive: true } : {}),
      ...(options.ifVersion !== undefined ? { ifVersion: options.ifVersion } : {}),
    },
    headers,
  });

async function columns(schema: string, table: string): Promise<Record<string, string>> {
  const { rows } = await app.hearth.pool.query<{ column_name: string; data_type: string }>(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
    [schema, table],
  );
  return Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
}

const blog = {
  collections: {
    projects: {
      fields: {
        name: { type: 'text', required: true },
        owner: { type: 'relation', to: 'users', required: true, cascade: true },
      },
      rules: { list: 'owner == auth.id', view: 'owner == auth.id' },
    },
    posts: {
      fields: {
        title: { type: 'text', required: true, max: 200 },
        slug: { type: 'text', unique: true },
        published: { type: 'bool', default: false },
        owner: { type: 'relation', to: 'users', required: true },
        project: { type: 'relation', to: 'projects' },
      },
      indexes: [{ fields: ['owner', 'createdAt'] }],
      rules: {
        list: 'published || owner == auth.id',
        view: 'published || owner == auth.id',
        create: 'auth != null && data.owner == auth.id',
        update: 'owner == auth.id',
        delete: 'owner == auth.id',
      },
    },
  },
};

describe('who may read and push the schema', () => {
  const cases = [
    { name: 'anonymous GET', method: 'GET', headers: () => ({}), status: 401, code: 'auth/unauthenticated' },
    { name: 'user GET', method: 'GET', headers: () => user.headers, status: 403, code: 'auth/forbidden' },
    { name: 'anonymous PUT', method: 'PUT', headers: () => ({}), status: 401, code: 'auth/unauthenticated' },
    { name: 'user PUT', method: 'PUT', headers: () => user.headers, status: 403, code: 'auth/forbidden' },
    { name: 'admin GET', method: 'GET', headers: () => admin.headers, status: 200 },
    { name: 'service key GET', method: 'GET', headers: () => keyHeaders, status: 200 },
  ] as const;
  for (const c of cases) {
    it(c.name, async () => {
      const response = await app.request<ErrorBody>(c.method, '/api/admin/schema', {
        headers: c.headers(),
        ...(c.method === 'PUT' ? { body: { schema: {} } } : {}),
      });
      expect(response.status).toBe(c.status);
      if ('code' in c) expect(response.body.error.code).toBe(c.code);
    });
  }
});

describe('applying a schema', () => {
  it('starts empty, with no version', async () => {
    const response = await app.request<{ schema: unknown; version: number | null }>(
      'GET',
      '/api/admin/schema',
      { headers: keyHeaders },
    );
    expect(response.body).toMatchObject({ schema: {}, version: null });
  });

  it('a dry run returns the plan and the SQL and changes nothing', async () => {
    const response = await put(blog, { dryRun: true });
    expect(response.status).toBe(200);
    expect(response.body.applied).toBe(false);
    expect(response.body.errors).toEqual([]);
    expect(response.body.destructive).toBe(false);
    expect(response.body.plan.map((s) => s.kind)).toEqual(['create-collection', 'create-collection']);
    expect(response.body.sql.some((s) => s.startsWith('CREATE TABLE app."posts"'))).toBe(true);
    expect(await columns('app', 'posts')).toEqual({});
  });

  it('creates one table per collection with foreign keys, uniques and indexes', async () => {
    const response = await put(blog);
    expect(response.status).toBe(200);
    expect(response.body.applied).toBe(true);
    expect(response.body.version).toEqual(expect.any(Number));
    expect(await columns('app', 'posts')).toMatchObject({
      id: 'uuid',
      createdAt: 'timestamp with time zone',
      updatedAt: 'timestamp with time zone',
      title: 'text',
      published: 'boolean',
      owner: 'uuid',
      project: 'uuid',
    });
    const { rows: fks } = await app.hearth.pool.query<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'app.posts'::regclass AND contype IN ('f', 'u')`,
    );
    const defs = fks.map((r) => r.def);
    expect(defs).toContain('FOREIGN KEY (owner) REFERENCES hearth.users(id) ON DELETE RESTRICT');
    expect(defs).toContain('FOREIGN KEY (project) REFERENCES app.projects(id) ON DELETE SET NULL');
    expect(defs).toContain('UNIQUE (slug)');
    const { rows: projectFks } = await app.hearth.pool.query<{ def: string }>(
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'app.projects'::regclass AND contype = 'f'`,
    );
    expect(projectFks.map((r) => r.def)).toContain(
      'FOREIGN KEY (owner) REFERENCES hearth.users(id) ON DELETE CASCADE',
    );
    const { rows: indexes } = await app.hearth.pool.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'app' AND tablename = 'posts'`,
    );
    expect(indexes.some((i) => i.indexdef.includes('(owner, "createdAt")'))).toBe(true);

    const current = await app.request<{ schema: typeof blog; version: number }>('GET', '/api/admin/schema', {
      headers: admin.headers,
    });
    expect(current.body.version).toBe(response.body.version);
    expect(current.body.schema.collections.posts.rules.list).toBe('published || owner == auth.id');
  });

  it('pushing the same document again is a no-op with no new version', async () => {
    const before = await app.request<{ version: number }>('GET', '/api/admin/schema', {
      headers: keyHeaders,
    });
    const again = await put(blog);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ plan: [], applied: false, version: before.body.version });
  });

  it('refuses an invalid rule with its line and column, and changes nothing', async () => {
    const broken = structuredClone(blog) as typeof blog;
    broken.collections.posts.rules.list = 'published ||\n  ownr == auth.id';
    const response = await put(broken);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('schema/invalid');
    const errors = (response.body.error.details as { errors: PutResult['errors'] }).errors;
    expect(errors[0]).toMatchObject({ pointer: '/collections/posts/rules/list', rule: { line: 2, col: 3 } });
    expect(errors[0]?.message).toMatch(/unknown field "ownr"/);

    const dry = await put(broken, { dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.errors).toHaveLength(1);
  });

  it('reports line:col in the document when the schema is sent as text', async () => {
    const text = '{\n  "collections": {\n    "notes": { "fields": { "body": { "type": "txt" } } }\n  }\n}\n';
    const response = await put(text, { dryRun: true });
    expect(response.status).toBe(200);
    expect(response.body.errors[0]).toMatchObject({ line: 3 });
  });

  it('refuses a relation to an unknown collection', async () => {
    const response = await put({ collections: { a: { fields: { b: { type: 'relation', to: 'nope' } } } } });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('schema/invalid');
  });

  it('refuses users profile fields that collide with the columns auth keeps', async () => {
    const response = await put(
      { collections: { users: { fields: { totpSecret: { type: 'text' } } } } },
      { dryRun: true },
    );
    expect(response.body.errors[0]?.pointer).toBe('/collections/users/fields/totpSecret');
  });
});

describe('destructive changes, renames and history', () => {
  it('a drop is refused without allowDestructive, then applied with it', async () => {
    await app.hearth.pool.query(`INSERT INTO app.projects (name, owner) VALUES ('p', $1)`, [user.id]);
    const next = structuredClone(blog) as {
      collections: Record<string, { fields: Record<string, unknown> }>;
    };
    delete next.collections.projects!.fields.name;
    const dry = await put(next, { dryRun: true });
    expect(dry.body.destructive).toBe(true);
    expect(dry.body.plan.find((s) => s.kind === 'drop-field')).toMatchObject({ destructive: true });

    const refused = await put(next);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('schema/destructive');
    expect(await columns('app', 'projects')).toHaveProperty('name');

    const applied = await put(next, { allowDestructive: true });
    expect(applied.status).toBe(200);
    expect(await columns('app', 'projects')).not.toHaveProperty('name');
    await put(blog);
    await app.hearth.pool.query(`UPDATE app.projects SET name = 'p'`);
  });

  it('renamedFrom renames a field and keeps its values; a narrowing type change is destructive', async () => {
    await app.hearth.pool.query(
      `INSERT INTO app.posts (title, owner, slug) VALUES ('kept', $1, 'kept-slug')`,
      [user.id],
    );
    const renamed = structuredClone(blog) as typeof blog & {
      collections: { posts: { fields: Record<string, unknown> } };
    };
    const { slug, ...rest } = renamed.collections.posts.fields as Record<string, unknown>;
    renamed.collections.posts.fields = {
      ...rest,
      handle: { ...(slug as object), renamedFrom: 'slug' },
    } as never;
    const response = await put(renamed);
    expect(response.status).toBe(200);
    expect(response.body.plan.map((s) => s.kind)).toContain('rename-field');
    expect(response.body.destructive).toBe(false);
    const { rows } = await app.hearth.pool.query<{ handle: string }>(
      `SELECT handle FROM app.posts WHERE title = 'kept'`,
    );
    expect(rows[0]?.handle).toBe('kept-slug');
    // The unique constraint followed the column.
    await expect(
      app.hearth.pool.query(`INSERT INTO app.posts (title, owner, handle) VALUES ('dup', $1, 'kept-slug')`, [
        user.id,
      ]),
    ).rejects.toThrow(/unique/);

    const narrowed = structuredClone(renamed) as {
      collections: { posts: { fields: Record<string, unknown> } };
    };
    narrowed.collections.posts.fields.handle = { type: 'number', renamedFrom: 'slug' };
    const refused = await put(narrowed);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('schema/destructive');
  });

  it('renames a collection with renamedFrom, keeping its rows', async () => {
    const current = await app.request<{ schema: { collections: Record<string, unknown> } }>(
      'GET',
      '/api/admin/schema',
      { headers: keyHeaders },
    );
    const withNotes = {
      collections: { ...current.body.schema.collections, notes: { fields: { body: { type: 'text' } } } },
    };
    expect((await put(withNotes)).status).toBe(200);
    await app.hearth.pool.query(`INSERT INTO app.notes (body) VALUES ('remember')`);
    const renamed = {
      collections: {
        ...current.body.schema.collections,
        memos: { fields: { body: { type: 'text' } }, renamedFrom: 'notes' },
      },
    };
    const response = await put(renamed);
    expect(response.status).toBe(200);
    expect(response.body.plan.map((s) => s.kind)).toEqual(['rename-collection']);
    const { rows } = await app.hearth.pool.query(`SELECT body FROM app.memos`);
    expect(rows).toEqual([{ body: 'remember' }]);
    // Its indexes were renamed with it, so a new "notes" collection does not collide.
    const again = {
      collections: {
        ...current.body.schema.collections,
        memos: { fields: { body: { type: 'text' } } },
        notes: { fields: { body: { type: 'text' } } },
      },
    };
    expect((await put(again)).status).toBe(200);
  });

  it('ifVersion turns a stale push into a conflict, and concurrent pushes never half-apply', async () => {
    const current = await app.request<{ schema: { collections: Record<string, unknown> }; version: number }>(
      'GET',
      '/api/admin/schema',
      {
        headers: keyHeaders,
      },
    );
    const stale = await put(current.body.schema, { ifVersion: current.body.version - 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('schema/conflict');

    const a = {
      collections: { ...current.body.schema.collections, alpha: { fields: { x: { type: 'text' } } } },
    };
    const b = {
      collections: { ...current.body.schema.collections, beta: { fields: { y: { type: 'text' } } } },
    };
    const [first, second] = await Promise.all([
      put(a, { ifVersion: current.body.version }),
      put(b, { ifVersion: current.body.version }),
    ]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = first.status === 409 ? first : second;
    expect(loser.body.error.code).toBe('schema/conflict');
    const alpha = Object.keys(await columns('app', 'alpha')).length > 0;
    const beta = Object.keys(await columns('app', 'beta')).length > 0;
    expect(alpha !== beta).toBe(true);
  });

  it('keeps a history of applied versions', async () => {
    const response = await app.request<{ items: Array<{ id: number; appliedBy: string }> }>(
      'GET',
      '/api/admin/schema/versions',
      {
        headers: admin.headers,
      },
    );
    expect(response.status).toBe(200);
    expect(response.body.items.length).toBeGreaterThanOrEqual(4);
    expect(response.body.items[0]?.appliedBy).toMatch(/^key:/);
  });

  it('admins add profile fields to users as columns of hearth.users', async () => {
    const current = await app.request<{ schema: { collections: Record<string, unknown> } }>(
      'GET',
      '/api/admin/schema',
      { headers: keyHeaders },
    );
    const next = {
      collections: {
        ...current.body.schema.collections,
        users: { fields: { nickname: { type: 'text', max: 40 } } },
      },
    };
    // Sign in first, so the connections hold prepared statements over hearth.users.
    const login = () =>
      app.request<{ session: { accessToken: string } }>('POST', '/api/auth/login', {
        body: { email: user.email, password: TEST_PASSWORD },
      });
    expect((await login()).status).toBe(200);
    const response = await put(next, {}, admin.headers);
    expect(response.status).toBe(200);
    expect(await columns('hearth', 'users')).toHaveProperty('nickname', 'text');
    // The prepared sign-in and token-check statements still run against the widened table.
    const again = await login();
    expect(again.status).toBe(200);
    const me = await app.request('GET', '/api/auth/me', {
      headers: { authorization: `Bearer ${again.body.session.accessToken}` },
    });
    expect(me.status).toBe(200);
  });
});

describe('one plan: the dry run shows what the push runs', () => {
  type Step = PutResult['plan'][number] & { sql: string[]; change?: string };
  const currentCollections = async () =>
    (
      await app.request<{ schema: { collections: Record<string, unknown> } }>('GET', '/api/admin/schema', {
        headers: keyHeaders,
      })
    ).body.schema.collections;

  it('relation → json keeps the ids as JSON, needs no allowDestructive, and drops the link', async () => {
    const collections = await currentCollections();
    const cards = (fields: Record<string, unknown>) => ({
      collections: { ...collections, cards: { fields: { title: { type: 'text' }, ...fields } } },
    });
    const linked = cards({
      owner: { type: 'relation', to: 'users', onDelete: 'cascade' },
      readers: { type: 'relation', to: 'users', many: true },
    });
    expect((await put(linked)).status).toBe(200);
    const created = await app.request<{ id: string }>('POST', '/api/collections/cards/records', {
      body: { title: 'kept', owner: user.id, readers: [user.id] },
      headers: keyHeaders,
    });
    expect(created.status).toBe(201);

    const unlinked = cards({ owner: { type: 'json' }, readers: { type: 'json' } });
    const dry = await put(unlinked, { dryRun: true });
    expect(dry.status).toBe(200);
    const plan = dry.body.plan as Step[];
    expect(plan.map((s) => [s.kind, s.change, s.destructive])).toEqual([
      ['change-field-type', 'widening', false],
      ['change-field-type', 'widening', false],
    ]);
    expect(dry.body.destructive).toBe(false);
    // Every statement belongs to a step, and the steps list every statement.
    expect([...dry.body.sql].sort()).toEqual(plan.flatMap((s) => s.sql).sort());

    const applied = await put(unlinked);
    expect(applied.status).toBe(200);
    expect(applied.body.applied).toBe(true);
    expect(applied.body.plan).toEqual(dry.body.plan);
    expect(applied.body.sql).toEqual(dry.body.sql);

    expect(await columns('app', 'cards')).toMatchObject({ owner: 'jsonb', readers: 'jsonb' });
    const read = await app.request<{ owner: unknown; readers: unknown }>(
      'GET',
      `/api/collections/cards/records/${created.body.id}`,
      { headers: keyHeaders },
    );
    expect(read.body).toMatchObject({ owner: user.id, readers: [user.id] });
    // The link went with it: no foreign key, no delete trigger on users for this field.
    const { rows: fks } = await app.hearth.pool.query(
      `SELECT 1 FROM pg_constraint WHERE conrelid = 'app.cards'::regclass AND contype = 'f'`,
    );
    expect(fks).toEqual([]);
    const { rows: triggers } = await app.hearth.pool.query<{ body: string }>(
      `SELECT prosrc AS body FROM pg_proc WHERE pronamespace = 'app'::regnamespace AND prosrc LIKE '%app."cards"%'`,
    );
    expect(triggers).toEqual([]);
  });
});
