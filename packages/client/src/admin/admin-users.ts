import type { User } from '../auth-types.js';
import type { HttpClient } from '../http-client.js';
import type {
  AdminUpdateUserParams,
  CreateUserParams,
  ListUsersParams,
  RevokedSessions,
  UserPage,
} from './admin-types.js';
import { adminPath } from './admin-path.js';

/** `client.admin.users`: every account, for admins and service keys. */
export class AdminUsersClient {
  constructor(private readonly http: HttpClient) {}

  /** One page of users, oldest first (`GET /api/admin/users`). */
  list(params: ListUsersParams = {}): Promise<UserPage> {
    return this.http.request<UserPage>('GET', adminPath('users'), { query: { ...params } });
  }

  async get(id: string): Promise<User> {
    return (await this.http.request<{ user: User }>('GET', adminPath('users', id))).user;
  }

  async create(params: CreateUserParams): Promise<User> {
    return (await this.http.request<{ user: User }>('POST', adminPath('users'), { body: params })).user;
  }

  /** Disables or enables, verifies, or changes the role of a user. */
  async update(id: string, changes: AdminUpdateUserParams): Promise<User> {
    return (await this.http.request<{ user: User }>('PATCH', adminPath('users', id), { body: changes })).user;
  }

  /** Deletes the user for good; each relation to users applies its `onDelete` (`records/referenced` for restrict). */
  async delete(id: string): Promise<void> {
    await this.http.request<void>('DELETE', adminPath('users', id));
  }

  /** Lifts the login limits wrong passwords put on the account. */
  async unlock(id: string): Promise<User> {
    return (await this.http.request<{ user: User }>('POST', adminPath('users', id, 'unlock'))).user;
  }

  /** Ends every session of the user. */
  revokeSessions(id: string): Promise<RevokedSessions> {
    return this.http.request<RevokedSessions>('POST', adminPath('users', id, 'revoke-sessions'));
  }
}
