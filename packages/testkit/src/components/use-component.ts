import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { TestContext } from 'vitest';
import { ComponentUnavailable, requireAllComponents } from './availability.js';

const announced = new WeakSet<ComponentUnavailable>();

/**
 * The default reporter lists a passing file's skipped tests (and their notes)
 * only in verbose mode; this line always shows, once per missing component.
 */
function announceSkip(error: ComponentUnavailable): void {
  if (announced.has(error)) return;
  announced.add(error);
  console.warn(`[hearth testkit] skipping: ${error.message}`);
}

export interface Closable {
  close(): Promise<void>;
}

export interface UseComponentOptions {
  /** beforeAll/afterAll timeout in ms; a cold Chromium start can exceed vitest's 10 s default. */
  timeoutMs?: number;
}

/**
 * Starts a component once for the enclosing file or `describe` and closes it
 * afterwards. When the component is absent every test in scope is skipped with
 * the reason as its note (shown by vitest next to the test name); under
 * HEARTH_TEST_REQUIRE_ALL=1 the hook fails instead.
 *
 * Returns a getter because the handle exists only once beforeAll has run. The
 * getter of an absent component rethrows its ComponentUnavailable, so a setup
 * that needs it should itself go through useComponent (e.g.
 * `useComponent(() => startApp({ env: redis().env() }))`): it is then skipped
 * too, where a plain beforeAll would fail.
 */
export function useComponent<T extends Closable>(
  start: () => Promise<T>,
  options: UseComponentOptions = {},
): () => T {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let handle: T | undefined;
  let unavailable: ComponentUnavailable | undefined;

  beforeAll(async () => {
    try {
      handle = await start();
    } catch (error) {
      if (error instanceof ComponentUnavailable && !requireAllComponents()) {
        unavailable = error;
        announceSkip(error);
        return;
      }
      throw error;
    }
  }, timeoutMs);

  beforeEach((ctx) => {
    if (unavailable !== undefined) ctx.skip(unavailable.message);
  });

  afterAll(async () => {
    await handle?.close();
    handle = undefined;
  }, timeoutMs);

  return () => {
    if (unavailable !== undefined) throw unavailable;
    if (handle === undefined) throw new Error('component used outside a test, or before beforeAll ran');
    return handle;
  };
}

/**
 * Starts a component inside one test and closes it when the test finishes.
 * Skips that test (or fails it under HEARTH_TEST_REQUIRE_ALL=1) when absent.
 */
export async function startOrSkip<T extends Closable>(ctx: TestContext, start: () => Promise<T>): Promise<T> {
  let handle: T;
  try {
    handle = await start();
  } catch (error) {
    if (error instanceof ComponentUnavailable && !requireAllComponents()) {
      announceSkip(error);
      ctx.skip(error.message);
    }
    throw error;
  }
  ctx.onTestFinished(() => handle.close());
  return handle;
}
