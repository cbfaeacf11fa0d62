import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, useChromium, type TestApp } from '@hearth/testkit';
import { BROWSER_TEST_TIMEOUT } from './dashboard-test-helpers.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
afterAll(async () => {
  await app?.close();
});

describe('the dashboard at /_/', () => {
  it('serves the built single-page app', async () => {
    const response = await app.fetch('/_/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const html = await response.text();
    expect(html).toContain('<div id="root"></div>');
    const script = /src="(\/_\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await app.fetch(script!);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('answers deep links with the app, so its router decides', async () => {
    const response = await app.fetch('/_/setup?token=abc');
    expect(response.status).toBe(200);
    // Pages opened with a token in the query never pass it on to another site.
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await response.text()).toContain('<div id="root"></div>');
  });

  it('redirects /_ to /_/', async () => {
    const response = await app.fetch('/_', { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/_/');
  });

  it('gives a JSON 404 for a missing asset and refuses path traversal', async () => {
    const missing = await app.fetch('/_/assets/nope.js');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('http/not-found');
    const traversal = await app.fetch('/_/assets/..%2f..%2fpackage.json');
    expect([400, 403, 404]).toContain(traversal.status);
    expect(await traversal.text()).not.toContain('"name"');
  });
});

describe('the dashboard in Chromium', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const browser = useChromium();

  it('runs under the strict CSP: no inline script, and nothing is blocked', async () => {
    const response = await app.fetch('/_/');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await response.text();
    expect(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g) ?? []).toEqual([]);

    const page = await browser().newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    // Signed out, the home page sends the visitor to sign in.
    await page.goto(`${app.url}/_/`);
    await page.waitForURL(`${app.url}/_/login`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.textContent('.brand')).toBe('Hearth');
    expect(errors).toEqual([]);
  });

  it('says so for a dashboard path that does not exist', async () => {
    const page = await browser().newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${app.url}/_/no/such/page`);
    await expect(page.getByRole('heading', { name: 'Page not found' }).waitFor()).resolves.toBeUndefined();
    await page.getByRole('link', { name: 'Go to the dashboard' }).click();
    await page.waitForURL(`${app.url}/_/login`);
    expect(errors).toEqual([]);
  });
});
