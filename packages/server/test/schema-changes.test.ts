import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAdmin, createTestServiceKey, startAppWithOpenSignup, type TestApp } from '@hearth/testkit';

// Each kind of change, pushed for real: the SQL compiled from the plan runs in PostgreSQL, and
// afterwards the database is what the document says (a new dry run plans nothing and repairs nothing).

interface PutResult {
  plan: Array<{ kind: string; destructive: boolean; sql: string[] }>;
  sql: string[];
  repairs: string[];
  applied: boolean;
  error?: { code: string; message: string };
}

let app: TestApp;
let headers: Record<string, string>;

beforeAll(async () => {
  app = await startAppWithOpenSignup();
  headers = (await createTestServiceKey(app, (await createTestAdmin(app)).token)).headers;
});
afterAll(async () => {
  await app?.close();
});

const put = (schema: unknown, dryRun = false) =>
  app.request<PutResult>('PUT', `/api/admin/schema${dryRun ? '?dryRun=true' : ''}`, {
    body: { schema, allowDestructive: true },
    headers,
  });

const relation = (to: string, more: Record<string, unknown> = {}) => ({ type: 'relation', to, ...more });
const one = (fields: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
  collections: { tags: { fields: {} }, posts: { fields: { title: { type: 'text' }, ...fields }, ...more } },
});

const changes: [name: string, from: unknown, to: unknown][] = [
  ['add a relation', one({}), one({ owner: relation('users', { required: true }) })],
  ['drop a relation', one({ owner: relation('users') }), one({})],
  [
    'rename a unique field',
    one({ slug: { type: 'text', unique: true } }),
    one({ handle: { type: 'text', unique: true, renamedFrom: 'slug' } }),
  ],
  [
    'rename a collection and its unique field',
    one({ slug: { type: 'text', unique: true }, owner: relation('users') }),
    {
      collections: {
        tags: { fields: {} },
        articles: {
          renamedFrom: 'posts',
          fields: {
            title: { type: 'text' },
            handle: { type: 'text', unique: true, renamedFrom: 'slug' },
            owner: relation('users'),
          },
        },
      },
    },
  ],
  [
    'rename the target of a to-many relation',
    one({ tags: relation('tags', { many: true }) }),
    {
      collections: {
        labels: { renamedFrom: 'tags', fields: {} },
        posts: { fields: { title: { type: 'text' }, tags: relation('labels', { many: true }) } },
      },
    },
  ],
  ['text → number', one({ score: { type: 'text' } }), one({ score: { type: 'number' } })],
  ['relation → json', one({ owner: relation('users') }), one({ owner: { type: 'json' } })],
  [
    'to-many relation → json',
    one({ readers: relation('users', { many: true }) }),
    one({ readers: { type: 'json' } }),
  ],
  [
    'relation → to many',
    one({ owner: relation('users') }),
    one({ owner: relation('users', { many: true }) }),
  ],
  [
    'to many → relation',
    one({ owner: relation('users', { many: true }) }),
    one({ owner: relation('users') }),
  ],
  ['retarget a relation', one({ ref: relation('users') }), one({ ref: relation('tags') })],
  [
    'change onDelete',
    one({ owner: relation('users') }),
    one({ owner: relation('users', { onDelete: 'cascade' }) }),
  ],
  [
    'change a to-many onDelete',
    one({ t: relation('tags', { many: true }) }),
    one({ t: relation('tags', { many: true, onDelete: 'restrict' }) }),
  ],
  [
    'unique on, then an index',
    one({ slug: { type: 'text' } }),
    one({ slug: { type: 'text', unique: true } }, { indexes: [{ fields: ['title', 'slug'] }] }),
  ],
  ['drop a collection', one({ owner: relation('users') }), { collections: { tags: { fields: {} } } }],
];

describe('every kind of change runs as planned', () => {
  it.each(changes)('%s', async (_name, from, to) => {
    expect((await put({ collections: {} })).status).toBe(200);
    const first = await put(from);
    expect(first.status, JSON.stringify(first.body.error)).toBe(200);
    const dry = await put(to, true);
    const applied = await put(to);
    expect(applied.status, JSON.stringify(applied.body.error)).toBe(200);
    expect(applied.body.applied).toBe(true);
    expect(applied.body.sql).toEqual(dry.body.sql);
    expect(applied.body.repairs).toEqual([]);
    expect([...applied.body.sql].sort()).toEqual(applied.body.plan.flatMap((s) => s.sql).sort());
    const after = await put(to, true);
    expect(after.body).toMatchObject({ plan: [], sql: [], repairs: [] });
  });
});
