import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_PASSWORD, startTestApp, type TestApp } from '@hearth/testkit';
import { assertBuilt, runHearth, tempDir, userEnv } from './run-hearth.js';

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
