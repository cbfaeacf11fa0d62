import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_PASSWORD,
  applyTestSchema,
  createTestAdmin,
  createTestServiceKey,
  startAppWithOpenSignup,
  uniqueTestEmail,
  type TestApp,
} from '@hearth/testkit';
import {
  createClient,
  etagOf,
  filter,
  HearthError,
  type FetchLike,
  type HearthClient,
  type HearthClientOptions,
} from '@hearth/client';
import type { PostsCreate, Schema } from './fixtures/blog-schema.generated.js';

/**
 * The collection API of the SDK against the real server, typed by the
 * schema `hearth gen types` wrote for test/fixtures/blog.schema.json:
 * posts are public once published and otherwise seen by their owner only;
 * comments are public and created by their author.
 */

let app: TestApp;
let admin: HearthClient<Schema>;
let alice: { hearth: HearthClient<Schema>; id: string };
let bob: { hearth: HearthClient<Schema>; id: string };
let anonymous: HearthClient<Schema>;
const clients: HearthClient[] = [];

function client(options: HearthClientOptions = {}): HearthClient<Schema> {
  const hearth = createClient<Schema>(app.url, { autoRefresh: false, tabSync: false, ...options });
  clients.push(hearth);
  return hearth;
}

async function signedUp(options: HearthClientOptions = {}) {
  const hearth = client(options);
  const { user, session } = await hearth.auth.signUp({
    email: uniqueTestEmail('sdk'),
    password: TEST_PASSWORD,
  });
  expect(session).not.toBeNull();
  return { hearth, id: user.id };
}

async function failure(promise: Promise<unknown>): Promise<HearthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HearthError);
  return error as HearthError;
}

beforeAll(async () => {
  app = await startAppWithOpenSignup();
  const adminUser = await createTestAdmin(app);
  const { key } = await createTestServiceKey(app, adminUser.token);
  const schema = JSON.parse(await readFile(new URL('./fixtures/blog.schema.json', import.meta.url), 'utf8'));
  await applyTestSchema(app, { authorization: `Bearer ${key}` }, schema);
  admin = client({ headers: { authorization: `Bearer ${key}` } });
  alice = await signedUp();
  bob = await signedUp();
  anonymous = client();
});

afterAll(async () => {
  for (const hearth of clients.splice(0)) hearth.close();
  await app?.close();
});

const post = (owner: string, extra: Partial<PostsCreate> = {}): PostsCreate => ({
  title: 'a post',
  owner,
  ...extra,
});

describe('CRUD under the rules', () => {
  it('the owner creates, reads, updates and deletes a record', async () => {
    const posts = alice.hearth.collection('posts');
    const created = await posts.create(post(alice.id, { title: 'first', score: 3 }));
    expect(created).toMatchObject({
      title: 'first',
      score: 3,
      published: false,
      status: 'draft',
      owner: alice.id,
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created).not.toHaveProperty('note');

    const read = await posts.get(created.id);
    expect(read).toEqual(created);
    const updated = await posts.update(created.id, { title: 'first, edited', status: 'live' });
    expect(updated).toMatchObject({ id: created.id, title: 'first, edited', status: 'live' });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));

    await posts.delete(created.id);
    expect((await failure(posts.get(created.id))).code).toBe('records/not-found');
  });

  it('another user and an anonymous caller cannot see, change or delete a private record', async () => {
    const secret = await alice.hearth.collection('posts').create(post(alice.id, { title: 'private' }));
    for (const caller of [bob.hearth, anonymous]) {
      const posts = caller.collection('posts');
      const notFound = await failure(posts.get(secret.id));
      expect([notFound.code, notFound.status]).toEqual(['records/not-found', 404]);
      expect((await failure(posts.update(secret.id, { title: 'mine now' }))).code).toBe('records/not-found');
      expect((await failure(posts.delete(secret.id))).code).toBe('records/not-found');
      const { items } = await posts.list({ filter: filter('id == {:id}', { id: secret.id }) });
      expect(items).toEqual([]);
    }
    expect((await alice.hearth.collection('posts').get(secret.id)).title).toBe('private');
  });

  it('a published record is readable by everyone but changed only by its owner', async () => {
    const open = await alice.hearth.collection('posts').create(post(alice.id, { published: true }));
    expect((await anonymous.collection('posts').get(open.id)).id).toBe(open.id);
    expect((await bob.hearth.collection('posts').get(open.id)).id).toBe(open.id);
    // Visible but not his: the update rule denies it.
    const denied = await failure(bob.hearth.collection('posts').update(open.id, { title: 'defaced' }));
    expect([denied.code, denied.status]).toEqual(['rules/denied', 403]);
  });

  it('a denied create is rules/denied', async () => {
    const forged = await failure(bob.hearth.collection('posts').create(post(alice.id)));
    expect([forged.code, forged.status]).toEqual(['rules/denied', 403]);
    const signedOut = await failure(anonymous.collection('posts').create(post(alice.id)));
    expect(signedOut.code).toBe('rules/denied');
    // No update rule on comments: admin-only.
    const comment = await bob.hearth.collection('comments').create({
      post: (await alice.hearth.collection('posts').create(post(alice.id, { published: true }))).id,
      author: bob.id,
      text: 'hi',
    });
    expect(
      (await failure(bob.hearth.collection('comments').update(comment.id, { text: 'edited' }))).code,
    ).toBe('rules/denied');
  });

  it('validation errors carry field details', async () => {
    const error = await failure(
      alice.hearth.collection('posts').create(post(alice.id, { title: 'x'.repeat(201) })),
    );
    expect(error.code).toBe('validation/failed');
    expect(JSON.stringify(error.details)).toContain('title');
  });

  it('a service key bypasses the rules and sees hidden fields', async () => {
    const created = await admin.collection('posts').create(post(alice.id, { note: 'staff only' }));
    expect((await admin.collection('posts').get(created.id)).note).toBe('staff only');
    expect(await alice.hearth.collection('posts').get(created.id)).not.toHaveProperty('note');
  });
});

describe('lists', () => {
  const tag = `bulk-${Date.now()}`;
  const bulk = filter('body == {:tag}', { tag });

  beforeAll(async () => {
    // 250 private posts of alice, in three batches (at most 100 operations each).
    for (let start = 0; start < 250; start += 100) {
      const count = Math.min(100, 250 - start);
      const ops = Array.from({ length: count }, (_, i) => ({
        action: 'create' as const,
        collection: 'posts' as const,
        data: post(alice.id, {
          title: `item ${String(start + i).padStart(3, '0')}`,
          body: tag,
          score: start + i,
        }),
      }));
      const results = await alice.hearth.batch(ops);
      expect(results).toHaveLength(count);
    }
  });

  it('filter, sort, limit and cursor page through the rows the rules allow', async () => {
    const posts = alice.hearth.collection('posts');
    const first = await posts.list({ filter: bulk, sort: '-score', limit: 100, count: true });
    expect(first.total).toBe(250);
    expect(first.items).toHaveLength(100);
    expect(first.items[0]!.score).toBe(249);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await posts.list({ filter: bulk, sort: '-score', limit: 100, cursor: first.nextCursor });
    expect(second.items[0]!.score).toBe(149);
    const third = await posts.list({ filter: bulk, sort: '-score', limit: 100, cursor: second.nextCursor });
    expect(third.items.map((p) => p.score)).toEqual(Array.from({ length: 50 }, (_, i) => 49 - i));
    expect(third.nextCursor).toBeNull();
    expect(third).not.toHaveProperty('total');

    const ranged = await posts.list({
      filter: filter('body == {:tag} && score >= {:min} && score < {:max}', { tag, min: 10, max: 13 }),
      sort: ['title'],
    });
    expect(ranged.items.map((p) => p.title)).toEqual(['item 010', 'item 011', 'item 012']);
  });

  it('the async iterator yields all 250 records in order, fetching page by page', async () => {
    const requests: string[] = [];
    const counting: FetchLike = (url, init) => {
      requests.push(url);
      return fetch(url, init);
    };
    const { hearth } = await signedUpAs(alice.hearth, counting);
    const scores: number[] = [];
    for await (const item of hearth.collection('posts').iterate({ filter: bulk, sort: 'score', limit: 60 })) {
      scores.push(item.score ?? -1);
    }
    expect(scores).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(requests.filter((u) => u.includes('/api/collections/posts/records'))).toHaveLength(5);

    const seen: number[] = [];
    for await (const item of alice.hearth.collection('posts').iterate({ filter: bulk, sort: 'score' })) {
      if (seen.push(item.score ?? -1) === 25) break;
    }
    expect(seen).toHaveLength(25);
  });

  it("another user's iterator sees none of them", async () => {
    let n = 0;
    for await (const _ of bob.hearth.collection('posts').iterate({ filter: bulk })) n++;
    expect(n).toBe(0);
  });

  it('fields returns only the fields asked for', async () => {
    const { items } = await alice.hearth
      .collection('posts')
      .list({ filter: bulk, fields: ['id', 'score'], limit: 2 });
    expect(items).toHaveLength(2);
    for (const item of items) expect(Object.keys(item).sort()).toEqual(['id', 'score']);
    const one = await alice.hearth.collection('posts').get(items[0]!.id, { fields: ['title'] });
    expect(Object.keys(one)).toEqual(['title']);
  });

  it('a bad filter or sort is a clean client-side-visible error', async () => {
    const posts = alice.hearth.collection('posts');
    expect((await failure(posts.list({ filter: 'titel == "x"' }))).code).toBe('filter/invalid');
    expect((await failure(bob.hearth.collection('posts').list({ filter: 'note == "x"' }))).code).toBe(
      'filter/forbidden-field',
    );
    expect((await failure(posts.list({ limit: 500 }))).code).toBe('query/invalid');
  });
});

/** A second client signed in as the same user as `source`, with its own fetch. */
async function signedUpAs(source: HearthClient<Schema>, fetchImpl: FetchLike) {
  const session = await source.auth.getSession();
  const hearth = client({ fetch: fetchImpl, headers: { authorization: `Bearer ${session!.accessToken}` } });
  return { hearth };
}

describe('expand', () => {
  it('adds the related records the caller may view', async () => {
    const open = await alice.hearth
      .collection('posts')
      .create(post(alice.id, { published: true, title: 'expand me' }));
    const comment = await bob.hearth
      .collection('comments')
      .create({ post: open.id, author: bob.id, text: 'nice' });

    const asBob = await bob.hearth.collection('comments').get(comment.id, { expand: ['post', 'author'] });
    expect(asBob.expand.post).toMatchObject({ id: open.id, title: 'expand me' });
    expect(asBob.expand.author).toMatchObject({ id: bob.id });

    // Users see only themselves: alice gets the post but not bob's user record.
    const asAlice = await alice.hearth.collection('comments').list({
      filter: filter('id == {:id}', { id: comment.id }),
      expand: ['post', 'author'],
    });
    expect(asAlice.items[0]!.expand.post?.id).toBe(open.id);
    expect(asAlice.items[0]!.expand.author).toBeUndefined();
  });

  it('leaves out a related record the caller may not view', async () => {
    const privatePost = await alice.hearth.collection('posts').create(post(alice.id));
    const comment = await admin
      .collection('comments')
      .create({ post: privatePost.id, author: bob.id, text: 'x' });
    const asBob = await bob.hearth.collection('comments').get(comment.id, { expand: ['post'] });
    expect(asBob.post).toBe(privatePost.id);
    expect(asBob.expand).toEqual({});
  });
});

describe('If-Match', () => {
  it('writes with a current ETag and refuses a stale one', async () => {
    const posts = alice.hearth.collection('posts');
    const created = await posts.create(post(alice.id, { title: 'v1' }));
    const read = await posts.get(created.id);
    const etag = etagOf(read);
    expect(etag).toMatch(/^"\d+"$/);
    expect(etagOf(created)).toBe(etag);

    const v2 = await posts.update(created.id, { title: 'v2' }, { ifMatch: etag });
    expect(etagOf(v2)).not.toBe(etag);
    const stale = await failure(
      posts.update(created.id, { title: 'v3 from an old read' }, { ifMatch: etag }),
    );
    expect([stale.code, stale.status]).toEqual(['records/precondition-failed', 412]);
    expect((await posts.get(created.id)).title).toBe('v2');

    const staleDelete = await failure(posts.delete(created.id, { ifMatch: etag }));
    expect(staleDelete.code).toBe('records/precondition-failed');
    await posts.delete(created.id, { ifMatch: etagOf(v2) });
  });
});

describe('idempotent create', () => {
  const countTitled = async (title: string) =>
    (
      await alice.hearth
        .collection('posts')
        .list({ filter: filter('title == {:title}', { title }), count: true })
    ).total;

  it('the same key twice makes one record and answers with it both times', async () => {
    const title = `idem-${Date.now()}`;
    const posts = alice.hearth.collection('posts');
    const first = await posts.create(post(alice.id, { title }), { idempotencyKey: `k-${title}` });
    const again = await posts.create(post(alice.id, { title }), { idempotencyKey: `k-${title}` });
    expect(again.id).toBe(first.id);
    expect(await countTitled(title)).toBe(1);

    const reused = await failure(
      posts.create(post(alice.id, { title: 'other' }), { idempotencyKey: `k-${title}` }),
    );
    expect([reused.code, reused.status]).toEqual(['records/idempotency-mismatch', 422]);
  });

  it('a create whose answer is lost on the way back is retried and still makes one record', async () => {
    let dropped = 0;
    const lossy: FetchLike = async (url, init) => {
      const response = await fetch(url, init);
      if (init.method === 'POST' && url.endsWith('/records') && dropped === 0) {
        dropped++;
        await response.arrayBuffer();
        throw new TypeError('fetch failed: connection reset');
      }
      return response;
    };
    const { hearth } = await signedUpAs(alice.hearth, lossy);
    const title = `lossy-${Date.now()}`;
    const created = await hearth.collection('posts').create(post(alice.id, { title }));
    expect(dropped).toBe(1);
    expect(created.title).toBe(title);
    expect(await countTitled(title)).toBe(1);
  });
});

describe('batch', () => {
  it('applies every operation in order and returns typed results', async () => {
    const target = await alice.hearth.collection('posts').create(post(alice.id, { title: 'batch target' }));
    const doomed = await alice.hearth.collection('posts').create(post(alice.id, { title: 'doomed' }));
    const [created, updated, deleted, read] = await alice.hearth.batch([
      { action: 'create', collection: 'posts', data: post(alice.id, { title: 'from a batch' }) },
      {
        action: 'update',
        collection: 'posts',
        id: target.id,
        data: { title: 'batch updated' },
        ifMatch: etagOf(target),
      },
      { action: 'delete', collection: 'posts', id: doomed.id },
      { action: 'get', collection: 'posts', id: target.id },
    ]);
    expect(created.title).toBe('from a batch');
    expect(updated.title).toBe('batch updated');
    expect(deleted).toBeNull();
    expect(read.title).toBe('batch updated');
    expect((await failure(alice.hearth.collection('posts').get(doomed.id))).code).toBe('records/not-found');
  });

  it('is all-or-nothing: one failing operation rolls back the others', async () => {
    const title = `rollback-${Date.now()}`;
    const target = await alice.hearth.collection('posts').create(post(alice.id, { title }));
    const error = await failure(
      alice.hearth.batch([
        { action: 'create', collection: 'posts', data: post(alice.id, { title }) },
        { action: 'update', collection: 'posts', id: target.id, data: { title: `${title}-changed` } },
        { action: 'create', collection: 'posts', data: post(bob.id, { title }) },
      ]),
    );
    expect(error.code).toBe('rules/denied');
    expect(error.details).toMatchObject({ index: 2 });
    expect(
      (await alice.hearth.collection('posts').list({ filter: filter('title == {:title}', { title }) })).items,
    ).toEqual([expect.objectContaining({ id: target.id, title })]);
  });
});

describe('filter() against the server', () => {
  const hostile = [
    'plain',
    'with "double" quotes',
    "with 'single' quotes",
    'back\\slash at the end\\',
    '\\" || true || title == "',
    '" || true',
    "' || true || '",
    '“unicode” ‘quotes’ ＂fullwidth＂',
    'emoji 😀🔥 and 𝕏',
    'line\nbreak\tand tab',
    '{:title} not a placeholder',
    'owner != "x" || true',
    ')) || ((true',
  ];

  it('returns exactly the row whose title is the hostile string, and nothing for a near miss', async () => {
    const posts = alice.hearth.collection('posts');
    const stamp = `-${Date.now()}`;
    const created = await alice.hearth.batch(
      hostile.map((text) => ({
        action: 'create' as const,
        collection: 'posts' as const,
        data: post(alice.id, { title: text + stamp }),
      })),
    );
    for (const [index, text] of hostile.entries()) {
      const { items } = await posts.list({ filter: filter('title == {:title}', { title: text + stamp }) });
      expect(
        items.map((p) => p.id),
        text,
      ).toEqual([created[index]!.id]);
      const nearMiss = await posts.list({
        filter: filter('title == {:title}', { title: `${text}${stamp}x` }),
      });
      expect(nearMiss.items, text).toEqual([]);
    }
    // A bound injection attempt is data, so bob still sees none of alice's private rows.
    const attack = await bob.hearth.collection('posts').list({
      filter: filter('title == {:t}', { t: '" || true || title == "' }),
    });
    expect(attack.items).toEqual([]);
  });

  it('binds lists for `in`', async () => {
    const stamp = `in-${Date.now()}`;
    const titles = [`${stamp} "a"`, `${stamp} \\b`, `${stamp} c`];
    await alice.hearth.batch(
      titles.map((title) => ({
        action: 'create' as const,
        collection: 'posts' as const,
        data: post(alice.id, { title }),
      })),
    );
    const { items } = await alice.hearth.collection('posts').list({
      filter: filter('title in {:titles}', { titles: [titles[0]!, titles[2]!, 'nope'] }),
      sort: 'title',
    });
    expect(items.map((p) => p.title)).toEqual([titles[0], titles[2]]);
  });
});
