import { useRef } from 'react';

export interface LatestAnswer {
  /** Starts a request that replaces any earlier one; the earlier ones' answers are dropped. */
  replace<T>(request: Promise<T>, answered: (value: T) => void, failed: (error: unknown) => void): void;
  /** Starts a request that continues the current one (the next page): dropped only if replaced. */
  follow<T>(request: Promise<T>, answered: (value: T) => void, failed: (error: unknown) => void): void;
  /** Drops every answer still on its way (an effect's clean-up). */
  dropAll(): void;
}

/**
 * Keeps a slow answer to an old request (an earlier filter, a page since
 * left) from overwriting a newer one: only the answers to the latest
 * generation of requests reach the callbacks.
 */
export function useLatestAnswer(): LatestAnswer {
  const generation = useRef(0);
  function deliver<T>(
    mine: number,
    request: Promise<T>,
    answered: (value: T) => void,
    failed: (error: unknown) => void,
  ): void {
    request.then(
      (value) => generation.current === mine && answered(value),
      (error: unknown) => generation.current === mine && failed(error),
    );
  }
  return {
    replace: (request, answered, failed) => deliver(++generation.current, request, answered, failed),
    follow: (request, answered, failed) => deliver(generation.current, request, answered, failed),
    dropAll: () => {
      generation.current += 1;
    },
  };
}
