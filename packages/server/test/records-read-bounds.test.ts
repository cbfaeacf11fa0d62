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
 * One read cannot take the server down: a filter's cost is bounded before it
 * runs, and expanded many-relations are bounded per field and per page.
 */

const schema = {
  collections: {
    projects: {
      fields: { name: { type: 'text' }, public: { type: 'bool' } },
      rules: { list: 'public', view: 'public' },
    },
    tasks: {
      fields: { title: { type: 'text' }, project: { type: 'relation', to: 'projects' } },
      rules: { list: 'true', view: 'true' },
    },
    docs: { fields: { body: { type: 'text' } }, rules: { list: 'true', view: 'true' } },
    bundles: {
      fields: { name: { type: 'text' }, refs: { type: 'relation', to: 'docs', many: true } },
      rules: { list: 'true', view: 'true' },
    },
  },
};

const DOCS = 150;
const BUNDLES = 40;
const BODY = 'x'.repeat(1000);
const MAX_ITEMS = 100;
const MAX_BYTES = 2 * 1024 * 1024;

interface Page {
  items: Array<{
    id: string;
    name: string;
    refs: string[];
    expand?: { refs?: unknown[] };
    expandTruncated?: string[];
  }>;
  nextCursor: string | null;
  error?: { code: string; message: string; details?: { cost?: number; limit?: number } };
}

let app: TestApp;
let user: TestUser;
let admin: TestUser;

beforeAll(async () => {
  app = await startAppWithOpenSignup();
  admin = await createTestAdmin(app);
  const key = await createTestServiceKey(app, admin.token);
  user = await signUpTestUser(app);
  await applyTestSchema(app, key.headers, schema);
  const pool = app.hearth.pool;
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO app.docs (body) SELECT $1 || n FROM generate_series(1, ${DOCS}) n RETURNING id`,
    [BODY],
  );
  const ids = rows.map((r) => r.id);
  await pool.query(
    `INSERT INTO app.bundles (name, refs) SELECT 'bundle ' || lpad(n::text, 3, '0'), $1::uuid[] FROM generate_series(1, ${BUNDLES}) n`,
    [ids],
  );
  await pool.query(`INSERT INTO app.projects (name, public) VALUES ('p', true)`);
});
afterAll(async () => {
  await app?.close();
});

const get = (path: string, who: TestUser = user) => app.request<Page>('GET', path, { headers: who.headers });

describe('filter cost is bounded before the filter runs', () => {
  const or = (n: number) => Array.from({ length: n }, (_, i) => `project.name == "x${i}"`).join(' || ');

  it('a 50-term OR over a relation path is a 400 filter/too-costly, for anonymous callers and admins alike', async () => {
    for (const who of [user, admin]) {
      const response = await get(`/api/collections/tasks/records?filter=${encodeURIComponent(or(50))}`, who);
      expect(response.status).toBe(400);
      expect(response.body.error?.code).toBe('filter/too-costly');
      expect(response.body.error?.details?.limit).toBe(2000);
      expect(response.body.error?.details?.cost).toBeGreaterThan(2000);
    }
    const anonymous = await app.request<Page>(
      'GET',
      `/api/collections/tasks/records?filter=${encodeURIComponent(or(50))}`,
    );
    expect(anonymous.status).toBe(400);
    expect(anonymous.body.error?.code).toBe('filter/too-costly');
  });

  it('the terms a view rule adds count: the same filter may pass for an admin and not for a user held to the rule', async () => {
    // 26 comparisons through project: 52 terms × 27 = 1404 for an admin; the user's hops each add
    // projects.view (1 term), 78 × 27 = 2106, over the limit of 2000.
    const filter = encodeURIComponent(or(26));
    const asAdmin = await get(`/api/collections/tasks/records?filter=${filter}`, admin);
    expect(asAdmin.status).toBe(200);
    const asUser = await get(`/api/collections/tasks/records?filter=${filter}`);
    expect(asUser.status).toBe(400);
    expect(asUser.body.error?.details?.cost).toBe(2106);
  });

  it('ordinary filters through relations still run', async () => {
    const filter = encodeURIComponent('project.name == "p" && (title == "a" || title == "b")');
    expect((await get(`/api/collections/tasks/records?filter=${filter}`)).status).toBe(200);
  });
});

describe('expand over many-relations is bounded', () => {
  it(`limit=200&expand=refs embeds at most ${MAX_ITEMS} records per field, names the cut field, and keeps the ids`, async () => {
    const response = await get('/api/collections/bundles/records?limit=1&expand=refs');
    expect(response.status).toBe(200);
    const [bundle] = response.body.items;
    expect(bundle?.refs).toHaveLength(DOCS);
    expect(bundle?.expand?.refs).toHaveLength(MAX_ITEMS);
    expect(bundle?.expandTruncated).toEqual(['refs']);
    const one = await app.request<Page['items'][number]>(
      'GET',
      `/api/collections/bundles/records/${bundle?.id}?expand=refs`,
      {
        headers: user.headers,
      },
    );
    expect(one.body.expand?.refs).toHaveLength(MAX_ITEMS);
    expect(one.body.expandTruncated).toEqual(['refs']);
  });

  it('a page of expanded many-relations stops at the byte budget and pages on with nextCursor, losing nothing', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let largest = 0;
    do {
      const query: string = `limit=200&expand=refs&sort=name${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const response = await app.fetch(`/api/collections/bundles/records?${query}`, {
        headers: user.headers,
      });
      const text = await response.text();
      expect(response.status).toBe(200);
      largest = Math.max(largest, Buffer.byteLength(text));
      const page = JSON.parse(text) as Page;
      seen.push(...page.items.map((item) => item.name));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    console.log(`expand=refs over ${BUNDLES} bundles: ${pages} pages, the largest ${largest} bytes`);
    // 40 bundles × 100 docs of 1 KB is about 4 MB: more than one page's budget.
    expect(pages).toBeGreaterThan(1);
    expect(seen).toEqual(
      Array.from({ length: BUNDLES }, (_, i) => `bundle ${String(i + 1).padStart(3, '0')}`),
    );
    // The budget, plus at most the one bundle that crossed it, plus the records themselves.
    expect(largest).toBeLessThan(MAX_BYTES + 2 * MAX_ITEMS * (BODY.length + 200) + 200 * 8000);
  });

  it('a single expanded record is never cut from its page', async () => {
    const small = await startAppWithOpenSignup({
      HEARTH_EXPAND_MAX_BYTES: '1kb',
      HEARTH_EXPAND_MAX_ITEMS: '3',
    });
    try {
      const smallAdmin = await createTestAdmin(small);
      const key = await createTestServiceKey(small, smallAdmin.token);
      await applyTestSchema(small, key.headers, schema);
      const { rows } = await small.hearth.pool.query<{ id: string }>(
        `INSERT INTO app.docs (body) SELECT $1 || n FROM generate_series(1, 5) n RETURNING id`,
        [BODY],
      );
      await small.hearth.pool.query(
        `INSERT INTO app.bundles (name, refs) SELECT 'b' || n, $1::uuid[] FROM generate_series(1, 3) n`,
        [rows.map((r) => r.id)],
      );
      const response = await small.request<Page>(
        'GET',
        '/api/collections/bundles/records?expand=refs&sort=name',
      );
      expect(response.status).toBe(200);
      expect(response.body.items).toHaveLength(1);
      expect(response.body.items[0]?.expand?.refs).toHaveLength(3);
      expect(response.body.nextCursor).not.toBeNull();
    } finally {
      await small.close();
    }
  });
});
