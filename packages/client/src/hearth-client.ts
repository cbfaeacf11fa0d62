import { AuthClient } from './auth-client.js';
import { resolveClientOptions, type HearthClientOptions } from './client-options.js';
import { HttpClient } from './http-client.js';

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
