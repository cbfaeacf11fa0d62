const started = new Map<string, Promise<unknown>>();

/**
 * Runs `action` once per key and hands every later caller the same promise.
 * A link token can be spent only once, but React may mount a page twice
 * (StrictMode in development, a remount after navigation); the second mount
 * must see the first call's outcome, not spend the token again and fail.
 */
export function runOnce<T>(key: string, action: () => Promise<T>): Promise<T> {
  const existing = started.get(key);
  if (existing !== undefined) return existing as Promise<T>;
  const promise = action();
  started.set(key, promise);
  return promise;
}
