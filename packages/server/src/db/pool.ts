import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { requestAborted } from './database-errors.js';
import { sendCancelRequest, type ClientGone } from './query-cancellation.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

const GENERATED_PREFIX = 'hearth.gen.';
/** How many generated statements one connection keeps prepared; past that, new ones run unnamed. */
export const GENERATED_STATEMENTS_PER_CONNECTION = 100;

/** How many statement names generatedStatement remembers, so the hot path hashes nothing. */
const REMEMBERED_NAMES = 1_000;
const namesByText = new Map<string, string>();

/**
 * A query PostgreSQL may keep prepared, for SQL assembled at run time (record
 * reads and writes compiled from the schema and its rules). It is named by a
 * hash of its text and `scope`: the schema version, so a statement is never
 * reused across a schema change that could alter its result types. Each
 * connection keeps at most GENERATED_STATEMENTS_PER_CONNECTION of them, so
 * endlessly varied filters cannot grow the server's memory. The names of the
 * last REMEMBERED_NAMES texts are kept, so a repeated statement costs a map
 * lookup instead of a SHA-1 (about 15 µs of CPU per request on a small VM).
 */
export function generatedStatement(scope: string, text: string, values: unknown[]): pg.QueryConfig {
  const key = `${scope}\0${text}`;
  let name = namesByText.get(key);
  if (name === undefined) {
    name = `${GENERATED_PREFIX}${createHash('sha1').update(key).digest('base64url')}`;
    // Oldest first: a Map iterates in insertion order.
    if (namesByText.size >= REMEMBERED_NAMES) namesByText.delete(namesByText.keys().next().value as string);
    namesByText.set(key, name);
  }
  return { name, text, values };
}

function withoutName(config: pg.QueryConfig): pg.QueryConfig {
  const { name: _name, ...rest } = config;
  return rest;
}

/**
 * Every client of the pool. A connection that dies while checked out (the
 * database restarted or went away) emits 'error'; pg-pool listens only while
 * the client is idle, and an unheard 'error' would end the process. The
 * failure still reaches the statement it broke, every later statement fails
 * as "not queryable", and the pool drops the client when it is released.
 */
class CancellableClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}

/** The default client: prepares named statements, generated ones up to the per-connection cap. */
class PreparingClient extends CancellableClient {
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
class UnpreparedClient extends CancellableClient {
  override query(...args: unknown[]): never {
    const [config] = args;
    if (typeof config === 'object' && config !== null && 'name' in config) {
      args[0] = withoutName(config as pg.QueryConfig);
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}

/** A failed statement leaves its connection usable; anything else (a dead socket) must not go back. */
function breaksConnection(error: unknown): boolean {
  return !(error instanceof pg.DatabaseError) || error.severity === 'FATAL' || error.severity === 'PANIC';
}

/**
 * Checks a client out for a request: if the request's client goes before the
 * client is released, PostgreSQL is asked to cancel whatever it runs (src/db/
 * query-cancellation.ts), and the connection is closed on release, never
 * reused, so a cancel still on its way cannot hit someone else's statement.
 */
async function connectFor(pool: pg.Pool, gone: ClientGone): Promise<pg.PoolClient> {
  const client = await pool.connect();
  if (gone.aborted) {
    // The client left while this request waited for a connection: give it back unused.
    client.release();
    throw requestAborted();
  }
  let cancelled = false;
  const forget = gone.onAbort(() => {
    cancelled = true;
    sendCancelRequest(client);
  });
  const release = client.release;
  client.release = (error?: Error | boolean) => {
    forget();
    client.release = release;
    release.call(client, cancelled ? true : error);
  };
  return client;
}

async function queryFor(pool: pg.Pool, signal: ClientGone, args: unknown[]): Promise<unknown> {
  const client = await connectFor(pool, signal);
  try {
    const result = await (client.query as (...a: unknown[]) => Promise<unknown>)(...args);
    client.release();
    return result;
  } catch (error) {
    client.release(breaksConnection(error) ? (error as Error) : undefined);
    throw error;
  }
}

/** The pool for one request (cancellableDb): its statements stop when the request's client goes. */
class CancellableDb {
  constructor(
    private readonly pool: pg.Pool,
    private readonly gone: ClientGone,
  ) {}

  query(...args: unknown[]): Promise<unknown> {
    if (args.some((arg) => typeof arg === 'function')) throw new TypeError('cancellableDb: no callbacks');
    return queryFor(this.pool, this.gone, args);
  }

  connect(): Promise<pg.PoolClient> {
    return connectFor(this.pool, this.gone);
  }
}

/**
 * The pool as a request's handler sees it: every statement it runs, directly
 * or in a transaction (`connect()`), is cancelled in PostgreSQL when the
 * request's client disconnects (`gone`). Only `query` and `connect` exist on
 * it, which is all request code uses. Without a signal, the pool itself.
 */
export function cancellableDb(pool: Pool, gone: ClientGone | undefined): Pool {
  return gone === undefined ? pool : (new CancellableDb(pool, gone) as unknown as Pool);
}

/**
 * The process-wide connection pool. Errors on idle clients (a restarted
 * database, a dropped connection) are logged instead of crashing the process.
 * Every statement has a time budget and runs without JIT; a session that
 * needs longer (migrations, schema changes) sets its own statement_timeout.
 */
export function createPool(options: {
  connectionString: string;
  max: number;
  logger: Logger;
  /** false: send named statements unnamed (HEARTH_DATABASE_PREPARED_STATEMENTS). Default true. */
  preparedStatements?: boolean;
  /** HEARTH_DATABASE_STATEMENT_TIMEOUT_MS: the longest one statement may run; 0 for none. Default 5000. */
  statementTimeoutMs?: number;
  /** HEARTH_DATABASE_POOL_WAIT_MS: how long a request waits for a free connection before db/busy. Default 5000. */
  poolWaitMs?: number;
}): Pool {
  const pool = new pg.Pool({
    Client: options.preparedStatements === false ? UnpreparedClient : PreparingClient,
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: options.poolWaitMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'hearth',
    // Sent in the startup packet, so they hold from the first statement and win over
    // ALTER DATABASE/ROLE settings. JIT compilation costs seconds on the wide OR filters
    // an API caller can send, and gains nothing on the short queries Hearth runs.
    statement_timeout: options.statementTimeoutMs ?? 5_000,
    options: '-c jit=off',
  });
  // One short line: a restarting database fails every idle connection at once, and pg's errors
  // carry the whole client (kilobytes) when serialized with their properties.
  pool.on('error', (error: Error & { code?: string }) =>
    options.logger.warn({ code: error.code, reason: error.message }, 'idle database connection failed'),
  );
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
