/**
 * The server the testkit starts, imported from its source by path rather than
 * as a workspace dependency: the server, and every package the server depends
 * on, use the testkit in their own tests, so declaring `@hearth/server` here
 * would make a cyclic workspace dependency (pnpm warns on every install).
 */
export {
  createLogger,
  loadConfig,
  startEmbeddedPostgres,
  startHearth,
  temporaryDataDir,
  type ChangeAction,
  type ChangeEvent,
  type HearthInstance,
  type StartOptions,
} from '../../server/src/index.js';
