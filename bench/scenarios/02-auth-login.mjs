// Login throughput against the raw argon2id rate measured in the same run:
// Hearth's POST /api/auth/login (rate limits, user lookup, argon2id verify,
// session + refresh token insert, EdDSA access token) against a bare
// node:http route that only verifies the same password with the same
// argon2id parameters. The hash dominates both, so the ratio shows what the
// rest of login costs. Target: at least 0.8x.
import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from '@hearth/server';

export const name = 'login vs raw argon2id verify (POST /api/auth/login)';
export const target = 0.8;
/** The baseline only verifies the hash: it answers no session, so run.mjs does not compare the answers. */
export const sameAnswer = false;

const PASSWORD = 'bench passphrase for login';
const USERS = 20;
let baselineHash;

export const baselineRoutes = [
  {
    method: 'POST',
    path: /^\/argon2-verify$/,
    async handle({ body }) {
      baselineHash ??= hashPassword(PASSWORD);
      const { password } = JSON.parse(body);
      const ok = await verifyPassword(await baselineHash, password);
      return ok ? { json: { ok } } : { status: 401, json: { ok } };
    },
  },
];

/** Verified users written straight into the database, so no mail round trip is needed. */
export async function prepare({ pool }) {
  const hash = await hashPassword(PASSWORD);
  const emails = [];
  for (let i = 0; i < USERS; i += 1) {
    const email = `bench-login-${randomBytes(4).toString('hex')}@example.test`;
    await pool.query(
      `INSERT INTO hearth.users (email, "passwordHash", "emailVerified") VALUES ($1, $2, true)`,
      [email, hash],
    );
    emails.push(email);
  }
  let next = 0;
  // A different account per request keeps the per-account login limit out of the picture.
  const loginRequest = {
    method: 'POST',
    path: '/api/auth/login',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request) => ({
      ...request,
      body: JSON.stringify({ email: emails[next++ % emails.length], password: PASSWORD }),
    }),
  };
  return {
    hearth: { method: 'POST', path: '/api/auth/login', requests: [loginRequest] },
    baseline: {
      method: 'POST',
      path: '/argon2-verify',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: PASSWORD }),
    },
    async cleanup() {
      await pool.query(`DELETE FROM hearth.users WHERE email LIKE 'bench-login-%'`);
    },
  };
}
