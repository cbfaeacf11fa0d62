import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '@hearth/testkit';
import { checkMetricsAccess } from '../src/ops/metrics-access.js';

/**
 * Item 7 of issue 10: a slowly sent request kept its connection for 300 s
 * (Node's default), and /metrics was public by default.
 */

const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789';

let app: TestApp;
let guarded: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    HEARTH_HTTP_HEADERS_TIMEOUT_MS: '1000',
    HEARTH_HTTP_REQUEST_TIMEOUT_MS: '2000',
    HEARTH_HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
  });
  guarded = await startTestApp({ HEARTH_METRICS_TOKEN: METRICS_TOKEN });
});
afterAll(async () => {
  await app?.close();
  await guarded?.close();
});

interface Trickle {
  name: string;
  /** Sent at once. */
  opening: string;
  /** Sent every 250 ms until the server closes the connection (none: the client just waits). */
  drip?: string;
  /** What the server answers before it closes, if anything. */
  answer: RegExp;
}

const trickles: Trickle[] = [
  {
    name: 'headers sent a line at a time (slowloris)',
    opening: 'GET /health HTTP/1.1\r\nHost: localhost\r\n',
    drip: 'X-Slow: 1\r\n',
    answer: /^HTTP\/1\.1 408 /,
  },
  {
    name: 'a body sent a byte at a time (slow POST)',
    opening:
      'POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{',
    drip: ' ',
    answer: /^HTTP\/1\.1 408 /,
  },
  {
    name: 'an idle keep-alive connection after its response',
    opening: 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n',
    answer: /^HTTP\/1\.1 200 /,
  },
];

/** Opens a raw connection, sends as the case says, and resolves when the server closes it. */
function trickle(port: number, { opening, drip }: Trickle): Promise<{ received: string; openMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after 20 s; received ${JSON.stringify(received)}`));
    }, 20_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ received, openMs: performance.now() - started });
    });
    socket.on('connect', () => {
      socket.write(opening);
      if (drip) timer = setInterval(() => socket.writable && socket.write(drip), 250);
    });
  });
}

describe('slow clients', () => {
  it.each(trickles)('$name: the server closes the connection once its timeout passes', async (testCase) => {
    const { received, openMs } = await trickle(app.hearth.port, testCase);
    expect(received).toMatch(testCase.answer);
    // The longest configured timeout is 2 s, checked every second; Node's default would be 300 s.
    expect(openMs).toBeLessThan(6_000);
  });
});

describe('/metrics access', () => {
  it('without HEARTH_METRICS_TOKEN answers a direct loopback scrape', async () => {
    const response = await app.fetch('/metrics');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('hearth_http_request_duration_seconds');
  });

  it('without HEARTH_METRICS_TOKEN refuses a scrape that came through a proxy (public behind nginx on the same host)', async () => {
    for (const header of [{ 'x-forwarded-for': '203.0.113.9' }, { forwarded: 'for=203.0.113.9' }]) {
      const { status, body } = await app.request<{ error: { code: string } }>('GET', '/metrics', {
        headers: header,
      });
      expect([status, body.error.code]).toEqual([403, 'auth/forbidden']);
    }
  });

  it.each([
    { address: '203.0.113.9', allowed: false },
    { address: '10.0.0.5', allowed: false },
    { address: '::ffff:192.0.2.1', allowed: false },
    { address: '127.0.0.1', allowed: true },
    { address: '127.8.9.10', allowed: true },
    { address: '::ffff:127.0.0.1', allowed: true },
    { address: '::1', allowed: true },
  ])('without a token, a connection from $address is allowed: $allowed', ({ address, allowed }) => {
    const req = { headers: {}, remoteAddress: address };
    if (allowed) expect(() => checkMetricsAccess(req, undefined)).not.toThrow();
    else expect(() => checkMetricsAccess(req, undefined)).toThrow(/HEARTH_METRICS_TOKEN/);
  });

  it.each([
    { name: 'no token', headers: {}, status: 401, code: 'auth/unauthenticated' },
    {
      name: 'a wrong token',
      headers: { authorization: 'Bearer not-the-token-at-all' },
      status: 401,
      code: 'auth/invalid-token',
    },
    {
      name: 'the token without "Bearer"',
      headers: { authorization: METRICS_TOKEN },
      status: 401,
      code: 'auth/invalid-token',
    },
  ])('with HEARTH_METRICS_TOKEN refuses $name, even from loopback', async ({ headers, status, code }) => {
    const response = await guarded.request<{ error: { code: string } }>('GET', '/metrics', { headers });
    expect([response.status, response.body.error.code]).toEqual([status, code]);
  });

  it('with HEARTH_METRICS_TOKEN answers the bearer token, whatever the address', async () => {
    const response = await guarded.fetch('/metrics', {
      headers: { authorization: `Bearer ${METRICS_TOKEN}`, 'x-forwarded-for': '203.0.113.9' },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('hearth_process_cpu_seconds_total');
  });
});
