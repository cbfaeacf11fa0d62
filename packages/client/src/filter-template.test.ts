import { parseRule, type RuleNode } from '@hearth/schema';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filter, filterLiteral } from './filter-template.js';

/** The AST the server's own parser makes of a filter. */
const ast = (text: string): RuleNode => parseRule(text, { label: 'filter' }).ast;

/** Parses `x == <literal>` and returns the literal's node, checking nothing else got in. */
function boundLiteral(value: unknown): RuleNode {
  const node = ast(filter('x == {:v}', { v: value as string }));
  if (node.kind !== 'binary' || node.op !== '==' || node.left.kind !== 'name' || node.left.name !== 'x') {
    throw new Error(`the value changed the filter's shape: ${JSON.stringify(node)}`);
  }
  return node.right;
}

/** No lone UTF-16 surrogates (String#isWellFormed, which the ES2022 lib does not declare). */
const isWellFormed = (s: string): boolean => !/\p{Surrogate}/u.test(s);

/** Strings the rule language can hold: any Unicode text without NUL. */
const representableString = fc
  .oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string())
  .filter((s) => !s.includes('\u0000') && isWellFormed(s));

/** Any sequence of UTF-16 code units, lone surrogates and NULs included. */
const anyCodeUnits = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 30 })
  .map((units) => String.fromCharCode(...units));

describe('filter()', () => {
  it('binds each kind of value as a literal', () => {
    expect(
      filter('a == {:s} && b == {:n} && c == {:t} && d == {:f} && e == {:z} && g in {:list}', {
        s: 'hi',
        n: -1.5,
        t: true,
        f: false,
        z: null,
        list: ['x', 2, null],
      }),
    ).toBe('a == "hi" && b == -1.5 && c == true && d == false && e == null && g in ["x", 2, null]');
    expect(filter('createdAt > {:d}', { d: new Date(Date.UTC(2024, 0, 31, 12)) })).toBe(
      'createdAt > "2024-01-31T12:00:00.000Z"',
    );
    expect(filter('owner == auth.id', {})).toBe('owner == auth.id');
  });

  it('escapes quotes, backslashes and line breaks, and keeps other Unicode as it is', () => {
    expect(filterLiteral('say "hi" \\ \n\r\t')).toBe('"say \\"hi\\" \\\\ \\n\\r\\t"');
    expect(filterLiteral('“curly” ‘quotes’ 😀 é')).toBe('"“curly” ‘quotes’ 😀 é"');
    expect(filterLiteral('\u0001\u007f')).toBe('"\\u0001\\u007f"');
    expect(filterLiteral("it's")).toBe('"it\'s"');
  });

  it('renders numbers the grammar accepts', () => {
    for (const n of [0, -0, 1, -1, 0.1, 1e21, -1e21, 1.5e-7, Number.MAX_VALUE, Number.MIN_VALUE]) {
      const node = boundLiteral(n);
      expect(node.kind).toBe('number');
      expect(node.kind === 'number' && node.value).toBe(n === 0 ? 0 : n);
    }
  });

  it('leaves quoted text and braces that are not placeholders alone', () => {
    expect(filter("title == 'a {b}' || x == {:v}", { v: 1 })).toBe("title == 'a {b}' || x == 1");
    expect(filter('x == "\\"" || y == {:v}', { v: 'q' })).toBe('x == "\\"" || y == "q"');
  });

  it('refuses a placeholder inside quotes, since the value is quoted for you', () => {
    expect(() => filter('title == "{:t}"', { t: 'x' })).toThrow(/inside quotes/);
  });

  it('refuses missing parameters and values the rule language cannot hold', () => {
    expect(() => filter('a == {:a}', {} as { a: string })).toThrow(/no value for placeholder \{:a\}/);
    const bad: Array<[unknown, RegExp]> = [
      [Number.NaN, /NaN; only finite numbers/],
      [Infinity, /Infinity/],
      [-Infinity, /-Infinity/],
      [undefined, /undefined \(use null/],
      [{ a: 1 }, /is an object/],
      [() => 1, /a function/],
      [10n, /a bigint/],
      [Symbol('s'), /a symbol/],
      [new Date(Number.NaN), /invalid Date/],
      [[['nested']], /nested list/],
      ['a\u0000b', /NUL/],
      ['\ud800', /lone UTF-16 surrogate/],
      ['x\udc00y', /lone UTF-16 surrogate/],
      [[1, Number.NaN], /\{:v\[1\]\} is NaN/],
    ];
    for (const [value, message] of bad) {
      expect(() => filter('x == {:v}', { v: value as string }), String(message)).toThrow(TypeError);
      expect(() => filter('x == {:v}', { v: value as string })).toThrow(message);
    }
  });

  it('does not read inherited properties as parameters', () => {
    expect(() => filter('x == {:toString}', {} as { toString: string })).toThrow(/no value/);
  });

  it('round-trips any string exactly through the real parser (property)', () => {
    fc.assert(
      fc.property(representableString, (value) => {
        expect(boundLiteral(value)).toMatchObject({ kind: 'string', value });
      }),
      { numRuns: 2000 },
    );
  });

  it('either round-trips a string exactly or refuses it, never anything in between (property)', () => {
    fc.assert(
      fc.property(anyCodeUnits, (value) => {
        const representable = !value.includes('\u0000') && isWellFormed(value);
        if (!representable) {
          expect(() => filterLiteral(value)).toThrow(TypeError);
          return true;
        }
        expect(boundLiteral(value)).toMatchObject({ kind: 'string', value });
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips hostile strings built from quotes, escapes and operators (property)', () => {
    const pieces = fc.constantFrom(
      '"',
      "'",
      '\\',
      '\\"',
      '||',
      '&&',
      ' true',
      ')',
      '(',
      '\n',
      '{:v}',
      '\u2028',
      '😀',
      '“',
    );
    fc.assert(
      fc.property(
        fc.array(pieces, { maxLength: 20 }).map((parts) => parts.join('')),
        (value) => {
          expect(boundLiteral(value)).toMatchObject({ kind: 'string', value });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('round-trips any finite number and any list of scalars (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        // -0 is written as 0, as the case above shows.
        expect(boundLiteral(value)).toMatchObject({ kind: 'number', value: value === 0 ? 0 : value });
      }),
      { numRuns: 1000 },
    );
    const scalar = fc.oneof(representableString, fc.integer(), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(fc.array(scalar, { maxLength: 10 }), (values) => {
        const items = values.map((v) => {
          if (v === null) return { kind: 'null' };
          if (typeof v === 'boolean') return { kind: 'bool', value: v };
          if (typeof v === 'number') return { kind: 'number', value: v };
          return { kind: 'string', value: v };
        });
        expect(ast(filter('x in {:v}', { v: values }))).toMatchObject({
          kind: 'binary',
          right: { kind: 'list', items },
        });
      }),
      { numRuns: 500 },
    );
  });
});
