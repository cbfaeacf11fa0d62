import type { Auth, AuthServices } from '../auth/create-auth.js';
import { ServiceKeyService } from './service-keys.js';
import { UsersAdminService } from './users-admin.js';

/** The admin API's own services, built once per process from auth's (server.ts wires them). */
export interface Admin {
  serviceKeys: ServiceKeyService;
  usersAdmin: UsersAdminService;
}

export function createAdmin(auth: AuthServices): Admin {
  const { pool, sessions, loginThrottle } = auth.deps;
  return {
    serviceKeys: new ServiceKeyService(pool, auth.statusCache),
    usersAdmin: new UsersAdminService(pool, sessions, loginThrottle),
  };
}

/**
 * Until admin/routes.ts takes an `Admin` of its own, the routes read these
 * services from the object they are handed as `auth`: `withAdmin` puts them
 * there, and this declaration tells the type.
 */
declare module '../auth/create-auth.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Auth extends Admin {}
}

export function withAdmin(auth: AuthServices, admin: Admin): Auth {
  return Object.assign(auth, admin);
}
