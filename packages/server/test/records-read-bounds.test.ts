import { describe, expect, it } from 'vitest';
import {
  acrossCallers,
  applyTestSchema,
  createTestAdmin,
  createTestServiceKey,
  startAppWithOpenSignup,
  useApiScenarios,
  type ScenarioContext,
  type ScenarioResponse,
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

const api = useApiScenarios({
  schema,
  users: ['user'],
  seed: async ({ app }) => {
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
  },
});

const tasks = (filter: string) =>
  ({ method: 'GET', path: '/api/collections/tasks/records', query: { filter } }) as const;

describe('filter cost is bounded before the filter runs', () => {
  const or = (n: number) => Array.from({ length: n }, (_, i) => `project.name == "x${i}"`).join(' || ');

  api.run([
    ...acrossCallers(
      {
        ...tasks(or(50)),
        name: 'a 50-term OR over a relation path is a 400 filter/too-costly, for anonymous callers and admins alike',
      },
      Object.fromEntries(
        ['user', 'admin', 'anonymous'].map((who) => [
          who,
          {
            status: 400,
            content: {
              error: {
                code: 'filter/too-costly',
                details: { limit: 2000, cost: expect.toSatisfy((cost: number) => cost > 2000) },
              },
            },
          },
        ]),
      ),
    ),
    // 26 comparisons through project: 52 terms × 27 = 1404 for an admin; the user's hops each add
    // projects.view (1 term), 78 × 27 = 2106, over the limit of 2000.
    {
      ...tasks(or(26)),
      name: 'the terms a view rule adds count: the same filter passes for an admin',
      as: 'admin',
      status: 200,
    },
    {
      ...tasks(or(26)),
      name: 'the terms a view rule adds count: and not for a user held to the rule',
      as: 'user',
      status: 400,
      content: { error: { details: { cost: 2106 } } },
    },
    {
      ...tasks('project.name == "p" && (title == "a" || title == "b")'),
      name: 'ordinary filters through relations still run',
      as: 'user',
      status: 200,
    },
  ]);
});

describe('expand over many-relations is bounded', () => {
  /** The first bundle, read through the list, kept as `ids.bundle`. */
  const firstBundle = async (c: ScenarioContext) => {
    const page = await api.send({
      as: 'user',
      method: 'GET',
      path: '/api/collections/bundles/records?limit=1',
    });
    c.ids.bundle = (page.body as Page).items[0]!.id;
  };
  const truncated = (_c: ScenarioContext, response: ScenarioResponse) => {
    const body = response.body as Page & Page['items'][number];
    const bundle = body.items ? body.items[0] : body;
    expect(bundle?.refs).toHaveLength(DOCS);
    expect(bundle?.expand?.refs).toHaveLength(MAX_ITEMS);
    expect(bundle?.expandTruncated).toEqual(['refs']);
  };
  api.run([
    {
      name: `limit=200&expand=refs embeds at most ${MAX_ITEMS} records per field, names the cut field, and keeps the ids`,
      as: 'user',
      method: 'GET',
      path: '/api/collections/bundles/records',
      query: { limit: 1, expand: 'refs' },
      status: 200,
      content: { items: [{ expandTruncated: ['refs'] }] },
      after: truncated,
    },
    {
      name: `a single record embeds at most ${MAX_ITEMS} records per field too`,
      as: 'user',
      method: 'GET',
      path: (c) => `/api/collections/bundles/records/${c.id('bundle')}`,
      query: { expand: 'refs' },
      before: firstBundle,
      status: 200,
      content: { expandTruncated: ['refs'] },
      after: truncated,
    },
  ]);

  it('a page of expanded many-relations stops at the byte budget and pages on with nextCursor, losing nothing', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let largest = 0;
    do {
      const query: string = `limit=200&expand=refs&sort=name${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const { app, user } = api.context();
      const response = await app.fetch(`/api/collections/bundles/records?${query}`, {
        headers: user('user').headers,
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
