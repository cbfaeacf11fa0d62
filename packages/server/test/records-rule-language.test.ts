import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyTestSchema,
  createTestAdmin,
  createTestServiceKey,
  signUpTestUser,
  startAppWithOpenSignup,
  type TestApp,
  type TestUser,
} from '@hearth/testkit';

/** What the rule language must say, and what it must refuse cleanly, over HTTP. */

const schema = {
  collections: {
    posts: {
      fields: {
        title: { type: 'text' },
        published: { type: 'bool', default: false },
        at: { type: 'date' },
        owner: { type: 'relation', to: 'users', required: true },
      },
      // The rules guide's "public read, owner write".
      rules: {
        list: 'published || owner == auth.id',
        view: 'published || owner == auth.id',
        create: 'auth != null && data.owner == auth.id',
        update: 'owner == auth.id && data.owner == owner',
        delete: 'owner == auth.id',
      },
    },
  },
};

interface Body {
  id?: string;
  owner?: string;
  title?: string;
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

let app: TestApp;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  app = await startAppWithOpenSignup();
  const admin = await createTestAdmin(app);
  const key = await createTestServiceKey(app, admin.token);
  alice = await signUpTestUser(app);
  bob = await signUpTestUser(app);
  await applyTestSchema(app, key.headers, schema);
});
afterAll(async () => {
  await app?.close();
});

const records = '/api/collections/posts/records';

describe('out-of-range dates are a 400, never a 500', () => {
  const filters = [
    'createdAt > "0000-01-01"',
    'at < "0000-12-31T23:59:59Z"',
    'at == "0001-01-01T00:30:00+01:00"',
    'createdAt in ["2024-01-01", "0000-06-01"]',
    '!(updatedAt >= "0000-01-01")',
  ];
  for (const filter of filters) {
    it(`filter=${filter} → 400 filter/invalid`, async () => {
      const response = await app.request<Body>('GET', `${records}?filter=${encodeURIComponent(filter)}`, {
        headers: alice.headers,
      });
      expect(response.status).toBe(400);
      expect(response.body.error?.code).toBe('filter/invalid');
      expect(response.body.error?.message).toContain('0001-01-01 to 9999-12-31');
    });
  }

  it('the first storable date still filters', async () => {
    const response = await app.request<Body>(
      'GET',
      `${records}?filter=${encodeURIComponent('createdAt > "0001-01-01"')}`,
      { headers: alice.headers },
    );
    expect(response.status).toBe(200);
  });

  it('a record with a year-0000 date is a field error, not a database error', async () => {
    const response = await app.request<Body>('POST', records, {
      headers: alice.headers,
      body: { title: 'old', owner: alice.id, at: '0000-01-01' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error?.code).toBe('validation/failed');
    expect(JSON.stringify(response.body.error?.details)).toContain('"at"');
  });
});

describe('public read, owner write: the owner cannot give a record away', () => {
  it('a PATCH that moves the owner to someone else is 403; other changes pass', async () => {
    const created = await app.request<Body>('POST', records, {
      headers: alice.headers,
      body: { title: 'mine', owner: alice.id, published: true },
    });
    expect(created.status).toBe(201);
    const path = `${records}/${created.body.id}`;
    const move = await app.request<Body>('PATCH', path, { headers: alice.headers, body: { owner: bob.id } });
    expect(move.status).toBe(403);
    expect(move.body.error?.code).toBe('rules/denied');
    const same = await app.request<Body>('PATCH', path, {
      headers: alice.headers,
      body: { owner: alice.id, title: 'still mine' },
    });
    expect(same.status).toBe(200);
    const retitle = await app.request<Body>('PATCH', path, {
      headers: alice.headers,
      body: { title: 'renamed' },
    });
    expect(retitle.status).toBe(200);
    expect(retitle.body.owner).toBe(alice.id);
    const stored = await app.hearth.pool.query<{ owner: string }>(
      'SELECT owner FROM app.posts WHERE id = $1',
      [created.body.id],
    );
    expect(stored.rows[0]?.owner).toBe(alice.id);
    // Bob can read it (published) but not change it.
    const bobs = await app.request<Body>('PATCH', path, { headers: bob.headers, body: { owner: bob.id } });
    expect(bobs.status).toBe(403);
  });
});

describe('misspelt names get a "did you mean", as filters do', () => {
  it('sort=-createdAd → 400 suggesting createdAt', async () => {
    const response = await app.request<Body>('GET', `${records}?sort=-createdAd`, { headers: alice.headers });
    expect(response.status).toBe(400);
    expect(response.body.error?.code).toBe('query/invalid');
    expect(response.body.error?.message).toContain('did you mean "createdAt"?');
  });

  it('GET /api/collections/psots/records → 404 suggesting posts', async () => {
    const response = await app.request<Body>('GET', '/api/collections/psots/records', {
      headers: alice.headers,
    });
    expect(response.status).toBe(404);
    expect(response.body.error?.code).toBe('collections/not-found');
    expect(response.body.error?.message).toBe('No collection is named "psots"; did you mean "posts"?');
  });

  it('a name with nothing close gets no suggestion', async () => {
    const response = await app.request<Body>('GET', '/api/collections/zzzzzzzz/records', {
      headers: alice.headers,
    });
    expect(response.status).toBe(404);
    expect(response.body.error?.message).toBe('No collection is named "zzzzzzzz".');
  });
});
