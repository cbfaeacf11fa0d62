import type { IncomingMessage } from 'node:http';
import pg from 'pg';

/**
 * Where the edge (src/http/edge.ts) keeps each request's abort signal, which it
 * aborts when the client disconnects before its response is written. Routes
 * hand it on explicitly (EdgeRequest.signal, requestSignalOf(req) in Express)
 * to cancellableDb, whose statements PostgreSQL then cancels. Explicit rather
 * than an AsyncLocalStorage: on Node 20 that turns on promise hooks for every
 * promise of the process, which cost a quarter of a record read's CPU.
 */
const SIGNAL = Symbol('hearth.requestSignal');

type SignalledRequest = IncomingMessage & { [SIGNAL]?: AbortSignal };

export function setRequestSignal(req: IncomingMessage, signal: AbortSignal): void {
  (req as SignalledRequest)[SIGNAL] = signal;
}

/** The signal of a request that came through the edge, if any. */
export function requestSignalOf(req: IncomingMessage): AbortSignal | undefined {
  return (req as SignalledRequest)[SIGNAL];
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
