import {
  createTestAdmin,
  startTestApp,
  TEST_PASSWORD,
  type ChromiumHandle,
  type TestApp,
  type TestUser,
} from '@hearth/testkit';

type Page = Awaited<ReturnType<ChromiumHandle['newPage']>>;

export interface WatchedPage {
  page: Page;
  /**
   * Console errors and uncaught exceptions, including CSP violations. Chromium
   * also logs every 4xx answer to fetch as "Failed to load resource"; a test
   * that expects such answers lists their statuses in `expectedStatuses`.
   */
  problems(expectedStatuses?: number[]): string[];
}

/** A page in a fresh context (its own localStorage) that records what goes wrong in it. */
export async function watchedPage(browser: ChromiumHandle): Promise<WatchedPage> {
  const page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  const seen: string[] = [];
  page.on('pageerror', (error) => seen.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') seen.push(message.text());
  });
  return {
    page,
    problems: (expectedStatuses = []) =>
      seen.filter((text) => {
        const status = /Failed to load resource: the server responded with a status of (\d{3})/.exec(
          text,
        )?.[1];
        return status === undefined || !expectedStatuses.includes(Number(status));
      }),
  };
}

/** The address bar's path and query, which must never show a link token once the page has read it. */
export function addressOf(page: Page): string {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/** The text an input's aria-describedby points at: what a screen reader reads with it. */
export async function descriptionOf(page: Page, label: string): Promise<string> {
  const ids = (await page.getByLabel(label, { exact: true }).getAttribute('aria-describedby')) ?? '';
  const parts: string[] = [];
  for (const id of ids.split(' ').filter(Boolean)) {
    parts.push((await page.locator(`[id="${id}"]`).textContent()) ?? '');
  }
  return parts.join(' ');
}

/** The name attribute of the focused element (this file type-checks without the DOM library). */
export async function focusedName(page: Page): Promise<string | null> {
  return (await page.evaluate('document.activeElement?.getAttribute("name") ?? null')) as string | null;
}

/** The focused element's role attribute. */
export async function focusedRole(page: Page): Promise<string | null> {
  return (await page.evaluate('document.activeElement?.getAttribute("role") ?? null')) as string | null;
}

/** The dashboard's stored session, as the SDK keeps it in localStorage (null when signed out). */
export async function storedSession(page: Page): Promise<string | null> {
  return (await page.evaluate('localStorage.getItem("hearth.dashboard.session")')) as string | null;
}

/** Signs in through the dashboard's sign-in form and waits for the home page. */
export async function signInToDashboard(page: Page, appUrl: string, email: string): Promise<void> {
  await page.goto(`${appUrl}/_/login`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${appUrl}/_/`);
}

/** A page flow with argon2 work, in Chromium, on a loaded two-core machine. */
export const BROWSER_TEST_TIMEOUT = 30_000;

/** An app for the dashboard's browser tests, with one admin and rate limits out of the way of many sign-ins. */
export async function startDashboardApp(): Promise<{ app: TestApp; admin: TestUser }> {
  const app = await startTestApp({ HEARTH_RATE_LIMIT_FACTOR: '1000' });
  return { app, admin: await createTestAdmin(app) };
}
