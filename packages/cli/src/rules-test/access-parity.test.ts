import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuleError, type SchemaDocument } from '@hearth/schema';
import { Caller, buildLiveSchema, mayAccess, type Principal } from '@hearth/server';
import { afterAll, describe, expect, test } from 'vitest';
import { caseContext } from './run-case.js';
import { runRulesTests } from './run-rules-tests.js';
import { rulesTestFileSchema, type RuleTestCase, type RulesTestFile } from './test-file.js';

/**
 * The same cases through both entry points of the access policy: `hearth
 * rules test` (offline) and the server's record-access (what realtime and
 * storage call). They must agree on every case, including who counts as an
 * admin, the users collection's default rules and the operations closed to
 * the record API.
 */

const TODO_EXAMPLE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../examples/todo/hearth.rules.test.json',
);

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';

/** A schema that exercises the rule selection: users with declared rules, a collection with none. */
const selectionSchema: SchemaDocument = {
  collections: {
    users: {
      fields: { name: { type: 'text' } },
      rules: { view: 'true', update: 'id == auth.id', delete: 'id == auth.id', create: 'true' },
    },
    notes: {
      fields: { body: { type: 'text' }, owner: { type: 'relation', to: 'users' } },
      rules: { list: 'owner == auth.id', create: 'auth != null && data.owner == auth.id' },
    },
    vault: { fields: { secret: { type: 'text' } } },
    profiles: { fields: { bio: { type: 'text' } } },
  },
};
const alice = { id: ALICE, role: 'user' as const };
const admin = { id: BOB, role: 'admin' as const };
const selectionCases: RuleTestCase[] = [
  {
    name: 'a user updates themself',
    as: alice,
    collection: 'users',
    op: 'update',
    record: { id: ALICE },
    data: { name: 'A' },
    expect: 'allow',
  },
  {
    name: 'a user cannot delete their account through the record API',
    as: alice,
    collection: 'users',
    op: 'delete',
    record: { name: 'A' },
    expect: 'deny',
  },
  {
    name: 'nor can an admin',
    as: admin,
    collection: 'users',
    op: 'delete',
    record: { name: 'A' },
    expect: 'deny',
  },
  {
    name: 'no account is created through the record API',
    as: admin,
    collection: 'users',
    op: 'create',
    data: { name: 'A' },
    expect: 'deny',
  },
  {
    name: 'a declared view rule replaces the default',
    as: null,
    collection: 'users',
    op: 'view',
    record: { name: 'A' },
    expect: 'allow',
  },
  {
    name: 'a declared rules object leaves list admin-only',
    as: alice,
    collection: 'users',
    op: 'list',
    record: { name: 'A' },
    expect: 'deny',
  },
  {
    name: 'an admin lists users',
    as: admin,
    collection: 'users',
    op: 'list',
    record: { name: 'A' },
    expect: 'allow',
  },
  {
    name: 'owners list their notes',
    as: alice,
    collection: 'notes',
    op: 'list',
    record: { owner: ALICE },
    expect: 'allow',
  },
  {
    name: 'others do not',
    as: { id: BOB },
    collection: 'notes',
    op: 'list',
    record: { owner: ALICE },
    expect: 'deny',
  },
  {
    name: 'view with no rule is admin-only',
    as: alice,
    collection: 'notes',
    op: 'view',
    record: { owner: ALICE },
    expect: 'deny',
  },
  {
    name: 'admins bypass a missing rule',
    as: admin,
    collection: 'vault',
    op: 'view',
    record: { secret: 's' },
    expect: 'allow',
  },
  {
    name: 'signed out, a missing rule denies',
    as: null,
    collection: 'vault',
    op: 'list',
    record: { secret: 's' },
    expect: 'deny',
  },
  {
    name: 'a create rule checks data',
    as: alice,
    collection: 'notes',
    op: 'create',
    data: { owner: ALICE },
    expect: 'allow',
  },
  {
    name: 'a create rule refuses another owner',
    as: alice,
    collection: 'notes',
    op: 'create',
    data: { owner: BOB },
    expect: 'deny',
  },
  {
    name: 'users defaults apply only to users',
    as: alice,
    collection: 'profiles',
    op: 'view',
    record: { bio: 'b' },
    expect: 'deny',
  },
];

function principalFor(as: RuleTestCase['as']): Principal {
  if (!as) return { kind: 'anonymous' };
  const user = {
    id: as.id,
    email: as.email ?? null,
    role: as.role ?? 'user',
    emailVerified: as.verified ?? false,
    anonymous: false,
  };
  return { kind: 'user', user, sessionId: 'parity' };
}

/** The server's verdict on a case, through record-access. */
function serverVerdict(document: SchemaDocument, file: RulesTestFile, testCase: RuleTestCase) {
  const live = buildLiveSchema(document, null, null);
  const collection = live.collections.get(testCase.collection);
  const model = live.model.collections.get(testCase.collection);
  if (!collection || !model) throw new Error(`no collection ${testCase.collection}`);
  const nowText = testCase.now ?? file.now;
  const now = nowText === undefined ? new Date() : new Date(nowText);
  const context = caseContext(testCase, model, file.records ?? {}, now);
  try {
    return mayAccess(new Caller(principalFor(testCase.as)), collection, { op: testCase.op, ...context })
      ? 'allow'
      : 'deny';
  } catch (error) {
    if (error instanceof RuleError && error.code === 'rules/relation-not-loaded') return null;
    throw error;
  }
}

async function bothVerdicts(testFile: string) {
  const file = rulesTestFileSchema.parse(JSON.parse(await readFile(testFile, 'utf8')));
  const document = JSON.parse(
    await readFile(resolve(dirname(testFile), file.schema), 'utf8'),
  ) as SchemaDocument;
  const run = await runRulesTests([testFile]);
  if (!run.ok) throw new Error(JSON.stringify(run.issues));
  const cli = run.files.flatMap((f) => f.cases);
  return file.cases.map((testCase, i) => ({
    name: testCase.name,
    expect: testCase.expect,
    cli: cli[i]?.actual,
    server: serverVerdict(document, file, testCase),
  }));
}

const scratch = await mkdtemp(join(tmpdir(), 'hearth-access-parity-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('the access policy answers the same through hearth rules test and the server', () => {
  test('every case of the todo example', async () => {
    const verdicts = await bothVerdicts(TODO_EXAMPLE);
    expect(verdicts.length).toBeGreaterThanOrEqual(40);
    for (const v of verdicts)
      expect({ name: v.name, verdict: v.server }).toEqual({ name: v.name, verdict: v.cli });
  });

  test('rule selection: users rules, closed operations, admin-only and admin bypass', async () => {
    await writeFile(join(scratch, 'hearth.schema.json'), JSON.stringify(selectionSchema));
    const testFile = join(scratch, 'selection.rules.test.json');
    const file: RulesTestFile = {
      schema: './hearth.schema.json',
      now: '2030-01-01T00:00:00Z',
      cases: selectionCases,
    };
    await writeFile(testFile, JSON.stringify(file));
    for (const v of await bothVerdicts(testFile)) {
      expect({ name: v.name, cli: v.cli, server: v.server }).toEqual({
        name: v.name,
        cli: v.expect,
        server: v.expect,
      });
    }
  });
});
