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
 * The CLI's one HTTP client (global fetch). Connection failures, timeouts and
 * rejected credentials become exit code 3 with a hint; other error answers
 * (and a 401 to a request sent without credentials) are ApiErrors for the
 * command to map.
 */
export class ApiClient {
  private readonly credential: Credential | undefined;

  constructor(
    readonly url: string,
    credential: Credential | string | undefined,
  ) {
    this.credential = typeof credential === 'string' ? serviceKeyCredential(credential) : credential;
  }

  static for(target: ServerTarget): ApiClient {
    return new ApiClient(target.url, target.credential);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const credential = options.anonymous ? undefined : this.credential;
    let response = await this.send(method, path, options, credential);
    // An access token that expired early, or was refreshed by another run: renew once and resend.
    if (response.status === 401 && credential && (await credential.renew())) {
      await response.arrayBuffer();
      response = await this.send(method, path, options, credential);
    }
    return this.answer<T>(response, credential);
  }

  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    credential: Credential | undefined,
  ): Promise<Response> {
    const url = new URL(path, `${this.url}/`);
    for (const [name, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (credential) headers.authorization = await credential.authorization();
    if (options.body !== undefined) headers['content-type'] = 'application/json';

    try {
      return await fetch(url, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new CliError(
        `cannot reach ${this.url} (${describeFetchError(error)}); ${hint()}`,
        EXIT.unreachable,
      );
    }
  }

  private async answer<T>(response: Response, credential: Credential | undefined): Promise<T> {
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed as T;

    const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
      ?.error;
    const code = typeof error?.code === 'string' ? error.code : `http/${response.status}`;
    const message = typeof error?.message === 'string' ? error.message : response.statusText;
    if (response.status === 401 && credential) {
      throw new CliError(
        `${this.url} rejected the ${credential.description} (${code}); ${credential.fix}`,
        EXIT.unreachable,
      );
    }
    if (response.status === 403 && (code === 'auth/forbidden' || code === 'auth/unauthenticated')) {
      throw new CliError(
        `${this.url} does not allow this ${credential?.description ?? 'request'} to do that (${code}); use a service key or an admin's credentials`,
        EXIT.unreachable,
      );
    }
    if (error === undefined) {
      throw new CliError(
        `${this.url} answered ${response.status} ${response.statusText}, not a Hearth API response; check the URL`,
        EXIT.unreachable,
      );
    }
    throw new ApiError(response.status, code, message, error.details);
  }
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
