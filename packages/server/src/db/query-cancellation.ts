import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';

/**
 * The abort signal of the HTTP request being served, carried through every
 * await of its handler. The edge (src/http/edge.ts) aborts it when the client
 * disconnects before its response is written; the pool's clients
 * (src/db/pool.ts) then cancel the statement they are running for it, so a
 * query whose caller has gone stops using a connection and a core.
 */
const requestSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `work` (and everything it awaits) as part of the request whose client `signal` follows. */
export function runCancellable<T>(signal: AbortSignal, work: () => T): T {
  return requestSignal.run(signal, work);
}

/** Runs background work started by a request (a mail delivery pass) outside it: its client leaving must not cancel it. */
export function runDetached<T>(work: () => T): T {
  return requestSignal.exit(work);
}

/** The signal of the request this code runs for, if any. */
export function currentRequestSignal(): AbortSignal | undefined {
  return requestSignal.getStore();
}

/** The backend key PostgreSQL sent at connect; a cancel request quotes it. Internal to pg, stable since 2012. */
interface BackendKey {
  processID?: number;
  secretKey?: number;
}

/**
 * Sends PostgreSQL's cancel request for the statement `client` is running,
 * over a short-lived connection of its own, as libpq's PQcancel does: it
 * needs no free pool slot and no authentication, so it works even when the
 * pool is exhausted. Plain TCP: PostgreSQL takes cancel requests before TLS.
 */
export function sendCancelRequest(client: pg.Client): void {
  const { processID, secretKey } = client as unknown as BackendKey;
  if (processID === undefined || secretKey === undefined) return;
  const connection = new pg.Connection() as pg.Connection & {
    connect(port: number | string, host?: string): void;
    cancel(processID: number, secretKey: number): void;
  };
  // A failed cancel is harmless: the statement then ends at the statement timeout.
  connection.on('error', () => undefined);
  connection.on('connect', () => connection.cancel(processID, secretKey));
  if (client.host.startsWith('/')) connection.connect(`${client.host}/.s.PGSQL.${client.port}`);
  else connection.connect(client.port, client.host);
}
