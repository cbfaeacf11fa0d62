// An authenticated read: Hearth's GET /api/auth/me (bearer parsing, EdDSA
// signature check pinned to alg/typ/iss/aud, the cached session-revocation
// check, one SELECT of the user) against the foundation's raw baseline doing
// just the SELECT.
import { randomBytes } from 'node:crypto';
import { hashPassword } from '@hearth/server';

export const name = 'authenticated GET /api/auth/me';
export const target = undefined;

export const baselineRoutes = {
  'GET /me': async ({ pool, url }) => {
    const { rows } = await pool.query(
      `SELECT id, email, "emailVerified", role, anonymous, disabled, metadata, "createdAt", "updatedAt"
       FROM hearth.users WHERE id = $1`,
      [url.searchParams.get('id')],
    );
    return { json: { user: rows[0] } };
  },
};

export async function prepare({ hearthUrl, pool }) {
  const email = `bench-me-${randomBytes(4).toString('hex')}@example.test`;
  const password = 'bench passphrase for me';
  const { rows } = await pool.query(
    `INSERT INTO hearth.users (email, "passwordHash", "emailVerified") VALUES ($1, $2, true) RETURNING id`,
    [email, await hashPassword(password)],
  );
  const response = await fetch(`${hearthUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const { session } = await response.json();
  if (!session) throw new Error(`bench login failed with ${response.status}`);
  return {
    hearth: { path: '/api/auth/me', headers: { authorization: `Bearer ${session.accessToken}` } },
    baseline: { path: `/me?id=${rows[0].id}` },
    async cleanup() {
      await pool.query('DELETE FROM hearth.users WHERE email = $1', [email]);
    },
  };
}
