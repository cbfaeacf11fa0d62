import type { Logger } from 'pino';
import { fromDatabaseError } from '../db/database-errors.js';
import type { Pool } from '../db/pool.js';

export interface DatabaseHealthOptions {
  pool: Pool;
  logger: Logger;
  /** HEARTH_HEALTH_GRACE_SECONDS: how long the database may stay unreachable before /health fails. */
  graceMs: number;
  /** How often the database is probed. */
  intervalMs?: number;
}

/**
 * Watches whether the database answers, for /health. A database that is away
 * only briefly (an embedded PostgreSQL being restarted by its supervisor, an
 * external one failing over) keeps /health at 200 while /ready turns 503; one
 * away for longer than the grace period fails /health too, so an orchestrator
 * restarts a process that is not recovering by itself. A busy pool is not an
 * unreachable database. The change of state is logged once each way.
 */
export class DatabaseHealth {
  private unreachableSince: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private stopped = false;

  constructor(private readonly options: DatabaseHealthOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.probe(), this.options.intervalMs ?? 2_000);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Seconds the database has been unreachable past the grace period; undefined while healthy. */
  failingFor(now = Date.now()): number | undefined {
    if (this.unreachableSince === undefined) return undefined;
    const away = now - this.unreachableSince;
    return away > this.options.graceMs ? Math.round(away / 1000) : undefined;
  }

  async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await this.options.pool.query('SELECT 1');
      this.reachable();
    } catch (error) {
      if (this.stopped) return; // the pool is closing with the process
      if (fromDatabaseError(error)?.code === 'db/busy') this.reachable();
      else this.unreachable(error);
    } finally {
      this.probing = false;
    }
  }

  private reachable(): void {
    if (this.unreachableSince === undefined) return;
    const seconds = Math.round((Date.now() - this.unreachableSince) / 1000);
    this.unreachableSince = undefined;
    this.options.logger.info({ unreachableSeconds: seconds }, 'the database is reachable again');
  }

  private unreachable(error: unknown): void {
    if (this.unreachableSince !== undefined) return;
    this.unreachableSince = Date.now();
    const reason = error instanceof Error ? error.message : String(error);
    this.options.logger.warn({ reason }, 'the database is unreachable');
  }
}
