import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '@hearth/server';
import { createTestAdmin, createTestServiceKey, startTestApp, type TestApp } from '@hearth/testkit';
import { assertBuilt, runHearth, tempDir, userEnv } from './run-hearth.js';

let app: TestApp;
let key: string;
let dir: string;
let env: NodeJS.ProcessEnv;

const notes = {
  fields: { title: { type: 'text', required: true, max: 200 }, body: { type: 'text' } },
  rules: { list: 'true', view: 'true' },
};

async function writeSchema(name: string, document: unknown): Promise<string> {
  await writeFile(join(dir, name), `${JSON.stringify(document, null, 2)}\n`);
  return name;
}

const hearth = (args: string[], extraEnv: Record<string, string> = {}) =>
  runHearth(args, { cwd: dir, env: { ...env, ...extraEnv } });

async function liveSchema(): Promise<{
  schema: { collections?: Record<string, unknown> };
  version: number | null;
}> {
  const { body } = await app.request<{
    schema: { collections?: Record<string, unknown> };
    version: number | null;
  }>('GET', '/api/admin/schema', { headers: { authorization: `Bearer ${key}` } });
  return body;
}

beforeAll(async () => {
  assertBuilt();
  app = await startTestApp();
  const admin = await createTestAdmin(app);
  key = (await createTestServiceKey(app, admin.token, 'cli e2e')).key;
  dir = await tempDir('hearth-cli-e2e-');
  env = userEnv(join(dir, 'config'), { HEARTH_URL: app.url, HEARTH_SERVICE_KEY: key });
});

afterAll(async () => {
  await app?.close();
});

describe('hearth schema push against a running server', () => {
  it('applies a new collection (exit 0) and the record API serves it', async () => {
    const file = await writeSchema('notes.schema.json', { collections: { notes } });
    const run = await hearth(['schema', 'push', '--file', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('+ create collection "notes" (2 fields)');
    expect(run.stdout).toMatch(/Applied: the schema is now at version \d+\./);
    const list = await app.request('GET', '/api/collections/notes/records');
    expect(list.status).toBe(200);
  });

  it('diff --json shows the same plan for machines, and changes nothing', async () => {
    const file = await writeSchema('more.schema.json', {
      collections: { notes: { ...notes, fields: { ...notes.fields, pinned: { type: 'bool' } } } },
    });
    const before = await liveSchema();
    const run = await hearth(['schema', 'diff', '--file', file, '--json']);
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout) as {
      plan: { kind: string; destructive: boolean }[];
      destructive: boolean;
    };
    expect(plan.plan).toMatchObject([{ kind: 'add-field', field: 'pinned', destructive: false }]);
    expect(plan.destructive).toBe(false);
    expect((await liveSchema()).version).toBe(before.version);
  });

  it('refuses a destructive change with exit 2, then applies it with --allow-destructive', async () => {
    const file = await writeSchema('drop.schema.json', {
      collections: { notes: { ...notes, fields: { title: notes.fields.title } } },
    });
    const before = await liveSchema();
    const refused = await hearth(['schema', 'push', '--file', file]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain('- drop field notes.body (its data is deleted) [destructive]');
    expect(refused.stderr).toMatch(/^refused: 1 destructive step; .* --allow-destructive/);
    expect((await liveSchema()).version).toBe(before.version);

    // A dry run in CI fails the same way, so the pipeline stops before the real push.
    expect((await hearth(['schema', 'push', '--file', file, '--dry-run'])).code).toBe(2);

    const allowed = await hearth(['schema', 'push', '--file', file, '--allow-destructive']);
    expect(allowed.code).toBe(0);
    const after = await liveSchema();
    expect(after.version).toBe((before.version ?? 0) + 1);
    expect(Object.keys((after.schema.collections?.notes as { fields: object }).fields)).toEqual(['title']);
  });

  it('exits 1 on an invalid rule, with the right line:col, and sends nothing', async () => {
    const text = [
      '{',
      '  "collections": {',
      '    "notes": {',
      '      "fields": { "title": { "type": "text" } },',
      '      "rules": {',
      '        "list": "title == \'a\' && titel != null"',
      '      }',
      '    }',
      '  }',
      '}',
    ].join('\n');
    await writeFile(join(dir, 'invalid.schema.json'), text);
    const before = await liveSchema();
    const run = await hearth(['schema', 'push', '--file', 'invalid.schema.json']);
    expect(run.code).toBe(1);
    // Line 6; "titel" starts at column 34.
    expect(run.stderr.split('\n')[0]).toMatch(/^invalid\.schema\.json:6:34: error: unknown field "titel"/);
    expect((await liveSchema()).version).toBe(before.version);
  });

  it('exits 3 with a wrong key, and with a server that is not there', async () => {
    const file = await writeSchema('notes.schema.json', { collections: { notes } });
    const wrongKey = await hearth(['schema', 'push', '--file', file], {
      HEARTH_SERVICE_KEY: 'hearth_sk_wrong',
    });
    expect(wrongKey.code).toBe(3);
    expect(wrongKey.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrongKey.stderr).toMatch(
      /^hearth: http:\/\/127\.0\.0\.1:\d+ rejected the service key \(auth\/invalid-token\); check HEARTH_SERVICE_KEY/,
    );

    const closedPort = await findFreePort();
    const dead = await hearth(['schema', 'push', '--file', file], {
      HEARTH_URL: `http://127.0.0.1:${closedPort}`,
    });
    expect(dead.code).toBe(3);
    expect(dead.stderr).toMatch(
      new RegExp(
        `^hearth: cannot reach http://127\\.0\\.0\\.1:${closedPort} \\(ECONNREFUSED\\); is the server running`,
      ),
    );
    expect(dead.stderr).not.toMatch(/\n\s+at /);

    const noKey = await runHearth(['schema', 'push', '--file', file], {
      cwd: dir,
      env: userEnv(join(dir, 'empty')),
    });
    expect(noKey.code).toBe(3);
    expect(noKey.stderr).toMatch(/^hearth: no server configured: run `hearth login/);
  });

  it('pull then push is a no-op', async () => {
    const pulled = await hearth(['schema', 'pull', '--out', 'pulled.schema.json']);
    expect(pulled.code).toBe(0);
    const text = await readFile(join(dir, 'pulled.schema.json'), 'utf8');
    expect(JSON.parse(text)).toMatchObject({
      $schema: './node_modules/@hearth/schema/hearth.schema.schema.json',
    });
    // Stable: pulling again gives the same bytes.
    expect((await hearth(['schema', 'pull'])).stdout).toBe(text);

    const before = await liveSchema();
    const pushed = await hearth(['schema', 'push', '--file', 'pulled.schema.json']);
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toContain('No changes: the server already has this schema.');
    expect(pushed.stdout).toContain('Nothing to do');
    expect((await liveSchema()).version).toBe(before.version);
  });

  it('two concurrent pushes: one wins, the other exits 4, and nothing is half-applied', async () => {
    const base = (await liveSchema()).schema.collections ?? {};
    await writeSchema('a.schema.json', { collections: { ...base, alphas: notes } });
    await writeSchema('b.schema.json', { collections: { ...base, betas: notes } });
    const before = await liveSchema();

    // Hold writes to the version table, so the first push to take the schema lock is
    // still applying while the second one arrives. Reads (the plans) go through.
    const blocker = await app.hearth.pool.connect();
    let outcome: { code: number | null; stdout: string; stderr: string }[];
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE hearth.schema_versions IN EXCLUSIVE MODE');
      const a = hearth(['schema', 'push', '--file', 'a.schema.json']);
      const b = hearth(['schema', 'push', '--file', 'b.schema.json']);
      const first = await Promise.race([a, b]);
      expect(first.code, first.stderr).toBe(4);
      expect(first.stderr).toMatch(/^hearth: conflict: .* Nothing was applied; run `hearth schema diff`/);
      await blocker.query('COMMIT');
      outcome = await Promise.all([a, b]);
    } finally {
      blocker.release();
    }
    expect(outcome.map((r) => r.code).sort()).toEqual([0, 4]);
    const winner = outcome[0]?.code === 0 ? 'alphas' : 'betas';
    const loser = winner === 'alphas' ? 'betas' : 'alphas';

    const after = await liveSchema();
    expect(after.version).toBe((before.version ?? 0) + 1);
    expect(Object.keys(after.schema.collections ?? {})).toContain(winner);
    expect(Object.keys(after.schema.collections ?? {})).not.toContain(loser);
    const tables = await app.hearth.pool.query<{ winner: string | null; loser: string | null }>(
      'SELECT to_regclass($1)::text AS winner, to_regclass($2)::text AS loser',
      [`app.${winner}`, `app.${loser}`],
    );
    expect(tables.rows[0]).toEqual({ winner: `app.${winner}`, loser: null });

    // The loser pushes again and now plans against the new version.
    const retry = await hearth([
      'schema',
      'push',
      '--file',
      `${loser.slice(0, 1)}.schema.json`,
      '--allow-destructive',
    ]);
    expect(retry.code).toBe(0);
  }, 60_000);

  it('gen types --url reads the live schema', async () => {
    const run = await hearth(['gen', 'types', '--url']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('export interface NotesRecord {');
    expect(run.stdout).toContain(
      'notes: { record: NotesRecord; create: NotesCreate; update: NotesUpdate; expand: NotesExpand };',
    );
  });

  it('push --json reports the outcome for machines', async () => {
    const file = await writeSchema('json.schema.json', { collections: { notes } });
    const run = await hearth(['schema', 'push', '--file', file, '--json', '--allow-destructive']);
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as { ok: boolean; applied: boolean; version: number };
    expect(body).toMatchObject({ ok: true, applied: true });
  });
});

describe('hearth login and logout', () => {
  it('saves the credentials in a 0600 file, uses them, and lets the environment win', async () => {
    const configHome = join(dir, 'login-config');
    const plain = userEnv(configHome);
    const login = await runHearth(['login', '--url', `${app.url}/`], {
      cwd: dir,
      env: plain,
      stdin: `${key}\n`,
    });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    const file = join(configHome, 'hearth', 'credentials.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ url: app.url, key });

    const pull = await runHearth(['schema', 'pull'], { cwd: dir, env: plain });
    expect(pull.code).toBe(0);
    expect(JSON.parse(pull.stdout)).toHaveProperty('collections');

    // HEARTH_URL points elsewhere: the saved key is not sent there, and the env wins.
    const elsewhere = await runHearth(['schema', 'pull'], {
      cwd: dir,
      env: { ...plain, HEARTH_URL: 'http://127.0.0.1:9' },
    });
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toMatch(/no service key for http:\/\/127\.0\.0\.1:9/);
    const envKey = await runHearth(['schema', 'pull'], {
      cwd: dir,
      env: { ...plain, HEARTH_SERVICE_KEY: 'hearth_sk_wrong' },
    });
    expect(envKey.code).toBe(3);

    const logout = await runHearth(['logout'], { cwd: dir, env: plain });
    expect(logout.code).toBe(0);
    await expect(stat(file)).rejects.toThrow();
    expect((await runHearth(['schema', 'pull'], { cwd: dir, env: plain })).code).toBe(3);
  }, 60_000);

  it.each(['0644', '0640'])(
    'refuses a credentials file that other users can read (mode %s): exit 1, and the key is never sent',
    async (octal) => {
      const mode = Number.parseInt(octal, 8);
      // A server that only counts: the key must not reach it.
      let requests = 0;
      const server = createServer((_req, res) => {
        requests++;
        res.writeHead(401).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      try {
        const configHome = join(dir, `readable-${octal}`);
        const file = join(configHome, 'hearth', 'credentials.json');
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        await writeFile(file, JSON.stringify({ url: `http://127.0.0.1:${port}`, key }));
        await chmod(file, mode);
        const pull = await runHearth(['schema', 'pull'], { cwd: dir, env: userEnv(configHome) });
        expect(pull.code).toBe(1);
        expect(pull.stdout).toBe('');
        expect(pull.stderr).toContain(
          `hearth: ${file} is readable by other users; run \`chmod 600 ${file}\``,
        );
        expect(requests).toBe(0);

        // The same file once only its owner can read it is used.
        await chmod(file, 0o600);
        const again = await runHearth(['schema', 'pull'], { cwd: dir, env: userEnv(configHome) });
        expect(again.code).toBe(3);
        expect(requests).toBeGreaterThan(0);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    },
  );

  it('refuses a wrong key at login with exit 3 and saves nothing', async () => {
    const configHome = join(dir, 'bad-login');
    const run = await runHearth(['login', '--url', app.url, '--key', 'hearth_sk_nope'], {
      cwd: dir,
      env: userEnv(configHome),
    });
    expect(run.code).toBe(3);
    await expect(stat(join(configHome, 'hearth', 'credentials.json'))).rejects.toThrow();
  });
});
