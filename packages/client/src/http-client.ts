import { HearthError } from './hearth-error.js';
import { encodeQuery, normalizeHttpUrl, type QueryValue } from './url-params.js';

/** Any WHATWG fetch: the global one, undici's, React Native's, or a test double. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Whatever the runtime's fetch accepts as a body. */
type FetchBody = NonNullable<RequestInit['body']>;

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type { QueryValue };

/**
 * How a request is authenticated: `'session'` (default) sends the signed-in
 * user's access token, refreshing it first when it is about to expire;
 * `'none'` sends no token; `{ bearer }` sends exactly that token.
 */
export type RequestAuth = 'session' | 'none' | { bearer: string };

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Sent as JSON, unless it is already a body fetch understands (FormData, Blob, URLSearchParams, bytes, string). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  auth?: RequestAuth;
}

/** Supplies access tokens to the HTTP client; the auth client implements it. */
export interface AccessTokenSource {
  /** The token to send now, refreshed first if it is about to expire; null when signed out. */
  getAccessToken(): Promise<string | null>;
  /**
   * Called once when a request sent with `rejectedToken` came back 401.
   * Returns a different token to retry with, or null to give up.
   */
  refreshAfterUnauthorized?(rejectedToken: string): Promise<string | null>;
}

export interface HttpClientOptions {
  /** The server's base URL, e.g. `http://localhost:8090`. */
  url: string;
  fetch?: FetchLike;
  /** Sent with every request (a request's own headers win). */
  headers?: Record<string, string>;
}

/**
 * The one HTTP client every sub-client shares: it builds URLs, attaches the
 * bearer token, and turns every failure into a HearthError with a stable code.
 */
export class HttpClient {
  readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly defaultHeaders: Record<string, string>;
  private tokenSource: AccessTokenSource | undefined;

  constructor(options: HttpClientOptions) {
    this.baseUrl = normalizeBaseUrl(options.url);
    this.fetchImpl = options.fetch ?? defaultFetch();
    this.defaultHeaders = { ...options.headers };
  }

  /** Where session tokens come from; set once by the client that owns the session. */
  setAccessTokenSource(source: AccessTokenSource | undefined): void {
    this.tokenSource = source;
  }

  /** The absolute URL for an API path, with query parameters (undefined and null values are left out). */
  url(path: string, query?: Record<string, QueryValue>): string {
    const target = `${this.baseUrl}${path.startsWith('/') ? path : `/${path}`}`;
    const search = query === undefined ? '' : encodeQuery(query);
    return search === '' ? target : `${target}${target.includes('?') ? '&' : '?'}${search}`;
  }

  /** Sends a request and returns the parsed JSON body (undefined for an empty body). */
  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    return (await readJson(response)) as T;
  }

  /**
   * Sends a request and returns the raw Response once its status is 2xx
   * (for downloads and streams); non-2xx answers reject with a HearthError.
   */
  async send(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<Response> {
    const auth = options.auth ?? 'session';
    const token = await this.tokenFor(auth);
    const response = await this.fetchOnce(method, path, options, token);
    if (response.ok) return response;
    const error = await errorFromResponse(response);
    if (auth === 'session' && token !== null && isStaleTokenError(error) && isReplayable(options.body)) {
      const retryToken = await this.tokenSource?.refreshAfterUnauthorized?.(token);
      if (retryToken !== null && retryToken !== undefined && retryToken !== token) {
        const retried = await this.fetchOnce(method, path, options, retryToken);
        if (retried.ok) return retried;
        throw await errorFromResponse(retried);
      }
    }
    throw error;
  }

  private async tokenFor(auth: RequestAuth): Promise<string | null> {
    if (auth === 'none') return null;
    if (auth !== 'session') return auth.bearer;
    return (await this.tokenSource?.getAccessToken()) ?? null;
  }

  private async fetchOnce(
    method: HttpMethod,
    path: string,
    options: RequestOptions,
    token: string | null,
  ): Promise<Response> {
    const headers: Record<string, string> = { ...this.defaultHeaders };
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    let body: FetchBody | undefined;
    if (options.body !== undefined) {
      if (isBodyInit(options.body)) {
        body = options.body;
      } else {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
    }
    if (options.headers !== undefined) Object.assign(headers, options.headers);
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = body;
    if (options.signal !== undefined) init.signal = options.signal;

    try {
      return await this.fetchImpl(this.url(path, options.query), init);
    } catch (error) {
      throw errorFromFetchFailure(error, options.signal);
    }
  }
}

function normalizeBaseUrl(url: string): string {
  const normalized = normalizeHttpUrl(url);
  if (normalized === undefined) {
    throw new TypeError(
      `Hearth: "${url}" is not an http:// or https:// URL (expected e.g. http://localhost:8090)`,
    );
  }
  return normalized;
}

function defaultFetch(): FetchLike {
  const candidate = (globalThis as { fetch?: FetchLike }).fetch;
  if (typeof candidate !== 'function') {
    throw new TypeError('Hearth: no global fetch in this runtime; pass one as createClient(url, { fetch })');
  }
  // Called unbound, some runtimes' fetch throws "Illegal invocation".
  return (input, init) => candidate.call(globalThis, input, init);
}

function isBodyInit(body: unknown): body is FetchBody {
  if (typeof body === 'string') return true;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return true;
  return (
    isInstance(body, 'FormData') ||
    isInstance(body, 'Blob') ||
    isInstance(body, 'URLSearchParams') ||
    isInstance(body, 'ReadableStream')
  );
}

/**
 * 401s that say the token itself is no good (expired, revoked, signed with a
 * retired key): worth one refresh and retry. A wrong password is not.
 */
const STALE_TOKEN_CODES = new Set(['auth/invalid-token', 'auth/token-expired', 'auth/session-revoked']);

function isStaleTokenError(error: HearthError): boolean {
  return error.status === 401 && STALE_TOKEN_CODES.has(error.code);
}

/** Streams can be read only once, so a request carrying one is never retried. */
function isReplayable(body: unknown): boolean {
  return !isInstance(body, 'ReadableStream');
}

function isInstance(value: unknown, globalName: string): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const ctor = (globalThis as Record<string, unknown>)[globalName];
  // A missing or half-implemented global (React Native polyfills) must not make instanceof throw.
  if (typeof ctor !== 'function' || typeof ctor.prototype !== 'object' || ctor.prototype === null)
    return false;
  try {
    return value instanceof (ctor as new (...args: never[]) => unknown);
  } catch {
    return false;
  }
}

function errorFromFetchFailure(error: unknown, signal: AbortSignal | undefined): HearthError {
  const name = (error as { name?: unknown } | null)?.name;
  if (signal?.aborted === true || name === 'AbortError' || name === 'TimeoutError') {
    return new HearthError('client/aborted', 'The request was aborted.', 0, undefined, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new HearthError('client/network', `Could not reach the Hearth server: ${reason}`, 0, undefined, {
    cause: error,
  });
}

async function readText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw errorFromFetchFailure(error, undefined);
  }
}

/** The parsed JSON body of a 2xx response (undefined when empty). */
export async function readJson(response: Response): Promise<unknown> {
  if (response.status === 204 || response.status === 205) return undefined;
  const text = await readText(response);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HearthError(
      'client/invalid-response',
      `The server answered ${response.status} with a body that is not JSON.`,
      response.status,
      { body: text.slice(0, 500) },
      { cause: error },
    );
  }
}

interface ErrorBody {
  error: { code: string; message?: unknown; details?: unknown };
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  return (
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
  );
}

/** Maps a non-2xx response to a HearthError, keeping the server's code, status and details. */
export async function errorFromResponse(response: Response): Promise<HearthError> {
  const text = await readText(response);
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  const extra = retryAfter === undefined ? undefined : { retryAfter };
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (isErrorBody(parsed)) {
    const { code, message, details } = parsed.error;
    return new HearthError(
      code,
      typeof message === 'string' ? message : code,
      response.status,
      details,
      extra,
    );
  }
  return new HearthError(
    'client/invalid-response',
    `The server answered ${response.status} without a Hearth error body.`,
    response.status,
    text === '' ? undefined : { body: text.slice(0, 500) },
    extra,
  );
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
