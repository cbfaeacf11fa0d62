import { generatedStatement } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import type { LiveSchema } from './live-schema.js';
import type { Db } from './record-types.js';

type Rows = { rows: Record<string, unknown>[] };

/**
 * Runs SQL compiled from the schema as a prepared statement (see
 * generatedStatement). If another node changed a column's type before this
 * one saw the new schema version, the prepared plan no longer fits its result
 * (0A000), so outside a transaction it runs once more unprepared.
 */
export async function runCompiled(db: Db, schema: LiveSchema, sql: string, params: unknown[]): Promise<Rows> {
  try {
    return await db.query<Record<string, unknown>>(generatedStatement(String(schema.version), sql, params));
  } catch (error) {
    const inTransaction = 'release' in db;
    if ((error as { code?: string }).code !== '0A000' || inTransaction) throw error;
    return await db.query<Record<string, unknown>>(sql, params);
  }
}

/**
 * A read whose filter literal PostgreSQL cannot hold (a NUL character) is the
 * caller's mistake, not a server error.
 */
export const readQuery: typeof runCompiled = async (db, schema, sql, params) => {
  try {
    return await runCompiled(db, schema, sql, params);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '22021' || code === '22P05') {
      throw new HearthError('filter/invalid', 'A filter value cannot contain NUL characters.', {
        cause: error,
      });
    }
    throw error;
  }
};
