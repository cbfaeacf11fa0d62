import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_PASSWORD,
  createTestAdmin,
  createTestServiceKey,
  startTestApp,
  type TestApp,
} from '@hearth/testkit';
import { assertBuilt, runHearth, tempDir, userEnv } from './run-hearth.js';

let app: TestApp;
let dir: string;
let key: string;

const asService = () => userEnv(join(dir, 'config'), { HEARTH_URL: app.url, HEARTH_SERVICE_KEY: key });

function loginFrom(ip: string, email: string, password: string): Promise<number> {
  return app
    .request('POST', '/api/auth/login', { headers: { 'x-forwarded-for': ip }, body: { email, password } })
    .then((response) => response.status);
}

beforeAll(async () => {
  assertBuilt();
  app = await startTestApp({ HEARTH_RATE_LIMIT_FACTOR: '1', HEARTH_TRUST_PROXY: '127.0.0.1' });
  dir = await tempDir('hearth-cli-unlock-');
  const admin = await createTestAdmin(app);
  ({ key } = await createTestServiceKey(app, admin.token, 'cli-test'));
});

afterAll(async () => {
  await app?.close();
});

describe('hearth users unlock', () => {
  it('lifts the login throttle an attacker put on an account, by email', async () => {
    const created = await runHearth(
      ['users', 'create', '--email', 'locked@example.test', '--password', '--verified'],
      { env: asService(), stdin: TEST_PASSWORD },
    );
    expect(created.code).toBe(0);
    for (let i = 0; i < 10; i++)
      expect(await loginFrom('198.51.100.1', 'locked@example.test', 'wrong')).toBe(401);
    expect(await loginFrom('198.51.100.1', 'locked@example.test', TEST_PASSWORD)).toBe(429);

    const unlocked = await runHearth(['users', 'unlock', 'locked@example.test'], { env: asService() });
    expect(unlocked.stderr).toBe('');
    expect(unlocked.code).toBe(0);
    expect(unlocked.stdout).toMatch(/^Unlocked locked@example\.test \([0-9a-f-]{36}\)\n$/);
    expect(await loginFrom('198.51.100.1', 'locked@example.test', TEST_PASSWORD)).toBe(200);

    const json = await runHearth(['users', 'unlock', 'locked@example.test', '--json'], { env: asService() });
    expect(JSON.parse(json.stdout)).toMatchObject({ user: { email: 'locked@example.test' } });

    const missing = await runHearth(['users', 'unlock', 'nobody@example.test'], { env: asService() });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^hearth: no user has the email nobody@example\.test/);
  }, 60_000);
});
