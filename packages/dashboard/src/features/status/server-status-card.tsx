import { useEffect, useState } from 'react';
import { summariseReady, type ReadyBody, type ServerStatus } from './server-status.ts';

async function fetchStatus(): Promise<ServerStatus> {
  try {
    const response = await fetch('/ready', { headers: { accept: 'application/json' } });
    return summariseReady(response.status, (await response.json()) as ReadyBody);
  } catch {
    return summariseReady(undefined, undefined);
  }
}

const stateLabel: Record<ServerStatus['state'], string> = {
  ready: 'Ready',
  degraded: 'Degraded',
  unreachable: 'Unreachable',
};

/** The live answer of /ready, polled every 10 seconds. */
export function ServerStatusCard() {
  const [status, setStatus] = useState<ServerStatus | undefined>();

  useEffect(() => {
    let active = true;
    const refresh = () => void fetchStatus().then((next) => active && setStatus(next));
    refresh();
    const timer = setInterval(refresh, 10_000);
    return () => {
      active = false;
      clearInterval(timer);
    };
  }, []);

  return (
    <section className="card" aria-live="polite" aria-labelledby="server-status-title">
      <h2 id="server-status-title">
        Server status:{' '}
        <span data-testid="server-state" className={`state state-${status?.state ?? 'loading'}`}>
          {status ? stateLabel[status.state] : 'Checking…'}
        </span>
      </h2>
      <ul className="checks">
        {status?.checks.map((check) => (
          <li key={check.name} className={check.ok ? 'ok' : 'failing'}>
            <strong>{check.name}</strong>{' '}
            {check.ok ? `ok (${check.latencyMs} ms)` : `failing: ${check.error ?? 'unknown'}`}
          </li>
        ))}
      </ul>
    </section>
  );
}
