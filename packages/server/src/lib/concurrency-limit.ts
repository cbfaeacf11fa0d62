/**
 * At most `limit` tasks at once; the rest wait in order, each at most
 * `maxWaitMs`, then fail with `onTimeout()`. A waiting task whose `signal`
 * aborts leaves the queue at once. A bulkhead: work that can be slow cannot
 * take every shared resource (say, every database connection) at once.
 */
/** What a waiting task may be told to leave by (src/db/query-cancellation.ts's ClientGone). */
export interface LeaveSignal {
  readonly aborted: boolean;
  onAbort(listener: () => void): () => void;
}

export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    private readonly maxWaitMs: number,
    private readonly onTimeout: () => Error,
    private readonly onAbort: () => Error,
  ) {}

  async run<T>(work: () => Promise<T>, signal?: LeaveSignal): Promise<T> {
    if (this.active < this.limit) this.active += 1;
    else await this.waitForSlot(signal);
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter, so `active` counts it still.
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }

  private waitForSlot(signal: LeaveSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(this.onAbort());
      const leave = (error: Error) => {
        const index = this.waiting.indexOf(start);
        if (index !== -1) this.waiting.splice(index, 1);
        clearTimeout(timer);
        forget?.();
        reject(error);
      };
      const start = () => {
        clearTimeout(timer);
        forget?.();
        resolve();
      };
      const timer = setTimeout(() => leave(this.onTimeout()), this.maxWaitMs);
      const forget = signal?.onAbort(() => leave(this.onAbort()));
      this.waiting.push(start);
    });
  }
}
