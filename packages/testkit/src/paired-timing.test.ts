import { describe, expect, it } from 'vitest';
import { median, medianRatio, timeInPairs } from './paired-timing.js';

describe('timeInPairs', () => {
  it('alternates which operation goes first, so drift in load falls on both alike', async () => {
    const calls: string[] = [];
    const times = await timeInPairs(
      () => calls.push('a'),
      () => calls.push('b'),
      { pairs: 4, between: () => calls.push('|') },
    );
    expect(calls.join('')).toBe('a|b|b|a|a|b|b|a|');
    expect(times.first).toHaveLength(4);
    expect(times.second).toHaveLength(4);
  });

  it('times `repeat` calls per sample and reports the time of one', async () => {
    let calls = 0;
    const times = await timeInPairs(
      () => calls++,
      () => undefined,
      { pairs: 2, repeat: 5 },
    );
    expect(calls).toBe(10);
    expect(times.first.every((ms) => ms >= 0)).toBe(true);
  });
});

describe('medianRatio', () => {
  it('is not moved by disturbances on fewer than half of the pairs', () => {
    const ratio = medianRatio({ first: [2, 2, 200, 2, 2], second: [1, 1, 1, 100, 1] });
    expect(ratio).toBe(2);
  });

  it('median takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/no values/);
  });
});
