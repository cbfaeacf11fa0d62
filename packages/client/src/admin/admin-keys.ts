import type { HttpClient } from '../http-client.js';
import type { CreatedServiceKey, CreateServiceKeyParams, ServiceKey } from './admin-types.js';
import { adminPath } from './admin-path.js';

/** `client.admin.keys`: service keys, stored hashed and shown once. */
export class AdminKeysClient {
  constructor(private readonly http: HttpClient) {}

  /** Creates a key; the answer carries `key`, which is never shown again. */
  create(params: CreateServiceKeyParams): Promise<CreatedServiceKey> {
    return this.http.request<CreatedServiceKey>('POST', adminPath('keys'), { body: params });
  }

  /** The keys that are not revoked. */
  async list(): Promise<ServiceKey[]> {
    return (await this.http.request<{ items: ServiceKey[] }>('GET', adminPath('keys'))).items;
  }

  /** Revokes a key: it stops working at once. */
  async revoke(id: string): Promise<void> {
    await this.http.request<void>('DELETE', adminPath('keys', id));
  }
}
