import { describe, expect, test } from 'vitest';
import { parseRule, RuleError, type RuleNode } from './index.js';

function ast(source: string): RuleNode {
  return parseRule(source).ast;
}

function syntaxError(source: string): RuleError {
  try {
    parseRule(source, { label: 'rules.list' });
  } catch (error) {
    if (error instanceof RuleError) return error;
    throw error;
  }
  throw new Error(`expected ${source} to fail`);
}

/** A compact, position-free rendering for precedence tests. */
function show(node: RuleNode): string {
  switch (node.kind) {
    case 'string':
      return JSON.stringify(node.value);
    case 'number':
    case 'bool':
      return String(node.value);
    case 'null':
      return 'null';
    case 'name':
      return node.name;
    case 'list':
      return `[${node.items.map(show).join(',')}]`;
    case 'member':
      return `${show(node.object)}.${node.property}`;
    case 'call':
      return `${node.receiver ? `${show(node.receiver)}.` : ''}${node.callee}(${node.args.map(show).join(',')})`;
    case 'not':
      return `!${show(node.operand)}`;
    case 'binary':
      return `(${show(node.left)} ${node.op} ${show(node.right)})`;
  }
}

describe('parseRule', () => {
  test.each([
    ['a || b && c', '(a || (b && c))'],
    ['a && b || c', '((a && b) || c)'],
    ['!a && b', '(!a && b)'],
    ['!(a && b)', '!(a && b)'],
    ['a == b && c != d', '((a == b) && (c != d))'],
    ['x + "/" == y', '((x + "/") == y)'],
    ['auth.id in team.members', '(auth.id in team.members)'],
    ["path.startsWith(auth.id + '/')", 'path.startsWith((auth.id + "/"))'],
    ['lower(title) == "x"', '(lower(title) == "x")'],
    ['n >= -1.5e2', '(n >= -150)'],
    ['s in ["a", "b",]', '(s in ["a","b"])'],
    ['[]', '[]'],
    ['a.b.c.d', 'a.b.c.d'],
    ['true || false || null', '((true || false) || null)'],
  ])('%s parses as %s', (source, expected) => {
    expect(show(ast(source))).toBe(expected);
  });

  test('every node has offset, line and column', () => {
    const node = ast('published ||\n  owner == auth.id');
    expect(node.kind).toBe('binary');
    if (node.kind !== 'binary') return;
    expect(node.start).toEqual({ offset: 0, line: 1, col: 1 });
    expect(node.opStart).toEqual({ offset: 10, line: 1, col: 11 });
    const right = node.right;
    expect(right.start).toEqual({ offset: 15, line: 2, col: 3 });
    if (right.kind !== 'binary') throw new Error('expected a comparison');
    expect(right.right.start).toEqual({ offset: 24, line: 2, col: 12 });
    if (right.right.kind !== 'member') throw new Error('expected a member');
    expect(right.right.propertyStart).toEqual({ offset: 29, line: 2, col: 17 });
  });

  test('string escapes decode, and quotes of either kind work', () => {
    const node = ast(String.raw`s == "a\"b\\c\n\u00e9\u{1F600}\ud83d\ude00" || s == 'it\'s'`);
    if (node.kind !== 'binary' || node.left.kind !== 'binary' || node.left.right.kind !== 'string')
      throw new Error('shape');
    expect(node.left.right.value).toBe('a"b\\c\né😀😀');
  });

  test.each([
    ['owner = auth.id', 'unexpected character "=" (use == to compare)', 7],
    ['owner == ', 'expected a value, a name or "(" but found the end of the rule', 10],
    ['(a', 'expected ")" but found the end of the rule', 3],
    ['a == b == c', 'comparisons cannot be chained; use parentheses and && instead', 8],
    ['"abc', 'unterminated string', 1],
    ['a & b', 'unexpected character "&" (use &&)', 3],
    ['12abc', 'malformed number', 1],
    ['a.in', 'expected a field or function name after "." but found "in"', 3],
    ['"\\q"', 'unknown escape \\q', 2],
    ['"a\\u0000"', 'strings cannot contain NUL (U+0000)', 3],
    ['"a\u0000"', 'strings cannot contain NUL (U+0000)', 3],
    ['"\\ud800"', 'escape is not a Unicode scalar value', 2],
    ['1e999 > 1', 'number out of range', 1],
    ['- a', 'expected a number after "-" (there is no arithmetic) but found "a"', 3],
    ['', 'empty rule', 1],
  ])('%j is a syntax error: %s', (source, detail, col) => {
    const error = syntaxError(source);
    expect(error.code).toBe('rules/syntax');
    expect(error.detail).toBe(detail);
    expect(error.col).toBe(col);
  });

  test('errors carry label:line:col and a caret excerpt', () => {
    const error = syntaxError('published ||\n  owner = auth.id');
    expect(error.message).toBe('rules.list:2:9: unexpected character "=" (use == to compare)');
    expect(error.formatted).toBe(
      'rules.list:2:9: unexpected character "=" (use == to compare)\n    owner = auth.id\n          ^',
    );
    expect(error.toJSON()).toMatchObject({ code: 'rules/syntax', line: 2, col: 9 });
  });

  test('excerpts of very long lines are cut around the caret', () => {
    const source = `${'a || '.repeat(100)}b ==`;
    const error = syntaxError(source);
    const [line, caret] = error.excerpt.split('\n');
    expect(line?.length).toBeLessThan(90);
    expect(line?.startsWith('  …')).toBe(true);
    expect(caret?.indexOf('^')).toBeGreaterThan(30);
  });

  describe('limits', () => {
    test('length', () => {
      const error = (() => {
        try {
          parseRule('a'.repeat(5000));
        } catch (e) {
          return e as RuleError;
        }
        return null;
      })();
      expect(error?.code).toBe('rules/too-complex');
      expect(() => parseRule('a || b', { limits: { maxLength: 3 } })).toThrow(/limit is 3/);
    });

    test('depth', () => {
      expect(() => parseRule(`${'('.repeat(64)}a${')'.repeat(64)}`)).not.toThrow();
      expect(() => parseRule(`${'('.repeat(65)}a${')'.repeat(65)}`)).toThrow(/nesting deeper than 64/);
      expect(() => parseRule(`${'!'.repeat(65)}a`)).toThrow(/nesting deeper than 64/);
      expect(() => parseRule(`${'['.repeat(65)}`)).toThrow(/nesting deeper than 64/);
      expect(() => parseRule(`${'f('.repeat(65)}`)).toThrow(/nesting deeper than 64/);
    });

    test('terms', () => {
      const terms = (n: number): string => Array.from({ length: n }, (_, i) => `a${i}`).join(' || ');
      expect(() => parseRule(terms(200), { limits: { maxLength: 1e6 } })).not.toThrow();
      expect(() => parseRule(terms(201), { limits: { maxLength: 1e6 } })).toThrow(/more than 200 terms/);
    });

    test('list size', () => {
      const list = (n: number): string => `x in [${Array.from({ length: n }, () => '1').join(',')}]`;
      expect(() => parseRule(list(100))).not.toThrow();
      expect(() => parseRule(list(101))).toThrow(/more than 100 items/);
    });
  });
});
