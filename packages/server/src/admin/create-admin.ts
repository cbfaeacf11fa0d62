import type { Auth } from '../auth/create-auth.js';
import { ServiceKeyService } from './service-keys.js';
import { UsersAdminService } from './users-admin.js';

/** The admin API's own services, built once per process from auth's (server.ts wires them). */
export interface Admin {
  serviceKeys: ServiceKeyService;
  usersAdmin: UsersAdminService;
}

export function createAdmin(auth: Auth): Admin {
  const { pool, sessions, loginThrottle } = auth.deps;
  return {
    serviceKeys: new ServiceKeyService(pool, auth.statusCache),
    usersAdmin: new UsersAdminService(pool, sessions, loginThrottle),
  };
}
