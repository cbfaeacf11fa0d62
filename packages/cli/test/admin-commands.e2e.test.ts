import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, startTestApp, type TestApp } from '@hearth/testkit';
import { HEARTH_BIN, assertBuilt, runHearth, tempDir, userEnv, type HearthRun } from './run-hearth.js';

let app: TestApp;
let dir: string;
let key: string;

const env = (extra: Record<string, string> = {}) => userEnv(join(dir, 'config'), extra);
const asService = (extra: Record<string, string> = {}) =>
  env({ HEARTH_URL: app.url, HEARTH_SERVICE_KEY: key, ...extra });

async function signIn(email: string): Promise<{ status: number; role?: string }> {
  const { status, body } = await app.request<{ user?: { role: string } }>('POST', '/api/auth/login', {
    body: { email, password: TEST_PASSWORD },
  });
  return { status, ...(body.user ? { role: body.user.role } : {}) };
}

beforeAll(async () => {
  assertBuilt();
  app = await startTestApp({ HEARTH_RATE_LIMIT_FACTOR: '1000' });
  dir = await tempDir('hearth-cli-admin-');
});

afterAll(async () => {
  await app?.close();
});

describe('hearth admin create', () => {
  it('creates the first admin with the setup link, once', async () => {
    const link = app.hearth.setupUrl;
    expect(link).toBeDefined();
    const run = await runHearth(
      ['admin', 'create', '--email', 'first@example.test', '--setup-token', link ?? ''],
      {
        env: env(),
        stdin: TEST_PASSWORD,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Created admin first@example\.test \([0-9a-f-]{36}\)\n$/);
    expect(await signIn('first@example.test')).toEqual({ status: 200, role: 'admin' });

    const again = await runHearth(
      ['admin', 'create', '--email', 'x@example.test', '--setup-token', link ?? ''],
      {
        env: env(),
        stdin: TEST_PASSWORD,
      },
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^hearth: an admin exists already/);
  });

  it('creates an admin directly in the database (HEARTH_DATABASE_URL), where the server runs', async () => {
    const run = await runHearth(['admin', 'create', '--email', 'ops@example.test', '--json'], {
      env: env({ HEARTH_DATABASE_URL: app.database.url }),
      stdin: `${TEST_PASSWORD}\n`,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ user: { email: 'ops@example.test', role: 'admin' } });
    expect(await signIn('ops@example.test')).toEqual({ status: 200, role: 'admin' });
  });

  it('refuses a weak password with one line that says why', async () => {
    const run = await runHearth(['admin', 'create', '--email', 'weak@example.test'], {
      env: env({ HEARTH_DATABASE_URL: app.database.url }),
      stdin: 'password',
    });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^hearth: .*\(auth\/weak-password\)$/m);
  });
});

describe('hearth keys', () => {
  it('creates a key (printed once, on stdout alone), lists it, and revokes it', async () => {
    const { body } = await app.request<{ session: { accessToken: string } }>('POST', '/api/auth/login', {
      body: { email: 'ops@example.test', password: TEST_PASSWORD },
    });
    const bootstrap = await app.request<{ key: string }>('POST', '/api/admin/keys', {
      body: { name: 'bootstrap' },
      headers: { authorization: `Bearer ${body.session.accessToken}` },
    });
    key = bootstrap.body.key;

    const created = await runHearth(['keys', 'create', 'ci'], { env: asService() });
    expect(created.code).toBe(0);
    const ciKey = created.stdout.trim();
    expect(ciKey).toMatch(/^hearth_sk_[\w-]{40,}$/);
    expect(created.stderr).toMatch(/^Created service key "ci" \(([0-9a-f-]{36})\)\. Copy it now/);
    const id = /\(([0-9a-f-]{36})\)/.exec(created.stderr)?.[1] ?? '';

    const listed = await runHearth(['keys', 'list', '--json'], {
      env: asService({ HEARTH_SERVICE_KEY: ciKey }),
    });
    expect(listed.code).toBe(0);
    const items = (JSON.parse(listed.stdout) as { items: { id: string; name: string; prefix: string }[] })
      .items;
    expect(items.map((k) => k.name).sort()).toEqual(['bootstrap', 'ci']);
    expect(JSON.stringify(items)).not.toContain(ciKey);

    const table = await runHearth(['keys', 'list'], { env: asService() });
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+PREFIX\s+CREATED\s+LAST USED$/);
    expect(table.stdout).toContain(id);

    const revoked = await runHearth(['keys', 'revoke', id], { env: asService() });
    expect(revoked.code).toBe(0);
    const withRevoked = await runHearth(['keys', 'list'], { env: asService({ HEARTH_SERVICE_KEY: ciKey }) });
    expect(withRevoked.code).toBe(3);

    const unknown = await runHearth(['keys', 'revoke', id], { env: asService() });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^hearth: no service key has the id .*; see `hearth keys list`/);
  }, 60_000);
});

describe('hearth users', () => {
  it('creates, lists, disables and enables users', async () => {
    const created = await runHearth(
      ['users', 'create', '--email', 'ana@example.test', '--password', '--verified'],
      {
        env: asService(),
        stdin: TEST_PASSWORD,
      },
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(await signIn('ana@example.test')).toEqual({ status: 200, role: 'user' });

    const listed = await runHearth(['users', 'list', '--search', 'ana@', '--json'], { env: asService() });
    const page = JSON.parse(listed.stdout) as {
      items: { email: string; disabled: boolean; emailVerified: boolean }[];
    };
    expect(page.items).toMatchObject([{ email: 'ana@example.test', disabled: false, emailVerified: true }]);

    const disabled = await runHearth(['users', 'disable', 'ana@example.test'], { env: asService() });
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toMatch(/^Disabled ana@example\.test/);
    expect((await signIn('ana@example.test')).status).toBe(403);

    const table = await runHearth(['users', 'list', '--search', 'ana@'], { env: asService() });
    expect(table.stdout).toMatch(/ana@example\.test\s+user\s+yes\s+yes/);

    expect((await runHearth(['users', 'enable', 'ana@example.test'], { env: asService() })).code).toBe(0);
    expect((await signIn('ana@example.test')).status).toBe(200);

    const missing = await runHearth(['users', 'disable', 'nobody@example.test'], { env: asService() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^hearth: no user has the email nobody@example\.test/);
  }, 60_000);
});

describe('hearth users delete', () => {
  /** Runs the CLI with a terminal for stdin and stderr (util-linux `script`), typing `answer`. */
  function runAtTerminal(args: string[], answer: string): Promise<HearthRun> {
    const command = [process.execPath, HEARTH_BIN, ...args].map((a) => `'${a}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: asService({ NO_COLOR: '1' }) });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stdin.write(answer);
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr: '' }));
    });
  }

  async function createUser(email: string): Promise<string> {
    const created = await runHearth(
      ['users', 'create', '--email', email, '--password', '--verified', '--json'],
      {
        env: asService(),
        stdin: TEST_PASSWORD,
      },
    );
    expect(created.code).toBe(0);
    return (JSON.parse(created.stdout) as { user: { id: string } }).user.id;
  }

  it('asks at a terminal, refuses without --yes elsewhere, and deletes with --yes (exit 0)', async () => {
    const id = await createUser('del@example.test');

    const piped = await runHearth(['users', 'delete', 'del@example.test'], { env: asService() });
    expect(piped.code).toBe(1);
    expect(piped.stderr).toMatch(/^hearth: not deleting del@example\.test without confirmation; pass --yes/);
    expect((await signIn('del@example.test')).status).toBe(200);

    const declined = await runAtTerminal(['users', 'delete', 'del@example.test'], 'n\n');
    expect(declined.stdout).toMatch(/Delete del@example\.test \([0-9a-f-]{36}\) .*\[y\/N\]/);
    expect(declined.code).toBe(1);
    expect((await signIn('del@example.test')).status).toBe(200);

    const accepted = await runAtTerminal(['users', 'delete', id], 'y\n');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain(`Deleted del@example.test (${id})`);
    expect((await signIn('del@example.test')).status).toBe(401);

    const again = await runHearth(['users', 'delete', 'del@example.test', '--yes'], { env: asService() });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^hearth: no user has the email del@example\.test/);
    const unknownId = await runHearth(['users', 'delete', id, '--yes'], { env: asService() });
    expect(unknownId.code).toBe(1);
    expect(unknownId.stderr).toMatch(/^hearth: no user has the id /);
  }, 60_000);

  it('exits 4 when a restricting relation still points at the user, and 0 with --yes --json otherwise', async () => {
    const id = await createUser('owes@example.test');
    const schema = {
      collections: {
        invoices: { fields: { customer: { type: 'relation', to: 'users', required: true } }, rules: {} },
      },
    };
    const headers = { authorization: `Bearer ${key}` };
    expect((await app.request('PUT', '/api/admin/schema', { body: { schema }, headers })).status).toBe(200);
    const invoice = await app.request<{ id: string }>('POST', '/api/collections/invoices/records', {
      body: { customer: id },
      headers,
    });

    const refused = await runHearth(['users', 'delete', 'owes@example.test', '--yes'], { env: asService() });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^hearth: records of invoices still refer to owes@example\.test/);
    expect((await signIn('owes@example.test')).status).toBe(200);

    await app.request('DELETE', `/api/collections/invoices/records/${invoice.body.id}`, { headers });
    const deleted = await runHearth(['users', 'delete', 'owes@example.test', '--yes', '--json'], {
      env: asService(),
    });
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toEqual({ deleted: { id, email: 'owes@example.test' } });
  }, 60_000);
});
