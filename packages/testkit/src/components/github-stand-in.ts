import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { closeOnce } from './close-once.js';
import { followAuthorization } from './follow-authorization.js';
import { boundPort, listenOnLoopback } from './ports.js';
import { handleAsync, pkceChallenge, readBody, sendJson, sendText } from './stand-in-http.js';

export interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/** The GitHub user every following sign-in completes as. */
export interface GitHubAccount {
  /** GitHub's numeric user id: what Hearth keys the identity on. */
  id: number;
  login: string;
  emails: GitHubEmail[];
}

/** A canned answer for an API path, in place of the real one (a GitHub outage, a broken proxy). */
export interface GitHubFault {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export type GitHubApiPath = '/user' | '/user/emails';

export interface StartGitHubOptions {
  clientId?: string;
  clientSecret?: string;
  /** Can also be set later with setRedirectUris, once the app's port is known. */
  redirectUris?: string[];
  account?: GitHubAccount;
}

export interface GitHubStandIn {
  /** http://127.0.0.1:PORT: what Hearth takes as a GitHub Enterprise Server "baseUrl". */
  baseUrl: string;
  port: number;
  clientId: string;
  clientSecret: string;
  setRedirectUris(uris: string[]): void;
  setAccount(account: GitHubAccount): void;
  /** Answers `path` with `fault` until cleared with undefined. */
  setFault(path: GitHubApiPath, fault: GitHubFault | undefined): void;
  /** Every token request's outcome, oldest first: "issued" or GitHub's error code. */
  tokenRequests: string[];
  /**
   * Walks the app's start URL (or an authorize URL) and returns the redirect
   * to a registered callback, carrying `code` and `state` (or `error`).
   */
  followAuthorization(url: string | URL): Promise<URL>;
  close(): Promise<void>;
}

interface PendingCode {
  account: GitHubAccount;
  redirectUri: string;
  challenge: string;
  scope: string;
  expiresAt: number;
  used: boolean;
}

const DEFAULT_ACCOUNT: GitHubAccount = {
  id: 1001,
  login: 'octo-test',
  emails: [{ email: 'octo-test@example.test', primary: true, verified: true }],
};

const CODE_MS = 10 * 60 * 1000;
const DOCS = 'https://docs.github.com/rest';

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * A local stand-in for GitHub's OAuth web flow and the two REST calls Hearth
 * makes, laid out as a GitHub Enterprise Server (`/login/oauth/…`,
 * `/api/v3/…`). It checks what GitHub checks (client id and secret, the
 * registered redirect URI, single-use codes) plus the PKCE challenge, and
 * keeps GitHub's quirks: token errors come back as 200 with an `error` field,
 * and the token answer is form-encoded unless the client asks for JSON.
 */
export async function startGitHubStandIn(options: StartGitHubOptions = {}): Promise<GitHubStandIn> {
  const clientId = options.clientId ?? `Iv1.${randomBytes(8).toString('hex')}`;
  const clientSecret = options.clientSecret ?? randomBytes(20).toString('hex');
  let redirectUris = [...(options.redirectUris ?? [])];
  let account = options.account ?? DEFAULT_ACCOUNT;
  const codes = new Map<string, PendingCode>();
  const tokens = new Map<string, { account: GitHubAccount; scope: string }>();
  const faults = new Map<GitHubApiPath, GitHubFault>();
  const tokenRequests: string[] = [];

  const authorize = (url: URL, res: ServerResponse): void => {
    const params = url.searchParams;
    if (params.get('client_id') !== clientId) return sendText(res, 404, 'Not Found: unknown client_id');
    const redirectUri = params.get('redirect_uri') ?? redirectUris[0] ?? '';
    if (!redirectUris.includes(redirectUri))
      return sendText(
        res,
        400,
        'The redirect_uri MUST match the registered callback URL for this application.',
      );
    const challenge = params.get('code_challenge');
    if (!challenge || params.get('code_challenge_method') !== 'S256')
      return sendText(res, 400, 'This stand-in requires PKCE with code_challenge_method=S256.');
    const code = randomBytes(10).toString('hex');
    codes.set(code, {
      account: structuredClone(account),
      redirectUri,
      challenge,
      scope: params.get('scope') ?? '',
      expiresAt: Date.now() + CODE_MS,
      used: false,
    });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    const state = params.get('state');
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.href }).end();
  };

  const accessToken = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const form = new URLSearchParams(await readBody(req));
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    const answer = (body: Record<string, string>) => {
      tokenRequests.push(body.error ?? 'issued');
      // GitHub answers errors with 200 too.
      if (wantsJson) return sendJson(res, 200, body);
      res
        .writeHead(200, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' })
        .end(new URLSearchParams(body).toString());
    };
    const error = (code: string, description: string) =>
      answer({ error: code, error_description: description, error_uri: `${DOCS}#${code}` });

    if (req.headers.authorization !== undefined)
      return error(
        'incorrect_client_credentials',
        'This stand-in takes client credentials in the body only.',
      );
    if (form.get('client_id') !== clientId || !sameSecret(form.get('client_secret') ?? '', clientSecret))
      return error(
        'incorrect_client_credentials',
        'The client_id and/or client_secret passed are incorrect.',
      );
    const code = form.get('code') ?? '';
    const pending = codes.get(code);
    if (!pending || pending.used || pending.expiresAt < Date.now())
      return error('bad_verification_code', 'The code passed is incorrect or expired.');
    pending.used = true;
    const redirectUri = form.get('redirect_uri');
    if (redirectUri !== null && redirectUri !== pending.redirectUri)
      return error('redirect_uri_mismatch', 'The redirect_uri MUST match the registered callback URL.');
    if (pkceChallenge(form.get('code_verifier') ?? '') !== pending.challenge)
      return error('bad_verification_code', 'The code_verifier does not match the code_challenge.');
    const token = `gho_${randomBytes(18).toString('base64url')}`;
    tokens.set(token, { account: pending.account, scope: pending.scope });
    answer({ access_token: token, token_type: 'bearer', scope: pending.scope.split(/[ ,]+/).join(',') });
  };

  const api = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    if (!req.headers['user-agent'])
      return sendText(
        res,
        403,
        'Request forbidden by administrative rules. Please make sure your request has a User-Agent header.',
      );
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    const grant = token && /^(bearer|token)$/i.test(scheme ?? '') ? tokens.get(token) : undefined;
    if (!grant)
      return sendJson(res, 401, { message: 'Bad credentials', documentation_url: DOCS, status: '401' });
    const fault = faults.get(path as GitHubApiPath);
    if (fault) return void res.writeHead(fault.status, fault.headers ?? {}).end(fault.body);
    const { account: user } = grant;
    if (path === '/user') {
      return sendJson(res, 200, {
        login: user.login,
        id: user.id,
        node_id: `U_${user.id}`,
        type: 'User',
        name: null,
        email: user.emails.find((e) => e.primary)?.email ?? null,
      });
    }
    if (path === '/user/emails') {
      if (!grant.scope.split(/[ ,]+/).includes('user:email'))
        return sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
      return sendJson(
        res,
        200,
        user.emails.map((e) => ({ ...e, visibility: e.primary ? 'private' : null })),
      );
    }
    sendJson(res, 404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
  };

  const server = createServer(
    handleAsync(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') return authorize(url, res);
      if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') return accessToken(req, res);
      if (req.method === 'GET' && url.pathname.startsWith('/api/v3/'))
        return api(req, res, url.pathname.slice('/api/v3'.length));
      sendText(res, 404, 'Not Found');
    }),
  );
  await listenOnLoopback(server);
  const port = boundPort(server);
  const isCallback = (url: URL): boolean => redirectUris.includes(`${url.origin}${url.pathname}`);

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    clientId,
    clientSecret,
    setRedirectUris: (uris) => {
      redirectUris = [...uris];
    },
    setAccount: (next) => {
      account = structuredClone(next);
    },
    setFault: (path, fault) => {
      if (fault) faults.set(path, fault);
      else faults.delete(path);
    },
    tokenRequests,
    followAuthorization: (url) => followAuthorization(url, { isCallback }),
    close: closeOnce(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  };
}
