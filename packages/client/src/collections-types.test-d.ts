import { describe, expectTypeOf, it } from 'vitest';
import type {
  CommentsRecord,
  PostsCreate,
  PostsRecord,
  PostsUpdate,
  Schema,
  UsersRecord,
} from '../test/fixtures/blog-schema.generated.js';
import {
  createClient,
  etagOf,
  filter,
  type CollectionClient,
  type FilterParams,
  type FilterPlaceholders,
  type ListResult,
  type LooseRecord,
} from './index.js';

/** Type tests over the exact output of `hearth gen types` for test/fixtures/blog.schema.json. */
const hearth = createClient<Schema>('http://localhost:8090');
const posts = hearth.collection('posts');
const owner = 'a-user-id';

describe('collection(name) with a generated Schema', () => {
  it('knows the collection names', () => {
    expectTypeOf(posts).toEqualTypeOf<CollectionClient<Schema, 'posts'>>();
    expectTypeOf(hearth.collection('comments').name).toEqualTypeOf<'comments'>();
    // @ts-expect-error: a misspelt collection is not in the schema
    hearth.collection('post');
    // @ts-expect-error: nor is any other string
    hearth.collection('' as string);
  });

  it('returns typed records from every read and write', async () => {
    expectTypeOf(await posts.get('id')).toEqualTypeOf<PostsRecord>();
    expectTypeOf(await posts.create({ title: 't', owner })).toEqualTypeOf<PostsRecord>();
    expectTypeOf(await posts.update('id', { title: 't' })).toEqualTypeOf<PostsRecord>();
    expectTypeOf(await posts.delete('id')).toEqualTypeOf<void>();
    const page = await posts.list();
    expectTypeOf(page).toEqualTypeOf<ListResult<PostsRecord>>();
    expectTypeOf(page.items).toEqualTypeOf<PostsRecord[]>();
    expectTypeOf(page.nextCursor).toEqualTypeOf<string | null>();
    expectTypeOf(page.total).toEqualTypeOf<number | undefined>();
    for await (const post of posts.iterate({ filter: 'published == true' })) {
      expectTypeOf(post).toEqualTypeOf<PostsRecord>();
      expectTypeOf(post.status).toEqualTypeOf<'draft' | 'live' | null>();
      expectTypeOf(post.editors).toEqualTypeOf<string[] | null>();
    }
    const comment = await hearth.collection('comments').get('id');
    expectTypeOf(comment).toEqualTypeOf<CommentsRecord>();
  });

  it('count: true makes total a number', async () => {
    expectTypeOf((await posts.list({ count: true })).total).toEqualTypeOf<number>();
    expectTypeOf((await posts.list({ count: false })).total).toEqualTypeOf<number | undefined>();
  });

  it('makes a misspelt field a compile error', async () => {
    const post = await posts.get('id');
    // @ts-expect-error: no field titel
    void post.titel;
    // @ts-expect-error: no field titel in a create
    await posts.create({ titel: 't', owner });
    // @ts-expect-error: nor in an update
    await posts.update('id', { titel: 't' });
    // @ts-expect-error: fields names record fields
    await posts.get('id', { fields: ['titel'] });
    // @ts-expect-error: sort names record fields
    await posts.list({ sort: 'titel' });
    // @ts-expect-error: also when descending
    await posts.list({ sort: ['-createdAt', '-titel'] });
    // @ts-expect-error: expand names relation fields
    await posts.get('id', { expand: ['ownr'] });
    // @ts-expect-error: and only relation fields
    await posts.get('id', { expand: ['title'] });
  });

  it('checks value types and required fields', async () => {
    // @ts-expect-error: title is text
    await posts.create({ title: 1, owner });
    // @ts-expect-error: owner is required on create
    await posts.create({ title: 't' });
    // @ts-expect-error: select values are a union
    await posts.update('id', { status: 'published' });
    // @ts-expect-error: a required field cannot be cleared
    await posts.update('id', { title: null });
    // @ts-expect-error: a relation is an id, not a record
    await posts.create({ title: 't', owner: { id: owner } });
    // @ts-expect-error: system fields are not writable
    await posts.update('id', { createdAt: '2024-01-01' });
    // @ts-expect-error: users are created through auth, not the record API
    await hearth.collection('users').create({});
    await posts.create({ title: 't', owner, status: 'live', editors: [owner], body: null });
    expectTypeOf<Parameters<typeof posts.create>[0]>().toEqualTypeOf<PostsCreate>();
    expectTypeOf<Parameters<typeof posts.update>[1]>().toEqualTypeOf<PostsUpdate>();
  });

  it('fields narrows the record to the fields asked for', async () => {
    const picked = await posts.get('id', { fields: ['title', 'score'] });
    expectTypeOf(picked).toEqualTypeOf<{ title: string; score: number | null }>();
    // @ts-expect-error: not selected
    void picked.owner;
    const { items } = await posts.list({ fields: ['id'], limit: 5 });
    expectTypeOf(items).toEqualTypeOf<Array<{ id: string }>>();
  });

  it('expand adds the chosen relations, typed and possibly missing', async () => {
    const post = await posts.get('id', { expand: ['owner'] });
    expectTypeOf(post.title).toBeString();
    expectTypeOf(post.expand).toEqualTypeOf<{ owner?: UsersRecord }>();
    // @ts-expect-error: editors was not expanded
    void post.expand.editors;
    const comments = await hearth.collection('comments').list({ expand: ['post', 'author'] });
    expectTypeOf(comments.items[0]!.expand.post).toEqualTypeOf<PostsRecord | undefined>();
    const both = await posts.get('id', { fields: ['title'], expand: ['editors'] });
    expectTypeOf(both).toEqualTypeOf<{
      title: string;
      expand: { editors?: UsersRecord[] };
      expandTruncated?: 'editors'[];
    }>();
    // Without expand there is no expand property.
    // @ts-expect-error: nothing was expanded
    void (await posts.get('id')).expand;
  });

  it('batch types each operation and each result', async () => {
    const [created, updated, deleted, read] = await hearth.batch([
      { action: 'create', collection: 'posts', data: { title: 't', owner, editors: [owner] } },
      { action: 'update', collection: 'comments', id: 'c', data: { text: 'x' }, ifMatch: '"1"' },
      { action: 'delete', collection: 'posts', id: 'p' },
      { action: 'get', collection: 'posts', id: 'p' },
    ]);
    expectTypeOf(created).toEqualTypeOf<PostsRecord>();
    expectTypeOf(updated).toEqualTypeOf<CommentsRecord>();
    expectTypeOf(deleted).toEqualTypeOf<null>();
    expectTypeOf(read).toEqualTypeOf<PostsRecord>();
    // @ts-expect-error: the data must fit the collection
    await hearth.batch([{ action: 'create', collection: 'posts', data: { text: 'x' } }]);
    // @ts-expect-error: unknown collection
    await hearth.batch([{ action: 'delete', collection: 'postz', id: 'p' }]);
    // @ts-expect-error: unknown action
    await hearth.batch([{ action: 'upsert', collection: 'posts', id: 'p' }]);
  });

  it('etagOf reads the version of a record', async () => {
    const post = await posts.get('id');
    expectTypeOf(etagOf(post)).toEqualTypeOf<string | undefined>();
    await posts.update(post.id, { title: 'x' }, { ifMatch: etagOf(post) });
  });
});

describe('without a schema type', () => {
  const loose = createClient('http://localhost:8090');

  it('accepts any collection and field, with loose records', async () => {
    const things = loose.collection('anything');
    const thing = await things.get('id');
    expectTypeOf(thing).toEqualTypeOf<LooseRecord>();
    expectTypeOf(thing.id).toBeString();
    expectTypeOf(thing['whatever']).toBeUnknown();
    await things.create({ any: 'thing', n: 1 });
    await things.update(thing.id, { any: null });
    const { items } = await things.list({ sort: '-whatever', fields: ['a'], expand: ['b'] });
    expectTypeOf(items[0]!).toExtend<Record<string, unknown>>();
    const [result] = await loose.batch([{ action: 'create', collection: 'x', data: { a: 1 } }]);
    expectTypeOf(result).toEqualTypeOf<LooseRecord>();
  });
});

describe('filter()', () => {
  it('needs exactly the placeholders of a literal template', () => {
    expectTypeOf<FilterPlaceholders<'owner == {:id} && (title == {:title} || n > {:id})'>>().toEqualTypeOf<
      'id' | 'title'
    >();
    expectTypeOf(filter('owner == {:id}', { id: 'u1' })).toBeString();
    filter('a == {:a} && b in {:b} && c > {:c}', { a: null, b: ['x', 1, true, null], c: new Date() });
    filter('published == true', {});
    // @ts-expect-error: a placeholder without a value
    filter('owner == {:id} && title == {:title}', { id: 'u1' });
    // @ts-expect-error: a value without a placeholder (likely a typo)
    filter('owner == {:id}', { id: 'u1', idd: 'u2' });
    // @ts-expect-error: objects are not filter values
    filter('owner == {:id}', { id: { id: 'u1' } });
    // @ts-expect-error: undefined is not a value (null is)
    filter('owner == {:id}', { id: undefined });
    // @ts-expect-error: lists hold scalars only
    filter('x in {:v}', { v: [['nested']] });
  });

  it('takes any params object when the template is not a literal', () => {
    const template: string = 'owner == {:id}';
    expectTypeOf<FilterParams<typeof template>>().toEqualTypeOf<Readonly<Record<string, FilterValueOf>>>();
    filter(template, { id: 'u1', other: 2 });
  });
});

type FilterValueOf = Parameters<typeof filter<'{:x}'>>[1]['x'];
