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

export function App() {
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
    <main>
      <header>
        <h1>Hearth</h1>
        <p className="subtitle">Admin dashboard</p>
      </header>
      <section className="card" aria-live="polite">
        <h2>
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
    </main>
  );
}
