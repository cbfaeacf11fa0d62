import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAdmin, createTestServiceKey, startTestApp, type TestApp } from '@hearth/testkit';
import { assertBuilt, runHearth, tempDir, userEnv } from './run-hearth.js';

let app: TestApp;
let dir: string;
let key: string;

const asService = () => userEnv(join(dir, 'config'), { HEARTH_URL: app.url, HEARTH_SERVICE_KEY: key });

beforeAll(async () => {
  assertBuilt();
  app = await startTestApp({ HEARTH_RATE_LIMIT_FACTOR: '1000' });
  dir = await tempDir('hearth-cli-scope-');
  const admin = await createTestAdmin(app);
  ({ key } = await createTestServiceKey(app, admin.token, 'bootstrap'));
});

afterAll(async () => {
  await app?.close();
});

describe('hearth keys create --scope', () => {
  it('creates a key that may read mail bodies only when given --scope mail:read', async () => {
    const plain = await runHearth(['keys', 'create', 'ci', '--json'], { env: asService() });
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout)).toMatchObject({ name: 'ci', scopes: [] });

    const granted = await runHearth(['keys', 'create', 'mail-checker', '--scope', 'mail:read', '--json'], {
      env: asService(),
    });
    expect(granted.code).toBe(0);
    expect(JSON.parse(granted.stdout)).toMatchObject({ name: 'mail-checker', scopes: ['mail:read'] });

    const table = await runHearth(['keys', 'list'], { env: asService() });
    expect(table.stdout).toMatch(/mail-checker \(mail:read\)/);

    const unknown = await runHearth(['keys', 'create', 'x', '--scope', 'everything'], { env: asService() });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/mail:read/);
  }, 60_000);
});
