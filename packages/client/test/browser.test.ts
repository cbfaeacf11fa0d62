import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HearthClient } from '@hearth/client';
import { startTestApp, useChromium, type ChromiumHandle, type TestApp } from '@hearth/testkit';

type BrowserContext = Awaited<ReturnType<ChromiumHandle['newContext']>>;
type Page = Awaited<ReturnType<BrowserContext['newPage']>>;

/**
 * The SDK in Chromium: bundled for the browser with esbuild (which also
 * proves src has no Node-only imports), served on the app's own origin, with
 * localStorage and two tabs of one profile kept in step.
 */

const PASSWORD = 'correct horse battery staple';
const TEST_PATH = '/__hearth-sdk-test';

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>sdk</title>
<script type="module">
  import { createClient } from '${TEST_PATH}/hearth.js';
  window.events = [];
  window.hearth = createClient(location.origin);
  window.hearth.auth.onAuthStateChange((event, session) =>
    window.events.push({ event, token: session?.accessToken ?? null }),
  );
  window.storageKeys = () => Object.keys(localStorage);
  window.ready = true;
</script>`;

// What the page's script puts on the page's global object (code in page.evaluate runs there).
declare global {
  var hearth: HearthClient;
  var events: { event: string; token: string | null }[];
  var ready: boolean;
  var storageKeys: () => string[];
}

/** The page's Web Locks, typed here without pulling the DOM library into the package. */
interface PageApis {
  navigator: { locks?: { request?: unknown } };
}

describe('@hearth/client in Chromium', () => {
  const chromium = useChromium();
  let app: TestApp;
  let bundle: string;
  let context: BrowserContext | undefined;
  const refreshRequests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    bundle = result.outputFiles[0]!.text;
    app = await startTestApp({ HEARTH_AUTH_CONFIRM_EMAIL: 'false', HEARTH_RATE_LIMIT_FACTOR: '1000' });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await app?.close();
  });

  /** One browser profile: its tabs share localStorage, BroadcastChannel and Web Locks. */
  async function profile(): Promise<BrowserContext> {
    if (context !== undefined) return context;
    context = await chromium().newContext();
    await context.route(`${app.url}${TEST_PATH}/**`, (route) => {
      const { pathname } = new URL(route.request().url());
      if (pathname.endsWith('/hearth.js'))
        return route.fulfill({ contentType: 'text/javascript', body: bundle });
      return route.fulfill({ contentType: 'text/html', body: PAGE });
    });
    context.on('request', (request) => {
      if (request.url().endsWith('/api/auth/refresh')) refreshRequests.push(request.url());
    });
    return context;
  }

  async function openTab(): Promise<Page> {
    const page = await (await profile()).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${app.url}${TEST_PATH}/index.html`);
    await page.waitForFunction(() => globalThis.ready === true);
    return page;
  }

  const eventsOf = (page: Page) => page.evaluate(() => events.map((e) => e.event));
  const sessionOf = (page: Page) => page.evaluate(() => hearth.auth.getSession());

  it('signs up with localStorage, keeps two tabs in step, and refreshes once across tabs', async () => {
    const a = await openTab();
    const b = await openTab();
    const email = `tab-${Date.now()}@example.test`;

    // Sign-up in tab A is stored in localStorage and seen by tab B.
    const signedUp = await a.evaluate(
      ([email, password]) => hearth.auth.signUp({ email: email!, password: password! }),
      [email, PASSWORD],
    );
    expect(signedUp.session).not.toBeNull();
    const stored = await a.evaluate(() => storageKeys().find((key) => key.startsWith('hearth.auth:')));
    expect(stored).toBe(`hearth.auth:${app.url}`);
    await b.waitForFunction(() => events.some((e) => e.event === 'SIGNED_IN'));
    expect(await sessionOf(b)).toEqual(signedUp.session);
    expect(await b.evaluate(async () => (await hearth.auth.getUser())?.email)).toBe(email);

    // A refresh in A reaches B.
    const refreshed = await a.evaluate(() => hearth.auth.refreshSession());
    await b.waitForFunction(
      (token) => events.some((e) => e.event === 'TOKEN_REFRESHED' && e.token === token),
      refreshed!.accessToken,
    );

    // Both tabs refresh at once: the Web Locks API lets only one spend the token.
    expect(await a.evaluate(() => typeof (globalThis as unknown as PageApis).navigator.locks?.request)).toBe(
      'function',
    );
    refreshRequests.length = 0;
    const [fromA, fromB] = await Promise.all([
      a.evaluate(() => hearth.auth.refreshSession()),
      b.evaluate(() => hearth.auth.refreshSession()),
    ]);
    expect(refreshRequests).toHaveLength(1);
    expect(fromA).toEqual(fromB);
    expect(await eventsOf(a)).not.toContain('SIGNED_OUT');
    expect(await eventsOf(b)).not.toContain('SIGNED_OUT');

    // A new page load restores the session from localStorage.
    await b.reload();
    await b.waitForFunction(() => globalThis.ready === true);
    expect(await sessionOf(b)).toEqual(fromA);

    // Signing out in A signs B out and clears localStorage.
    await a.evaluate(() => hearth.auth.signOut());
    await b.waitForFunction(() => events.some((e) => e.event === 'SIGNED_OUT'));
    expect(await sessionOf(b)).toBeNull();
    expect(await a.evaluate(() => storageKeys().filter((k) => k.startsWith('hearth.auth:')))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
