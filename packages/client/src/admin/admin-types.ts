import type { PlanStep, SchemaDocument } from '@hearth/schema';
import type { Session, User } from '../auth-types.js';
import type { Page } from '../paginate.js';

/** The wire types of `/api/admin`: what the server answers, as the SDK, the CLI and the dashboard read it. */

/** `{"error": …}`, the body of every error answer (the SDK turns it into a HearthError). */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

// ---- users ----------------------------------------------------------------------

export interface ListUsersParams {
  /** Only users whose email contains this text (or whose id is this). */
  search?: string;
  /** Users per page, 1–500 (default 50). */
  limit?: number;
  /** The previous page's `nextCursor`. */
  cursor?: string;
}

/** One page of users, oldest first. */
export type UserPage = Page<User>;

export interface CreateUserParams {
  email: string;
  /** Without one the user sets a password through a reset link. */
  password?: string;
  role?: 'user' | 'admin';
  emailVerified?: boolean;
}

export interface AdminUpdateUserParams {
  /** A disabled user cannot sign in, and every session is revoked. */
  disabled?: boolean;
  emailVerified?: boolean;
  role?: 'user' | 'admin';
}

/** `POST /api/admin/users/:id/revoke-sessions`: how many sessions ended. */
export interface RevokedSessions {
  revoked: number;
}

// ---- service keys ---------------------------------------------------------------

/** Scopes a key may carry beyond the admin API: `mail:read` reads mail bodies in the outbox. */
export type ServiceKeyScope = 'mail:read' | (string & {});

/** A service key as `GET /api/admin/keys` lists it: never the key itself. */
export interface ServiceKey {
  id: string;
  name: string;
  /** The start of the key, to tell keys apart (`hearth_sk_ab12…`). */
  prefix: string;
  scopes: ServiceKeyScope[];
  /** ISO 8601 timestamps. */
  createdAt: string;
  lastUsedAt: string | null;
}

/** `POST /api/admin/keys` answers with the key, once. */
export interface CreatedServiceKey extends ServiceKey {
  key: string;
}

export interface CreateServiceKeyParams {
  name: string;
  scopes?: ServiceKeyScope[];
}

// ---- outbox ---------------------------------------------------------------------

/** kept (no SMTP: the outbox is where it goes), queued (awaiting delivery), sent, or failed. */
export const outboxStatuses = ['kept', 'queued', 'sent', 'failed'] as const;
export type OutboxStatus = (typeof outboxStatuses)[number];

/** One mail as `GET /api/admin/outbox` lists it (and a retry answers it). */
export interface OutboxMail {
  id: string;
  to: string;
  subject: string;
  /** Link tokens redacted unless the mail is kept; null for a service key without mail:read. */
  text: string | null;
  html: string | null;
  createdAt: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
}

export type OutboxPage = Page<OutboxMail>;

export interface ListOutboxParams {
  /** Only mail to this address. */
  to?: string;
  status?: OutboxStatus;
  limit?: number;
  cursor?: string;
}

// ---- schema ---------------------------------------------------------------------

/** `GET /api/admin/schema`: the live document and its version (null before the first push). */
export interface LiveSchema {
  schema: SchemaDocument;
  version: number | null;
  appliedAt: string | null;
}

/** A problem with a pushed schema document, with where it is. */
export interface SchemaProblem {
  code: string;
  /** JSON pointer into the document, e.g. `/collections/posts/rules/list`. */
  pointer: string;
  message: string;
  path?: (string | number)[];
  line?: number;
  col?: number;
  /** For rule errors: the position inside the rule and a caret excerpt. */
  rule?: { line: number; col: number; excerpt: string; message: string };
}

/** What `PUT /api/admin/schema` answers, dry run or not. */
export interface SchemaPlanResult {
  /** The steps `diffSchemas` plans, each with the SQL statements it runs. */
  plan: Array<PlanStep & { sql: string[] }>;
  /** Whether any step is destructive. */
  destructive: boolean;
  errors: SchemaProblem[];
  /** The statements that run (or would run) in PostgreSQL, in order: the steps' and the repairs'. */
  sql: string[];
  /** Statements that bring the database's delete triggers back in line, whatever the plan (usually none). */
  repairs: string[];
  /** Whether the database was changed. */
  applied: boolean;
  /** The current version after this call (the new one when applied). */
  version: number | null;
}

export interface ApplySchemaParams {
  /** Plan only (default): nothing changes. */
  dryRun?: boolean;
  /** Apply a plan with destructive steps. */
  allowDestructive?: boolean;
  /** The version the plan was made against; another current version is `schema/conflict`. */
  ifVersion?: number | null;
}

/** One applied version, as `GET /api/admin/schema/versions` lists them. */
export interface SchemaVersion {
  id: number;
  appliedAt: string;
  /** `user:<id>` or `key:<id>`. */
  appliedBy: string | null;
  steps: number;
}

// ---- setup and signing keys -------------------------------------------------------

export interface SetupStatus {
  /** True once an admin exists: the setup token is spent. */
  complete: boolean;
}

export interface SetupParams {
  /** The one-time token from the link the server printed at first start. */
  token: string;
  email: string;
  password: string;
}

/** The first admin, signed in. */
export interface SetupResult {
  user: User;
  session: Session;
}

/** `POST /api/admin/signing-keys/rotate`: the id of the new signing key. */
export interface RotatedSigningKey {
  kid: string;
}
