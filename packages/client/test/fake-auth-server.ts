import type { FetchLike, User } from '../src/index.js';

/**
 * An in-memory stand-in for /api/auth, for unit tests of client-side logic
 * only (timing, single-flight, storage, tab sync). The real server is
 * exercised by the e2e tests.
 */
export interface FakeAuthServerOptions {
  accessTokenTtlSeconds?: number;
}

interface FakeUser {
  id: string;
  email: string | null;
  password: string;
  mfa: boolean;
  metadata: Record<string, unknown>;
}

export interface RecordedCall {
  method: string;
  path: string;
  body: unknown;
  authorization: string | undefined;
}

/** A complete user as the server returns it. */
export function testUser(overrides: Partial<User> & { id: string }): User {
  return {
    email: null,
    emailVerified: false,
    role: 'user',
    anonymous: false,
    disabled: false,
    mfaEnabled: false,
    metadata: {},
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
    ...overrides,
  };
}

// Captured at load: the React Native runtime test hides the global URL from the SDK.
const RealURL = URL;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function fakeJwt(claims: Record<string, unknown>): string {
  return `${b64({ alg: 'EdDSA', typ: 'at+jwt' })}.${b64(claims)}.c2ln`;
}

export function createFakeAuthServer(options: FakeAuthServerOptions = {}) {
  const ttl = options.accessTokenTtlSeconds ?? 900;
  const users = new Map<string, FakeUser>();
  const refreshTokens = new Map<string, { userId: string; used: boolean }>();
  const accessTokens = new Map<string, string>();
  const calls: RecordedCall[] = [];
  let counter = 0;
  /** Set to make refresh fail: 'network' throws like fetch does offline; an object answers with that error. */
  let refreshFailure: 'network' | { status: number; code: string } | undefined;
  /** When set, refresh answers wait for this promise. */
  let refreshGate: Promise<void> | undefined;

  const issue = (user: FakeUser) => {
    counter += 1;
    const iat = Math.floor(Date.now() / 1000);
    const accessToken = fakeJwt({ sub: user.id, iat, exp: iat + ttl, n: counter });
    const refreshToken = `rt-${counter}`;
    accessTokens.set(accessToken, user.id);
    refreshTokens.set(refreshToken, { userId: user.id, used: false });
    return { accessToken, refreshToken, expiresAt: iat + ttl, tokenType: 'Bearer' as const };
  };
  const publicUser = (u: FakeUser) =>
    testUser({
      id: u.id,
      email: u.email,
      anonymous: u.email === null,
      mfaEnabled: u.mfa,
      metadata: u.metadata,
    });
  const json = (status: number, body?: unknown) =>
    new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  const error = (status: number, code: string) => json(status, { error: { code, message: code } });
  const userFor = (authorization: string | undefined) => {
    const token = authorization?.replace(/^Bearer /, '');
    const id = token === undefined ? undefined : accessTokens.get(token);
    const exp =
      token === undefined
        ? 0
        : (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp;
    if (id === undefined || exp * 1000 <= Date.now()) return undefined;
    return [...users.values()].find((u) => u.id === id);
  };

  const fetch: FetchLike = async (url, init) => {
    const { pathname } = new RealURL(url);
    const method = init.method ?? 'GET';
    const body: unknown = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const authorization = (init.headers as Record<string, string> | undefined)?.['authorization'];
    calls.push({ method, path: pathname, body, authorization });
    const input = (body ?? {}) as Record<string, string>;
    const route = `${method} ${pathname.replace(/^\/api\/auth/, '')}`;

    switch (route) {
      case 'POST /signup': {
        const user: FakeUser = {
          id: `u${users.size + 1}`,
          email: input['email']!,
          password: input['password']!,
          mfa: false,
          metadata: {},
        };
        users.set(user.email!, user);
        return json(201, { user: publicUser(user), session: issue(user) });
      }
      case 'POST /anonymous': {
        const user: FakeUser = {
          id: `anon${users.size + 1}`,
          email: null,
          password: '',
          mfa: false,
          metadata: {},
        };
        users.set(user.id, user);
        return json(200, { user: publicUser(user), session: issue(user) });
      }
      case 'POST /login': {
        const user = users.get(input['email']!);
        if (user === undefined || user.password !== input['password'])
          return error(401, 'auth/invalid-credentials');
        if (user.mfa) return json(200, { mfa: { ticket: `ticket-${user.id}`, methods: ['totp'] } });
        return json(200, { user: publicUser(user), session: issue(user) });
      }
      case 'POST /mfa/verify': {
        const user = [...users.values()].find((u) => `ticket-${u.id}` === input['ticket']);
        if (user === undefined || input['code'] !== '123456') return error(401, 'auth/invalid-mfa-code');
        return json(200, { user: publicUser(user), session: issue(user) });
      }
      case 'POST /refresh': {
        if (refreshGate !== undefined) await refreshGate;
        if (refreshFailure === 'network') throw new TypeError('fetch failed');
        if (refreshFailure !== undefined) return error(refreshFailure.status, refreshFailure.code);
        const entry = refreshTokens.get(input['refreshToken']!);
        if (entry === undefined) return error(401, 'auth/invalid-refresh-token');
        if (entry.used) return error(401, 'auth/refresh-token-reused');
        entry.used = true;
        const user = [...users.values()].find((u) => u.id === entry.userId)!;
        return json(200, { session: issue(user) });
      }
      case 'POST /oauth/exchange': {
        if (input['code'] !== 'good-code') return error(400, 'auth/invalid-oauth-code');
        const user: FakeUser = {
          id: 'oauth1',
          email: 'o@example.com',
          password: '',
          mfa: false,
          metadata: {},
        };
        users.set(user.email!, user);
        return json(200, { user: publicUser(user), session: issue(user) });
      }
      case 'POST /logout':
      case 'POST /logout-all':
        return json(204);
      case 'GET /me': {
        const user = userFor(authorization);
        return user === undefined ? error(401, 'auth/invalid-token') : json(200, { user: publicUser(user) });
      }
      case 'PATCH /me': {
        const user = userFor(authorization);
        if (user === undefined) return error(401, 'auth/invalid-token');
        const metadata = (body as { metadata?: Record<string, unknown> } | undefined)?.metadata;
        if (metadata !== undefined) user.metadata = metadata;
        return json(200, { user: publicUser(user) });
      }
      default:
        return error(404, 'http/not-found');
    }
  };

  return {
    fetch,
    calls,
    callsTo: (path: string) => calls.filter((c) => c.path === `/api/auth${path}`),
    addUser(email: string, password: string, extra: { mfa?: boolean } = {}) {
      users.set(email, { id: `u${users.size + 1}`, email, password, mfa: extra.mfa ?? false, metadata: {} });
    },
    /** Makes the given access token unknown, as if the server had rotated keys. */
    forgetAccessToken: (token: string) => accessTokens.delete(token),
    failRefresh(failure: typeof refreshFailure) {
      refreshFailure = failure;
    },
    holdRefresh(): () => void {
      let release!: () => void;
      refreshGate = new Promise((resolve) => (release = resolve));
      return () => {
        refreshGate = undefined;
        release();
      };
    },
  };
}

export type FakeAuthServer = ReturnType<typeof createFakeAuthServer>;
