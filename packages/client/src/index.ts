export { createClient, HearthClient } from './hearth-client.js';
export type { HearthClientOptions } from './client-options.js';
export { AuthClient, type AuthClientOptions } from './auth-client.js';
export { AdminClient } from './admin/admin-client.js';
export type { AdminUsersClient } from './admin/admin-users.js';
export type { AdminKeysClient } from './admin/admin-keys.js';
export type { AdminOutboxClient } from './admin/admin-outbox.js';
export type { AdminSchemaClient } from './admin/admin-schema.js';
export {
  outboxStatuses,
  type AdminUpdateUserParams,
  type ApplySchemaParams,
  type CreatedServiceKey,
  type CreateServiceKeyParams,
  type CreateUserParams,
  type ErrorBody,
  type ListOutboxParams,
  type ListUsersParams,
  type LiveSchema,
  type OutboxMail,
  type OutboxPage,
  type OutboxStatus,
  type RevokedSessions,
  type RotatedSigningKey,
  type SchemaPlanResult,
  type SchemaProblem,
  type SchemaVersion,
  type ServiceKey,
  type ServiceKeyScope,
  type SetupParams,
  type SetupResult,
  type SetupStatus,
  type UserPage,
} from './admin/admin-types.js';
export type {
  AuthChangeDetail,
  AuthChangeEvent,
  AuthChangeListener,
  AuthState,
  ChangePasswordParams,
  EmailLinkOptions,
  Identity,
  MfaChallenge,
  OAuthProvider,
  OAuthSignInParams,
  ReauthenticateParams,
  Session,
  SessionInfo,
  SetSessionParams,
  SignInParams,
  SignInResult,
  SignOutOptions,
  SignUpParams,
  SignUpResult,
  TotpEnrollment,
  UpdateUserParams,
  UpdateUserResult,
  User,
} from './auth-types.js';
export {
  CollectionClient,
  type CreateOptions,
  type ListParams,
  type ListResult,
  type ListResultFor,
  type ReadOptions,
  type WriteOptions,
} from './collection-client.js';
export type { BatchOperation, BatchOptions, BatchResult, BatchResults } from './batch.js';
export type { Page } from './paginate.js';
export { etagOf } from './record-etag.js';
export {
  filter,
  filterLiteral,
  type FilterParams,
  type FilterPlaceholders,
  type FilterScalar,
  type FilterValue,
} from './filter-template.js';
export type {
  CollectionName,
  CollectionTypes,
  CreateOf,
  ExpandName,
  ExpandOf,
  FieldName,
  LooseRecord,
  RecordOf,
  SchemaShape,
  SelectedRecord,
  SortKey,
  UpdateOf,
} from './record-types.js';
export {
  HttpClient,
  type AccessTokenSource,
  type FetchLike,
  type HttpClientOptions,
  type HttpMethod,
  type QueryValue,
  type RequestAuth,
  type RequestOptions,
} from './http-client.js';
export { memoryStorage, localStorageAdapter, type SessionStorage } from './session-storage.js';
export { HearthError, isHearthError, type ClientErrorCode, type HearthErrorCode } from './hearth-error.js';
export { knownErrorCodes, clientErrorCodes, type KnownErrorCode, type ErrorCode } from './error-codes.js';
