import { createHash } from 'node:crypto';
import type { PoolClient } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import { canonicalJson } from '../lib/canonical-json.js';

/** How long a key is remembered. Expired keys are deleted by the periodic cleanup (src/ops/cleanup-jobs.ts). */
export const IDEMPOTENCY_TTL_HOURS = 24;
const KEY = /^[\x21-\x7e]{1,255}$/;

export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export function checkIdempotencyKey(key: string): string {
  if (!KEY.test(key)) {
    throw new HearthError('validation/failed', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', {
      details: { fields: [{ path: 'Idempotency-Key', message: 'invalid' }] },
    });
  }
  return key;
}

export function requestHash(collection: string, body: unknown): Buffer {
  return createHash('sha256').update(canonicalJson({ collection, body })).digest();
}

/**
 * Claims (scope, key) inside the caller's transaction. Returns the stored
 * response when the key was already used for the same request; throws 422 if
 * it was used for another. A concurrent request with the same key blocks on
 * the row until the first commits (then replays its response) or rolls back
 * (then claims the key itself), so one key never makes two records.
 */
export async function claimIdempotencyKey(
  db: PoolClient,
  scope: string,
  key: string,
  hash: Buffer,
): Promise<StoredResponse | undefined> {
  const claimed = await db.query(
    `INSERT INTO hearth.idempotency_keys (scope, key, request_hash, status, response, expires_at)
     VALUES ($1, $2, $3, 0, 'null'::jsonb, now() + make_interval(hours => $4))
     ON CONFLICT (scope, key) DO UPDATE
       SET request_hash = EXCLUDED.request_hash, status = 0, response = 'null'::jsonb,
           created_at = now(), expires_at = EXCLUDED.expires_at
       WHERE hearth.idempotency_keys.expires_at <= now()
     RETURNING 1`,
    [scope, key, hash, IDEMPOTENCY_TTL_HOURS],
  );
  if ((claimed.rowCount ?? 0) > 0) return undefined;
  const { rows } = await db.query<{ request_hash: Buffer; status: number; response: StoredResponse }>(
    'SELECT request_hash, status, response FROM hearth.idempotency_keys WHERE scope = $1 AND key = $2',
    [scope, key],
  );
  const row = rows[0];
  if (!row || !row.request_hash.equals(hash)) throw new HearthError('records/idempotency-mismatch');
  return row.response;
}

export async function storeIdempotentResponse(
  db: PoolClient,
  scope: string,
  key: string,
  response: StoredResponse,
): Promise<void> {
  await db.query(
    'UPDATE hearth.idempotency_keys SET status = $3, response = $4 WHERE scope = $1 AND key = $2',
    [scope, key, response.status, JSON.stringify(response)],
  );
}
