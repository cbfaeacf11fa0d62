import { hearth } from '../../hearth.ts';

/** A service key as GET /api/admin/keys lists it: never the key itself. */
export interface ServiceKey {
  id: string;
  name: string;
  /** The start of the key, to tell keys apart (`hearth_sk_ab12…`). */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** POST /api/admin/keys answers with the key, once. */
export interface CreatedServiceKey extends ServiceKey {
  key: string;
}

export async function listServiceKeys(): Promise<ServiceKey[]> {
  const answer = await hearth.http.request<{ items: ServiceKey[] }>('GET', '/api/admin/keys');
  return answer.items;
}

export function createServiceKey(name: string): Promise<CreatedServiceKey> {
  return hearth.http.request<CreatedServiceKey>('POST', '/api/admin/keys', { body: { name } });
}

export async function revokeServiceKey(id: string): Promise<void> {
  await hearth.http.request('DELETE', `/api/admin/keys/${encodeURIComponent(id)}`);
}
