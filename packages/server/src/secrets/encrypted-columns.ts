import type { Logger } from 'pino';
import type { Pool, PoolClient } from '../db/pool.js';
import { ConfigError } from '../config/index.js';
import { ENCRYPTED_PREFIX, FieldDecryptionError, keyIdOf, type FieldCipher } from './field-encryption.js';

/**
 * The contexts encrypted values are bound to: a value sealed for one row and
 * column does not open anywhere else.
 */
export const secretContext = {
  totpSecret: (userId: string) => `users.totpSecret:${userId}`,
  totpPendingSecret: (userId: string) => `users.totpPendingSecret:${userId}`,
  signingKey: (kid: string) => `signing_keys.private_jwk:${kid}`,
};

/**
 * A private JWK as it goes into the jsonb column signing_keys.private_jwk:
 * the JWK object itself when no key is configured (as before), else the
 * encrypted text as a JSON string. Keeping the jsonb column avoids a schema
 * change: the two forms are told apart by their JSON type.
 */
export function sealPrivateJwk(cipher: FieldCipher, kid: string, jwk: object): string {
  const text = JSON.stringify(jwk);
  return cipher.enabled ? JSON.stringify(cipher.seal(text, secretContext.signingKey(kid))) : text;
}

/** The private JWK of a signing_keys row, whichever form it is stored in. */
export function openPrivateJwk<T>(cipher: FieldCipher, kid: string, stored: unknown): T {
  if (typeof stored !== 'string') return stored as T;
  return JSON.parse(cipher.open(stored, secretContext.signingKey(kid))) as T;
}

interface EncryptedColumn {
  label: string;
  table: string;
  idColumn: string;
  idType: 'uuid' | 'text';
  column: string;
  /** SQL for the stored value as text (encrypted text or legacy plaintext), given the column reference. */
  valueSql: (ref: string) => string;
  /** SQL for the new column value from a text parameter. */
  writeSql: (parameter: string) => string;
  context: (id: string) => string;
}

const textColumn = (column: 'totpSecret' | 'totpPendingSecret'): EncryptedColumn => ({
  label: `hearth.users."${column}"`,
  table: 'hearth.users',
  idColumn: 'id',
  idType: 'uuid',
  column: `"${column}"`,
  valueSql: (ref) => ref,
  writeSql: (parameter) => parameter,
  context: secretContext[column],
});

/** Every encrypted column. The names are constants, never input. */
const encryptedColumns: EncryptedColumn[] = [
  textColumn('totpSecret'),
  textColumn('totpPendingSecret'),
  {
    label: 'hearth.signing_keys.private_jwk',
    table: 'hearth.signing_keys',
    idColumn: 'kid',
    idType: 'text',
    column: 'private_jwk',
    valueSql: (ref) =>
      `(CASE WHEN jsonb_typeof(${ref}) = 'string' THEN ${ref} #>> '{}' ELSE ${ref}::text END)`,
    writeSql: (parameter) => `to_jsonb(${parameter})`,
    context: secretContext.signingKey,
  },
];

/** Any 64-bit number unique to this job; every node agrees on it. */
const RESEAL_LOCK = 0x4865_6172_7468_5345n; // "HearthSE"
const BATCH_SIZE = 500;

export interface ResealReport {
  /** Values rewritten under the current key. */
  resealed: number;
  /** Values no configured key opens, by column. */
  unreadable: Array<{ column: string; count: number; keyIds: string[]; example: string }>;
}

/**
 * Brings every encrypted column in line with the configured key: plaintext
 * values and values under a previous key are rewritten under the current
 * one, in batches. Nodes that start together queue on an advisory lock, and
 * each write is guarded by the value it replaces, so a value changed in the
 * meantime is left to its new writer. With no key configured nothing is
 * written, but encrypted values are still looked for. Values no configured
 * key opens stop the start with a ConfigError naming their key ids: running
 * on would break sign-in for those users, or token signing, at random.
 */
export async function resealSecrets(pool: Pool, cipher: FieldCipher, logger: Logger): Promise<ResealReport> {
  const client = await pool.connect();
  try {
    if (!cipher.enabled) return throwIfUnreadable(await scanAll(client, cipher));
    await client.query('SELECT pg_advisory_lock($1)', [RESEAL_LOCK.toString()]);
    try {
      const report = await scanAll(client, cipher);
      if (report.resealed > 0) {
        logger.info(
          { resealed: report.resealed, keyId: cipher.currentKeyId },
          'encrypted stored secrets under the current HEARTH_ENCRYPTION_KEY',
        );
      }
      return throwIfUnreadable(report);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [RESEAL_LOCK.toString()]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

function throwIfUnreadable(report: ResealReport): ResealReport {
  if (report.unreadable.length === 0) return report;
  const keyIds = [...new Set(report.unreadable.flatMap((entry) => entry.keyIds))];
  const where = report.unreadable.map((entry) => `${entry.count} in ${entry.column}`).join(', ');
  const named = keyIds.length > 0 ? ` with key ${keyIds.join(', ')}` : '';
  throw new ConfigError(
    `HEARTH_ENCRYPTION_KEY: stored secrets encrypted${named} cannot be opened with the configured keys (${where}; first: ${report.unreadable[0]?.example}). ` +
      'Set the key that wrote them as HEARTH_ENCRYPTION_KEY or list it in HEARTH_ENCRYPTION_KEY_PREVIOUS; if it is lost, see docs/auth.md#losing-the-key',
  );
}

async function scanAll(client: PoolClient, cipher: FieldCipher): Promise<ResealReport> {
  const report: ResealReport = { resealed: 0, unreadable: [] };
  for (const column of encryptedColumns) {
    const { resealed, unreadable } = await scanColumn(client, cipher, column);
    report.resealed += resealed;
    if (unreadable.count > 0) {
      report.unreadable.push({
        column: column.label,
        count: unreadable.count,
        keyIds: [...unreadable.keyIds],
        example: unreadable.example,
      });
    }
  }
  return report;
}

async function scanColumn(
  client: PoolClient,
  cipher: FieldCipher,
  column: EncryptedColumn,
): Promise<{ resealed: number; unreadable: { count: number; keyIds: Set<string>; example: string } }> {
  const { table, idColumn, idType, valueSql } = column;
  // With a key: everything not yet under it. Without: only encrypted values, which nothing can open.
  const currentPrefix = cipher.currentPrefix;
  const value = valueSql(column.column);
  const pending = currentPrefix
    ? `${column.column} IS NOT NULL AND NOT starts_with(${value}, $2)`
    : `${column.column} IS NOT NULL AND starts_with(${value}, $2)`;
  const select = `SELECT ${idColumn}::text AS id, ${value} AS value FROM ${table}
    WHERE ${pending} AND ($1::${idType} IS NULL OR ${idColumn} > $1::${idType})
    ORDER BY ${idColumn} LIMIT ${BATCH_SIZE}`;
  const update = `UPDATE ${table} AS t SET ${column.column} = ${column.writeSql('v.sealed')}
    FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, stored, sealed)
    WHERE t.${idColumn} = v.id::${idType} AND ${valueSql(`t.${column.column}`)} = v.stored`;

  let cursor: string | null = null;
  let resealed = 0;
  const unreadable = { count: 0, keyIds: new Set<string>(), example: '' };
  for (;;) {
    const { rows }: { rows: Array<{ id: string; value: string }> } = await client.query(select, [
      cursor,
      currentPrefix ?? ENCRYPTED_PREFIX,
    ]);
    if (rows.length === 0) break;
    cursor = rows[rows.length - 1]!.id;
    const ids: string[] = [];
    const stored: string[] = [];
    const sealed: string[] = [];
    for (const row of rows) {
      const context = column.context(row.id);
      let plaintext: string;
      try {
        plaintext = cipher.open(row.value, context);
      } catch (error) {
        if (!(error instanceof FieldDecryptionError)) throw error;
        unreadable.count += 1;
        const keyId = error.keyId ?? keyIdOf(row.value);
        if (keyId) unreadable.keyIds.add(keyId);
        unreadable.example ||= error.message;
        continue;
      }
      ids.push(row.id);
      stored.push(row.value);
      sealed.push(cipher.seal(plaintext, context));
    }
    if (ids.length > 0) {
      const result = await client.query(update, [ids, stored, sealed]);
      resealed += result.rowCount ?? 0;
    }
    if (rows.length < BATCH_SIZE) break;
  }
  return { resealed, unreadable };
}
