import type { Pool } from '../db/pool.js';
import { ensureSecret, secretNames } from '../secrets/instance-secrets.js';

/**
 * While no admin exists, a one-time setup token lets whoever runs the server
 * create the first admin (POST /api/admin/setup). There is never a default account.
 */
export async function pendingSetupToken(pool: Pool): Promise<string | undefined> {
  if (await isSetupComplete(pool)) return undefined;
  return ensureSecret(pool, secretNames.setupToken);
}

/** Whether the first admin exists, so the setup link is spent (GET /api/admin/setup). */
export async function isSetupComplete(pool: Pool): Promise<boolean> {
  const done = await pool.query("SELECT 1 FROM hearth.instance WHERE key = 'setup-complete'");
  return (done.rowCount ?? 0) > 0;
}
