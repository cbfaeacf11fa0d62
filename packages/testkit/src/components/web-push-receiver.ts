// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the ambient types of http_ece must reach every program that imports this file
/// <reference path="./http-ece.d.ts" />
import { createECDH, randomBytes } from 'node:crypto';
import type { ECDH } from 'node:crypto';
import { Agent, createServer } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { closeOnce } from './close-once.js';
import { makeLoopbackCertificate } from './loopback-certificate.js';
import { boundPort, listenOnLoopback } from './ports.js';
import { verifyVapid } from './vapid.js';
import type { VapidIdentity } from './vapid.js';

/** What a browser hands the app: `PushSubscription.toJSON()`. */
export interface PushSubscriptionJson {
  endpoint: string;
  expirationTime: null;
  keys: { p256dh: string; auth: string };
}

export interface ReceivedPush {
  subscriptionId: string;
  endpoint: string;
  /** The decrypted body. */
  payload: Buffer;
  text: string;
  /** `JSON.parse(text)`. */
  json(): unknown;
  ttl: number;
  urgency: string | undefined;
  topic: string | undefined;
  vapid: VapidIdentity;
  headers: IncomingHttpHeaders;
  receivedAt: Date;
}

/** Every request, including the ones answered with an error, for checking retries. */
export interface PushAttempt {
  endpoint: string;
  status: number;
  reason: string | undefined;
  at: Date;
}

export interface NewSubscriptionOptions {
  /**
   * The VAPID public key (base64url) the subscription was created with; a
   * push signed with another key is refused with 403, as real push services do.
   */
  applicationServerKey?: string;
}

export interface WebPushReceiver {
  /** https://127.0.0.1:PORT, the VAPID audience. */
  origin: string;
  /** PEM of the receiver's self-signed certificate. */
  ca: string;
  /**
   * An https.Agent trusting `ca`. web-push always speaks HTTPS, so the sender
   * under test must pass this as web-push's `agent` option.
   */
  agent: Agent;
  messages: ReceivedPush[];
  attempts: PushAttempt[];
  newSubscription(options?: NewSubscriptionOptions): PushSubscriptionJson;
  /** Answer every push to this subscription with `status` (404/410: gone; 429/500: failing) until cleared. */
  setResponse(endpoint: string, status: number, headers?: Record<string, string>): void;
  clearResponse(endpoint: string): void;
  /** Answer the next `times` pushes to this subscription with `status`, then accept again. */
  failNext(
    endpoint: string,
    status: number,
    options?: { times?: number; headers?: Record<string, string> },
  ): void;
  waitForMessage(predicate?: (message: ReceivedPush) => boolean, timeoutMs?: number): Promise<ReceivedPush>;
  clear(): void;
  close(): Promise<void>;
}

/** What the big push services accept (RFC 8030 §7.2 lets them cap it; they cap at 4 KiB). */
const MAX_ENCRYPTED_BYTES = 4096;

interface Subscription {
  id: string;
  endpoint: string;
  ecdh: ECDH;
  authSecret: Buffer;
  applicationServerKey: string | undefined;
  response: { status: number; headers: Record<string, string> } | undefined;
  failures: { status: number; headers: Record<string, string> }[];
}

/**
 * A push service for tests: accepts RFC 8030 pushes over HTTPS, checks VAPID,
 * decrypts the aes128gcm body with the subscription's private key and records it.
 */
export async function startWebPushReceiver(): Promise<WebPushReceiver> {
  const { default: ece } = await import('http_ece');
  const certificate = await makeLoopbackCertificate();
  const subscriptions = new Map<string, Subscription>();
  const messages: ReceivedPush[] = [];
  const attempts: PushAttempt[] = [];
  const waiters = new Set<(message: ReceivedPush) => void>();

  let origin = '';
  const server = createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
    readBody(req)
      .then((body) => {
        const outcome = receive(req, body);
        const subscription = outcome.subscription;
        attempts.push({
          endpoint: subscription?.endpoint ?? `${origin}${req.url ?? ''}`,
          status: outcome.status,
          reason: outcome.reason,
          at: new Date(),
        });
        respond(res, outcome.status, outcome.headers, outcome.reason);
        if (outcome.message !== undefined) {
          messages.push(outcome.message);
          for (const notify of waiters) notify(outcome.message);
        }
      })
      .catch((error: unknown) => respond(res, 500, {}, String(error)));
  });
  await listenOnLoopback(server);
  origin = `https://127.0.0.1:${boundPort(server)}`;
  const agent = new Agent({ ca: certificate.cert });

  interface Outcome {
    status: number;
    headers: Record<string, string>;
    reason: string | undefined;
    subscription: Subscription | undefined;
    message?: ReceivedPush;
  }

  function receive(req: IncomingMessage, body: Buffer): Outcome {
    const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1];
    const subscription = id === undefined ? undefined : subscriptions.get(id);
    const refuse = (status: number, reason: string, headers: Record<string, string> = {}): Outcome => ({
      status,
      headers,
      reason,
      subscription,
    });
    if (req.method !== 'POST') return refuse(405, `method ${String(req.method)} not allowed`);
    if (subscription === undefined) return refuse(404, 'no such subscription');
    if (subscription.response !== undefined) {
      return refuse(subscription.response.status, 'configured response', subscription.response.headers);
    }
    const failure = subscription.failures.shift();
    if (failure !== undefined) return refuse(failure.status, 'configured failure', failure.headers);

    const vapid = verifyVapid(req.headers.authorization, origin);
    if (!vapid.ok) return refuse(401, vapid.reason);
    if (
      subscription.applicationServerKey !== undefined &&
      vapid.identity.publicKey !== subscription.applicationServerKey
    ) {
      return refuse(403, 'VAPID key differs from the applicationServerKey of the subscription');
    }
    const ttlHeader = req.headers['ttl'];
    const ttl = Number(ttlHeader);
    if (typeof ttlHeader !== 'string' || !Number.isInteger(ttl) || ttl < 0)
      return refuse(400, 'missing or invalid TTL header');

    if (body.length > MAX_ENCRYPTED_BYTES)
      return refuse(413, `body is ${body.length} bytes, over ${MAX_ENCRYPTED_BYTES}`);
    let payload: Buffer = Buffer.alloc(0);
    if (body.length > 0) {
      const encoding = req.headers['content-encoding'];
      if (encoding !== 'aes128gcm')
        return refuse(400, `Content-Encoding must be aes128gcm, got ${String(encoding)}`);
      try {
        payload = ece.decrypt(body, {
          version: 'aes128gcm',
          privateKey: subscription.ecdh,
          authSecret: subscription.authSecret,
        });
      } catch (error) {
        return refuse(400, `payload does not decrypt: ${String(error)}`);
      }
    }
    const text = payload.toString('utf8');
    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const messageId = randomBytes(8).toString('hex');
    return {
      status: 201,
      headers: { location: `${origin}/message/${messageId}` },
      reason: undefined,
      subscription,
      message: {
        subscriptionId: subscription.id,
        endpoint: subscription.endpoint,
        payload,
        text,
        json: () => JSON.parse(text) as unknown,
        ttl,
        urgency: header('urgency'),
        topic: header('topic'),
        vapid: vapid.identity,
        headers: req.headers,
        receivedAt: new Date(),
      },
    };
  }

  const subscriptionFor = (endpoint: string): Subscription => {
    const found = [...subscriptions.values()].find((s) => s.endpoint === endpoint || s.id === endpoint);
    if (found === undefined) throw new Error(`no subscription ${endpoint} on this receiver`);
    return found;
  };

  const waitForMessage = (predicate: (message: ReceivedPush) => boolean = () => true, timeoutMs = 5_000) => {
    const found = messages.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<ReceivedPush>((resolve, reject) => {
      const notify = (message: ReceivedPush): void => {
        if (!predicate(message)) return;
        waiters.delete(notify);
        clearTimeout(timer);
        resolve(message);
      };
      const timer = setTimeout(() => {
        waiters.delete(notify);
        const tried = attempts
          .map((a) => `${a.status}${a.reason === undefined ? '' : ` (${a.reason})`}`)
          .join('; ');
        reject(new Error(`no matching push within ${timeoutMs} ms (attempts: ${tried || 'none'})`));
      }, timeoutMs);
      waiters.add(notify);
    });
  };

  return {
    origin,
    ca: certificate.cert,
    agent,
    messages,
    attempts,
    newSubscription: (options = {}) => {
      const id = randomBytes(12).toString('base64url');
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const authSecret = randomBytes(16);
      const endpoint = `${origin}/push/${id}`;
      subscriptions.set(id, {
        id,
        endpoint,
        ecdh,
        authSecret,
        applicationServerKey: options.applicationServerKey,
        response: undefined,
        failures: [],
      });
      return {
        endpoint,
        expirationTime: null,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') },
      };
    },
    setResponse: (endpoint, status, headers = {}) => {
      subscriptionFor(endpoint).response = { status, headers };
    },
    clearResponse: (endpoint) => {
      subscriptionFor(endpoint).response = undefined;
    },
    failNext: (endpoint, status, options = {}) => {
      const subscription = subscriptionFor(endpoint);
      for (let i = 0; i < (options.times ?? 1); i++)
        subscription.failures.push({ status, headers: options.headers ?? {} });
    },
    waitForMessage,
    clear: () => {
      messages.splice(0);
      attempts.splice(0);
    },
    close: closeOnce(async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function respond(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  reason: string | undefined,
): void {
  if (status >= 400) {
    res.writeHead(status, { ...headers, 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: status, error: reason ?? 'error' }));
  } else {
    res.writeHead(status, headers).end();
  }
}
