import { isBrowserPage } from './session-storage.js';

interface VisibilityTarget {
  visibilityState: string;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

/**
 * Calls `listener` each time the page becomes visible again (background tabs
 * throttle timers, so a due refresh may not have run). Returns the
 * unsubscribe; outside a browser page there is nothing to watch.
 */
export function onTabVisible(listener: () => void): (() => void) | undefined {
  const doc = (globalThis as { document?: Partial<VisibilityTarget> }).document;
  if (!isBrowserPage() || typeof doc?.addEventListener !== 'function') return undefined;
  const target = doc as VisibilityTarget;
  const onChange = () => {
    if (target.visibilityState === 'visible') listener();
  };
  target.addEventListener('visibilitychange', onChange);
  return () => target.removeEventListener('visibilitychange', onChange);
}
