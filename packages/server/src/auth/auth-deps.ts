import type { Logger } from 'pino';
import type { HearthConfig } from '../config/index.js';
import type { Pool } from '../db/pool.js';
import type { Mailer } from '../mail/mailer.js';
import type { FieldCipher } from '../secrets/field-encryption.js';
import type { LoginThrottle } from './login-throttle.js';
import type { AuthRateLimits } from './rate-limits.js';
import type { SessionService } from './sessions.js';

/** What the auth services share. */
export interface AuthDeps {
  pool: Pool;
  logger: Logger;
  config: HearthConfig;
  sessions: SessionService;
  limits: AuthRateLimits;
  /** The login limits, and an admin's unlock of them. */
  loginThrottle: LoginThrottle;
  mailer: Mailer;
  /** Seals and opens TOTP secrets (see secrets/encrypted-columns.ts for their contexts). */
  fieldCipher: FieldCipher;
  /** The public base URL (HEARTH_PUBLIC_URL, else where the server listens), for links and redirects. */
  publicUrl(): string;
}
