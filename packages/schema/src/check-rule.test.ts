import { describe, expect, test } from 'vitest';
import { blogSchema } from '../test/fixture-schema.ts';
import { checkFilter, checkRule, RuleError, type CheckRuleOptions, type RuleKind } from './index.js';

function check(source: string, kind: RuleKind = 'list', extra: Partial<CheckRuleOptions> = {}) {
  return checkRule(source, { schema: blogSchema, kind, collection: 'posts', ...extra });
}

function failure(source: string, kind: RuleKind = 'list', extra: Partial<CheckRuleOptions> = {}): RuleError {
  try {
    check(source, kind, extra);
  } catch (error) {
    if (error instanceof RuleError) return error;
    throw error;
  }
  throw new Error(`expected ${source} to fail`);
}

describe('checkRule', () => {
  test.each([
    'true',
    'published || owner == auth.id',
    'auth != null && auth.role == "admin"',
    'project.owner == auth.id',
    'auth.id in project.team.members',
    'project.team.members.contains(auth.id)',
    'publishedAt < now && publishedAt >= "2024-01-31"',
    'publishedAt > "2024-01-31T12:00:00+02:00"',
    'status in ["draft", "published"]',
    'lower(title).startsWith("how") || title.endsWith("?") || body.contains("x")',
    'size(title) > 3 && size(readers) < 10',
    'tags == null',
    'score > -1 && score in [1, 2.5]',
    'owner.team.owner == auth.id',
    'auth.team.owner == owner',
    '(published == true) != (score > 2)',
    'title + "!" == "hi!"',
  ])('accepts %s', (source) => {
    expect(check(source).expr.type.kind).toBe('bool');
  });

  test('the unknown-field error names the place and points at it', () => {
    const error = failure('owner == auth.id && ownr == auth.id', 'list', { label: 'rules.list' });
    expect(error.code).toBe('rules/unknown-name');
    expect(error.formatted).toBe(
      'rules.list:1:21: unknown field "ownr" in posts; did you mean "owner"?\n  owner == auth.id && ownr == auth.id\n                      ^~~~',
    );
  });

  test.each([
    ['title == 1', 'rules/type-mismatch', 'cannot compare a string with a number'],
    ['title', 'rules/type-mismatch', 'a rule must be true or false, but this is a string'],
    [
      'score + 1 > 2',
      'rules/type-mismatch',
      '+ joins strings, but this is a number (there is no arithmetic; + joins strings)',
    ],
    ['title < null', 'rules/type-mismatch', '< with null is always false; use == null or != null'],
    [
      'owner < auth.id',
      'rules/type-mismatch',
      '< needs two numbers, two strings or two dates, not a relation to users and a id',
    ],
    [
      'status == "publshed"',
      'rules/type-mismatch',
      '"publshed" is not a value of status (draft, published, archived)',
    ],
    [
      'status in ["draft", "nope"]',
      'rules/type-mismatch',
      '"nope" is not a value of status (draft, published, archived)',
    ],
    [
      'publishedAt > "yesterday"',
      'rules/type-mismatch',
      '"yesterday" is not an ISO 8601 date from 0001-01-01 to 9999-12-31 (2024-01-31 or 2024-01-31T12:00:00Z)',
    ],
    [
      'publishedAt > "2024-01-31T12:00:00"',
      'rules/type-mismatch',
      '"2024-01-31T12:00:00" is not an ISO 8601 date from 0001-01-01 to 9999-12-31 (2024-01-31 or 2024-01-31T12:00:00Z)',
    ],
    // PostgreSQL has no year 0: out-of-range dates are the caller's error, never a database error.
    [
      'publishedAt > "0000-01-01"',
      'rules/type-mismatch',
      '"0000-01-01" is not an ISO 8601 date from 0001-01-01 to 9999-12-31 (2024-01-31 or 2024-01-31T12:00:00Z)',
    ],
    [
      'publishedAt in ["2024-01-01", "0001-01-01T00:30:00+01:00"]',
      'rules/type-mismatch',
      '"0001-01-01T00:30:00+01:00" is not an ISO 8601 date from 0001-01-01 to 9999-12-31 (2024-01-31 or 2024-01-31T12:00:00Z)',
    ],
    [
      'auth.id in title',
      'rules/type-mismatch',
      '"in" needs a list on its right, not a string (for text, use x.contains(y))',
    ],
    ['!title', 'rules/type-mismatch', '! needs true/false operands, but this is a string'],
    ['tags == "x"', 'rules/type-mismatch', 'cannot compare a json with a string'],
    ['auth == owner', 'rules/type-mismatch', 'cannot compare a users record with a relation to users'],
    [
      'readers.owner == auth.id',
      'rules/type-mismatch',
      'cannot read ".owner" through a list of ids; use "x in field" instead',
    ],
    ['title.length > 2', 'rules/type-mismatch', 'cannot read ".length" of a string'],
    [
      'frobnicate(title)',
      'rules/unknown-name',
      'unknown function "frobnicate" (functions: startsWith, endsWith, contains, lower, upper, size)',
    ],
    ['title.startsWith()', 'rules/type-mismatch', 'startsWith takes 2 arguments: x.startsWith(y)'],
    ['x in [1, "a"]', 'rules/unknown-name', 'unknown field "x" in posts'],
    ['score in [1, "a"]', 'rules/type-mismatch', 'list mixes number and string items'],
    ['score in [score]', 'rules/type-mismatch', 'list items must be string, number or boolean literals'],
    ['data.owner == auth.id', 'rules/not-allowed', '"data" is only available in create and update rules'],
    ['auth.nope == 1', 'rules/unknown-name', 'unknown field "nope" in users'],
    ['auth.__proto__ == null', 'rules/unknown-name', 'unknown field "__proto__" in users'],
    ['constructor == null', 'rules/unknown-name', 'unknown field "constructor" in posts'],
    ['path == "x"', 'rules/unknown-name', 'unknown field "path" in posts'],
  ])('rejects %s', (source, code, detail) => {
    const error = failure(source);
    expect({ code: error.code, detail: error.detail }).toEqual({ code, detail });
  });

  test('filters cannot use data', () => {
    expect(() => checkFilter('data.owner == auth.id', { schema: blogSchema, collection: 'posts' })).toThrow(
      /filters cannot use "data"/,
    );
  });

  test('data is allowed in create and update rules, and a create rule reads the incoming record', () => {
    expect(check('data.owner == auth.id', 'update').expr.kind).toBe('compare');
    const create = check('owner == auth.id', 'create');
    expect(create.expr.kind === 'compare' && create.expr.left.kind === 'ref' && create.expr.left.root).toBe(
      'data',
    );
    expect(() => check('data.owner == auth.id', 'delete')).toThrow(
      /only available in create and update rules/,
    );
  });

  describe('hidden fields', () => {
    test('a filter from a non-admin may not name a hidden field, even through a relation', () => {
      for (const filter of [
        'secret == "x"',
        'owner.email == "a@b.c"',
        'project.owner.secretNote != null',
        'secret.startsWith("a")',
      ]) {
        expect(() => checkFilter(filter, { schema: blogSchema, collection: 'posts' }), filter).toThrow(
          RuleError,
        );
        try {
          checkFilter(filter, { schema: blogSchema, collection: 'posts' });
        } catch (error) {
          expect((error as RuleError).code).toBe('rules/hidden-field');
        }
      }
    });

    test('admins may filter on hidden fields, and rules (written by admins) may use them', () => {
      expect(() =>
        checkFilter('secret == "x"', { schema: blogSchema, collection: 'posts', forbidHidden: false }),
      ).not.toThrow();
      expect(() => check('secret == "x"')).not.toThrow();
    });

    test("the caller's own fields are theirs to see", () => {
      expect(() =>
        checkFilter('auth.email == "a@b.c" && auth.secretNote != null', {
          schema: blogSchema,
          collection: 'posts',
        }),
      ).not.toThrow();
    });
  });

  test('paths follow at most 3 relations', () => {
    expect(() => check('project.team.owner.team.name == "x"')).toThrow(/at most 3 relations/);
    expect(() => check('project.team.owner.name == "x"')).not.toThrow();
    expect(() =>
      check('project.team.owner.name == "x"', 'list', { limits: { maxRelationDepth: 2 } }),
    ).toThrow(/at most 2 relations/);
  });

  test('bucket rules see path, auth and now', () => {
    const options = { schema: blogSchema };
    expect(() =>
      checkRule("auth != null && path.startsWith(auth.id + '/')", { ...options, kind: 'write' }),
    ).not.toThrow();
    expect(() => checkRule('title == "x"', { ...options, kind: 'read' })).toThrow(
      /unknown name "title" \(read rules can use auth, now, path\)/,
    );
    expect(() => checkRule('channel == "x"', { ...options, kind: 'read' })).toThrow(/unknown name "channel"/);
  });

  test('channel rules see channel, auth and now', () => {
    expect(() =>
      checkRule('channel == "room:" + auth.id', { schema: blogSchema, kind: 'join' }),
    ).not.toThrow();
    expect(() => checkRule('path == "x"', { schema: blogSchema, kind: 'broadcast' })).toThrow(
      /unknown name "path"/,
    );
  });

  test('an unknown collection is a programming error, not a rule error', () => {
    expect(() => checkRule('true', { schema: blogSchema, kind: 'list', collection: 'nope' })).toThrow(
      TypeError,
    );
  });
});
