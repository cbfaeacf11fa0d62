import type { Counter } from 'prom-client';
import type { Logger } from 'pino';
import type { Pool, PoolClient } from '../db/pool.js';
import { cleanupJobs, type CleanupJob, type CleanupRetention, type CleanupTable } from './cleanup-jobs.js';

/** Any 64-bit number unique to Hearth's cleanup; every node agrees on it. */
const CLEANUP_LOCK = 0x48_65_61_72_74_68_43n; // "HearthC"

/** Rows one DELETE removes at most. */
export const DEFAULT_BATCH_SIZE = 1000;

/** How soon after start the first pass runs (sooner when the interval is shorter). */
const FIRST_PASS_DELAY_MS = 30_000;

export interface CleanupPassOptions {
  retention: CleanupRetention;
  batchSize?: number;
  /** Counts deleted rows by table (hearth_cleanup_deleted_rows_total). */
  deletedRows?: Counter<'table'> | undefined;
  /** Checked between batches: when it returns true the pass stops early. */
  shouldStop?: () => boolean;
}

export type CleanupPassResult =
  | { ran: false }
  | {
      ran: true;
      /** Rows deleted, by table. */
      deleted: Record<CleanupTable, number>;
      /** DELETE statements run, by table. */
      batches: Record<CleanupTable, number>;
      /** Whether the pass stopped early because shouldStop said so. */
      stopped: boolean;
    };

const zeroByTable = (): Record<CleanupTable, number> => ({
  refresh_tokens: 0,
  sessions: 0,
  email_tokens: 0,
  mfa_tickets: 0,
  oauth_codes: 0,
  oauth_requests: 0,
  idempotency_keys: 0,
  outbox: 0,
  signing_keys: 0,
  mfa_recovery_codes: 0,
  service_keys: 0,
});

/**
 * Runs every cleanup job once, each in batches until a batch comes back
 * short. Several nodes may share one database: the pass holds a
 * session-level advisory lock, and a node that cannot take it skips the pass
 * (`ran: false`) instead of queueing behind the node already at work. The
 * lock is per connection, not per transaction, so each batch still commits
 * on its own and no lock on rows outlives its batch.
 */
export async function runCleanupPass(pool: Pool, options: CleanupPassOptions): Promise<CleanupPassResult> {
  const client = await pool.connect();
  // After any failure the connection is closed rather than reused: closing it
  // is also what releases the lock if unlocking failed.
  let releaseError: Error | undefined;
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      CLEANUP_LOCK.toString(),
    ]);
    if (!rows[0]?.locked) return { ran: false };
    try {
      return await runJobs(client, options);
    } finally {
      await client
        .query('SELECT pg_advisory_unlock($1)', [CLEANUP_LOCK.toString()])
        .catch((error: unknown) => {
          releaseError = asError(error);
        });
    }
  } catch (error) {
    releaseError ??= asError(error);
    throw error;
  } finally {
    client.release(releaseError);
  }
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

async function runJobs(client: PoolClient, options: CleanupPassOptions): Promise<CleanupPassResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const deleted = zeroByTable();
  const batches = zeroByTable();
  const shouldStop = options.shouldStop ?? (() => false);

  /** One batch; true when it came back full (there may be more). */
  const batch = async (job: CleanupJob): Promise<boolean> => {
    const result = await client.query(job.sql, [batchSize, ...job.params(options.retention)]);
    const count = result.rowCount ?? 0;
    deleted[job.table] += count;
    batches[job.table] += 1;
    if (count > 0) options.deletedRows?.inc({ table: job.table }, count);
    return count >= batchSize;
  };

  for (const job of cleanupJobs) {
    for (;;) {
      if (shouldStop()) return { ran: true, deleted, batches, stopped: true };
      if (job.before) {
        while (await batch(job.before)) {
          if (shouldStop()) return { ran: true, deleted, batches, stopped: true };
        }
      }
      if (!(await batch(job))) break;
    }
  }
  return { ran: true, deleted, batches, stopped: false };
}

export interface CleanupSchedule {
  /** Seconds between passes; 0 turns cleanup off. */
  intervalSeconds: number;
  retention: CleanupRetention;
  batchSize?: number;
}

export interface CleanupTimer {
  /** Whether passes are scheduled at all (false when the interval is 0). */
  readonly enabled: boolean;
  /** Cancels the next pass and waits for a running one to stop after its current batch. */
  stop(): Promise<void>;
}

/**
 * Runs a cleanup pass shortly after start, then every interval. The next
 * pass is scheduled when the previous one finishes, so passes on one node
 * never overlap; timers are unref'd so they never keep the process alive.
 */
export function startCleanup(options: {
  pool: Pool;
  logger: Logger;
  schedule: CleanupSchedule;
  deletedRows?: Counter<'table'> | undefined;
}): CleanupTimer {
  const { pool, logger, schedule } = options;
  const intervalMs = schedule.intervalSeconds * 1000;
  if (intervalMs <= 0) {
    logger.info('cleanup of expired rows is off (HEARTH_CLEANUP_INTERVAL=0)');
    return { enabled: false, stop: async () => undefined };
  }

  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const pass = async () => {
    const startedAt = performance.now();
    try {
      const result = await runCleanupPass(pool, {
        retention: schedule.retention,
        deletedRows: options.deletedRows,
        shouldStop: () => stopping,
        ...(schedule.batchSize === undefined ? {} : { batchSize: schedule.batchSize }),
      });
      if (!result.ran) {
        logger.debug('cleanup pass skipped: another node holds the cleanup lock');
        return;
      }
      logger.info(
        {
          deleted: result.deleted,
          durationMs: Math.round(performance.now() - startedAt),
          stopped: result.stopped,
        },
        'cleanup pass finished',
      );
    } catch (error) {
      logger.warn({ err: error }, 'cleanup pass failed');
    }
  };

  const schedulePass = (delayMs: number) => {
    timer = setTimeout(() => {
      running = pass().finally(() => {
        running = undefined;
        if (!stopping) schedulePass(intervalMs);
      });
    }, delayMs);
    timer.unref();
  };
  schedulePass(Math.min(FIRST_PASS_DELAY_MS, intervalMs));

  return {
    enabled: true,
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await running;
    },
  };
}
