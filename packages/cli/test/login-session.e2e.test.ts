import { spawn } from 'node:child_process';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_PASSWORD,
  authHeaders,
  createTestAdmin,
  startTestApp,
  uniqueTestEmail,
  type TestApp,
  type TestUser,
} from '@hearth/testkit';
import { HEARTH_BIN, assertBuilt, runHearth, tempDir, userEnv } from './run-hearth.js';

interface SavedSessionFile {
  url: string;
  email: string;
  key?: string;
  session: { accessToken: string; refreshToken: string; expiresAt: number };
}

let app: TestApp;
let dir: string;
let admin: TestUser;
let mfaAdmin: { email: string; secret: string; recoveryCodes: string[] };
let plainUser: string;
let homes = 0;

/** A fresh config dir: each test logs in on its own. */
function freshEnv(extra: Record<string, string> = {}): { env: NodeJS.ProcessEnv; file: string } {
  const home = join(dir, `home-${(homes += 1)}`);
  return { env: userEnv(home, extra), file: join(home, 'hearth', 'credentials.json') };
}

const readSaved = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as SavedSessionFile;

const totpCode = (secret: string, stepOffset = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: Date.now() + stepOffset * 30_000,
  });

async function createAccount(email: string, role: 'user' | 'admin'): Promise<void> {
  const created = await app.request('POST', '/api/admin/users', {
    headers: admin.headers,
    body: { email, password: TEST_PASSWORD, role, emailVerified: true },
  });
  expect(created.status).toBe(201);
}

beforeAll(async () => {
  assertBuilt();
  app = await startTestApp({ HEARTH_RATE_LIMIT_FACTOR: '1000' });
  dir = await tempDir('hearth-cli-session-');
  admin = await createTestAdmin(app);

  // A second admin with TOTP, enrolled as a user would through the API.
  const email = uniqueTestEmail('mfa-admin');
  await createAccount(email, 'admin');
  const login = await app.request<{ session: { accessToken: string } }>('POST', '/api/auth/login', {
    body: { email, password: TEST_PASSWORD },
  });
  const headers = authHeaders(login.body.session.accessToken);
  const enroll = await app.request<{ secret: string }>('POST', '/api/auth/mfa/totp/enroll', { headers });
  const confirm = await app.request<{ recoveryCodes: string[] }>('POST', '/api/auth/mfa/totp/confirm', {
    headers,
    body: { code: totpCode(enroll.body.secret, -1) },
  });
  expect(confirm.status).toBe(200);
  mfaAdmin = { email, secret: enroll.body.secret, recoveryCodes: confirm.body.recoveryCodes };

  plainUser = uniqueTestEmail('not-admin');
  await createAccount(plainUser, 'user');
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe('the first service key needed curl: hearth login --email signs in as an admin', () => {
  it('logs in with email and password, saves a 0600 session, and hearth keys create works with it', async () => {
    const { env, file } = freshEnv();
    const login = await runHearth(['login', '--url', app.url, '--email', admin.email], {
      env,
      stdin: `${TEST_PASSWORD}\n`,
    });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(new RegExp(`^Logged in to ${app.url} as ${admin.email}; session saved to `));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const saved = await readSaved(file);
    expect(saved).toMatchObject({ url: app.url, email: admin.email });
    expect(saved.key).toBeUndefined();
    expect(saved.session.refreshToken).not.toContain(TEST_PASSWORD);
    expect(await readFile(file, 'utf8')).not.toContain(TEST_PASSWORD);

    const created = await runHearth(['keys', 'create', 'ci'], { env });
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^hearth_sk_/);
    // The new key is a real one: it works on its own.
    const withKey = await app.request('GET', '/api/admin/schema', { headers: authHeaders(key) });
    expect(withKey.status).toBe(200);

    const listed = await runHearth(['keys', 'list', '--json'], { env });
    expect(listed.code).toBe(0);
    expect(JSON.stringify(JSON.parse(listed.stdout))).toContain('"name":"ci"');
    const pull = await runHearth(['schema', 'pull'], { env });
    expect(pull.code).toBe(0);
  });

  it.each([
    [
      'a wrong password',
      () => admin.email,
      'not the password at all',
      /^hearth: wrong email or password for /,
    ],
    [
      'an unknown email',
      () => uniqueTestEmail('nobody'),
      TEST_PASSWORD,
      /^hearth: wrong email or password for /,
    ],
    ['an account that is not an admin', () => plainUser, TEST_PASSWORD, /is not an admin/],
  ])('refuses %s with exit 3 and saves nothing', async (_, email, password, message) => {
    const { env, file } = freshEnv();
    const run = await runHearth(['login', '--url', app.url, '--email', email()], { env, stdin: password });
    expect(run.code).toBe(3);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    await expect(stat(file)).rejects.toThrow();
  });
});

describe('hearth login --email on an account with MFA', () => {
  it('without a code and no terminal, says how to pass one and exits 3', async () => {
    const { env, file } = freshEnv();
    const run = await runHearth(['login', '--url', app.url, '--email', mfaAdmin.email], {
      env,
      stdin: TEST_PASSWORD,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/two-step verification: pass --mfa-code <code> or set HEARTH_MFA_CODE/);
    await expect(stat(file)).rejects.toThrow();
  });

  it('refuses a wrong code with exit 3 and saves nothing', async () => {
    const { env, file } = freshEnv();
    const wrong = totpCode(mfaAdmin.secret) === '000000' ? '111111' : '000000';
    const run = await runHearth(['login', '--url', app.url, '--email', mfaAdmin.email, '--mfa-code', wrong], {
      env,
      stdin: TEST_PASSWORD,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^hearth: wrong authentication code/);
    await expect(stat(file)).rejects.toThrow();
  });

  it('logs in with --mfa-code (authenticator) and with HEARTH_MFA_CODE (recovery code)', async () => {
    const byFlag = freshEnv();
    const flagRun = await runHearth(
      ['login', '--url', app.url, '--email', mfaAdmin.email, '--mfa-code', totpCode(mfaAdmin.secret)],
      { env: byFlag.env, stdin: TEST_PASSWORD },
    );
    expect(flagRun.stderr).toBe('');
    expect(flagRun.code).toBe(0);
    expect((await runHearth(['keys', 'list'], { env: byFlag.env })).code).toBe(0);

    const byEnv = freshEnv({ HEARTH_MFA_CODE: mfaAdmin.recoveryCodes[0]! });
    const envRun = await runHearth(['login', '--url', app.url, '--email', mfaAdmin.email], {
      env: byEnv.env,
      stdin: TEST_PASSWORD,
    });
    expect(envRun.stderr).toBe('');
    expect(envRun.code).toBe(0);
    expect((await runHearth(['keys', 'list'], { env: byEnv.env })).code).toBe(0);
  });
});

describe('hearth login --email at a terminal', () => {
  it('asks for the password and then the MFA code, without echoing either', async () => {
    const { env, file } = freshEnv();
    // util-linux `script` gives the CLI a pseudo-terminal, as a user's shell would.
    const command = [process.execPath, HEARTH_BIN, 'login', '--url', app.url, '--email', mfaAdmin.email]
      .map((part) => `'${part}'`)
      .join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const waitFor = async (text: string) => {
      while (!screen.includes(text)) {
        if (child.exitCode !== null) throw new Error(`exited before "${text}": ${screen}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };

    await waitFor('Password: ');
    child.stdin.write(`${TEST_PASSWORD}\r`);
    await waitFor('Authentication code');
    const code = totpCode(mfaAdmin.secret, 1);
    child.stdin.write(`${code}\r`);
    expect(await exited).toBe(0);
    child.stdin.end();
    expect(screen).not.toContain(TEST_PASSWORD);
    expect(screen).not.toContain(code);
    expect((await readSaved(file)).email).toBe(mfaAdmin.email);
  });
});

describe('the saved admin session', () => {
  async function loggedIn(): Promise<{ env: NodeJS.ProcessEnv; file: string }> {
    const fresh = freshEnv();
    const login = await runHearth(['login', '--url', app.url, '--email', admin.email], {
      env: fresh.env,
      stdin: TEST_PASSWORD,
    });
    expect(login.code).toBe(0);
    return fresh;
  }

  it('refreshes itself when the access token has expired, and keeps the file private', async () => {
    const { env, file } = await loggedIn();
    const before = await readSaved(file);
    await writeFile(file, JSON.stringify({ ...before, session: { ...before.session, expiresAt: 1 } }));
    await chmod(file, 0o600);

    const run = await runHearth(['keys', 'list'], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const after = await readSaved(file);
    expect(after.session.refreshToken).not.toBe(before.session.refreshToken);
    expect(after.session.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The rotated-out refresh token is spent.
    const reuse = await app.request('POST', '/api/auth/refresh', {
      body: { refreshToken: before.session.refreshToken },
    });
    expect(reuse.status).toBe(401);
  });

  it('renews once when the server rejects the access token before its stated expiry', async () => {
    const { env, file } = await loggedIn();
    const before = await readSaved(file);
    await writeFile(
      file,
      JSON.stringify({ ...before, session: { ...before.session, accessToken: 'expired.token.x' } }),
    );
    await chmod(file, 0o600);
    const run = await runHearth(['keys', 'list'], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((await readSaved(file)).session.accessToken).not.toBe('expired.token.x');
  });

  it('says to log in again, with exit 3, once the session has ended on the server', async () => {
    const { env, file } = await loggedIn();
    const saved = await readSaved(file);
    const ended = await app.request('POST', '/api/auth/logout-all', {
      headers: authHeaders(saved.session.accessToken),
    });
    expect(ended.status).toBe(204);
    await writeFile(file, JSON.stringify({ ...saved, session: { ...saved.session, expiresAt: 1 } }));
    await chmod(file, 0o600);
    const run = await runHearth(['keys', 'list'], { env });
    expect(run.code).toBe(3);
    expect(run.stderr.trim()).toMatch(
      new RegExp(`^hearth: the saved session of ${admin.email} at .* has ended .*run \`hearth login --url `),
    );
  });

  it('is refused when other users can read the credentials file', async () => {
    const { env, file } = await loggedIn();
    await chmod(file, 0o644);
    const run = await runHearth(['keys', 'list'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is readable by other users; run `chmod 600 /);
  });

  it('hearth logout removes the file and ends the session on the server', async () => {
    const { env, file } = await loggedIn();
    const saved = await readSaved(file);
    const logout = await runHearth(['logout'], { env });
    expect(logout.code).toBe(0);
    await expect(stat(file)).rejects.toThrow();
    const refresh = await app.request('POST', '/api/auth/refresh', {
      body: { refreshToken: saved.session.refreshToken },
    });
    expect(refresh.status).toBe(401);
  });
});
