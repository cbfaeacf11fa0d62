import { spawn } from 'node:child_process';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_PASSWORD,
  authHeaders,
  createTestAdmin,
  createTestServiceKey,
  signUpTestUser,
  startAppWithOpenSignup,
  uniqueTestEmail,
  type TestApp,
} from '@hearth/testkit';
import {
  HEARTH_BIN,
  REPO_ROOT,
  assertBuilt,
  runHearth,
  tempDir,
  userEnv,
  type HearthRun,
} from './run-hearth.js';

/**
 * The rules tests in examples/ must say what the server does: every case is
 * replayed over HTTP against a live server holding the example schema, as the
 * case's user, and must get the same allow/deny as `hearth rules test`.
 */

const exampleDir = join(REPO_ROOT, 'examples/todo');
const schemaFile = join(exampleDir, 'hearth.schema.json');
const testsFile = join(exampleDir, 'hearth.rules.test.json');

type Values = Record<string, unknown>;
interface RuleCase {
  name: string;
  as: { id: string; role?: 'user' | 'admin' } | null;
  collection: string;
  op: 'list' | 'view' | 'create' | 'update' | 'delete';
  record?: Values;
  data?: Values;
  expect: 'allow' | 'deny';
}
interface TestFile {
  records?: Record<string, Record<string, Values>>;
  cases: RuleCase[];
}
interface SchemaFields {
  collections: Record<string, { fields: Record<string, { type: string; to?: string; many?: boolean }> }>;
}

let app: TestApp;
let serviceHeaders: Record<string, string>;
let dir: string;

beforeAll(async () => {
  assertBuilt();
  app = await startAppWithOpenSignup();
  const admin = await createTestAdmin(app);
  const key = await createTestServiceKey(app, admin.token, 'examples');
  serviceHeaders = key.headers;
  dir = await tempDir('hearth-examples-');
});

afterAll(async () => {
  await app?.close();
});

function runScript(branch: string): Promise<HearthRun> {
  const env = userEnv(join(dir, 'config'), {
    HEARTH: `${process.execPath} ${HEARTH_BIN}`,
    HEARTH_URL: app.url,
    HEARTH_SERVICE_KEY: serviceHeaders.authorization?.replace('Bearer ', '') ?? '',
    BRANCH: branch,
    CI: 'true',
  });
  const child = spawn('sh', [join(REPO_ROOT, 'examples/ci/hearth-ci.sh'), join(dir, 'project')], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('examples/ci/hearth-ci.sh', () => {
  it('validates, tests and dry-runs on a branch, and pushes on main', async () => {
    await cp(exampleDir, join(dir, 'project'), { recursive: true });
    const branch = await runScript('feature/x');
    expect(branch.stderr).toBe('');
    expect(branch.code).toBe(0);
    expect(branch.stdout).toContain('Dry run: nothing was changed.');
    expect(branch.stdout).toContain('==> not pushing: feature/x is not main');
    expect((await app.request('GET', '/api/collections/todos/records')).status).toBe(404);
    expect(await readFile(join(dir, 'project/rules-junit.xml'), 'utf8')).toMatch(/failures="0" errors="0"/);

    const main = await runScript('main');
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/Applied: the schema is now at version \d+/);
    expect((await app.request('GET', '/api/collections/announcements/records')).status).toBe(200);
  }, 90_000);
});

describe('examples/todo rules tests against the live server', () => {
  it('every rule has an allow and a deny case, and offline answers match the server over HTTP', async () => {
    // 1. Offline, through the CLI: every case passes and every rule is covered.
    const offline = await runHearth(['rules', 'test', testsFile, '--require-coverage', '--json'], {
      env: userEnv(join(dir, 'config')),
    });
    expect(offline.code, offline.stdout).toBe(0);
    const report = JSON.parse(offline.stdout) as {
      files: { cases: { name: string; actual: string }[] }[];
      coverage: { collection: string; op: string; allow: number; deny: number }[];
    };
    const offlineAnswers = new Map(report.files[0]?.cases.map((c) => [c.name, c.actual]));
    expect(report.coverage).toHaveLength(12);
    for (const rule of report.coverage) {
      expect(rule.allow, `${rule.collection}.${rule.op}`).toBeGreaterThan(0);
      expect(rule.deny, `${rule.collection}.${rule.op}`).toBeGreaterThan(0);
    }

    // 2. The same schema on the server (the CI script above applied it; make sure).
    const push = await runHearth(['schema', 'push', '--file', schemaFile], {
      env: userEnv(join(dir, 'config'), {
        HEARTH_URL: app.url,
        HEARTH_SERVICE_KEY: serviceHeaders.authorization?.replace('Bearer ', '') ?? '',
      }),
    });
    expect(push.code, push.stderr).toBe(0);

    const schema = JSON.parse(await readFile(schemaFile, 'utf8')) as SchemaFields;
    const tests = JSON.parse(await readFile(testsFile, 'utf8')) as TestFile;

    // 3. Real users for every name the cases use, and the shared related records.
    const ids = new Map<string, string>(); // "alice" → uuid, "p1" → uuid
    const tokens = new Map<string, Record<string, string>>();
    for (const c of tests.cases) {
      if (!c.as || tokens.has(c.as.id)) continue;
      if (c.as.role === 'admin') {
        const email = uniqueTestEmail(c.as.id);
        const created = await app.request<{ user: { id: string } }>('POST', '/api/admin/users', {
          body: { email, password: TEST_PASSWORD, role: 'admin', emailVerified: true },
          headers: serviceHeaders,
        });
        const login = await app.request<{ session: { accessToken: string } }>('POST', '/api/auth/login', {
          body: { email, password: TEST_PASSWORD },
        });
        ids.set(c.as.id, created.body.user.id);
        tokens.set(c.as.id, authHeaders(login.body.session.accessToken));
      } else {
        const user = await signUpTestUser(app, uniqueTestEmail(c.as.id));
        ids.set(c.as.id, user.id);
        tokens.set(c.as.id, user.headers);
      }
    }
    const mapValues = (collection: string, values: Values): Values => {
      const fields = schema.collections[collection]?.fields ?? {};
      const out: Values = {};
      for (const [name, value] of Object.entries(values)) {
        const field = fields[name];
        const map = (v: unknown) => {
          const id = ids.get(String(v));
          if (!id) throw new Error(`${collection}.${name}: no user or record called "${String(v)}"`);
          return id;
        };
        out[name] =
          field?.type === 'relation' && value !== null
            ? field.many
              ? (value as unknown[]).map(map)
              : map(value)
            : value;
      }
      return out;
    };
    const insert = async (collection: string, values: Values): Promise<string> => {
      const { status, body } = await app.request<{ id: string }>(
        'POST',
        `/api/collections/${collection}/records`,
        {
          body: mapValues(collection, values),
          headers: serviceHeaders,
        },
      );
      if (status !== 201)
        throw new Error(`creating a ${collection} record: ${status} ${JSON.stringify(body)}`);
      return body.id;
    };
    for (const [collection, records] of Object.entries(tests.records ?? {}))
      for (const [name, values] of Object.entries(records)) ids.set(name, await insert(collection, values));

    // 4. Each case, over HTTP, as its user.
    const answers: { name: string; expected: string; offline: string | undefined; live: string }[] = [];
    for (const c of tests.cases) {
      const headers = c.as ? (tokens.get(c.as.id) ?? {}) : {};
      const base = `/api/collections/${c.collection}/records`;
      const id = c.op === 'create' ? null : await insert(c.collection, c.record ?? {});
      let response: { status: number; body: unknown };
      switch (c.op) {
        case 'list':
          response = await app.request('GET', `${base}?filter=${encodeURIComponent(`id == "${id}"`)}`, {
            headers,
          });
          break;
        case 'view':
          response = await app.request('GET', `${base}/${id}`, { headers });
          break;
        case 'create':
          response = await app.request('POST', base, {
            body: mapValues(c.collection, c.data ?? {}),
            headers,
          });
          break;
        case 'update':
          response = await app.request('PATCH', `${base}/${id}`, {
            body: mapValues(c.collection, c.data ?? {}),
            headers,
          });
          break;
        case 'delete':
          response = await app.request('DELETE', `${base}/${id}`, { headers });
          break;
      }
      let live: string;
      if (c.op === 'list') {
        if (response.status !== 200) throw new Error(`${c.name}: list answered ${response.status}`);
        const items = (response.body as { items: { id: string }[] }).items;
        live = items.some((item) => item.id === id) ? 'allow' : 'deny';
      } else if ([200, 201, 204].includes(response.status)) live = 'allow';
      else if ([403, 404].includes(response.status)) live = 'deny';
      else throw new Error(`${c.name}: unexpected ${response.status} ${JSON.stringify(response.body)}`);
      answers.push({ name: c.name, expected: c.expect, offline: offlineAnswers.get(c.name), live });
    }

    expect(answers).toHaveLength(tests.cases.length);
    const disagreements = answers.filter((a) => a.live !== a.offline || a.live !== a.expected);
    expect(disagreements).toEqual([]);
  }, 120_000);
});
