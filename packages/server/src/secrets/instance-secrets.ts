import { randomBytes } from 'node:crypto';
import type { Pool } from '../db/pool.js';

/**
 * Secrets every node of one instance must share, generated on first start
 * and kept in the database (so scale-out nodes agree). There are no defaults.
 */
export const secretNames = {
  /** Signs opaque values the server hands out (cursors, signed URLs). */
  signingKey: 'signing-key',
  /** One-time token that creates the first admin; deleted once used. */
  setupToken: 'setup-token',
} as const;

export type SecretName = (typeof secretNames)[keyof typeof secretNames];

/** Returns the secret, creating it atomically if no node has yet. */
export async function ensureSecret(pool: Pool, name: SecretName, bytes = 32): Promise<string> {
  const candidate = randomBytes(bytes).toString('base64url');
  const result = await pool.query<{ value: string }>(
    `INSERT INTO hearth.secrets (name, value) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
     RETURNING value`,
    [name, candidate],
  );
  const value = result.rows[0]?.value;
  if (!value) throw new Error(`secret ${name} could not be stored`);
  return value;
}

export async function readSecret(pool: Pool, name: SecretName): Promise<string | undefined> {
  const result = await pool.query<{ value: string }>('SELECT value FROM hearth.secrets WHERE name = $1', [
    name,
  ]);
  return result.rows[0]?.value;
}
