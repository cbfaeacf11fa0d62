// The signed-in user: Hearth's GET /api/auth/me (bearer check pinned to
// alg/typ/iss/aud, the cached session-revocation check, one SELECT of the
// user) against a raw route that verifies the same token with node:crypto
// and runs one prepared SELECT of the same fields.
import { randomBytes } from 'node:crypto';
import { hashPassword } from '@hearth/server';

export const name = 'the signed-in user (GET /api/auth/me)';
export const target = 0.8;

export const baselineRoutes = [
  {
    method: 'GET',
    path: /^\/api\/auth\/me$/,
    async handle({ pool, headers, verifyBearer }) {
      const claims = await verifyBearer(headers.authorization);
      const { rows } = await pool.query({
        name: 'me',
        text: `SELECT id, email, "emailVerified", role, anonymous, disabled, "totpSecret" IS NOT NULL AS "mfaEnabled",
                      metadata, "createdAt", "updatedAt"
               FROM hearth.users WHERE id = $1`,
        values: [claims.sub],
      });
      if (!rows[0]) return { status: 401, json: { error: { code: 'auth/session-revoked' } } };
      return { json: { user: rows[0] } };
    },
  },
];

export async function prepare({ hearthUrl, pool }) {
  const email = `bench-me-${randomBytes(4).toString('hex')}@example.test`;
  const password = 'bench passphrase for me';
  await pool.query(
    `INSERT INTO hearth.users (email, "passwordHash", "emailVerified") VALUES ($1, $2, true)`,
    [email, await hashPassword(password)],
  );
  const response = await fetch(`${hearthUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const { session } = await response.json();
  if (!session) throw new Error(`bench login failed with ${response.status}`);
  const request = { path: '/api/auth/me', headers: { authorization: `Bearer ${session.accessToken}` } };
  return {
    hearth: request,
    baseline: request,
    async cleanup() {
      await pool.query('DELETE FROM hearth.users WHERE email = $1', [email]);
    },
  };
}
