/**
 * What a command authenticates with: a service key, or the admin session
 * `hearth login --email` saved. The API client asks it for the Authorization
 * header, and once per request after a 401 whether a fresh one can be had.
 */
export interface Credential {
  /** For messages: "service key", "saved session of ops@example.com". */
  readonly description: string;
  /** What to do when the server refuses it, for the error line. */
  readonly fix: string;
  authorization(): Promise<string>;
  /** After a 401: true when a fresh token was obtained and the request may be sent again. */
  renew(): Promise<boolean>;
}

export function serviceKeyCredential(key: string): Credential {
  return {
    description: 'service key',
    fix: 'check HEARTH_SERVICE_KEY or run `hearth login` again',
    authorization: () => Promise.resolve(`Bearer ${key}`),
    renew: () => Promise.resolve(false),
  };
}
