import { STATUS_CODES } from 'node:http';
import {
  AdminClient,
  HearthError,
  HttpClient,
  type AccessTokenSource,
  type HttpMethod,
  type RequestOptions as SdkRequestOptions,
} from '@hearth/client';
import { CliError, EXIT } from '../cli-error.js';
import type { ServerTarget } from '../config/credentials.js';
import { serviceKeyCredential, type Credential } from './credential.js';

/** An error answer from the server: `{"error":{"code","message","details"?}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    /** The server's own message, e.g. "The schema is at version 4, not 3." */
    readonly serverMessage: string,
    readonly details: unknown,
  ) {
    super(`the server refused the request (${code}): ${serverMessage}`);
    this.name = 'ApiError';
  }
}

const REQUEST_TIMEOUT_MS = 60_000;

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  /** Send no Authorization header (the first-admin setup). */
  anonymous?: boolean;
}

/**
 * The CLI's one HTTP client: `@hearth/client`'s, so the CLI reads the same
 * wire types as every other caller, with the CLI's errors. Connection
 * failures, timeouts and rejected credentials become exit code 3 with a hint;
 * other error answers (and a 401 to a request sent without credentials) are
 * ApiErrors for the command to map.
 */
export class ApiClient {
  /** The admin API (`/api/admin`), as the SDK's `client.admin`. */
  readonly admin: AdminClient;
  private readonly http: CliHttpClient;

  constructor(
    readonly url: string,
    credential: Credential | string | undefined,
  ) {
    this.http = new CliHttpClient(
      url,
      typeof credential === 'string' ? serviceKeyCredential(credential) : credential,
    );
    this.admin = new AdminClient(this.http);
  }

  static for(target: ServerTarget): ApiClient {
    return new ApiClient(target.url, target.credential);
  }

  /** Any other call (`/api/auth`): the parsed JSON answer. */
  request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    return this.http.request<T>(method, path, {
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.query === undefined ? {} : { query: options.query }),
      auth: options.anonymous ? 'none' : 'session',
    });
  }
}

/** The SDK's HTTP client, authenticated by a CLI credential, failing with the CLI's errors. */
class CliHttpClient extends HttpClient {
  constructor(
    private readonly serverUrl: string,
    private readonly credential: Credential | undefined,
  ) {
    super({ url: serverUrl, headers: { accept: 'application/json' }, fetch: fetchWithTimeout });
    if (credential) this.setAccessTokenSource(tokenSourceOf(credential));
  }

  override async request<T>(method: HttpMethod, path: string, options: SdkRequestOptions = {}): Promise<T> {
    try {
      return await super.request<T>(method, path, options);
    } catch (error) {
      throw this.cliError(error, options.auth === 'none' ? undefined : this.credential);
    }
  }

  override async send(method: HttpMethod, path: string, options: SdkRequestOptions = {}): Promise<Response> {
    try {
      return await super.send(method, path, options);
    } catch (error) {
      throw this.cliError(error, options.auth === 'none' ? undefined : this.credential);
    }
  }

  private cliError(error: unknown, credential: Credential | undefined): unknown {
    if (!(error instanceof HearthError)) return error;
    const { status, code } = error;
    if (code === 'client/network' || code === 'client/aborted')
      return new CliError(
        `cannot reach ${this.serverUrl} (${describeFetchError(error.cause)}); ${hint()}`,
        EXIT.unreachable,
      );
    if (status === 401 && credential)
      return new CliError(
        `${this.serverUrl} rejected the ${credential.description} (${code}); ${credential.fix}`,
        EXIT.unreachable,
      );
    if (status === 403 && (code === 'auth/forbidden' || code === 'auth/unauthenticated'))
      return new CliError(
        `${this.serverUrl} does not allow this ${credential?.description ?? 'request'} to do that (${code}); use a service key or an admin's credentials`,
        EXIT.unreachable,
      );
    if (code === 'client/invalid-response')
      return new CliError(
        `${this.serverUrl} answered ${status} ${STATUS_CODES[status] ?? ''}, not a Hearth API response; check the URL`,
        EXIT.unreachable,
      );
    return new ApiError(status, code, error.message, error.details);
  }
}

/** The credential as the SDK's token source: the token now, and a fresh one once after a 401. */
function tokenSourceOf(credential: Credential): AccessTokenSource {
  const token = async () => (await credential.authorization()).replace(/^Bearer /, '');
  return {
    getAccessToken: token,
    refreshAfterUnauthorized: async () => ((await credential.renew()) ? token() : null),
  };
}

function fetchWithTimeout(input: string, init: RequestInit): Promise<Response> {
  return fetch(input, { ...init, signal: init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function hint(): string {
  return 'is the server running, and is HEARTH_URL (or `hearth login --url`) right?';
}
