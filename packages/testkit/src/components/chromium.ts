import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { ComponentUnavailable } from './availability.js';
import { closeOnce } from './close-once.js';
import { executableExists, findOnPath } from './executable.js';

export interface ChromiumHandle {
  browser: Browser;
  executablePath: string;
  /** A new isolated context (own cookies and storage), closed with the handle. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** A page in a new isolated context. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  close(): Promise<void>;
}

export interface StartChromiumOptions {
  env?: NodeJS.ProcessEnv;
  /** Where a system package installs Chromium; tests of the lookup point it elsewhere. */
  systemChromium?: string;
  launchTimeoutMs?: number;
  /** More command-line switches, e.g. `--host-resolver-rules=MAP lan.test 127.0.0.1` for a non-loopback name. */
  args?: string[];
}

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

// Quiet and offline apart from what the test asks for: no update checks, no QUIC, no sync.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  systemChromium = SYSTEM_CHROMIUM,
): string | undefined {
  const configured = env['HEARTH_TEST_CHROMIUM_PATH'];
  if (configured !== undefined && configured !== '') {
    if (!executableExists(configured))
      throw new Error(`HEARTH_TEST_CHROMIUM_PATH=${configured} is not an executable`);
    return configured;
  }
  if (executableExists(systemChromium)) return systemChromium;
  const path = env['PATH'] ?? '';
  return findOnPath('chromium', path) ?? findOnPath('chromium-browser', path);
}

/**
 * Launches the system Chromium headless through playwright-core (which never
 * downloads a browser). Playwright gives each launch a fresh temporary
 * profile (user-data dir) and deletes it on close.
 */
export async function startChromium(options: StartChromiumOptions = {}): Promise<ChromiumHandle> {
  const executablePath = findChromium(options.env, options.systemChromium);
  if (executablePath === undefined) {
    throw new ComponentUnavailable(
      'chromium',
      'no /usr/bin/chromium or chromium on PATH (install the "chromium" package or set HEARTH_TEST_CHROMIUM_PATH)',
    );
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    timeout: options.launchTimeoutMs ?? 30_000,
  });
  const newContext = (contextOptions: BrowserContextOptions = {}): Promise<BrowserContext> =>
    browser.newContext(contextOptions);
  return {
    browser,
    executablePath,
    newContext,
    newPage: async (contextOptions = {}) => (await newContext(contextOptions)).newPage(),
    close: closeOnce(() => browser.close()),
  };
}
