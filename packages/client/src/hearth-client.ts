import { AdminClient } from './admin/admin-client.js';
import { AuthClient } from './auth-client.js';
import { runBatch, type BatchOperation, type BatchOptions, type BatchResults } from './batch.js';
import { resolveClientOptions, type HearthClientOptions } from './client-options.js';
import { CollectionClient } from './collection-client.js';
import { HttpClient } from './http-client.js';
import type { CollectionName } from './record-types.js';

/**
 * The Hearth SDK: small sub-clients over one shared HttpClient. The auth
 * client owns the session and supplies its token to every request, so each
 * sub-client added later (collections, storage, realtime, push) only needs
 * `http` to be authenticated.
 *
 * `Schema` is the generated type of the server's schema document; it types
 * the collection API.
 */
// `any` by default: with no generated schema type every collection name and field is allowed.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class HearthClient<Schema = any> {
  /** The shared HTTP client: every sub-client's requests go through it. */
  readonly http: HttpClient;
  readonly auth: AuthClient;
  /** The admin API: users, service keys, the mail outbox, the schema (an admin's session or a service key). */
  readonly admin: AdminClient;
  /** @internal Carries the schema type for the typed sub-clients. */
  declare readonly schema?: Schema;

  constructor(url: string, options: HearthClientOptions = {}) {
    const resolved = resolveClientOptions(url, options);
    this.http = new HttpClient({
      url,
      headers: resolved.headers,
      ...(resolved.fetch === undefined ? {} : { fetch: resolved.fetch }),
    });
    this.auth = new AuthClient({
      http: this.http,
      storage: resolved.storage,
      storageKey: resolved.storageKey,
      autoRefresh: resolved.autoRefresh,
      refreshMarginSeconds: resolved.refreshMarginSeconds,
      tabSync: resolved.tabSync,
      ...(resolved.lock === undefined ? {} : { lock: resolved.lock }),
    });
    this.admin = new AdminClient(this.http);
  }

  /**
   * The records of one collection. With a generated `Schema`, an unknown
   * name is a compile error and records, inputs, `fields` and `expand` are typed.
   */
  collection<Name extends CollectionName<Schema>>(name: Name): CollectionClient<Schema, Name> {
    return new CollectionClient<Schema, Name>(this.http, name);
  }

  /**
   * Runs record operations in one transaction (at most 100): all are applied
   * or none. Resolves their results in order (null for a delete).
   *
   * ```ts
   * const [post, , ] = await hearth.batch([
   *   { action: 'create', collection: 'posts', data: { title: 'Hi', owner } },
   *   { action: 'update', collection: 'posts', id, data: { published: true } },
   *   { action: 'delete', collection: 'comments', id: commentId },
   * ]);
   * ```
   */
  async batch<const Operations extends readonly BatchOperation<Schema>[]>(
    operations: Operations,
    options: BatchOptions = {},
  ): Promise<BatchResults<Schema, Operations>> {
    return (await runBatch(this.http, operations, options)) as BatchResults<Schema, Operations>;
  }

  /** Stops the refresh timer and tab sync (for tests and short-lived scripts). The stored session stays. */
  close(): void {
    this.auth.close();
  }
}

/** Creates a client for the Hearth server at `url` (e.g. `http://localhost:8090`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function createClient<Schema = any>(
  url: string,
  options: HearthClientOptions = {},
): HearthClient<Schema> {
  return new HearthClient<Schema>(url, options);
}
