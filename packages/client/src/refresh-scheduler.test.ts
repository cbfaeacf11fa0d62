import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeJwt } from '../test/fake-auth-server.js';
import { refreshDueAt, RefreshScheduler, retryDelayMs } from './refresh-scheduler.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('refresh timing', () => {
  const session = (iat: number, exp: number) => ({
    accessToken: fakeJwt({ iat, exp }),
    refreshToken: 'r',
    expiresAt: exp,
    tokenType: 'Bearer' as const,
  });

  it('is due the margin before expiry, or at half the lifetime for short tokens', () => {
    expect(refreshDueAt(session(0, 900), 60)).toBe(840_000);
    expect(refreshDueAt(session(0, 30), 60)).toBe(15_000);
    expect(refreshDueAt({ ...session(0, 900), accessToken: 'opaque' }, 60)).toBe(840_000);
  });

  it('backs off 1 s, 2 s, 4 s … up to 60 s', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 10].map((n) => retryDelayMs(n, mid))).toEqual([1000, 2000, 4000, 8000, 60_000]);
    expect(retryDelayMs(0, () => 0)).toBe(800);
    expect(retryDelayMs(0, () => 1)).toBe(1200);
  });

  it('runs the task once at the scheduled time; rescheduling replaces it; very long waits are stepped', async () => {
    vi.useFakeTimers({ now: 0 });
    const task = vi.fn();
    const scheduler = new RefreshScheduler(task);
    scheduler.scheduleAt(1000);
    scheduler.scheduleAt(2000);
    await vi.advanceTimersByTimeAsync(1500);
    expect(task).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(500);
    expect(task).toHaveBeenCalledTimes(1);
    scheduler.scheduleAt(40 * 24 * 3600 * 1000); // 40 days: above setTimeout's 24.8-day limit
    await vi.advanceTimersByTimeAsync(30 * 24 * 3600 * 1000);
    expect(task).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10 * 24 * 3600 * 1000);
    expect(task).toHaveBeenCalledTimes(2);
    scheduler.scheduleIn(10);
    scheduler.cancel();
    await vi.advanceTimersByTimeAsync(100);
    expect(task).toHaveBeenCalledTimes(2);
  });
});
