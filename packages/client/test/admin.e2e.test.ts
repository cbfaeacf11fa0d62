import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_PASSWORD, uniqueTestEmail, type TestApp } from '@hearth/testkit';
import { createClient, HearthError, type HearthClient, type SchemaPlanResult } from '@hearth/client';

/**
 * `client.admin` against the real server: the first admin's setup, then
 * every group with the admin's session and with a service key.
 */

let app: TestApp;
let admin: HearthClient;
let withKey: HearthClient;
const clients: HearthClient[] = [];

function client(options: Parameters<typeof createClient>[1] = {}): HearthClient {
  const made = createClient(app.url, { tabSync: false, autoRefresh: false, ...options });
  clients.push(made);
  return made;
}

beforeAll(async () => {
  app = await startTestApp({ HEARTH_AUTH_CONFIRM_EMAIL: 'false', HEARTH_RATE_LIMIT_FACTOR: '1000' });
  admin = client();
  expect(await admin.admin.setupStatus()).toEqual({ complete: false });
  const token = new URL(app.hearth.setupUrl ?? '').searchParams.get('token') ?? '';
  const setup = await admin.admin.setup({ token, email: uniqueTestEmail('admin'), password: TEST_PASSWORD });
  expect(setup.user.role).toBe('admin');
  await admin.auth.setSession(setup.session);
  const created = await admin.admin.keys.create({ name: 'admin-e2e', scopes: ['mail:read'] });
  withKey = client({ serviceKey: created.key });
});

afterAll(async () => {
  for (const made of clients.splice(0)) made.close();
  await app?.close();
});

describe('client.admin', () => {
  it('reports the setup as complete once the first admin exists', async () => {
    expect(await client().admin.setupStatus()).toEqual({ complete: true });
  });

  it('creates, finds, updates, unlocks, signs out and deletes users, with a service key', async () => {
    const email = uniqueTestEmail('managed');
    const user = await withKey.admin.users.create({ email, password: TEST_PASSWORD, emailVerified: true });
    expect(user).toMatchObject({ email, role: 'user', emailVerified: true, disabled: false });

    const page = await withKey.admin.users.list({ search: email, limit: 10 });
    expect(page.items.map((u) => u.id)).toEqual([user.id]);
    expect(page.nextCursor).toBeNull();
    expect((await withKey.admin.users.get(user.id)).email).toBe(email);

    expect(await withKey.admin.users.update(user.id, { disabled: true })).toMatchObject({ disabled: true });
    expect(await withKey.admin.users.unlock(user.id)).toMatchObject({ id: user.id });
    expect(await withKey.admin.users.revokeSessions(user.id)).toEqual({ revoked: expect.any(Number) });

    await withKey.admin.users.delete(user.id);
    await expect(withKey.admin.users.get(user.id)).rejects.toMatchObject({
      code: 'admin/not-found',
      status: 404,
    });
  });

  it('pages through users with the cursor', async () => {
    for (let i = 0; i < 3; i += 1) await admin.admin.users.create({ email: uniqueTestEmail('paged') });
    const first = await admin.admin.users.list({ search: 'paged-', limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await admin.admin.users.list({
      search: 'paged-',
      limit: 2,
      cursor: first.nextCursor ?? '',
    });
    expect(second.items.map((u) => u.id)).not.toContain(first.items[0]?.id);
  });

  it('lists and revokes service keys; a revoked key stops working', async () => {
    const created = await admin.admin.keys.create({ name: 'short-lived' });
    expect(created.key).toMatch(/^hearth_sk_/);
    const listed = await admin.admin.keys.list();
    expect(listed.find((k) => k.id === created.id)).toMatchObject({ name: 'short-lived', scopes: [] });
    expect(listed.every((k) => !('key' in k))).toBe(true);

    const revoked = client({ serviceKey: created.key });
    await expect(revoked.admin.keys.list()).resolves.toEqual(expect.any(Array));
    await admin.admin.keys.revoke(created.id);
    await expect(revoked.admin.keys.list()).rejects.toBeInstanceOf(HearthError);
  });

  it('lists the outbox, and refuses to retry mail that has not failed', async () => {
    const email = uniqueTestEmail('mailed');
    await client().auth.signUp({ email, password: TEST_PASSWORD });
    await admin.auth.requestPasswordReset(email);
    const page = await withKey.admin.outbox.list({ to: email, limit: 5 });
    expect(page.items.length).toBeGreaterThan(0);
    const mail = page.items[0]!;
    expect(mail).toMatchObject({ to: email, status: 'kept' });
    expect(mail.text).toEqual(expect.any(String));
    await expect(withKey.admin.outbox.retry(mail.id)).rejects.toMatchObject({ status: 409 });
  });

  it('plans, applies and lists schema versions', async () => {
    const schema = {
      collections: {
        notes: { fields: { title: { type: 'text' as const, required: true } }, rules: { list: 'true' } },
      },
    };
    const live = await admin.admin.schema.get();
    const planned: SchemaPlanResult = await admin.admin.schema.apply(schema);
    expect(planned).toMatchObject({ applied: false, destructive: false, errors: [] });
    expect(planned.plan.map((step) => step.kind)).toEqual(['create-collection']);

    const applied = await withKey.admin.schema.apply(schema, { dryRun: false, ifVersion: live.version });
    expect(applied.applied).toBe(true);
    expect((await admin.admin.schema.get()).schema.collections?.['notes']).toBeDefined();
    const versions = await admin.admin.schema.versions();
    expect(versions.map((v) => v.id)).toContain(applied.version);
  });

  it('rotates the signing key, and the session keeps working', async () => {
    const { kid } = await admin.admin.rotateSigningKey();
    expect(kid).toEqual(expect.any(String));
    await expect(admin.admin.keys.list()).resolves.toEqual(expect.any(Array));
  });

  it('refuses a signed-in user who is not an admin', async () => {
    const user = client();
    await user.auth.signUp({ email: uniqueTestEmail('plain'), password: TEST_PASSWORD });
    await expect(user.admin.users.list()).rejects.toMatchObject({ status: 403 });
  });
});
