export { startHearth, type HearthInstance, type StartOptions } from './server.js';
export { loadConfig, ConfigError, configOptions, type HearthConfig } from './config/index.js';
export { errorTable, errorCodes, HearthError, type ErrorCode } from './errors/index.js';
export {
  createPool,
  endPool,
  withTransaction,
  migrateSystemSchema,
  startEmbeddedPostgres,
  temporaryDataDir,
  EmbeddedPostgresError,
  type EmbeddedPostgres,
  type Pool,
} from './db/index.js';
export { createLogger, type Logger } from './lib/logger.js';
export { findFreePort } from './lib/free-port.js';
export {
  requireUser,
  requireAdmin,
  isAdmin,
  type Principal,
  type AuthUser,
  type UserPrincipal,
  type ServicePrincipal,
  type AnonymousPrincipal,
} from './auth/principal.js';
export { createAdminUser } from './admin/setup.js';
export { SERVICE_KEY_PREFIX } from './auth/service-key-verifier.js';
export { SERVICE_KEY_SCOPES, type ServiceKeyScope } from './admin/service-keys.js';
export { hashPassword, verifyPassword, argon2Options } from './auth/password-hashing.js';
export type { ChangeEvent, ChangeAction, ChangeEvents } from './collections/change-events.js';
export type { Collections } from './collections/create-collections.js';
export { buildLiveSchema, type LiveSchema, type LiveCollection } from './collections/live-schema.js';
export { Caller } from './collections/caller.js';
export { mayAccess, needsAuthRow, ruleFor, type RecordAccessCheck } from './collections/record-access.js';
