import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runHearth, tempDir, userEnv } from './run-hearth.js';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  assertBuilt();
  dir = await tempDir();
  env = userEnv(join(dir, 'config'));
});

const hearth = (args: string[], cwd = dir) => runHearth(args, { cwd, env });

describe('hearth init', () => {
  it('scaffolds a schema with a $schema pointer and rules tests that pass', async () => {
    const init = await hearth(['init']);
    expect(init.code).toBe(0);
    const schema = JSON.parse(await readFile(join(dir, 'hearth.schema.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(schema.$schema).toBe('./node_modules/@hearth/schema/hearth.schema.schema.json');
    expect(Object.keys(schema.collections as object)).toEqual(['posts']);

    expect((await hearth(['schema', 'validate'])).code).toBe(0);
    const tests = await hearth(['rules', 'test', '--require-coverage']);
    expect(tests.stdout).toMatch(/10 passed, 0 failed/);
    expect(tests.code).toBe(0);
  });

  it('refuses to overwrite without --force', async () => {
    const again = await hearth(['init']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('hearth: hearth.schema.json already exists; pass --force to overwrite it\n');
    expect((await hearth(['init', '--force'])).code).toBe(0);
  });
});

describe('hearth schema validate', () => {
  it('reports a misspelt field in a rule at file:line:col with a caret, and exits 1', async () => {
    const file = join(dir, 'bad.schema.json');
    const text = [
      '{',
      '  "collections": {',
      '    "posts": {',
      '      "fields": { "owner": { "type": "relation", "to": "users" } },',
      '      "rules": { "list": "ownr == auth.id" }',
      '    }',
      '  }',
      '}',
    ].join('\n');
    await writeFile(file, text);
    const run = await hearth(['schema', 'validate', '--file', 'bad.schema.json']);
    expect(run.code).toBe(1);
    const [first, excerpt, caret] = run.stderr.split('\n');
    // Line 5, and column 27 is the "o" of "ownr" inside the rule string.
    expect(first).toMatch(/^bad\.schema\.json:5:27: error: .*"ownr".* \[rules\/unknown-name\]$/);
    expect(excerpt).toBe('        "rules": { "list": "ownr == auth.id" }');
    expect(caret?.indexOf('^')).toBe(excerpt?.indexOf('ownr'));

    const json = await hearth(['schema', 'validate', '--file', 'bad.schema.json', '--json']);
    expect(json.code).toBe(1);
    const body = JSON.parse(json.stdout) as {
      ok: boolean;
      issues: { line: number; col: number; code: string }[];
    };
    expect(body.ok).toBe(false);
    expect(body.issues[0]).toMatchObject({ line: 5, col: 27, code: 'rules/unknown-name' });
  });

  it('says what to do when the file is missing', async () => {
    const run = await hearth(['schema', 'validate', '--file', 'nope.json']);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^hearth: nope\.json does not exist; pass --file, or run `hearth init`/);
  });

  it('prints GitHub annotations in GitHub Actions', async () => {
    const run = await runHearth(['schema', 'validate', '--file', 'bad.schema.json'], {
      cwd: dir,
      env: { ...env, GITHUB_ACTIONS: 'true', CI: 'true' },
    });
    expect(run.stdout).toMatch(/^::error file=bad\.schema\.json,line=5,col=27::/m);
  });
});

describe('hearth rules test', () => {
  it('fails with exit 1 and a readable report when a case does not hold, and writes JUnit XML', async () => {
    const tests = {
      schema: './hearth.schema.json',
      cases: [
        {
          name: 'strangers see drafts (wrong on purpose)',
          as: { id: 'bob' },
          collection: 'posts',
          op: 'view',
          record: { title: 'x', published: false, owner: 'alice' },
          expect: 'allow',
        },
        {
          name: 'owners see drafts',
          as: { id: 'alice' },
          collection: 'posts',
          op: 'view',
          record: { title: 'x', published: false, owner: 'alice' },
          expect: 'allow',
        },
        {
          name: 'a typo in the case',
          as: null,
          collection: 'posts',
          op: 'list',
          record: { titel: 'x' },
          expect: 'deny',
        },
      ],
    };
    await writeFile(join(dir, 'failing.rules.test.json'), JSON.stringify(tests, null, 2));
    const run = await hearth(['rules', 'test', 'failing.rules.test.json']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ strangers see drafts (wrong on purpose) failing.rules.test.json:4');
    expect(run.stdout).toContain('expected allow, got deny');
    expect(run.stdout).toContain('posts.view: published || owner == auth.id');
    expect(run.stdout).toContain('unknown field "titel" in posts');
    expect(run.stdout).toMatch(/1 passed, 2 failed \(3 cases\)/);
    // No colour codes when stdout is not a terminal.
    expect(run.stdout.includes('\u001b[')).toBe(false);

    const junit = await hearth([
      'rules',
      'test',
      'failing.rules.test.json',
      '--reporter',
      'junit',
      '-o',
      'r.xml',
    ]);
    expect(junit.code).toBe(1);
    const xml = await readFile(join(dir, 'r.xml'), 'utf8');
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="hearth rules test" tests="3" failures="1" errors="1"/,
    );
    expect(xml).toContain('<testcase classname="posts.view" name="owners see drafts"');
    expect(xml).toContain('<failure message="expected allow, got deny">');
    expect(xml).toContain('<error message="record: unknown field &quot;titel&quot;');

    const stdoutXml = await hearth(['rules', 'test', 'failing.rules.test.json', '--reporter', 'junit']);
    expect(stdoutXml.stdout.startsWith('<?xml')).toBe(true);
  });

  it('locates mistakes in the test file itself', async () => {
    await writeFile(
      join(dir, 'broken.rules.test.json'),
      '{\n  "schema": "./hearth.schema.json",\n  "cases": [{ "name": "x" }]\n}\n',
    );
    const run = await hearth(['rules', 'test', 'broken.rules.test.json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^broken\.rules\.test\.json:3:\d+: error: /m);
  });

  it('--require-coverage fails when a rule lacks an allow or a deny case', async () => {
    const tests = {
      schema: './hearth.schema.json',
      cases: [
        {
          name: 'one',
          as: null,
          collection: 'posts',
          op: 'list',
          record: { published: true },
          expect: 'allow',
        },
      ],
    };
    await writeFile(join(dir, 'thin.rules.test.json'), JSON.stringify(tests));
    const lenient = await hearth(['rules', 'test', 'thin.rules.test.json']);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain('uncovered: posts.list in hearth.schema.json has no deny case');
    const strict = await hearth(['rules', 'test', 'thin.rules.test.json', '--require-coverage']);
    expect(strict.code).toBe(1);
  });
});
