import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Admin } from '../admin/create-admin.js';
import type { Auth } from '../auth/create-auth.js';
import type { Collections } from '../collections/create-collections.js';
import type { HearthConfig } from '../config/index.js';
import type { Pool } from '../db/pool.js';
import type { DatabaseHealth } from '../ops/database-health.js';
import type { Metrics } from '../ops/metrics.js';
import type { ReadinessCheck } from '../ops/readiness.js';

/** What every domain's routes may use. Domains take what they need from it. */
export interface AppContext {
  config: HearthConfig;
  logger: Logger;
  pool: Pool;
  /** Present when HEARTH_REDIS_URL is set; shared state (rate limits, fan-out) goes through it. */
  redis: Redis | undefined;
  metrics: Metrics | undefined;
  readinessChecks: ReadinessCheck[];
  /** Whether the database has been away too long for this process to be called healthy (/health). */
  databaseHealth: DatabaseHealth;
  /** Accounts, sessions, tokens and the caller principal (src/auth). */
  auth: Auth;
  /** Service keys and user administration (src/admin). */
  admin: Admin;
  /** Schema, records and their change events (src/collections). */
  collections: Collections;
}
