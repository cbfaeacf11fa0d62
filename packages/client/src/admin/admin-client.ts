import type { HttpClient } from '../http-client.js';
import { AdminKeysClient } from './admin-keys.js';
import { AdminOutboxClient } from './admin-outbox.js';
import { adminPath } from './admin-path.js';
import { AdminSchemaClient } from './admin-schema.js';
import type { RotatedSigningKey, SetupParams, SetupResult, SetupStatus } from './admin-types.js';
import { AdminUsersClient } from './admin-users.js';

/**
 * `client.admin`: the `/api/admin` API, in the shape of supabase-js's
 * `auth.admin`. Every call needs an admin's session (sign in first) or a
 * service key (`createClient(url, { serviceKey })`), except `setupStatus`
 * and `setup`, which work before any admin exists.
 */
export class AdminClient {
  readonly users: AdminUsersClient;
  readonly keys: AdminKeysClient;
  readonly outbox: AdminOutboxClient;
  readonly schema: AdminSchemaClient;

  constructor(private readonly http: HttpClient) {
    this.users = new AdminUsersClient(http);
    this.keys = new AdminKeysClient(http);
    this.outbox = new AdminOutboxClient(http);
    this.schema = new AdminSchemaClient(http);
  }

  /** Whether the first admin exists (public: the setup page asks before it shows its form). */
  setupStatus(): Promise<SetupStatus> {
    return this.http.request<SetupStatus>('GET', adminPath('setup'), { auth: 'none' });
  }

  /**
   * Creates the first admin with the one-time setup token and answers with
   * its session (pass it to `auth.setSession` to sign in with it).
   */
  setup(params: SetupParams): Promise<SetupResult> {
    return this.http.request<SetupResult>('POST', adminPath('setup'), { body: params, auth: 'none' });
  }

  /** Starts signing access tokens with a new key; tokens signed with the old one stay valid until they expire. */
  rotateSigningKey(): Promise<RotatedSigningKey> {
    return this.http.request<RotatedSigningKey>('POST', adminPath('signing-keys', 'rotate'));
  }
}
