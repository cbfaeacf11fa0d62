import type { IncomingMessage, ServerResponse } from 'node:http';
import pg from 'pg';

/**
 * Whether the client of an HTTP request has gone, and what to run when it
 * goes. It is made for a request on first use (clientGoneOf) and aborted when
 * the client disconnects before its response is written; routes hand it on
 * explicitly (RouteRequest.clientGone(), src/http/route.ts) to
 * cancellableDb, whose statements PostgreSQL then cancels. A plain object
 * rather than an AbortController, and explicit rather than an
 * AsyncLocalStorage: on Node 20 those cost a fifth and a quarter of a record
 * read's CPU (the benchmark's list and view scenarios).
 */
export class ClientGone {
  aborted = false;
  private listeners: Array<() => void> | undefined;

  /** Runs `listener` once if the client goes; the function returned forgets it. */
  onAbort(listener: () => void): () => void {
    (this.listeners ??= []).push(listener);
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index !== -1) this.listeners?.splice(index, 1);
    };
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners;
    this.listeners = undefined;
    for (const listener of listeners ?? []) listener();
  }
}

const SIGNAL = Symbol('hearth.clientGone');

type SignalledRequest = IncomingMessage & { [SIGNAL]?: ClientGone };

/**
 * The request's ClientGone, made on first use: only the routes that run
 * caller-written filters (lists, batches) pay for watching the connection.
 */
export function clientGoneOf(req: IncomingMessage, res: ServerResponse): ClientGone {
  const tagged = req as SignalledRequest;
  let gone = tagged[SIGNAL];
  if (gone) return gone;
  const watched = new ClientGone();
  tagged[SIGNAL] = gone = watched;
  // 'close' also follows a response sent in full; before that, it means the client left.
  if (res.destroyed || req.socket.destroyed) watched.abort();
  else res.once('close', () => void (res.writableFinished || watched.abort()));
  return gone;
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
