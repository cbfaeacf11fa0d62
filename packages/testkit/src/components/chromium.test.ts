import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComponentUnavailable } from './availability.js';
import { findChromium, startChromium } from './chromium.js';
import { boundPort, listenOnLoopback } from './ports.js';
import { makeTempDir } from './temp-dir.js';
import type { TempDir } from './temp-dir.js';
import { useChromium } from './use-components.js';

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>hearth</title>
<button id="go">Go</button>
<p id="out">idle</p>
<script>
  document.getElementById('go').addEventListener('click', async () => {
    const response = await fetch('/api/greeting');
    document.getElementById('out').textContent = (await response.json()).greeting;
  });
</script>`;

describe('Chromium', () => {
  const browser = useChromium();
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/api/greeting') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ greeting: 'hello from hearth' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    });
    await listenOnLoopback(server);
    origin = `http://127.0.0.1:${boundPort(server)}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('opens a page, clicks a button and reads the text the page wrote', async () => {
    const page = await browser().newPage();
    await page.goto(origin);
    expect(await page.title()).toBe('hearth');
    await page.click('#go');
    await page.waitForSelector('#out:not(:text-is("idle"))');
    expect(await page.textContent('#out')).toBe('hello from hearth');
  });

  it('keeps contexts apart (two users in one browser)', async () => {
    const first = await browser().newContext();
    const second = await browser().newContext();
    const a = await first.newPage();
    await a.goto(origin);
    // Strings, not functions: this package compiles without the DOM lib.
    await a.evaluate("localStorage.setItem('who', 'alice')");
    const b = await second.newPage();
    await b.goto(origin);
    expect(await b.evaluate("localStorage.getItem('who')")).toBeNull();
    expect(await a.evaluate("localStorage.getItem('who')")).toBe('alice');
  });
});

describe('findChromium', () => {
  let bin: TempDir;
  let fakeChromium: string;
  beforeAll(async () => {
    bin = await makeTempDir('chromium-lookup');
    fakeChromium = join(bin.path, 'chromium');
    await writeFile(fakeChromium, '#!/bin/sh\n', { mode: 0o755 });
  });
  afterAll(() => bin.remove());

  it('reports Chromium as unavailable when none is installed', async () => {
    const env = { PATH: '/nonexistent', HEARTH_TEST_CHROMIUM_PATH: '' };
    const systemChromium = '/nonexistent/usr/bin/chromium';
    expect(findChromium(env, systemChromium)).toBeUndefined();
    await expect(startChromium({ env, systemChromium })).rejects.toBeInstanceOf(ComponentUnavailable);
  });

  it('finds chromium on PATH when the system package is absent', () => {
    const env = { PATH: `/nonexistent:${bin.path}` };
    expect(findChromium(env, '/nonexistent/usr/bin/chromium')).toBe(fakeChromium);
  });

  it('prefers the system package over PATH, and HEARTH_TEST_CHROMIUM_PATH over both', () => {
    expect(findChromium({ PATH: '/nonexistent' }, fakeChromium)).toBe(fakeChromium);
    expect(findChromium({ PATH: bin.path, HEARTH_TEST_CHROMIUM_PATH: '/usr/bin/env' }, fakeChromium)).toBe(
      '/usr/bin/env',
    );
  });

  it('fails loudly when HEARTH_TEST_CHROMIUM_PATH points at nothing', () => {
    expect(() => findChromium({ HEARTH_TEST_CHROMIUM_PATH: '/nonexistent/chromium' })).toThrow(
      /not an executable/,
    );
  });
});
