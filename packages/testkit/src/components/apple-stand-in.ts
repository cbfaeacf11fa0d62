import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeProtectedHeader, exportJWK, jwtVerify, SignJWT } from 'jose';
import { closeOnce } from './close-once.js';
import { CookieJar } from './cookie-jar.js';
import { boundPort, listenOnLoopback } from './ports.js';
import { escapeHtml, handleAsync, pkceChallenge, readBody, sendJson, sendText } from './stand-in-http.js';

/** Who signs in. Apple sends `email_verified` and `is_private_email` as the strings "true"/"false". */
export interface AppleAccount {
  sub: string;
  email?: string;
  email_verified?: 'true' | 'false' | boolean;
  is_private_email?: 'true' | 'false';
  /** Posted once, in the `user` form field, the first time the person authorizes the app. */
  name?: { firstName: string; lastName: string };
}

export interface StartAppleOptions {
  /** The Services ID, e.g. com.example.web. */
  clientId?: string;
  teamId?: string;
  keyId?: string;
  redirectUris?: string[];
  account?: AppleAccount;
}

/** What the authorize page would make the browser post to the app. */
export interface ApplePostedForm {
  action: URL;
  fields: URLSearchParams;
}

export interface AppleStandIn {
  /** http://127.0.0.1:PORT, discovery at `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  port: number;
  clientId: string;
  teamId: string;
  keyId: string;
  /** The developer's Sign in with Apple key (.p8, PKCS#8 PEM); the stand-in keeps the public half. */
  privateKeyPem: string;
  setRedirectUris(uris: string[]): void;
  setAccount(account: AppleAccount): void;
  /**
   * Walks the app's start URL to the authorize page and returns the form it
   * auto-submits (response_mode=form_post) without submitting it.
   */
  authorize(url: string | URL): Promise<ApplePostedForm>;
  /** Signs the following ID tokens with a key missing from the JWKS (a forgery), until set back to false. */
  signWithUnpublishedKey(on: boolean): void;
  /** Every token request's outcome, oldest first: "issued" or the OAuth error code. */
  tokenRequests: string[];
  /** The client-secret JWTs presented at the token endpoint, oldest first. */
  clientSecrets: string[];
  close(): Promise<void>;
}

interface PendingCode {
  account: AppleAccount;
  redirectUri: string;
  nonce: string | undefined;
  challenge: string | undefined;
  expiresAt: number;
  used: boolean;
}

/** Apple's ceiling for a client secret's lifetime. */
const MAX_SECRET_SECONDS = 15_777_000;
const CODE_MS = 5 * 60 * 1000;

const DEFAULT_ACCOUNT: AppleAccount = {
  sub: '001234.abcdef0123456789abcdef0123456789.0123',
  email: 'apple-user@privaterelay.appleid.com',
  email_verified: 'true',
  is_private_email: 'true',
  name: { firstName: 'Test', lastName: 'User' },
};

function decodeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Reads back the one form the authorize page renders. */
function parseForm(html: string, base: URL): ApplePostedForm {
  const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form on the authorize page: ${html.slice(0, 300)}`);
  const fields = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
    fields.append(decodeHtml(match[1] ?? ''), decodeHtml(match[2] ?? ''));
  return { action: new URL(decodeHtml(action), base), fields };
}

/**
 * A local stand-in for Sign in with Apple: discovery, JWKS, an authorize page
 * that auto-submits a form_post to the app, and a token endpoint that checks
 * the client secret the way Apple does, as an ES256 JWT from the developer's
 * key (kid, iss = team id, sub = client id, aud = the issuer, at most six
 * months). ID tokens carry Apple's string booleans.
 */
export async function startAppleStandIn(options: StartAppleOptions = {}): Promise<AppleStandIn> {
  const clientId = options.clientId ?? 'com.example.hearth.web';
  const teamId = options.teamId ?? 'TEAM123456';
  const keyId = options.keyId ?? 'KEY1234567';
  let redirectUris = [...(options.redirectUris ?? [])];
  let account = options.account ?? DEFAULT_ACCOUNT;
  const developerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKid = randomUUID();
  const unpublishedKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  let forge = false;
  const publicJwk = { ...(await exportJWK(signingKey.publicKey)), kid: signingKid, use: 'sig', alg: 'RS256' };
  const codes = new Map<string, PendingCode>();
  const authorizedBefore = new Set<string>();
  const tokenRequests: string[] = [];
  const clientSecrets: string[] = [];

  const server = createServer((req, res) => handle(req, res));
  await listenOnLoopback(server);
  const port = boundPort(server);
  const issuer = `http://127.0.0.1:${port}`;

  const discovery = {
    issuer,
    authorization_endpoint: `${issuer}/auth/authorize`,
    token_endpoint: `${issuer}/auth/token`,
    revocation_endpoint: `${issuer}/auth/revoke`,
    jwks_uri: `${issuer}/auth/keys`,
    response_types_supported: ['code', 'code id_token'],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'name'],
    token_endpoint_auth_methods_supported: ['client_secret_post'],
    claims_supported: [
      'aud',
      'email',
      'email_verified',
      'exp',
      'iat',
      'is_private_email',
      'iss',
      'nonce',
      'nonce_supported',
      'real_user_status',
      'sub',
      'transfer_sub',
    ],
  };

  const authorize = (url: URL, res: ServerResponse): void => {
    const params = url.searchParams;
    if (params.get('client_id') !== clientId) return sendText(res, 400, 'invalid_client_id');
    const redirectUri = params.get('redirect_uri') ?? '';
    if (!redirectUris.includes(redirectUri))
      return sendText(res, 400, 'invalid_request: Invalid redirect_uri');
    if (params.get('response_type') !== 'code') return sendText(res, 400, 'unsupported_response_type');
    const scopes = (params.get('scope') ?? '').split(' ');
    const wantsUserData = scopes.includes('email') || scopes.includes('name');
    if (wantsUserData && params.get('response_mode') !== 'form_post')
      return sendText(
        res,
        400,
        'invalid_request: response_mode must be form_post when name or email scope is requested',
      );
    const challenge = params.get('code_challenge') ?? undefined;
    if (challenge !== undefined && params.get('code_challenge_method') !== 'S256')
      return sendText(res, 400, 'invalid_request: code_challenge_method');
    const code = `c${randomBytes(16).toString('hex')}.0.${randomBytes(3).toString('hex')}`;
    codes.set(code, {
      account: structuredClone(account),
      redirectUri,
      nonce: params.get('nonce') ?? undefined,
      challenge,
      expiresAt: Date.now() + CODE_MS,
      used: false,
    });
    const fields: Array<[string, string]> = [['code', code]];
    const state = params.get('state');
    if (state !== null) fields.unshift(['state', state]);
    // Apple sends the name only the first time a person authorizes the app.
    if (wantsUserData && !authorizedBefore.has(account.sub)) {
      authorizedBefore.add(account.sub);
      fields.push(['user', JSON.stringify({ name: account.name, email: account.email })]);
    }
    const inputs = fields
      .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
      .join('');
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(
        `<!DOCTYPE html><html><body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(redirectUri)}">${inputs}</form></body></html>`,
      );
  };

  /** The client secret must be an ES256 JWT from the developer key, as Apple checks it. */
  const clientSecretProblem = async (secret: string, id: string): Promise<string | undefined> => {
    try {
      const header = decodeProtectedHeader(secret);
      if (header.alg !== 'ES256' || header.kid !== keyId) return 'wrong alg or kid';
      const { payload } = await jwtVerify(secret, developerKey.publicKey, {
        algorithms: ['ES256'],
        issuer: teamId,
        subject: id,
        audience: issuer,
        requiredClaims: ['iat', 'exp'],
      });
      if (payload.exp! - payload.iat! > MAX_SECRET_SECONDS) return 'lives longer than six months';
      return undefined;
    } catch (error) {
      return String(error);
    }
  };

  const token = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? ''))
      return sendJson(res, 400, { error: 'invalid_request' });
    const form = new URLSearchParams(await readBody(req));
    const refuse = (error: string) => {
      tokenRequests.push(error);
      sendJson(res, 400, { error });
    };
    const secret = form.get('client_secret') ?? '';
    clientSecrets.push(secret);
    if (form.get('client_id') !== clientId || req.headers.authorization !== undefined)
      return refuse('invalid_client');
    if ((await clientSecretProblem(secret, clientId)) !== undefined) return refuse('invalid_client');
    if (form.get('grant_type') !== 'authorization_code') return refuse('unsupported_grant_type');
    const pending = codes.get(form.get('code') ?? '');
    if (!pending || pending.used || pending.expiresAt < Date.now()) return refuse('invalid_grant');
    pending.used = true;
    if (form.get('redirect_uri') !== pending.redirectUri) return refuse('invalid_grant');
    if (
      pending.challenge !== undefined &&
      pkceChallenge(form.get('code_verifier') ?? '') !== pending.challenge
    )
      return refuse('invalid_grant');

    const { account: who, nonce } = pending;
    const idToken = await new SignJWT({
      ...(who.email === undefined ? {} : { email: who.email }),
      ...(who.email_verified === undefined ? {} : { email_verified: who.email_verified }),
      ...(who.is_private_email === undefined ? {} : { is_private_email: who.is_private_email }),
      auth_time: Math.floor(Date.now() / 1000),
      nonce_supported: true,
      ...(nonce === undefined ? {} : { nonce }),
    })
      .setProtectedHeader({ alg: 'RS256', kid: signingKid })
      .setIssuer(issuer)
      .setAudience(clientId)
      .setSubject(who.sub)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(forge ? unpublishedKey : signingKey.privateKey);
    tokenRequests.push('issued');
    sendJson(res, 200, {
      access_token: `a${randomBytes(16).toString('hex')}.0.${randomBytes(3).toString('hex')}`,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: `r${randomBytes(16).toString('hex')}.0.${randomBytes(3).toString('hex')}`,
      id_token: idToken,
    });
  };

  const handle = handleAsync(async (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration')
      return sendJson(res, 200, discovery);
    if (req.method === 'GET' && url.pathname === '/auth/keys')
      return sendJson(res, 200, { keys: [publicJwk] });
    if (req.method === 'GET' && url.pathname === '/auth/authorize') return authorize(url, res);
    if (req.method === 'POST' && url.pathname === '/auth/token') return token(req, res);
    sendText(res, 404, 'Not Found');
  });

  return {
    issuer,
    port,
    clientId,
    teamId,
    keyId,
    privateKeyPem: developerKey.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    setRedirectUris: (uris) => {
      redirectUris = [...uris];
    },
    setAccount: (next) => {
      account = structuredClone(next);
    },
    async authorize(start) {
      const jar = new CookieJar();
      let url = new URL(start);
      for (let hop = 0; hop < 10; hop++) {
        const cookie = jar.header(url);
        const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
        jar.store(url, response);
        const location = response.headers.get('location');
        if (response.status >= 300 && response.status < 400 && location !== null) {
          await response.body?.cancel();
          url = new URL(location, url);
          continue;
        }
        const body = await response.text();
        if (response.status !== 200 || url.origin !== issuer)
          throw new Error(
            `authorization stopped at ${url.href} with ${response.status}: ${body.slice(0, 300)}`,
          );
        return parseForm(body, url);
      }
      throw new Error('authorization did not reach the authorize page within 10 redirects');
    },
    signWithUnpublishedKey: (on) => {
      forge = on;
    },
    tokenRequests,
    clientSecrets,
    close: closeOnce(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  };
}
