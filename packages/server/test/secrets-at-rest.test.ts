import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  createLogger,
  createPool,
  loadConfig,
  startHearth,
  type HearthInstance,
  type Pool,
} from '@hearth/server';
import type { TestApp } from '@hearth/testkit';
import {
  bearer,
  createFirstAdmin,
  PASSWORD,
  startAuthApp,
  uniqueEmail,
  type ErrorBody,
  type SessionBody,
} from './auth-test-helpers.js';

/** Keys as an operator would write them: `openssl rand -base64 32`. */
const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64url');
/** The key id the stored values name: the first 4 bytes of SHA-256 over a label and the key. */
const keyIdOf = (key: string) =>
  createHash('sha256')
    .update('hearth field encryption key\0')
    .update(Buffer.from(key, 'base64'))
    .digest('hex')
    .slice(0, 8);

const codeAt = (secret: string, stepOffset: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: Date.now() + stepOffset * 30_000,
  });

/** A plain HTTP call to a node, as the SDK would make it. */
async function call<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

interface Enrolled {
  id: string;
  email: string;
  secret: string;
  session: SessionBody;
}

async function signUp(baseUrl: string): Promise<{ id: string; email: string; session: SessionBody }> {
  const email = uniqueEmail('enc');
  const signup = await call<{ user: { id: string }; session: SessionBody }>(
    baseUrl,
    'POST',
    '/api/auth/signup',
    {
      body: { email, password: PASSWORD },
    },
  );
  expect(signup.status).toBe(201);
  return { id: signup.body.user.id, email, session: signup.body.session };
}

async function enroll(baseUrl: string, user: { id: string; email: string; session: SessionBody }) {
  const enrolled = await call<{ secret: string }>(baseUrl, 'POST', '/api/auth/mfa/totp/enroll', {
    headers: bearer(user.session.accessToken),
  });
  expect(enrolled.status).toBe(200);
  return enrolled.body.secret;
}

async function confirm(baseUrl: string, user: { session: SessionBody }, secret: string) {
  const confirmed = await call<{ user: { mfaEnabled: boolean } }>(
    baseUrl,
    'POST',
    '/api/auth/mfa/totp/confirm',
    {
      headers: bearer(user.session.accessToken),
      body: { code: codeAt(secret, -1) },
    },
  );
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.user.mfaEnabled).toBe(true);
}

/** Password, then a TOTP code: the full MFA sign-in. */
async function mfaLogin(baseUrl: string, user: Enrolled, stepOffset = 0) {
  const login = await call<{ mfa: { ticket: string } }>(baseUrl, 'POST', '/api/auth/login', {
    body: { email: user.email, password: PASSWORD },
  });
  expect(login.status).toBe(200);
  expect(login.body.mfa.ticket).toEqual(expect.any(String));
  return call<{ session: SessionBody } & ErrorBody>(baseUrl, 'POST', '/api/auth/mfa/verify', {
    body: { ticket: login.body.mfa.ticket, code: codeAt(user.secret, stepOffset) },
  });
}

const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

describe('TOTP secrets with HEARTH_ENCRYPTION_KEY set', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startAuthApp({ HEARTH_AUTH_CONFIRM_EMAIL: 'false', HEARTH_ENCRYPTION_KEY: keyA });
  });
  afterAll(async () => {
    await app?.close();
  });

  const columns = async (id: string) =>
    (
      await app.hearth.pool.query<{ totpSecret: string | null; totpPendingSecret: string | null }>(
        'SELECT "totpSecret", "totpPendingSecret" FROM hearth.users WHERE id = $1',
        [id],
      )
    ).rows[0]!;

  it('the database holds no plaintext secret at any step, and MFA sign-in works', async () => {
    const user = await signUp(app.url);
    const secret = await enroll(app.url, user);
    const pending = await columns(user.id);
    expect(pending.totpPendingSecret).toMatch(new RegExp(`^enc:v1:${keyIdOf(keyA)}:`));
    expect(pending.totpPendingSecret).not.toContain(secret);
    expect(pending.totpSecret).toBeNull();

    await confirm(app.url, user, secret);
    const confirmed = await columns(user.id);
    expect(confirmed.totpPendingSecret).toBeNull();
    expect(confirmed.totpSecret).toMatch(new RegExp(`^enc:v1:${keyIdOf(keyA)}:`));
    expect(confirmed.totpSecret).not.toContain(secret);
    // Sealed afresh for its own column, not moved over from the pending one.
    expect(confirmed.totpSecret).not.toBe(pending.totpPendingSecret);

    const verified = await mfaLogin(app.url, { ...user, secret });
    expect(verified.status).toBe(200);
    const me = await call(app.url, 'GET', '/api/auth/me', {
      headers: bearer(verified.body.session.accessToken),
    });
    expect(me.status).toBe(200);
    expect(JSON.stringify(me.body)).not.toMatch(/enc:v1|totp|secret/i);

    // A wrong code is still just a wrong code.
    const wrong = await mfaLogin(app.url, { ...user, secret: new Secret({ size: 20 }).base32 });
    expect(wrong.body.error.code).toBe('auth/invalid-mfa-code');

    // Disabling checks a code against the decrypted secret, then clears it.
    const disable = await call<{ user: { mfaEnabled: boolean } }>(
      app.url,
      'POST',
      '/api/auth/mfa/totp/disable',
      {
        headers: bearer(verified.body.session.accessToken),
        body: { code: codeAt(secret, 1) },
      },
    );
    expect(disable.status).toBe(200);
    expect(disable.body.user.mfaEnabled).toBe(false);
    expect(await columns(user.id)).toEqual({ totpSecret: null, totpPendingSecret: null });
  });

  it('copying a victim’s encrypted secret onto an account the attacker controls does not let their codes in', async () => {
    const victim = await signUp(app.url);
    const victimSecret = await enroll(app.url, victim);
    await confirm(app.url, victim, victimSecret);
    const attacker = await signUp(app.url);
    const attackerSecret = await enroll(app.url, attacker);
    await confirm(app.url, attacker, attackerSecret);
    // Someone with write access to the table swaps the ciphertexts between rows.
    await app.hearth.pool.query(
      `UPDATE hearth.users SET "totpSecret" = (SELECT "totpSecret" FROM hearth.users WHERE id = $2) WHERE id = $1`,
      [attacker.id, victim.id],
    );
    for (const secret of [victimSecret, attackerSecret]) {
      const verify = await mfaLogin(app.url, { ...attacker, secret });
      // The value does not authenticate for this row: a loud server error, never a session.
      expect(verify.status).toBe(500);
      expect(verify.body.error.code).toBe('internal');
      expect(JSON.stringify(verify.body)).not.toMatch(/totpSecret|enc:v1/);
      expect(verify.body).not.toHaveProperty('session');
    }
    // The victim is unaffected.
    expect((await mfaLogin(app.url, { ...victim, secret: victimSecret })).status).toBe(200);
  });

  it('stores the private signing key encrypted, including keys made by a rotation', async () => {
    const admin = await createFirstAdmin(app);
    const rotate = await call<{ kid: string }>(app.url, 'POST', '/api/admin/signing-keys/rotate', {
      headers: bearer(admin.session.accessToken),
    });
    expect(rotate.status).toBe(200);
    const { rows } = await app.hearth.pool.query<{
      kid: string;
      private_jwk: unknown;
      public_jwk: { x: string };
      retired: boolean;
    }>('SELECT kid, private_jwk, public_jwk, retired_at IS NOT NULL AS retired FROM hearth.signing_keys');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    // The retired keys keep no private half at all, encrypted or not.
    const retired = rows.filter((row) => row.retired);
    expect(retired.length).toBeGreaterThanOrEqual(1);
    for (const row of retired) expect(row.private_jwk).toBeNull();
    const active = rows.filter((row) => !row.retired);
    expect(active.map((row) => row.kid)).toEqual([rotate.body.kid]);
    for (const row of active) {
      expect(typeof row.private_jwk).toBe('string');
      expect(row.private_jwk).toMatch(new RegExp(`^enc:v1:${keyIdOf(keyA)}:`));
      expect(row.private_jwk).not.toMatch(/"d"|Ed25519|OKP/);
    }
    const refreshed = await call<{ session: SessionBody }>(app.url, 'POST', '/api/auth/refresh', {
      body: { refreshToken: admin.session.refreshToken },
    });
    expect(kidOf(refreshed.body.session.accessToken)).toBe(rotate.body.kid);
    const me = await call(app.url, 'GET', '/api/auth/me', {
      headers: bearer(refreshed.body.session.accessToken),
    });
    expect(me.status).toBe(200);
  });
});

describe('turning encryption on, restarting and rotating the key', () => {
  let app: TestApp;
  /** Looks at the tables directly, whichever node is running. */
  let db: Pool;
  let node: HearthInstance | undefined;
  let user: Enrolled;
  let kid: string;

  function start(env: Record<string, string>): Promise<HearthInstance> {
    return startHearth(
      loadConfig({
        env: {
          HEARTH_DATABASE_URL: app.database.url,
          HEARTH_PORT: '0',
          HEARTH_HOST: '127.0.0.1',
          HEARTH_DATA_DIR: app.dataDir,
          HEARTH_LOG_LEVEL: 'silent',
          HEARTH_RATE_LIMIT_FACTOR: '1000',
          HEARTH_AUTH_CONFIRM_EMAIL: 'false',
          ...env,
        },
      }),
    );
  }

  async function restart(env: Record<string, string>): Promise<string> {
    await node?.close();
    node = undefined;
    await app.hearth.close();
    node = await start(env);
    return node.url;
  }

  /** A start that must fail; returns its one-line message. */
  async function refusedStart(env: Record<string, string>): Promise<string> {
    await node?.close();
    node = undefined;
    try {
      const started = await start(env);
      await started.close();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected the start to be refused');
  }

  const stored = async () => {
    const users = await db.query<{ totpSecret: string }>(
      'SELECT "totpSecret" FROM hearth.users WHERE id = $1',
      [user.id],
    );
    const keys = await db.query<{ private_jwk: unknown }>('SELECT private_jwk FROM hearth.signing_keys');
    return { totpSecret: users.rows[0]!.totpSecret, privateJwks: keys.rows.map((row) => row.private_jwk) };
  };

  /** The session still works: its access token verifies, and a refresh signs a new one with the same key. */
  async function expectSessionWorks(baseUrl: string): Promise<void> {
    expect(
      (await call(baseUrl, 'GET', '/api/auth/me', { headers: bearer(user.session.accessToken) })).status,
    ).toBe(200);
    const refreshed = await call<{ session: SessionBody }>(baseUrl, 'POST', '/api/auth/refresh', {
      body: { refreshToken: user.session.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(kidOf(refreshed.body.session.accessToken)).toBe(kid);
    user.session = refreshed.body.session;
    expect(
      (await call(baseUrl, 'GET', '/api/auth/me', { headers: bearer(user.session.accessToken) })).status,
    ).toBe(200);
  }

  async function expectMfaWorks(baseUrl: string): Promise<void> {
    // Each step of this test signs in with a code; forget the last step so codes are not "replays".
    await db.query('UPDATE hearth.users SET "totpLastStep" = NULL WHERE id = $1', [user.id]);
    const verified = await mfaLogin(baseUrl, user);
    expect(verified.status).toBe(200);
  }

  beforeAll(async () => {
    // Legacy data: an instance that ran without a key.
    app = await startAuthApp({ HEARTH_AUTH_CONFIRM_EMAIL: 'false' });
    db = createPool({ connectionString: app.database.url, max: 2, logger: createLogger('silent') });
    const signedUp = await signUp(app.url);
    const secret = await enroll(app.url, signedUp);
    await confirm(app.url, signedUp, secret);
    user = { ...signedUp, secret };
    kid = kidOf(user.session.accessToken);
  });
  afterAll(async () => {
    await node?.close();
    await db?.end();
    await app?.close();
  });

  it('without a key, secrets are stored in plain text as before', async () => {
    const { totpSecret, privateJwks } = await stored();
    expect(totpSecret).toBe(user.secret);
    expect(privateJwks).toEqual([expect.objectContaining({ d: expect.any(String), kty: 'OKP' })]);
  });

  it('the first start with a key encrypts the existing plaintext; sessions and MFA keep working', async () => {
    const url = await restart({ HEARTH_ENCRYPTION_KEY: keyA });
    const { totpSecret, privateJwks } = await stored();
    expect(totpSecret).toMatch(new RegExp(`^enc:v1:${keyIdOf(keyA)}:`));
    expect(totpSecret).not.toContain(user.secret);
    expect(privateJwks).toEqual([expect.stringMatching(new RegExp(`^enc:v1:${keyIdOf(keyA)}:`))]);
    await expectSessionWorks(url);
    await expectMfaWorks(url);
  });

  it('a restart with the same key changes nothing and signs with the same key', async () => {
    const before = await stored();
    const keyFile = join(app.dataDir, 'encryption-key');
    await writeFile(keyFile, `${keyA}\n`, { mode: 0o600 });
    const url = await restart({ HEARTH_ENCRYPTION_KEY_FILE: keyFile });
    expect(await stored()).toEqual(before);
    await expectSessionWorks(url);
    await expectMfaWorks(url);
  });

  it('starting without the key, or with another key only, is refused with one line naming the key id', async () => {
    const withoutKey = await refusedStart({});
    expect(withoutKey).toContain(keyIdOf(keyA));
    expect(withoutKey).toMatch(/HEARTH_ENCRYPTION_KEY is not set/);
    const wrongKey = await refusedStart({ HEARTH_ENCRYPTION_KEY: keyB });
    expect(wrongKey).toMatch(/^HEARTH_ENCRYPTION_KEY: stored secrets encrypted with key [0-9a-f]{8}/);
    expect(wrongKey).toContain(keyIdOf(keyA));
    expect(wrongKey).not.toContain(keyA);
    expect(wrongKey).not.toContain(keyB);
  });

  it('rotating to a new key with the old one as previous re-encrypts everything; tokens still verify', async () => {
    const url = await restart({ HEARTH_ENCRYPTION_KEY: keyB, HEARTH_ENCRYPTION_KEY_PREVIOUS: keyA });
    const { totpSecret, privateJwks } = await stored();
    expect(totpSecret).toMatch(new RegExp(`^enc:v1:${keyIdOf(keyB)}:`));
    expect(privateJwks).toEqual([expect.stringMatching(new RegExp(`^enc:v1:${keyIdOf(keyB)}:`))]);
    await expectSessionWorks(url);
    await expectMfaWorks(url);
  });

  it('after the rotation the old key is no longer needed, and no longer enough', async () => {
    const url = await restart({ HEARTH_ENCRYPTION_KEY: keyB });
    await expectSessionWorks(url);
    await expectMfaWorks(url);
    expect(await refusedStart({ HEARTH_ENCRYPTION_KEY: keyA })).toContain(keyIdOf(keyB));
  });
});
