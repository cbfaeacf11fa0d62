import { describe, expect, test } from 'vitest';
import { blogSchema } from '../test/fixture-schema.ts';
import { compileSortToSql, parseSort, RuleError } from './index.js';

const options = { schema: blogSchema, collection: 'posts' };

function sortError(text: string, extra = {}): RuleError {
  try {
    parseSort(text, { ...options, ...extra });
  } catch (error) {
    if (error instanceof RuleError) return error;
    throw error;
  }
  throw new Error(`expected ${text} to fail`);
}

describe('parseSort', () => {
  test('parses keys and directions', () => {
    const keys = parseSort('-createdAt, title,+score', options);
    expect(keys.map((k) => [k.field, k.direction])).toEqual([
      ['createdAt', 'desc'],
      ['title', 'asc'],
      ['score', 'asc'],
    ]);
    expect(compileSortToSql(keys, 'p')).toBe('p."createdAt" DESC, p."title" ASC, p."score" ASC');
  });

  test.each([
    ['-ownr', 'rules/unknown-name', 2],
    ['title,', 'rules/syntax', 7],
    ['--title', 'rules/syntax', 1],
    ['title;drop', 'rules/syntax', 1],
    ['secret', 'rules/hidden-field', 1],
    ['tags', 'rules/type-mismatch', 1],
    ['readers', 'rules/type-mismatch', 1],
    ['title,-title', 'rules/syntax', 8],
    ['__proto__', 'rules/unknown-name', 1],
  ])('%s is refused with %s at column %i', (text, code, col) => {
    const error = sortError(text);
    expect(error.code).toBe(code);
    expect(error.col).toBe(col);
  });

  test('a misspelt sort key gets a "did you mean", as filters do', () => {
    expect(sortError('-ownr').message).toContain('unknown field "ownr" in posts; did you mean "owner"?');
    expect(sortError('createdAd').message).toContain('did you mean "createdAt"?');
    expect(sortError('zzzzzz').message).not.toContain('did you mean');
  });

  test('admins may sort on hidden fields', () => {
    expect(parseSort('secret', { ...options, forbidHidden: false })).toHaveLength(1);
  });

  test('at most 8 keys', () => {
    expect(sortError('id,title,body,score,status,owner,project,publishedAt,createdAt').code).toBe(
      'rules/too-complex',
    );
  });
});
