/**
 * Timing comparisons that hold on a loaded machine: two operations are timed in
 * interleaved pairs and compared with each other, never against a fixed number
 * of milliseconds. Which one goes first alternates (ABBA), so a change in the
 * machine's load falls on both alike, and the result is the median of the
 * per-pair ratios, which a disturbance landing on fewer than half of the pairs
 * does not move.
 */

export interface PairedTimes {
  /** Milliseconds per call of the first operation, one per pair. */
  first: number[];
  /** Milliseconds per call of the second operation, one per pair. */
  second: number[];
}

export interface TimeInPairsOptions {
  pairs: number;
  /** Calls per timed sample, for operations too quick to time one by one. */
  repeat?: number;
  /** Run untimed after each sample, e.g. to let work a request left behind finish. */
  between?: () => Promise<unknown> | unknown;
}

export async function timeInPairs(
  first: () => Promise<unknown> | unknown,
  second: () => Promise<unknown> | unknown,
  options: TimeInPairsOptions,
): Promise<PairedTimes> {
  const repeat = options.repeat ?? 1;
  const sample = async (run: () => Promise<unknown> | unknown): Promise<number> => {
    const started = performance.now();
    for (let i = 0; i < repeat; i++) await run();
    const ms = (performance.now() - started) / repeat;
    await options.between?.();
    return ms;
  };
  const times: PairedTimes = { first: [], second: [] };
  for (let pair = 0; pair < options.pairs; pair++) {
    if (pair % 2 === 0) {
      times.first.push(await sample(first));
      times.second.push(await sample(second));
    } else {
      times.second.push(await sample(second));
      times.first.push(await sample(first));
    }
  }
  return times;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** How many times longer the first operation takes than the second: the median of the per-pair ratios. */
export function medianRatio(times: PairedTimes): number {
  return median(times.first.map((ms, i) => ms / Math.max(times.second[i]!, Number.EPSILON)));
}

/** Both medians, for an assertion's message. */
export function describeTimes(times: PairedTimes): string {
  const ms = (values: number[]) => `${median(values).toFixed(3)} ms`;
  return `medians ${ms(times.first)} vs ${ms(times.second)} over ${times.first.length} pairs, median ratio ${medianRatio(times).toFixed(2)}`;
}
