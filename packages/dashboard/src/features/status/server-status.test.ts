import { describe, expect, it } from 'vitest';
import { summariseReady } from './server-status.ts';

describe('summariseReady', () => {
  it('reads a healthy answer', () => {
    const status = summariseReady(200, {
      status: 'ok',
      checks: { storage: { ok: true, latencyMs: 2 }, database: { ok: true, latencyMs: 1 } },
    });
    expect(status).toEqual({
      state: 'ready',
      checks: [
        { name: 'database', ok: true, latencyMs: 1 },
        { name: 'storage', ok: true, latencyMs: 2 },
      ],
    });
  });

  it('reads the failing checks out of a 503 error body', () => {
    const status = summariseReady(503, {
      error: {
        code: 'ops/not-ready',
        message: 'Not ready: redis unreachable.',
        details: { checks: { redis: { ok: false, latencyMs: 2000, error: 'no answer within 2000 ms' } } },
      },
    });
    expect(status.state).toBe('degraded');
    expect(status.checks[0]).toMatchObject({ name: 'redis', ok: false, error: 'no answer within 2000 ms' });
  });

  it('says unreachable when no answer arrived', () => {
    expect(summariseReady(undefined, undefined)).toEqual({ state: 'unreachable', checks: [] });
  });
});
