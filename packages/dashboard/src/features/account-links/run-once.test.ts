import { describe, expect, it, vi } from 'vitest';
import { runOnce } from './run-once.ts';

describe('runOnce', () => {
  it('runs an action once per key and shares its outcome', async () => {
    const action = vi.fn(async () => 'done');
    const first = runOnce('verify:a', action);
    const second = runOnce('verify:a', action);
    expect(second).toBe(first);
    expect(await second).toBe('done');
    expect(action).toHaveBeenCalledTimes(1);
  });

  it('keeps keys apart and shares failures too', async () => {
    const failing = vi.fn(() => Promise.reject(new Error('link used')));
    await expect(runOnce('verify:b', failing)).rejects.toThrow('link used');
    await expect(runOnce('verify:b', failing)).rejects.toThrow('link used');
    expect(failing).toHaveBeenCalledTimes(1);
    expect(await runOnce('verify:c', async () => 1)).toBe(1);
  });
});
