/** What /ready answers, in both its 200 and 503 shapes. */
export interface ReadyBody {
  status?: string;
  checks?: Record<string, CheckResult>;
  error?: { code: string; message: string; details?: { checks?: Record<string, CheckResult> } };
}

export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface ServerStatus {
  state: 'ready' | 'degraded' | 'unreachable';
  checks: Array<{ name: string } & CheckResult>;
}

/** Turns a /ready answer (or a failed fetch) into what the status card shows. */
export function summariseReady(status: number | undefined, body: ReadyBody | undefined): ServerStatus {
  if (status === undefined || body === undefined) return { state: 'unreachable', checks: [] };
  const checks = body.checks ?? body.error?.details?.checks ?? {};
  return {
    state: status === 200 ? 'ready' : 'degraded',
    checks: Object.entries(checks)
      .map(([name, result]) => ({ name, ...result }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
