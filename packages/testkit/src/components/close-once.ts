/** Makes a close function safe to call twice (explicitly and again from a hook). */
export function closeOnce(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}
