import { describe, expect, it } from 'vitest';
import { formatTime } from './format-time.ts';

describe('formatTime', () => {
  it('reads like ISO 8601 with a space, in the given zone', () => {
    expect(formatTime('2026-03-01T14:05:09.123456Z', 'UTC')).toBe('2026-03-01 14:05:09');
    expect(formatTime('2026-03-01T23:30:00Z', 'Asia/Tokyo')).toBe('2026-03-02 08:30:00');
  });

  it('shows midnight as 00, not 24', () => {
    expect(formatTime('2026-03-01T00:00:00Z', 'UTC')).toBe('2026-03-01 00:00:00');
  });

  it('shows what is not a date as it came', () => {
    expect(formatTime('not a date')).toBe('not a date');
    expect(formatTime('')).toBe('');
  });
});
