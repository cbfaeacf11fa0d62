import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, useChromium, type TestApp } from '@hearth/testkit';
import { BROWSER_TEST_TIMEOUT, watchedPage } from './dashboard-test-helpers.js';

// A name that is not loopback to the browser (127.0.0.0/8 and localhost count as secure
// contexts, which hides the bug), mapped to where the test app listens.
const LAN_HOST = 'hearth-lan.test';

const UPGRADE = 'upgrade-insecure-requests';

let plain: TestApp;
let behindProxy: TestApp;
let httpsPublicUrl: TestApp;
beforeAll(async () => {
  [plain, behindProxy, httpsPublicUrl] = await Promise.all([
    startTestApp(),
    startTestApp({ HEARTH_TRUST_PROXY: '127.0.0.1' }),
    startTestApp({ HEARTH_PUBLIC_URL: 'https://hearth.example.com' }),
  ]);
}, 90_000);
afterAll(async () => {
  await Promise.all([plain?.close(), behindProxy?.close(), httpsPublicUrl?.close()]);
});

async function cspOf(app: TestApp, headers: Record<string, string> = {}): Promise<string> {
  const response = await app.fetch('/_/', { headers });
  await response.arrayBuffer();
  expect(response.status).toBe(200);
  return response.headers.get('content-security-policy') ?? '';
}

describe('the dashboard reached over plain HTTP from another machine (blank page from upgrade-insecure-requests)', () => {
  it.each<[string, boolean, () => TestApp, Record<string, string>]>([
    ['plain HTTP', false, () => plain, {}],
    ['plain HTTP by another Host', false, () => plain, { host: `192.168.1.20:8090` }],
    [
      'a forged X-Forwarded-Proto with no trusted proxy',
      false,
      () => plain,
      { 'x-forwarded-proto': 'https' },
    ],
    ['plain HTTP through a trusted proxy', false, () => behindProxy, { 'x-forwarded-proto': 'http' }],
    [
      'HTTPS at a trusted proxy (X-Forwarded-Proto)',
      true,
      () => behindProxy,
      { 'x-forwarded-proto': 'https' },
    ],
    ['HEARTH_PUBLIC_URL is https', true, () => httpsPublicUrl, {}],
  ])('%s: upgrade-insecure-requests sent = %s', async (_, upgrade, app, headers) => {
    const csp = await cspOf(app(), headers);
    expect(csp).toContain("default-src 'self'");
    if (upgrade) expect(csp).toContain(UPGRADE);
    else expect(csp).not.toContain(UPGRADE);
  });
});

describe(
  'the dashboard in Chromium over plain HTTP by a non-loopback name',
  { timeout: BROWSER_TEST_TIMEOUT },
  () => {
    const browser = useChromium({ args: [`--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`] });

    it('renders the sign-in page, with every asset loaded over http', async () => {
      const origin = `http://${LAN_HOST}:${new URL(plain.url).port}`;
      const watched = await watchedPage(browser());
      const { page } = watched;
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      await page.goto(`${origin}/_/`);
      await page.waitForURL(`${origin}/_/login`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await page.textContent('.brand')).toBe('Hearth');
      expect(requested.filter((url) => url.includes('/_/assets/')).length).toBeGreaterThan(0);
      expect(requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
      expect(watched.problems()).toEqual([]);
    });
  },
);
