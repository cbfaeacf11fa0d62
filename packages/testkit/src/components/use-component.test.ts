import { describe, expect, it, vi } from 'vitest';
import type { TestContext } from 'vitest';
import { ComponentUnavailable, probe, requireAllComponents } from './availability.js';
import { startOrSkip } from './use-component.js';

class Skipped extends Error {}

function fakeContext(): { ctx: TestContext; finished: (() => unknown)[] } {
  const finished: (() => unknown)[] = [];
  const ctx = {
    skip: (note?: string) => {
      throw new Skipped(note);
    },
    onTestFinished: (fn: () => unknown) => finished.push(fn),
  } as unknown as TestContext;
  return { ctx, finished };
}

const absent = (): Promise<{ close(): Promise<void> }> =>
  Promise.reject(new ComponentUnavailable('teapot', 'none on PATH'));

describe('component availability', () => {
  it('reads HEARTH_TEST_REQUIRE_ALL', () => {
    expect(requireAllComponents({})).toBe(false);
    expect(requireAllComponents({ HEARTH_TEST_REQUIRE_ALL: '0' })).toBe(false);
    expect(requireAllComponents({ HEARTH_TEST_REQUIRE_ALL: '1' })).toBe(true);
  });

  it('probe reports the reason a component is absent', async () => {
    expect(await probe(absent)).toEqual({ ok: false, reason: 'teapot unavailable: none on PATH' });
    expect(await probe(async () => ({ close: async () => {} }))).toEqual({ ok: true });
  });

  it('startOrSkip skips with the reason, or fails under HEARTH_TEST_REQUIRE_ALL', async () => {
    const { ctx } = fakeContext();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const outcome = startOrSkip(ctx, absent);
    if (requireAllComponents()) {
      await expect(outcome).rejects.toBeInstanceOf(ComponentUnavailable);
    } else {
      await expect(outcome).rejects.toThrow(new Skipped('teapot unavailable: none on PATH'));
      expect(warn).toHaveBeenCalledWith('[hearth testkit] skipping: teapot unavailable: none on PATH');
    }
    warn.mockRestore();
  });

  it('startOrSkip closes the component when the test finishes', async () => {
    const { ctx, finished } = fakeContext();
    let closed = false;
    await startOrSkip(ctx, async () => ({ close: async () => void (closed = true) }));
    await Promise.all(finished.map((fn) => fn()));
    expect(closed).toBe(true);
  });
});
