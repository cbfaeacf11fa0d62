import pg from 'pg';
import type { Logger } from 'pino';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * A client that sends every query unnamed: the named prepared statements the
 * hot paths use (a `name` in the query config) become one-off statements, for
 * poolers that cannot keep prepared statements across transactions.
 */
class UnpreparedClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [config] = args;
    if (typeof config === 'object' && config !== null && 'name' in config) {
      const { name: _name, ...rest } = config as pg.QueryConfig;
      args[0] = rest;
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

/**
 * The process-wide connection pool. Errors on idle clients (a restarted
 * database, a dropped connection) are logged instead of crashing the process.
 */
export function createPool(options: {
  connectionString: string;
  max: number;
  logger: Logger;
  /** false: send named statements unnamed (HEARTH_DATABASE_PREPARED_STATEMENTS). Default true. */
  preparedStatements?: boolean;
}): Pool {
  const pool = new pg.Pool({
    ...(options.preparedStatements === false ? { Client: UnpreparedClient } : {}),
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'hearth',
  });
  pool.on('error', (error) => options.logger.warn({ err: error }, 'idle database connection failed'));
  return pool;
}
