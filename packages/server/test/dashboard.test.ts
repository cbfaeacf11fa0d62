import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, useChromium, type TestApp } from '@hearth/testkit';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
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

describe('the dashboard in Chromium', () => {
  const browser = useChromium();

  it('renders and shows the live server status from /ready', async () => {
    const page = await browser().newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`${app.url}/_/`);
    await page.waitForSelector('[data-testid="server-state"]:text-is("Ready")');
    expect(await page.textContent('h1')).toBe('Hearth');
    expect(await page.textContent('.checks')).toContain('database');
    expect(errors).toEqual([]);
  });
});
