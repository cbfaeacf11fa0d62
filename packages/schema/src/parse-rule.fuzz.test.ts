import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ALICE, blogSchema } from '../test/fixture-schema.ts';
import {
  checkRule,
  compileRuleToSql,
  evaluateRule,
  parseRule,
  RuleError,
  type ParsedRule,
  type RuleNode,
} from './index.js';

/** Anything the parser may throw must be a positioned RuleError. */
function expectCleanError(error: unknown, source: string): void {
  if (!(error instanceof RuleError)) throw error;
  expect(['rules/syntax', 'rules/too-complex']).toContain(error.code);
  expect(error.position.offset).toBeGreaterThanOrEqual(0);
  expect(error.position.offset).toBeLessThanOrEqual(source.length);
  expect(error.position.line).toBeGreaterThanOrEqual(1);
  expect(error.position.col).toBeGreaterThanOrEqual(1);
  expect(error.message).toMatch(/^\w[\w.]*:\d+:\d+: /);
}

function tryParse(source: string): ParsedRule | null {
  try {
    return parseRule(source);
  } catch (error) {
    expectCleanError(error, source);
    return null;
  }
}

function literals(node: RuleNode, out: { strings: string[]; numbers: number[] }): void {
  switch (node.kind) {
    case 'string':
      out.strings.push(node.value);
      return;
    case 'number':
      out.numbers.push(node.value);
      return;
    case 'list':
      node.items.forEach((item) => literals(item, out));
      return;
    case 'member':
      literals(node.object, out);
      return;
    case 'call':
      if (node.receiver) literals(node.receiver, out);
      node.args.forEach((arg) => literals(arg, out));
      return;
    case 'not':
      literals(node.operand, out);
      return;
    case 'binary':
      literals(node.left, out);
      literals(node.right, out);
      return;
    default:
      return;
  }
}

// Distinctive literals: each string holds a character SQL text never does.
const hostileString = fc
  .tuple(
    fc.string({ maxLength: 6 }),
    fc.constantFrom("'", '§', '\\', '"', '’', 'ʼ', '＇', '--', ';', '/*'),
    fc.string({ maxLength: 6 }),
  )
  .map(([a, b, c]) => JSON.stringify(a + b + c).replace(/\\u0000/g, ''));
const hostileNumber = fc.integer({ min: 10_000, max: 99_999_999 }).map((n) => `${n}.${n % 97}`);
const vocabulary = fc.constantFrom(
  'title',
  'body',
  'owner',
  'published',
  'score',
  'status',
  'project',
  'project.owner',
  'project.team.members',
  'auth',
  'auth.id',
  'auth.role',
  'now',
  'publishedAt',
  'readers',
  'id',
  'createdAt',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '&&',
  '||',
  '!',
  'in',
  '(',
  ')',
  '[',
  ']',
  ',',
  '.',
  '+',
  '-',
  'true',
  'false',
  'null',
  'lower(',
  'size(',
  '.startsWith(',
  '.contains(',
  '"draft"',
  '"2024-01-01"',
  'data',
  '__proto__',
  'constructor',
  '=',
  '&',
  '@',
  '"',
  "'",
  '\\',
);
const tokenSoup = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: vocabulary },
      { weight: 1, arbitrary: hostileString },
      { weight: 1, arbitrary: hostileNumber },
    ),
    { maxLength: 24 },
  )
  .map((tokens) => tokens.join(' '));

/** Well-formed comparisons with hostile literals, so many inputs get through to the compiler. */
const comparison = fc
  .tuple(
    fc.constantFrom('title', 'body', 'project.title', 'owner.role', 'auth.role'),
    fc.constantFrom('==', '!=', '<', '>='),
    hostileString,
  )
  .map(([a, op, b]) => `${a} ${op} ${b}`);
const numberComparison = fc
  .tuple(
    fc.constantFrom('score', 'size(title)', 'size(readers)'),
    fc.constantFrom('==', '<', '>'),
    hostileNumber,
  )
  .map(([a, op, b]) => `${a} ${op} ${b}`);
const wellFormed = fc
  .array(
    fc.oneof(
      comparison,
      numberComparison,
      hostileString.map((s) => `title in [${s}, ${s}]`),
      hostileString.map((s) => `title.startsWith(${s})`),
    ),
    {
      minLength: 1,
      maxLength: 5,
    },
  )
  .chain((parts) => fc.constantFrom(' && ', ' || ').map((op) => parts.map((p) => `(${p})`).join(op)))
  .map((s) => (s.length % 2 === 0 ? `!(${s})` : s));

const SQL_ALPHABET = /^[A-Za-z0-9_ $."(),=<>:[\]*-]*$/;

describe('parser fuzz', () => {
  test('arbitrary text: a value or a positioned syntax error, never anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 80 }),
          fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
          tokenSoup,
        ),
        (source) => {
          tryParse(source);
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('no literal from the input ever reaches the SQL text', () => {
    let compiled = 0;
    fc.assert(
      fc.property(fc.oneof(tokenSoup, wellFormed), (source) => {
        const parsed = tryParse(source);
        if (!parsed) return;
        let rule;
        try {
          rule = checkRule(parsed, { schema: blogSchema, kind: 'list', collection: 'posts' });
        } catch (error) {
          if (!(error instanceof RuleError)) throw error;
          return;
        }
        const { sql, params } = compileRuleToSql(rule, { auth: ALICE, firstParam: 3 });
        compiled++;
        // Identifiers, keywords, $n and operators: nothing else ever appears.
        expect(sql).toMatch(SQL_ALPHABET);
        expect(sql).not.toMatch(/--|\/\*/);
        const found = { strings: [] as string[], numbers: [] as number[] };
        literals(parsed.ast, found);
        for (const s of found.strings) if (!SQL_ALPHABET.test(s)) expect(sql.includes(s)).toBe(false);
        for (const n of found.numbers) if (Math.abs(n) >= 10_000) expect(sql.includes(String(n))).toBe(false);
        for (const match of sql.matchAll(/\$(\d+)/g)) {
          const index = Number(match[1]);
          expect(index).toBeGreaterThanOrEqual(3);
          expect(index).toBeLessThan(3 + params.length);
        }
        // The evaluator may only fail for a relation it was not given.
        try {
          evaluateRule(rule, { record: { title: 'x', owner: ALICE.id }, auth: ALICE, resolve: () => null });
        } catch (error) {
          if (!(error instanceof RuleError)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
    expect(compiled).toBeGreaterThan(500);
  });
});
