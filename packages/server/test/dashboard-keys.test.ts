import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, createTestServiceKey, useChromium, type TestApp, type TestUser } from '@hearth/testkit';
import {
  BROWSER_TEST_TIMEOUT,
  signInToDashboard,
  watchedPage,
  startDashboardApp,
} from './dashboard-test-helpers.js';

// The Keys page (/_/keys) in Chromium against the real server: the docs said a
// service key could be made "in the dashboard", and there was no such page.
const browser = useChromium();
let app: TestApp;
let admin: TestUser;
beforeAll(async () => ({ app, admin } = await startDashboardApp()), 60_000);
afterAll(() => app?.close());

const schemaWith = (key: string) => app.request('GET', '/api/admin/schema', { headers: authHeaders(key) });

describe(
  'the dashboard Keys page (the docs promised keys "in the dashboard")',
  { timeout: BROWSER_TEST_TIMEOUT },
  () => {
    it('creates a working service key and shows it once', async () => {
      const { page, problems } = await watchedPage(browser());
      await signInToDashboard(page, app.url, admin.email);
      await page.getByRole('link', { name: 'Keys' }).click();
      await page.waitForURL(`${app.url}/_/keys`);
      await page.getByRole('heading', { name: 'Keys' }).waitFor();
      await expect(page.getByTestId('keys-summary').textContent()).resolves.toBe('No service keys yet.');

      await page.getByLabel('Key name').fill('github-actions');
      await page.getByRole('button', { name: 'Create key' }).click();
      const key = (await page.getByTestId('new-key').textContent()) ?? '';
      expect(key).toMatch(/^hearth_sk_/);
      expect((await schemaWith(key)).status).toBe(200);

      const row = page.locator('tr[data-key-id]', { hasText: 'github-actions' });
      await row.waitFor();
      expect(await row.textContent()).not.toContain(key);

      // Done, or any later visit, and the key is gone from the page for good.
      await page.getByRole('button', { name: 'Done' }).click();
      expect(await page.getByTestId('new-key').count()).toBe(0);
      await page.reload();
      await row.waitFor();
      expect(await page.content()).not.toContain(key);
      expect(problems()).toEqual([]);
    });

    it('revokes a key after confirmation, and the key stops working at once', async () => {
      const { key, id } = await createTestServiceKey(app, admin.token, 'deploy');
      expect((await schemaWith(key)).status).toBe(200);
      const { page, problems } = await watchedPage(browser());
      await signInToDashboard(page, app.url, admin.email);
      await page.goto(`${app.url}/_/keys`);
      const row = page.locator(`tr[data-key-id="${id}"]`);
      await row.waitFor();

      // Cancelled: nothing happens.
      page.once('dialog', (dialog) => void dialog.dismiss());
      await page.getByRole('button', { name: 'Revoke the key deploy' }).click();
      expect((await schemaWith(key)).status).toBe(200);

      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Revoke the key deploy' }).click();
      await row.waitFor({ state: 'detached' });
      expect((await schemaWith(key)).status).toBe(401);
      expect(problems()).toEqual([]);
    });
  },
);
