import { createTestDatabase, type TestDatabase } from '@hearth/testkit';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  checkRule,
  compileRuleToSql,
  evaluateRule,
  isRuleError,
  type CheckedRule,
  type SchemaDocument,
  type ViewRuleLookup,
} from './index.js';

/**
 * The JS evaluator and the compiled SQL, run by PostgreSQL, must agree on
 * every generated rule over every row. One query evaluates a rule for all rows.
 */

const schema: SchemaDocument = {
  collections: {
    users: { fields: { nick: { type: 'text' }, team: { type: 'relation', to: 'teams' } } },
    teams: {
      fields: {
        name: { type: 'text' },
        rank: { type: 'number' },
        owner: { type: 'relation', to: 'users' },
        members: { type: 'relation', to: 'users', many: true },
      },
    },
    items: {
      fields: {
        title: { type: 'text' },
        status: { type: 'select', values: ['a', 'b', 'A'] },
        count: { type: 'number' },
        flag: { type: 'bool' },
        at: { type: 'date' },
        owner: { type: 'relation', to: 'users' },
        team: { type: 'relation', to: 'teams' },
        parent: { type: 'relation', to: 'items' },
        watchers: { type: 'relation', to: 'users', many: true },
        meta: { type: 'json' },
      },
    },
  },
};

const uuid = (prefix: string, n: number): string =>
  `${prefix}${String(n).padStart(7, '0')}-0000-4000-8000-000000000000`;
const USER_IDS = [1, 2, 3, 4].map((n) => uuid('a', n));
const TEAM_IDS = [1, 2, 3].map((n) => uuid('b', n));
const ITEM_IDS = Array.from({ length: 24 }, (_, n) => uuid('c', n + 1));
const GHOST_ID = uuid('d', 9);
const ID_LITERALS = [
  ...USER_IDS.slice(0, 2),
  TEAM_IDS[0] as string,
  ITEM_IDS[0] as string,
  GHOST_ID,
  (USER_IDS[0] as string).toUpperCase(),
  'nope',
  '',
];
const STRINGS = [
  '',
  'a',
  'A',
  'b',
  'ab',
  'abc',
  'Abc',
  'b/',
  'x y',
  "it's",
  'a\\b',
  '"q"',
  '\u2019',
  'é',
  'É',
  'ß',
  '😀',
  'z😀',
  '\uff21',
  'zz',
  '%',
  '_',
];
const NUMBERS = [-1, 0, 0.5, 1, 2, 3, 10, 1e10];
const DATES = [
  '2024-01-01T00:00:00.000Z',
  '2024-06-01T12:00:00.000Z',
  '2024-06-01T10:00:00.500Z',
  '2025-01-01T00:00:00.000Z',
];
const NOW = Date.parse('2024-06-01T12:00:00.000Z');

type Row = Record<string, unknown>;

/**
 * View rules that client filters' relation hops must pass. Their own hops
 * read directly (they are the schema author's). In the second set teams have
 * no view rule, so no hop sees a team.
 */
const VIEW_RULE_SETS: ReadonlyArray<Record<string, string | null>> = [
  {
    users: 'id == auth.id || team.rank > 1',
    teams: 'auth.id in members || owner == auth.id || name.startsWith("a")',
    items: 'flag == true || owner == auth.id || parent.flag == true',
  },
  { users: 'verified == true', teams: null, items: 'owner.nick != null' },
];

function viewLookups(): ViewRuleLookup[] {
  return VIEW_RULE_SETS.map((set) => {
    const checked = new Map<string, CheckedRule | null>();
    for (const [collection, source] of Object.entries(set)) {
      checked.set(
        collection,
        source === null ? null : checkRule(source, { schema, kind: 'view', collection }),
      );
    }
    return (collection: string) => checked.get(collection) ?? null;
  });
}

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)] as T;
}

/** A deterministic dataset: some nulls, some dangling relation ids. */
function makeDataset(seed: number): { users: Row[]; teams: Row[]; items: Row[] } {
  let state = seed >>> 0;
  const rnd = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const maybe = <T>(value: T, nullChance = 0.2): T | null => (rnd() < nullChance ? null : value);
  const date = (): Date | null => maybe(new Date(pick(rnd, DATES)));
  const ids = (pool: string[]): string[] | null => maybe(pool.filter(() => rnd() < 0.4));
  const users = USER_IDS.map((id) => ({
    id,
    email: `${id.slice(0, 8)}@example.com`,
    role: pick(rnd, ['user', 'admin']),
    verified: rnd() < 0.5,
    createdAt: new Date(pick(rnd, DATES)),
    updatedAt: new Date(pick(rnd, DATES)),
    nick: maybe(pick(rnd, STRINGS)),
    team: maybe(pick(rnd, [...TEAM_IDS, GHOST_ID])),
  }));
  const teams = TEAM_IDS.map((id) => ({
    id,
    createdAt: new Date(pick(rnd, DATES)),
    updatedAt: new Date(pick(rnd, DATES)),
    name: maybe(pick(rnd, STRINGS)),
    rank: maybe(pick(rnd, NUMBERS)),
    owner: maybe(pick(rnd, [...USER_IDS, GHOST_ID])),
    members: ids([...USER_IDS, GHOST_ID]),
  }));
  const items = ITEM_IDS.map((id) => ({
    id,
    createdAt: new Date(pick(rnd, DATES)),
    updatedAt: new Date(pick(rnd, DATES)),
    title: maybe(pick(rnd, STRINGS)),
    status: maybe(pick(rnd, ['a', 'b', 'A'])),
    count: maybe(pick(rnd, NUMBERS)),
    flag: maybe(rnd() < 0.5),
    at: date(),
    owner: maybe(pick(rnd, [...USER_IDS, GHOST_ID])),
    team: maybe(pick(rnd, [...TEAM_IDS, GHOST_ID])),
    parent: maybe(pick(rnd, [...ITEM_IDS.slice(0, 8), GHOST_ID])),
    watchers: ids(USER_IDS),
    meta: maybe({ k: 1 }, 0.5),
  }));
  return { users, teams, items };
}

// ---- rule generator -------------------------------------------------------

const lit = (value: string): string => JSON.stringify(value);
const strLit = fc.constantFrom(...STRINGS.map(lit));
const numLit = fc.constantFrom(...NUMBERS.map(String), '-0.5');
const dateLit = fc.constantFrom(
  '"2024-01-01"',
  '"2024-06-01T12:00:00Z"',
  '"2024-06-01T12:00:00.500+02:00"',
  '"2024-06-01T10:00:00.5Z"',
  // The ends of the storable range bind in both back ends.
  '"0001-01-01"',
  '"9999-12-31T23:59:59.999Z"',
);
const idLit = fc.constantFrom(...ID_LITERALS.map(lit));

interface Paths {
  str: string[];
  num: string[];
  date: string[];
  bool: string[];
  id: string[];
  list: string[];
  any: string[];
}

function paths(withData: boolean): Paths {
  const p: Paths = {
    str: [
      'title',
      'status',
      'parent.title',
      'parent.parent.title',
      'owner.nick',
      'team.name',
      'team.owner.nick',
      'auth.nick',
      'auth.role',
      'owner.email',
      'parent.owner.team.name',
    ],
    num: ['count', 'parent.count', 'team.rank', 'auth.team.rank'],
    date: ['at', 'createdAt', 'parent.at', 'now', 'auth.createdAt', 'owner.updatedAt'],
    bool: ['flag', 'parent.flag', 'auth.verified'],
    id: [
      'id',
      'owner',
      'team',
      'parent',
      'parent.owner',
      'team.owner',
      'auth.id',
      'auth.team',
      'owner.team',
      'parent.parent',
    ],
    list: ['watchers', 'team.members', 'parent.watchers', 'auth.team.members'],
    any: ['meta', 'auth', 'parent.meta'],
  };
  if (withData) {
    p.str.push('data.title', 'data.parent.title', 'data.status');
    p.num.push('data.count');
    p.date.push('data.at');
    p.bool.push('data.flag');
    p.id.push('data.owner', 'data.parent', 'data.team.owner');
    p.list.push('data.watchers');
    p.any.push('data.meta');
  }
  return p;
}

function ruleArbitrary(withData: boolean): fc.Arbitrary<string> {
  const p = paths(withData);
  const { expr } = fc.letrec<{ expr: string; str: string; num: string }>((tie) => ({
    str: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...p.str),
      strLit,
      tie('str').map((s) => `lower(${s})`),
      tie('str').map((s) => `${s}.upper()`),
      fc.tuple(tie('str'), tie('str')).map(([a, b]) => `${a} + ${b}`),
      fc.tuple(fc.constantFrom(...p.id), strLit).map(([a, b]) => `(${a} + ${b})`),
    ),
    num: fc.oneof(
      fc.constantFrom(...p.num),
      numLit,
      tie('str').map((s) => `size(${s})`),
      fc.constantFrom(...p.list).map((l) => `${l}.size()`),
    ),
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc
        .tuple(tie('str'), fc.constantFrom('==', '!=', '<', '<=', '>', '>='), tie('str'))
        .map(([a, op, b]) => `${a} ${op} ${b}`),
      fc
        .tuple(tie('num'), fc.constantFrom('==', '!=', '<', '<=', '>', '>='), tie('num'))
        .map(([a, op, b]) => `${a} ${op} ${b}`),
      fc
        .tuple(
          fc.constantFrom(...p.date),
          fc.constantFrom('==', '!=', '<', '<=', '>', '>='),
          fc.oneof(fc.constantFrom(...p.date), dateLit),
        )
        .map(([a, op, b]) => `${a} ${op} ${b}`),
      fc
        .tuple(
          fc.constantFrom(...p.id),
          fc.constantFrom('==', '!='),
          fc.oneof(fc.constantFrom(...p.id), idLit, tie('str')),
        )
        .map(([a, op, b]) => `${a} ${op} ${b}`),
      fc
        .tuple(
          fc.constantFrom(...p.bool),
          fc.constantFrom('==', '!='),
          fc.constantFrom(...p.bool, 'true', 'false', 'null'),
        )
        .map(([a, op, b]) => `${a} ${op} ${b}`),
      fc.constantFrom(...p.bool),
      fc
        .tuple(
          fc.constantFrom(...p.str, ...p.num, ...p.date, ...p.bool, ...p.id, ...p.list, ...p.any),
          fc.constantFrom('==', '!='),
        )
        .map(([a, op]) => `${a} ${op} null`),
      fc.tuple(fc.constantFrom(...p.id), fc.constantFrom(...p.list)).map(([a, l]) => `${a} in ${l}`),
      fc
        .tuple(fc.constantFrom(...p.list), fc.oneof(fc.constantFrom(...p.id), idLit))
        .map(([l, a]) => `${l}.contains(${a})`),
      fc
        .tuple(fc.constantFrom(...p.id), fc.array(idLit, { maxLength: 3 }))
        .map(([a, xs]) => `${a} in [${xs.join(', ')}]`),
      fc.tuple(tie('str'), fc.array(strLit, { maxLength: 3 })).map(([a, xs]) => `${a} in [${xs.join(', ')}]`),
      fc.tuple(tie('num'), fc.array(numLit, { maxLength: 3 })).map(([a, xs]) => `${a} in [${xs.join(', ')}]`),
      fc
        .tuple(fc.constantFrom(...p.date), fc.array(dateLit, { maxLength: 2 }))
        .map(([a, xs]) => `${a} in [${xs.join(', ')}]`),
      fc
        .tuple(tie('str'), fc.constantFrom('startsWith', 'endsWith', 'contains'), tie('str'))
        .map(([a, f, b]) => `${a}.${f}(${b})`),
      fc.constantFrom('auth == null', 'auth != null', 'true', 'false'),
      tie('expr').map((e) => `!(${e})`),
      fc
        .tuple(tie('expr'), fc.constantFrom('&&', '||'), tie('expr'))
        .map(([a, op, b]) => `(${a}) ${op} (${b})`),
      fc
        .tuple(tie('expr'), fc.constantFrom('==', '!='), tie('expr'))
        .map(([a, op, b]) => `(${a}) ${op} (${b})`),
    ),
  }));
  return expr;
}

// ---- the test ---------------------------------------------------------------

let db: TestDatabase;
let client: pg.Client;

/** Text columns use a linguistic collation when there is one, so code point order must be asked for. */
const ddl = (collate: string): string => DDL.replace(/ text/g, ` text${collate}`);
const DDL = `
  CREATE SCHEMA app;
  CREATE SCHEMA hearth;
  CREATE TABLE hearth.users (id uuid PRIMARY KEY, email text, role text, verified boolean, "createdAt" timestamptz(3) NOT NULL, "updatedAt" timestamptz(3) NOT NULL, nick text, team uuid);
  CREATE TABLE app.teams (id uuid PRIMARY KEY, "createdAt" timestamptz(3) NOT NULL, "updatedAt" timestamptz(3) NOT NULL, name text, rank double precision, owner uuid, members uuid[]);
  CREATE TABLE app.items (id uuid PRIMARY KEY, "createdAt" timestamptz(3) NOT NULL, "updatedAt" timestamptz(3) NOT NULL, title text, status text, count double precision, flag boolean, at timestamptz(3), owner uuid, team uuid, parent uuid, watchers uuid[], meta jsonb);
`;

async function insert(table: string, rows: Row[]): Promise<void> {
  for (const row of rows) {
    const keys = Object.keys(row);
    const values = keys.map((k) => (k === 'meta' && row[k] !== null ? JSON.stringify(row[k]) : row[k]));
    await client.query(
      `INSERT INTO ${table} (${keys.map((k) => `"${k}"`).join(', ')}) VALUES (${keys.map((_, i) => `$${i + 1}`).join(', ')})`,
      values,
    );
  }
}

async function load(table: string): Promise<Row[]> {
  return (await client.query<Row>(`SELECT * FROM ${table} ORDER BY id`)).rows;
}

beforeAll(async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

describe('evaluateRule and compileRuleToSql agree on PostgreSQL', () => {
  for (const seed of [1, 2]) {
    test(`dataset ${seed}: 600 generated rules over every row, as list, update and create rules and as filters whose relation hops pass view rules`, async () => {
      await client.query('DROP SCHEMA IF EXISTS app CASCADE; DROP SCHEMA IF EXISTS hearth CASCADE;');
      const collations = await client.query<{ collname: string }>(
        `SELECT collname FROM pg_collation WHERE collname IN ('und-x-icu', 'en_US.utf8', 'en_US') ORDER BY collname DESC LIMIT 1`,
      );
      const collation = collations.rows[0]?.collname;
      await client.query(ddl(collation ? ` COLLATE "${collation}"` : ''));
      const dataset = makeDataset(seed * 7919);
      await insert('hearth.users', dataset.users);
      await insert('app.teams', dataset.teams);
      await insert('app.items', dataset.items);
      // Compare against what PostgreSQL hands back, as the server would.
      const users = await load('hearth.users');
      const teams = await load('app.teams');
      const items = await load('app.items');
      const byId = new Map<string, Row>();
      for (const [name, rows] of [
        ['users', users],
        ['teams', teams],
        ['items', items],
      ] as const) {
        for (const row of rows) byId.set(`${name}:${row.id as string}`, row);
      }
      const resolve = (collection: string, id: string): Row | null => byId.get(`${collection}:${id}`) ?? null;
      const authArb = fc.oneof(
        fc.constant(null),
        fc.constantFrom(...users),
        fc.constant({
          id: GHOST_ID,
          email: 'ghost@example.com',
          role: 'user',
          verified: true,
          team: TEAM_IDS[0],
        }),
      );
      const dataArb = fc.record({
        title: fc.oneof(fc.constant(null), fc.constantFrom(...STRINGS)),
        status: fc.constantFrom(null, 'a', 'b'),
        count: fc.oneof(fc.constant(null), fc.constantFrom(...NUMBERS)),
        flag: fc.constantFrom(null, true, false),
        at: fc.oneof(fc.constant(null), fc.constantFrom(...DATES)),
        owner: fc.constantFrom(null, ...USER_IDS, GHOST_ID, 'nope', (USER_IDS[1] as string).toUpperCase()),
        parent: fc.constantFrom(null, ...ITEM_IDS.slice(0, 4), GHOST_ID),
        team: fc.constantFrom(null, ...TEAM_IDS),
        watchers: fc.oneof(fc.constant(null), fc.subarray([...USER_IDS, 'nope'])),
        meta: fc.constantFrom(null, { a: 1 }),
      });
      let checked = 0;
      let rejected = 0;
      let comparisons = 0;
      let guarded = 0;
      /** Row comparisons where a view rule changed the filter's answer: the guard is really there. */
      let hidden = 0;
      const lookups = viewLookups();
      const kindArb = fc.constantFrom(
        'list' as const,
        'update' as const,
        'create' as const,
        'filter' as const,
      );
      await fc.assert(
        fc.asyncProperty(
          kindArb.chain((kind) =>
            fc.tuple(
              fc.constant(kind),
              ruleArbitrary(kind === 'update' || kind === 'create'),
              authArb,
              dataArb,
              fc.constantFrom(...lookups),
            ),
          ),
          async ([kind, source, auth, data, lookup]) => {
            // A client filter's hops see related records only through their view rules.
            const viewRuleFor = kind === 'filter' ? lookup : undefined;
            let rule: CheckedRule;
            try {
              rule = checkRule(source, { schema, kind, collection: 'items' });
            } catch (error) {
              // Only type errors the generator cannot avoid (a select literal that is not a value).
              if (isRuleError(error) && error.code === 'rules/type-mismatch') {
                rejected++;
                return;
              }
              throw error;
            }
            checked++;
            if (viewRuleFor) guarded++;
            const compiled = compileRuleToSql(rule, {
              auth,
              data,
              now: NOW,
              firstParam: 1,
              ...(viewRuleFor ? { viewRuleFor } : {}),
            });
            const result = await client.query<{ id: string; ok: boolean | null }>(
              `SELECT t.id, (${compiled.sql}) AS ok FROM app.items t ORDER BY t.id`,
              compiled.params,
            );
            for (const row of result.rows) {
              const record = items.find((r) => r.id === row.id) as Row;
              const expected = evaluateRule(rule, {
                record,
                auth,
                data,
                now: NOW,
                resolve,
                ...(viewRuleFor ? { viewRuleFor } : {}),
              });
              comparisons++;
              if (viewRuleFor && expected !== evaluateRule(rule, { record, auth, now: NOW, resolve }))
                hidden++;
              if (row.ok !== expected) {
                throw new Error(
                  `disagree on item ${row.id}: sql=${String(row.ok)} js=${String(expected)}\n${compiled.sql}\n${JSON.stringify(compiled.params)}`,
                );
              }
            }
          },
        ),
        { numRuns: 600, seed: seed * 104729 + Number(process.env.HEARTH_FC_SEED ?? 0) },
      );
      console.log(
        `dataset ${seed}: ${checked} rules checked (${guarded} as filters under view rules, changing ${hidden} answers, ${rejected} rejected by the checker), ${comparisons} row comparisons`,
      );
      expect(checked).toBeGreaterThanOrEqual(500);
      expect(guarded).toBeGreaterThanOrEqual(100);
      expect(hidden).toBeGreaterThanOrEqual(100);
      expect(comparisons).toBeGreaterThanOrEqual(1000);
    });
  }
});
