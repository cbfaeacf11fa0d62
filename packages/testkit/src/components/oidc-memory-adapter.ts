import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  expiresAt: number | undefined;
}

/**
 * oidc-provider storage kept in memory per provider instance. Clients are not
 * stored: they are read from `clientMetadata` on every lookup, which lets a
 * test change the redirect URIs after the provider has started (the app's
 * callback URL is only known once the app listens).
 */
export function memoryAdapterFactory(
  clientMetadata: (clientId: string) => AdapterPayload | undefined,
): (model: string) => Adapter {
  const entries = new Map<string, Entry>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  const byGrant = new Map<string, Set<string>>();

  const read = (key: string): AdapterPayload | undefined => {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.payload;
  };

  return (model) => {
    if (model === 'Client') {
      return {
        find: async (id) => clientMetadata(id),
        upsert: async () => {},
        findByUid: async () => undefined,
        findByUserCode: async () => undefined,
        consume: async () => {},
        destroy: async () => {},
        revokeByGrantId: async () => {},
      };
    }
    const keyOf = (id: string): string => `${model}:${id}`;
    return {
      upsert: async (id, payload, expiresIn) => {
        const key = keyOf(id);
        entries.set(key, {
          payload,
          expiresAt: expiresIn === undefined ? undefined : Date.now() + expiresIn * 1000,
        });
        if (payload.uid !== undefined) byUid.set(payload.uid, id);
        if (payload.userCode !== undefined) byUserCode.set(payload.userCode, id);
        if (payload.grantId !== undefined) {
          const members = byGrant.get(payload.grantId) ?? new Set();
          members.add(key);
          byGrant.set(payload.grantId, members);
        }
      },
      find: async (id) => read(keyOf(id)),
      findByUid: async (uid) => {
        const id = byUid.get(uid);
        return id === undefined ? undefined : read(keyOf(id));
      },
      findByUserCode: async (userCode) => {
        const id = byUserCode.get(userCode);
        return id === undefined ? undefined : read(keyOf(id));
      },
      consume: async (id) => {
        const payload = read(keyOf(id));
        if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => void entries.delete(keyOf(id)),
      revokeByGrantId: async (grantId) => {
        for (const key of byGrant.get(grantId) ?? []) entries.delete(key);
        byGrant.delete(grantId);
      },
    };
  };
}
