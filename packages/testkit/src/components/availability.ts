/**
 * A component (Redis, Chromium, ...) that a test needs but cannot find. Start
 * helpers throw it; `useComponent`/`startOrSkip` turn it into a visible skip,
 * or into a failure when HEARTH_TEST_REQUIRE_ALL=1 (CI must not pass by skipping).
 */
export class ComponentUnavailable extends Error {
  override readonly name = 'ComponentUnavailable';

  constructor(
    readonly component: string,
    readonly reason: string,
  ) {
    super(`${component} unavailable: ${reason}`);
  }
}

export function requireAllComponents(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env['HEARTH_TEST_REQUIRE_ALL'];
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

export type Availability = { ok: true } | { ok: false; reason: string };

/** Runs a start function only to learn whether the component is there. */
export async function probe(start: () => Promise<{ close(): Promise<void> }>): Promise<Availability> {
  try {
    const handle = await start();
    await handle.close();
    return { ok: true };
  } catch (error) {
    if (error instanceof ComponentUnavailable) return { ok: false, reason: error.message };
    throw error;
  }
}
