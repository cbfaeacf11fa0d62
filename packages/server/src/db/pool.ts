import pg from 'pg';
import type { Logger } from 'pino';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * The process-wide connection pool. Errors on idle clients (a restarted
 * database, a dropped connection) are logged instead of crashing the process.
 */
export function createPool(options: { connectionString: string; max: number; logger: Logger }): Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'hearth',
  });
  pool.on('error', (error) => options.logger.warn({ err: error }, 'idle database connection failed'));
  return pool;
}
