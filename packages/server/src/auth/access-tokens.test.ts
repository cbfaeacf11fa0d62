import { afterEach, describe, expect, it, vi } from 'vitest';
import { settledCode, useKeyRing } from './key-ring.fixture.js';
import { AccessTokens } from './access-tokens.js';

const TTL = 900;
const keys = useKeyRing(TTL);
afterEach(() => {
  vi.useRealTimers();
});

const claimsFor = (n: number) => ({
  userId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  sessionId: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
  role: 'user',
  authTime: 0,
  methods: ['pwd'],
});

const codeOf = (promise: Promise<unknown>) => settledCode(promise, 'verified');

describe('AccessTokens verification cache', () => {
  it('remembers a verified token and answers the same claims from memory', async () => {
    const tokens = new AccessTokens(keys.ring, 'hearth', TTL);
    const { token, expiresAt } = tokens.issue(claimsFor(1));
    const first = await tokens.verify(token);
    expect(tokens.isRemembered(token)).toBe(true);
    expect(await tokens.verify(token)).toEqual(first);
    expect(first).toEqual({ userId: claimsFor(1).userId, sessionId: claimsFor(1).sessionId, expiresAt });
  });

  it('never remembers a token that failed, so a forged one fails every time', async () => {
    const tokens = new AccessTokens(keys.ring, 'hearth', TTL);
    const { token } = tokens.issue(claimsFor(2));
    const forged = `${token.slice(0, -4)}AAAA`;
    expect(await codeOf(tokens.verify(forged))).toBe('auth/invalid-token');
    expect(tokens.isRemembered(forged)).toBe(false);
    expect(await codeOf(tokens.verify(forged))).toBe('auth/invalid-token');
  });

  it('refuses a remembered token once it has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tokens = new AccessTokens(keys.ring, 'hearth', 60);
    const { token } = tokens.issue(claimsFor(3));
    expect(await codeOf(tokens.verify(token))).toBe('verified');
    // Past exp and the verifier's 5 s clock tolerance.
    vi.setSystemTime(Date.now() + 66_000);
    expect(await codeOf(tokens.verify(token))).toBe('auth/token-expired');
    expect(tokens.isRemembered(token)).toBe(false);
  });

  it('keeps at most its size, dropping the least recently used token', async () => {
    const tokens = new AccessTokens(keys.ring, 'hearth', TTL, 2);
    const [a, b, c] = [4, 5, 6].map((n) => tokens.issue(claimsFor(n)).token) as [string, string, string];
    await tokens.verify(a);
    await tokens.verify(b);
    await tokens.verify(a);
    await tokens.verify(c);
    expect([a, b, c].map((token) => tokens.isRemembered(token))).toEqual([true, false, true]);
    // A dropped token still verifies, the slow way.
    expect(await codeOf(tokens.verify(b))).toBe('verified');
  });
});
