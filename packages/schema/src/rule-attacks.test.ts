import {
  createTestDatabase,
  describeTimes,
  medianRatio,
  timeInPairs,
  type TestDatabase,
} from '@hearth/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ALICE, BOB, blogSchema } from '../test/fixture-schema.ts';
import {
  checkFilter,
  checkRule,
  compileRuleToSql,
  evaluateRule,
  parseRule,
  parseSort,
  RuleError,
  type CompiledSql,
  type RecordLike,
} from './index.js';

/**
 * Regression tests named after the attacks they stop. The server runs
 * `WHERE (<rule>) AND (<filter>)`; `listQuery` does the same here.
 */

function listQuery(filter: string | null, auth: RecordLike | null): CompiledSql {
  const rule = checkRule(blogSchema.collections?.posts?.rules?.list ?? 'false', {
    schema: blogSchema,
    kind: 'list',
    collection: 'posts',
  });
  const compiledRule = compileRuleToSql(rule, { auth });
  if (filter === null)
    return {
      sql: `SELECT id, title FROM app."posts" t WHERE ${compiledRule.sql} ORDER BY title`,
      params: compiledRule.params,
    };
  const compiledFilter = compileRuleToSql(checkFilter(filter, { schema: blogSchema, collection: 'posts' }), {
    auth,
    firstParam: compiledRule.params.length + 1,
  });
  return {
    sql: `SELECT id, title FROM app."posts" t WHERE ${compiledRule.sql} AND ${compiledFilter.sql} ORDER BY title`,
    params: [...compiledRule.params, ...compiledFilter.params],
  };
}

function ruleError(run: () => unknown): RuleError {
  try {
    run();
  } catch (error) {
    if (error instanceof RuleError) return error;
    throw error;
  }
  throw new Error('expected a RuleError');
}

const HOSTILE_TITLES = [
  "it's",
  "'; DROP TABLE app.posts; --",
  'back\\slash\\',
  '"double" quotes',
  '\u2019 OR 1=1 \u2018',
  '\u02bc OR \u02bc1\u02bc=\u02bc1',
  '\uff07; SELECT 1; --',
  '$1 $2::text',
  "E'\\x00'",
];

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`
    CREATE SCHEMA app;
    CREATE TABLE app.posts (id uuid PRIMARY KEY, "createdAt" timestamptz(3) NOT NULL DEFAULT now(), "updatedAt" timestamptz(3) NOT NULL DEFAULT now(),
      title text, body text, published boolean, score double precision, status text, owner uuid, project uuid, tags jsonb,
      "publishedAt" timestamptz(3), secret text, readers uuid[]);
  `);
  const rows: [string, string, string, boolean][] = [
    ['a0000000-0000-4000-8000-000000000001', 'alice draft', ALICE.id, false],
    ['a0000000-0000-4000-8000-000000000002', 'alice public', ALICE.id, true],
    ['a0000000-0000-4000-8000-000000000003', 'bob draft', BOB.id, false],
    ['a0000000-0000-4000-8000-000000000004', 'bob draft 2', BOB.id, false],
  ];
  HOSTILE_TITLES.forEach((title, i) =>
    rows.push([`b0000000-0000-4000-8000-00000000000${i}`, title, ALICE.id, false]),
  );
  for (const row of rows)
    await client.query('INSERT INTO app.posts (id, title, owner, published) VALUES ($1, $2, $3, $4)', row);
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

async function titles(query: CompiledSql): Promise<string[]> {
  return (await client.query<{ title: string }>(query.sql, query.params)).rows.map((r) => r.title);
}

describe('attacks', () => {
  test('filter `owner != "x" || true` cannot widen the rule: it is data, ANDed with the rule', async () => {
    const attack = 'owner != "x" || true';
    const query = listQuery(attack, BOB);
    expect(query.sql).toContain(
      '(COALESCE(t."published", FALSE) OR (t."owner" IS NOT NULL AND t."owner" = $1::uuid)) AND TRUE',
    );
    expect(await titles(query)).toEqual(['alice public', 'bob draft', 'bob draft 2']);
    expect(await titles(listQuery(attack, BOB))).toEqual(await titles(listQuery(null, BOB)));
    // The URL-encoded forms decode to the same filter, and give the same rows.
    for (const encoded of ['owner%20!%3D%20%22x%22%20%7C%7C%20true', 'owner+!%3D+%22x%22+%7C%7C+true']) {
      const decoded = new URLSearchParams(`filter=${encoded}`).get('filter') ?? '';
      expect(decoded).toBe(attack);
      expect(await titles(listQuery(decoded, BOB))).toEqual(['alice public', 'bob draft', 'bob draft 2']);
    }
    expect(await titles(listQuery(attack, null))).toEqual(['alice public']);
  });

  test('quotes, backslashes and unicode quotes in literals stay parameters', async () => {
    for (const title of HOSTILE_TITLES) {
      const filter = `title == ${JSON.stringify(title)}`;
      const query = listQuery(filter, ALICE);
      expect(query.sql).not.toContain(title);
      expect(query.sql).not.toMatch(/['\\;]/);
      expect(query.params).toContain(title);
      expect(await titles(query)).toEqual([title]);
      // Single-quoted rule strings work the same way.
      const single = `title == '${title.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
      expect(await titles(listQuery(single, ALICE))).toEqual([title]);
    }
  });

  test('NUL in a literal is a clean syntax error, never SQL', () => {
    for (const filter of ['title == "a\u0000b"', 'title == "a\\u0000b"', 'title == "\\u{0}"']) {
      const error = ruleError(() => checkFilter(filter, { schema: blogSchema, collection: 'posts' }));
      expect(error.code).toBe('rules/syntax');
      expect(error.detail).toContain('NUL');
    }
  });

  /** `count` comparisons joined by `||`; each is two terms (the name and the literal). */
  const comparisons = (count: number) =>
    Array.from({ length: count }, (_, i) => `title == "t${i}"`).join(' || ');

  test('a 10,000-term filter is refused by its length before it is parsed', () => {
    const filter = comparisons(10_000);
    const error = ruleError(() => checkFilter(filter, { schema: blogSchema, collection: 'posts' }));
    expect(error.code).toBe('rules/too-complex');
    expect(error.detail).toBe(`rule is ${filter.length} characters long; the limit is 4096`);
    expect(error.position.offset).toBe(0);
  });

  test('a 10,000-term filter fails fast: with no length limit the parser stops at term 201', async () => {
    const options = { schema: blogSchema, collection: 'posts', limits: { maxLength: 10_000_000 } };
    const hostile = comparisons(10_000);
    const error = ruleError(() => checkFilter(hostile, options));
    expect(error.code).toBe('rules/too-complex');
    expect(error.detail).toBe('more than 200 terms');
    // Where it stopped: within the 101st comparison, the first to go past 200 terms.
    expect(error.position.offset).toBeGreaterThan(comparisons(100).length);
    expect(error.position.offset).toBeLessThan(comparisons(101).length);

    // The work, not only the position: refusing it costs no more than checking the largest filter
    // the limit allows (200 terms), since the 9,800 terms after the limit are never read.
    const allowed = comparisons(100);
    expect(checkFilter(allowed, options)).toBeDefined();
    const times = await timeInPairs(
      () => ruleError(() => checkFilter(hostile, options)),
      () => checkFilter(allowed, options),
      { pairs: 15, repeat: 10 },
    );
    expect(medianRatio(times), describeTimes(times)).toBeLessThan(3);
  });

  test('500-deep parentheses fail fast at depth 65, without exhausting the stack', () => {
    for (const filter of [
      `${'('.repeat(500)}published${')'.repeat(500)}`,
      `${'!'.repeat(500)}published`,
      `${'['.repeat(500)}`,
      `${'lower('.repeat(500)}`,
    ]) {
      const result = ruleError(() =>
        checkFilter(filter, { schema: blogSchema, collection: 'posts', limits: { maxLength: 1_000_000 } }),
      );
      expect(result.code).toBe('rules/too-complex');
      expect(result.detail).toBe('nesting deeper than 64');
      // Stopped at the 65th opening bracket (or `!`), never reading the rest.
      const opening = filter.startsWith('lower(') ? 'lower('.length : 1;
      expect(result.position.offset).toBe(65 * opening - 1);
    }
  });

  test('200,000-deep parentheses cost no more than 500-deep ones: the rest is never read', async () => {
    const limits = { maxLength: 1_000_000 };
    const deep = (depth: number) => `${'('.repeat(depth)}a${')'.repeat(depth)}`;
    const huge = deep(200_000);
    const error = ruleError(() => parseRule(huge, { limits }));
    expect(error.detail).toBe('nesting deeper than 64');
    expect(error.position.offset).toBe(64);
    const small = deep(500);
    const times = await timeInPairs(
      () => ruleError(() => parseRule(huge, { limits })),
      () => ruleError(() => parseRule(small, { limits })),
      { pairs: 15, repeat: 10 },
    );
    expect(medianRatio(times), describeTimes(times)).toBeLessThan(3);
  });

  test('__proto__ and constructor are not names, and never reach prototypes', () => {
    for (const filter of [
      '__proto__ == null',
      'constructor == null',
      'auth.__proto__ == null',
      'auth.constructor.name == "Object"',
      'owner.__proto__ == null',
    ]) {
      expect(ruleError(() => checkFilter(filter, { schema: blogSchema, collection: 'posts' })).code).toBe(
        'rules/unknown-name',
      );
    }
    expect(
      ruleError(() =>
        checkRule('data.__proto__.polluted == true', {
          schema: blogSchema,
          kind: 'update',
          collection: 'posts',
        }),
      ).code,
    ).toBe('rules/unknown-name');
    expect(ruleError(() => parseSort('__proto__', { schema: blogSchema, collection: 'posts' })).code).toBe(
      'rules/unknown-name',
    );
    // A record that owns a "__proto__" key (as JSON.parse makes) is read as plain data.
    const record = JSON.parse(
      '{"__proto__": {"published": true}, "title": "x", "owner": null}',
    ) as RecordLike;
    const rule = checkRule('published', { schema: blogSchema, kind: 'view', collection: 'posts' });
    expect(evaluateRule(rule, { record, auth: null })).toBe(false);
    const inherited = Object.create({ published: true }) as RecordLike;
    expect(evaluateRule(rule, { record: inherited, auth: null })).toBe(false);
    expect(({} as Record<string, unknown>).published).toBeUndefined();
  });

  test('filtering or sorting on a hidden field is refused', () => {
    expect(
      ruleError(() => checkFilter('secret != null', { schema: blogSchema, collection: 'posts' })).code,
    ).toBe('rules/hidden-field');
    expect(
      ruleError(() =>
        checkFilter('owner.email == "bob@example.com"', { schema: blogSchema, collection: 'posts' }),
      ).code,
    ).toBe('rules/hidden-field');
    expect(ruleError(() => parseSort('-secret', { schema: blogSchema, collection: 'posts' })).code).toBe(
      'rules/hidden-field',
    );
  });

  test('a changed owner in an update is checked against data', () => {
    const rule = checkRule('owner == auth.id && data.owner == auth.id', {
      schema: blogSchema,
      kind: 'update',
      collection: 'posts',
    });
    const record = { id: 'a0000000-0000-4000-8000-000000000001', owner: ALICE.id };
    expect(evaluateRule(rule, { record, auth: ALICE, data: { ...record, owner: BOB.id } })).toBe(false);
    expect(evaluateRule(rule, { record, auth: ALICE, data: { ...record, title: 'new' } })).toBe(true);
    expect(compileRuleToSql(rule, { auth: ALICE, data: { ...record, owner: BOB.id } }).sql).toBe('FALSE');
  });
});
