import { describe, expect, test } from 'vitest';
import { ALICE, blogSchema } from '../test/fixture-schema.ts';
import { checkRule, compileRuleToSql, type CompileRuleOptions, type RuleKind } from './index.js';

const NOW = Date.parse('2024-06-01T12:00:00Z');

function compile(source: string, options: CompileRuleOptions = {}, kind: RuleKind = 'list') {
  const rule = checkRule(source, { schema: blogSchema, kind, collection: 'posts' });
  return compileRuleToSql(rule, { auth: ALICE, now: NOW, ...options });
}

describe('compileRuleToSql', () => {
  test('owner-only: one indexable comparison, the id bound as a uuid parameter', () => {
    expect(compile('owner == auth.id')).toEqual({
      sql: '(t."owner" IS NOT NULL AND t."owner" = $1::uuid)',
      params: [ALICE.id],
    });
  });

  test("the first parameter number and the alias are the caller's", () => {
    expect(compile('owner == auth.id || title == "x"', { firstParam: 4, alias: 'p' })).toEqual({
      sql: '((p."owner" IS NOT NULL AND p."owner" = $4::uuid) OR (p."title" IS NOT NULL AND p."title" = $5::text))',
      params: [ALICE.id, 'x'],
    });
    expect(() => compile('true', { alias: 't; DROP TABLE x' })).toThrow(TypeError);
    expect(() => compile('true', { firstParam: 0 })).toThrow(TypeError);
  });

  test('relation paths become EXISTS subqueries; users live in hearth.users', () => {
    expect(compile('project.owner == auth.id').sql).toBe(
      'EXISTS (SELECT 1 FROM app."projects" _r1 WHERE _r1."id" = t."project" AND (_r1."owner" IS NOT NULL AND _r1."owner" = $1::uuid))',
    );
    expect(compile('owner.role == "admin"').sql).toBe(
      'EXISTS (SELECT 1 FROM hearth."users" _r1 WHERE _r1."id" = t."owner" AND (_r1."role" IS NOT NULL AND _r1."role" = $1::text))',
    );
  });

  describe('viewRuleFor: hops of a client filter pass the target view rule', () => {
    // Views that follow relations in a cycle: projects → teams → users → teams.
    const views: Record<string, string> = {
      projects: 'owner == auth.id || auth.id in team.members',
      teams: 'owner.team.owner == auth.id',
      users: 'id == auth.id || team.name == "open"',
    };
    const viewRuleFor = (collection: string) =>
      views[collection]
        ? checkRule(views[collection], { schema: blogSchema, kind: 'view', collection })
        : null;
    const filter = (source: string) =>
      compileRuleToSql(checkRule(source, { schema: blogSchema, kind: 'filter', collection: 'posts' }), {
        auth: ALICE,
        now: NOW,
        viewRuleFor,
      });

    test('the view rule is ANDed into the join, over the joined row', () => {
      expect(filter('project.title == "x"').sql).toBe(
        'EXISTS (SELECT 1 FROM app."projects" _r1 WHERE _r1."id" = t."project" AND ((_r1."owner" IS NOT NULL AND _r1."owner" = $1::uuid) OR EXISTS (SELECT 1 FROM app."teams" _r2 WHERE _r2."id" = _r1."team" AND COALESCE($2::uuid = ANY(_r2."members"), FALSE))) AND (_r1."title" IS NOT NULL AND _r1."title" = $3::text))',
      );
    });

    test('view rules that follow relations in a cycle compile once per hop and terminate', () => {
      // Three hops, each with its view rule; the view rules' own hops are not guarded again.
      const { sql } = filter('project.team.owner.name == "x"');
      expect(sql.match(/EXISTS/g)).toHaveLength(1 + 1 + 1 + 1);
      expect(sql.match(/app."teams"|hearth."users"|app."projects"/g)?.length).toBeLessThanOrEqual(9);
    });

    test('a hop into a collection with no view rule sees nothing', () => {
      const noTeams = (collection: string) => (collection === 'teams' ? null : viewRuleFor(collection));
      const rule = checkRule('project.team.name == "x" || title == "y"', {
        schema: blogSchema,
        kind: 'filter',
        collection: 'posts',
      });
      expect(compileRuleToSql(rule, { auth: ALICE, now: NOW, viewRuleFor: noTeams }).sql).toBe(
        '(t."title" IS NOT NULL AND t."title" = $1::text)',
      );
    });
  });

  test('a comparison that follows two paths joins both in one EXISTS, sharing a common prefix', () => {
    expect(compile('project.owner == project.team.owner').sql).toBe(
      'EXISTS (SELECT 1 FROM app."projects" _r1, app."teams" _r2 WHERE _r1."id" = t."project" AND _r2."id" = _r1."team" AND (_r1."owner" IS NOT DISTINCT FROM _r2."owner"))',
    );
  });

  test('tableFor chooses where collections live', () => {
    const { sql } = compile('project.owner.role == "x"', { tableFor: (c) => `tenant_1."${c}"` });
    expect(sql).toContain('FROM tenant_1."projects" _r1, tenant_1."users" _r2');
  });

  test('team membership through a relation', () => {
    expect(compile('auth.id in project.team.members')).toEqual({
      sql: 'EXISTS (SELECT 1 FROM app."projects" _r1, app."teams" _r2 WHERE _r1."id" = t."project" AND _r2."id" = _r1."team" AND COALESCE($1::uuid = ANY(_r2."members"), FALSE))',
      params: [ALICE.id],
    });
  });

  test('relations from auth and data start from a bound id', () => {
    expect(compile('auth.team.owner == owner')).toEqual({ sql: 'FALSE', params: [] }); // Alice has no team
    const withTeam = compile('auth.team.owner == owner', {
      auth: { ...ALICE, team: '33333333-3333-4333-8333-333333333333' },
    });
    expect(withTeam).toEqual({
      sql: 'EXISTS (SELECT 1 FROM app."teams" _r1 WHERE _r1."id" = $1::uuid AND (_r1."owner" IS NOT DISTINCT FROM t."owner"))',
      params: ['33333333-3333-4333-8333-333333333333'],
    });
  });

  describe('null semantics', () => {
    test.each([
      ['title == null', '(t."title" IS NULL)'],
      ['title != null', '(t."title" IS NOT NULL)'],
      ['title != body', '(t."title" IS DISTINCT FROM t."body")'],
      ['title == body', '(t."title" IS NOT DISTINCT FROM t."body")'],
      ['id != "x"', 'TRUE'],
      ['id == "x"', 'FALSE'],
      ['score < 3', '(t."score" IS NOT NULL AND t."score" < $1::double precision)'],
      ['published', 'COALESCE(t."published", FALSE)'],
      ['!published', '(NOT COALESCE(t."published", FALSE))'],
      ['!(score > 1)', '(NOT (t."score" IS NOT NULL AND t."score" > $1::double precision))'],
      [
        'title < body',
        '(t."title" IS NOT NULL AND t."body" IS NOT NULL AND t."title" COLLATE "C" < t."body")',
      ],
      ['auth == null', 'FALSE'],
      ['auth != null', 'TRUE'],
      ['id == id', '(t."id" = t."id")'],
    ])('%s → %s', (source, sql) => {
      expect(compile(source).sql).toBe(sql);
    });

    test('signed out: auth.* is absent, so every comparison with it is false', () => {
      const out = { auth: null };
      expect(compile('owner == auth.id', out).sql).toBe('FALSE');
      expect(compile('owner != auth.id', out).sql).toBe('FALSE');
      expect(compile('auth.id == null', out).sql).toBe('FALSE');
      expect(compile('!(owner == auth.id)', out).sql).toBe('TRUE');
      expect(compile('auth == null', out).sql).toBe('TRUE');
      expect(compile('published || owner == auth.id', out).sql).toBe('COALESCE(t."published", FALSE)');
    });
  });

  test('dates, now and date literals are timestamptz parameters', () => {
    expect(compile('publishedAt < now && publishedAt >= "2024-01-31"')).toEqual({
      sql: '((t."publishedAt" IS NOT NULL AND t."publishedAt" < $1::timestamptz) AND (t."publishedAt" IS NOT NULL AND t."publishedAt" >= $2::timestamptz))',
      params: ['2024-06-01T12:00:00.000Z', '2024-01-31T00:00:00.000Z'],
    });
  });

  test('in lists are one array parameter; ids that cannot be uuids are dropped', () => {
    expect(compile('status in ["draft", "published"]')).toEqual({
      sql: '(t."status" IS NOT NULL AND t."status" = ANY($1::text[]))',
      params: [['draft', 'published']],
    });
    expect(compile(`owner in ["nope", "${ALICE.id}"]`)).toEqual({
      sql: '(t."owner" IS NOT NULL AND t."owner" = ANY($1::uuid[]))',
      params: [[ALICE.id]],
    });
    expect(compile('owner in ["nope"]').sql).toBe('FALSE');
    expect(compile('owner in []').sql).toBe('FALSE');
  });

  test('functions: ASCII lower/upper via translate, code point lengths', () => {
    expect(compile('lower(title) == "abc"')).toEqual({
      sql: '(translate(t."title", $1::text, $2::text) IS NOT NULL AND translate(t."title", $1::text, $2::text) = $3::text)',
      params: ['ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz', 'abc'],
    });
    expect(compile('title.endsWith("?")').sql).toBe(
      'COALESCE((right(t."title", char_length($1::text)) = $1::text), FALSE)',
    );
    expect(compile('size(readers) > 0').sql).toContain('cardinality(t."readers")::double precision');
  });

  test('create rules run on bound values only', () => {
    const rule = checkRule('auth != null && owner == auth.id && project.owner == auth.id', {
      schema: blogSchema,
      kind: 'create',
      collection: 'posts',
    });
    const project = '44444444-4444-4444-8444-444444444444';
    expect(compileRuleToSql(rule, { auth: ALICE, data: { owner: ALICE.id, project } })).toEqual({
      sql: 'EXISTS (SELECT 1 FROM app."projects" _r1 WHERE _r1."id" = $1::uuid AND (_r1."owner" IS NOT NULL AND _r1."owner" = $2::uuid))',
      params: [project, ALICE.id],
    });
    expect(compileRuleToSql(rule, { auth: ALICE, data: { owner: 'someone-else' } }).sql).toBe('FALSE');
  });

  test('bucket rules fold to a constant', () => {
    const rule = checkRule("auth != null && path.startsWith(auth.id + '/')", {
      schema: blogSchema,
      kind: 'write',
    });
    expect(compileRuleToSql(rule, { auth: ALICE, path: `${ALICE.id}/me.png` }).sql).toBe('TRUE');
    expect(compileRuleToSql(rule, { auth: ALICE, path: 'someone/me.png' }).sql).toBe('FALSE');
    expect(compileRuleToSql(rule, { auth: null, path: 'x' }).sql).toBe('FALSE');
  });
});
