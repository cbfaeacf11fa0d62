import { describe, expectTypeOf, it } from 'vitest';
import {
  createClient,
  type AuthChangeEvent,
  type ErrorCode,
  type HearthClient,
  type HearthError,
  type KnownErrorCode,
  type Session,
  type SessionStorage,
  type SignInResult,
  type User,
} from './index.js';

describe('error codes', () => {
  it('keep the known codes (so editors autocomplete them) yet accept any string', () => {
    // If ErrorCode collapsed to plain `string`, this Extract would be `never`.
    expectTypeOf<Extract<ErrorCode, KnownErrorCode>>().toEqualTypeOf<KnownErrorCode>();
    expectTypeOf<'validation/failed'>().toExtend<ErrorCode>();
    expectTypeOf<'auth/added-by-a-newer-server'>().toExtend<ErrorCode>();
    expectTypeOf<'auth/added-by-a-newer-server'>().not.toExtend<KnownErrorCode>();
  });

  it("HearthError.code also knows the client's own codes", () => {
    expectTypeOf<Extract<HearthError['code'], 'client/network'>>().toEqualTypeOf<'client/network'>();
    expectTypeOf<Extract<HearthError['code'], 'http/rate-limited'>>().toEqualTypeOf<'http/rate-limited'>();
    expectTypeOf<HearthError['status']>().toEqualTypeOf<number>();
  });
});

describe('the auth API', () => {
  const hearth = createClient('http://localhost:8090');

  it('createClient carries the schema type', () => {
    type Schema = { collections: { posts: { title: string } } };
    expectTypeOf(createClient<Schema>('http://localhost:8090')).toEqualTypeOf<HearthClient<Schema>>();
  });

  it('rejects unknown options and accepts an async store', () => {
    // @ts-expect-error: a typo is a compile error, not a silently ignored option
    createClient('http://localhost:8090', { autoRefreshToken: false });
    const asyncStore = {
      getItem: async (_key: string) => null,
      setItem: async (_key: string, _value: string) => {},
      removeItem: async (_key: string) => {},
    };
    expectTypeOf(asyncStore).toExtend<SessionStorage>();
  });

  it('signIn needs an email and a password, and its result narrows on `mfa`', async () => {
    // @ts-expect-error: password missing
    void hearth.auth.signIn({ email: 'a@example.com' });
    const result = await hearth.auth.signIn({ email: 'a@example.com', password: 'pw' });
    expectTypeOf(result).toEqualTypeOf<SignInResult>();
    if (result.mfa) {
      expectTypeOf(result.mfa.ticket).toBeString();
      expectTypeOf(result.session).toBeUndefined();
    } else {
      expectTypeOf(result.session).toEqualTypeOf<Session>();
      expectTypeOf(result.user).toEqualTypeOf<User>();
    }
  });

  it('exposes the session, the user and typed events', () => {
    expectTypeOf(hearth.auth.session()).toEqualTypeOf<Session | null>();
    expectTypeOf(hearth.auth.user()).toEqualTypeOf<User | null>();
    expectTypeOf(hearth.auth.getSession()).resolves.toEqualTypeOf<Session | null>();
    expectTypeOf<User['email']>().toEqualTypeOf<string | null>();
    const unsubscribe = hearth.auth.onAuthStateChange((event, session, detail) => {
      expectTypeOf(event).toEqualTypeOf<AuthChangeEvent>();
      expectTypeOf(session).toEqualTypeOf<Session | null>();
      expectTypeOf(detail.user).toEqualTypeOf<User | null>();
    });
    expectTypeOf(unsubscribe).toEqualTypeOf<() => void>();
    expectTypeOf<'SIGNED_IN'>().toExtend<AuthChangeEvent>();
    expectTypeOf<'SIGNED_UP'>().not.toExtend<AuthChangeEvent>();
  });

  it('signOut scopes are checked', () => {
    void hearth.auth.signOut({ scope: 'global' });
    // @ts-expect-error: not a scope
    void hearth.auth.signOut({ scope: 'everywhere' });
  });
});
