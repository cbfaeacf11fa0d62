import { fileURLToPath } from 'node:url';
import { migrate } from 'postgres-migrations';
import type { Logger } from 'pino';
import type { Pool } from './pool.js';

/** The migrations folder sits beside src/ and dist/, so both layouts find it. */
const migrationsDir = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Any 64-bit number unique to Hearth; every node agrees on it. */
const MIGRATION_LOCK = 0x4865_6172_7468n; // "Hearth"

/**
 * Brings the hearth system schema up to date. Nodes that start together
 * queue on an advisory lock, so exactly one of them runs each migration.
 */
export async function migrateSystemSchema(pool: Pool, logger: Logger): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK.toString()]);
    try {
      // A migration may rewrite a large table: no statement time budget for this session.
      await client.query('SET statement_timeout = 0');
      await client.query('CREATE SCHEMA IF NOT EXISTS hearth');
      // postgres-migrations keeps its bookkeeping table in the search_path.
      await client.query('SET search_path TO hearth');
      const applied = await migrate({ client }, migrationsDir);
      const names = applied.map((migration) => migration.name);
      if (names.length > 0) logger.info({ migrations: names }, 'applied system migrations');
      return names;
    } finally {
      await client.query('RESET search_path').catch(() => undefined);
      await client.query('RESET statement_timeout').catch(() => undefined);
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK.toString()]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}
