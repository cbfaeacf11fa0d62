/** A dependency /ready probes; it throws (or rejects) when unreachable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Runs every check at once, each timed, under one shared deadline: a check
 * that has not answered within CHECK_TIMEOUT_MS counts as failing.
 */
export async function runReadinessChecks(checks: ReadinessCheck[]): Promise<Record<string, CheckResult>> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  deadline.catch(() => undefined);
  try {
    const results: Record<string, CheckResult> = {};
    await Promise.all(
      checks.map(async ({ name, check }) => {
        const started = performance.now();
        try {
          await Promise.race([check(), deadline]);
          results[name] = { ok: true, latencyMs: Math.round(performance.now() - started) };
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          results[name] = { ok: false, latencyMs: Math.round(performance.now() - started), error: message };
        }
      }),
    );
    // In the order the checks were given, whichever answered first.
    return Object.fromEntries(checks.map(({ name }) => [name, results[name]!]));
  } finally {
    clearTimeout(timer);
  }
}
