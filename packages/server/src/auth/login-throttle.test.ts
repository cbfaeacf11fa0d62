import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HearthError } from '../errors/index.js';
import { backstopBlockSeconds, LoginThrottle } from './login-throttle.js';
import { AuthRateLimits } from './rate-limits.js';

/** The Retry-After of a refused attempt, or 'allowed'. */
async function outcome(throttle: LoginThrottle, email: string, ip: string): Promise<number | 'allowed'> {
  try {
    await throttle.attempt(email, ip);
    return 'allowed';
  } catch (error) {
    if (error instanceof HearthError && error.code === 'http/rate-limited')
      return Number(error.headers?.['Retry-After']);
    throw error;
  }
}

describe('the login backstop (in memory, fake time)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('documents its delays: 1, 2, 4 … minutes, at most an hour', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(backstopBlockSeconds)).toEqual([
      60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]);
  });

  it('a distributed attack meets a delay that doubles with each trip', async () => {
    // Factor 0.05: the backstop allows 5 failures an hour.
    const throttle = new LoginThrottle(new AuthRateLimits(undefined, 0.05));
    const email = 'victim@example.test';
    let address = 0;
    const spray = async () => {
      const results = [];
      for (let i = 0; i < 6; i++) results.push(await outcome(throttle, email, `10.0.0.${address++}`));
      return results;
    };
    expect(await spray()).toEqual(['allowed', 'allowed', 'allowed', 'allowed', 'allowed', 60]);
    expect(await outcome(throttle, email, '10.0.1.1')).toBeLessThanOrEqual(60);

    vi.advanceTimersByTime(61_000);
    expect(await spray()).toEqual(['allowed', 'allowed', 'allowed', 'allowed', 'allowed', 120]);
    vi.advanceTimersByTime(121_000);
    expect(await spray()).toEqual(['allowed', 'allowed', 'allowed', 'allowed', 'allowed', 240]);

    // Another account is untouched, and an unlock starts this one afresh, trips included.
    expect(await outcome(throttle, 'owner@example.test', '10.0.1.2')).toBe('allowed');
    await throttle.unlock(email);
    expect(await spray()).toEqual(['allowed', 'allowed', 'allowed', 'allowed', 'allowed', 60]);
  });

  it('a single client cannot trip the backstop: its refused attempts are not counted', async () => {
    // Factor 0.5: one client may try 5 times per account, the backstop allows 50.
    const throttle = new LoginThrottle(new AuthRateLimits(undefined, 0.5));
    const results = [];
    for (let i = 0; i < 200; i++) results.push(await outcome(throttle, 'victim@example.test', '10.0.0.1'));
    expect(results.filter((result) => result === 'allowed')).toHaveLength(5);
    expect(await outcome(throttle, 'victim@example.test', '10.0.0.2')).toBe('allowed');
  });
});
