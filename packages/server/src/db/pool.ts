import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

const GENERATED_PREFIX = 'hearth.gen.';
/** How many generated statements one connection keeps prepared; past that, new ones run unnamed. */
export const GENERATED_STATEMENTS_PER_CONNECTION = 100;

/**
 * A query PostgreSQL may keep prepared, for SQL assembled at run time (record
 * reads and writes compiled from the schema and its rules). It is named by a
 * hash of its text and `scope`: the schema version, so a statement is never
 * reused across a schema change that could alter its result types. Each
 * connection keeps at most GENERATED_STATEMENTS_PER_CONNECTION of them, so
 * endlessly varied filters cannot grow the server's memory.
 */
export function generatedStatement(scope: string, text: string, values: unknown[]): pg.QueryConfig {
  const hash = createHash('sha1').update(scope).update('\0').update(text).digest('base64url');
  return { name: `${GENERATED_PREFIX}${hash}`, text, values };
}

function withoutName(config: pg.QueryConfig): pg.QueryConfig {
  const { name: _name, ...rest } = config;
  return rest;
}

/** The default client: prepares named statements, generated ones up to the per-connection cap. */
class PreparingClient extends pg.Client {
  private readonly generated = new Set<string>();

  override query(...args: unknown[]): never {
    const [config] = args;
    if (typeof config === 'object' && config !== null && 'name' in config) {
      const { name } = config as pg.QueryConfig;
      if (name?.startsWith(GENERATED_PREFIX) && !this.generated.has(name)) {
        if (this.generated.size >= GENERATED_STATEMENTS_PER_CONNECTION) {
          args[0] = withoutName(config as pg.QueryConfig);
        } else this.generated.add(name);
      }
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

/**
 * A client that sends every query unnamed: the named prepared statements the
 * hot paths use (a `name` in the query config) become one-off statements, for
 * poolers that cannot keep prepared statements across transactions.
 */
class UnpreparedClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [config] = args;
    if (typeof config === 'object' && config !== null && 'name' in config) {
      args[0] = withoutName(config as pg.QueryConfig);
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
    Client: options.preparedStatements === false ? UnpreparedClient : PreparingClient,
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'hearth',
  });
  pool.on('error', (error) => options.logger.warn({ err: error }, 'idle database connection failed'));
  return pool;
}

/**
 * pool.end(), and then the wait it skips: pg-pool resolves end() once it has
 * asked each client to close, before the connections are closed. Stopping the
 * embedded PostgreSQL in that gap makes every idle client fail with
 * "terminating connection due to administrator command".
 */
export async function endPool(pool: Pool): Promise<void> {
  let open = pool.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) return resolve();
    pool.on('remove', () => {
      open -= 1;
      if (open <= 0) resolve();
    });
  });
  await pool.end();
  await closed;
}
