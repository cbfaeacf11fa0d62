import { describe, expect, test } from 'vitest';
import { blogSchema } from '../test/fixture-schema.ts';
import { assertSchemaDocument, diffSchemas, type PlanStep, type SchemaDocument } from './index.js';

const doc = (value: unknown): SchemaDocument => assertSchemaDocument(value);
const kinds = (steps: PlanStep[]): string[] => steps.map((s) => s.kind);

const base = doc({
  collections: {
    posts: {
      fields: {
        title: { type: 'text', required: true },
        body: { type: 'text' },
        score: { type: 'number' },
        owner: { type: 'relation', to: 'users' },
      },
      indexes: [{ fields: ['title', 'createdAt'] }],
      rules: { list: 'true', view: 'true' },
    },
  },
});

function withPosts(change: (posts: Record<string, unknown>) => void): SchemaDocument {
  const copy = JSON.parse(JSON.stringify(base)) as { collections: { posts: Record<string, unknown> } };
  change(copy.collections.posts);
  return doc(copy);
}

describe('diffSchemas', () => {
  test('an empty database gets every collection, bucket and channel; users is never created', () => {
    const plan = diffSchemas(null, blogSchema);
    expect(kinds(plan.steps)).toEqual([
      'create-collection',
      'create-collection',
      'create-collection',
      'add-field',
      'add-field',
      'add-field',
      'create-bucket',
      'create-channel',
    ]);
    expect(
      plan.steps
        .filter((s) => s.kind === 'add-field')
        .every((s) => s.kind === 'add-field' && s.collection === 'users'),
    ).toBe(true);
    expect(plan.destructive).toBe(false);
  });

  test('the same document gives an empty plan, whatever the key order', () => {
    expect(diffSchemas(base, base)).toEqual({ steps: [], destructive: false });
    const reordered = doc({
      collections: {
        posts: {
          rules: { view: 'true', list: 'true' },
          indexes: [{ fields: ['title', 'createdAt'] }],
          fields: {
            owner: { to: 'users', type: 'relation' },
            score: { type: 'number' },
            body: { type: 'text' },
            title: { required: true, type: 'text' },
          },
        },
      },
    });
    expect(diffSchemas(base, reordered).steps).toEqual([]);
  });

  test('renamedFrom renames a field, and its indexes follow', () => {
    const desired = withPosts((p) => {
      const fields = p.fields as Record<string, unknown>;
      fields.headline = { ...(fields.title as object), renamedFrom: 'title' };
      delete fields.title;
      p.indexes = [{ fields: ['headline', 'createdAt'] }];
    });
    const plan = diffSchemas(base, desired);
    expect(plan.steps).toEqual([
      {
        kind: 'rename-field',
        collection: 'posts',
        from: 'title',
        to: 'headline',
        destructive: false,
        description: 'rename field posts.title to posts.headline',
      },
    ]);
    // Once applied, the stored document carries renamedFrom too: nothing more to do.
    expect(diffSchemas(desired, desired).steps).toEqual([]);
  });

  test('without renamedFrom a rename is drop-and-add, destructive, with a hint', () => {
    const desired = withPosts((p) => {
      const fields = p.fields as Record<string, unknown>;
      fields.text = fields.body;
      delete fields.body;
    });
    const plan = diffSchemas(base, desired);
    expect(kinds(plan.steps)).toEqual(['add-field', 'drop-field']);
    expect(plan.destructive).toBe(true);
    expect(plan.steps[1]).toMatchObject({
      destructive: true,
      description: 'drop field posts.body (its data is deleted)',
      hint: 'if posts.text is posts.body renamed, add "renamedFrom": "body" to it',
    });
  });

  test('renamedFrom renames a collection', () => {
    const desired = doc({
      collections: { articles: { ...(base.collections?.posts as object), renamedFrom: 'posts' } },
    });
    const plan = diffSchemas(base, desired);
    expect(plan.steps).toEqual([
      {
        kind: 'rename-collection',
        from: 'posts',
        to: 'articles',
        destructive: false,
        description: 'rename collection "posts" to "articles"',
      },
    ]);
  });

  test('a dropped collection is destructive, with a hint when a new one looks the same', () => {
    const desired = doc({ collections: { articles: base.collections?.posts } });
    const plan = diffSchemas(base, desired);
    expect(kinds(plan.steps)).toEqual(['create-collection', 'drop-collection']);
    expect(plan.steps[1]).toMatchObject({
      destructive: true,
      hint: 'if "articles" is "posts" renamed, add "renamedFrom": "posts" to it',
    });
  });

  test.each([
    ['text', { type: 'json' }, 'widening', false, true],
    ['text', { type: 'email' }, 'narrowing', true, false],
    ['text', { type: 'number' }, 'narrowing', true, true],
    ['number', { type: 'text' }, 'widening', false, true],
    ['relation', { type: 'relation', to: 'users', many: true }, 'widening', false, true],
    ['relation', { type: 'relation', to: 'posts' }, 'narrowing', true, false],
    ['relation', { type: 'json' }, 'widening', false, true],
    ['relation', { type: 'text' }, 'narrowing', true, true],
  ])('changing a %s field to %j is %s', (fromType, to, change, destructive, columnTypeChanges) => {
    const field = { text: 'body', number: 'score', relation: 'owner' }[fromType] as string;
    const desired = withPosts((p) => {
      (p.fields as Record<string, unknown>)[field] = to;
    });
    const [step, ...rest] = diffSchemas(base, desired).steps;
    expect(rest).toEqual([]);
    expect(step).toMatchObject({
      kind: 'change-field-type',
      collection: 'posts',
      field,
      change,
      destructive,
      columnTypeChanges,
    });
  });

  test('option changes are listed, and narrowing ones are flagged', () => {
    const desired = withPosts((p) => {
      (p.fields as Record<string, unknown>).score = { type: 'number', required: true, max: 10 };
    });
    const [step] = diffSchemas(base, desired).steps;
    expect(step).toMatchObject({
      kind: 'change-field-options',
      changes: [
        { option: 'max', from: undefined, to: 10 },
        { option: 'required', from: undefined, to: true },
      ],
      narrowing: true,
      destructive: false,
      description: 'change posts.score: max unset → 10, required unset → true',
    });
  });

  test('removing select values is destructive; adding one is not', () => {
    const withStatus = (values: string[]) =>
      withPosts((p) => {
        (p.fields as Record<string, unknown>).status = { type: 'select', values };
      });
    const removed = diffSchemas(withStatus(['draft', 'live']), withStatus(['live']));
    expect(removed.steps).toMatchObject([
      { kind: 'change-field-options', narrowing: true, destructive: true },
    ]);
    expect(removed.destructive).toBe(true);
    const added = diffSchemas(withStatus(['live']), withStatus(['draft', 'live']));
    expect(added.steps).toMatchObject([
      { kind: 'change-field-options', narrowing: false, destructive: false },
    ]);
  });

  test('a relation turned into json keeps its ids, and the plan says the link goes', () => {
    const desired = withPosts((p) => {
      (p.fields as Record<string, unknown>).owner = { type: 'json' };
    });
    expect(diffSchemas(base, desired).steps[0]?.description).toBe(
      'change posts.owner from relation to users to json (widening: the ids are kept as JSON strings; the link and its onDelete go)',
    );
  });

  test('a change of onDelete shows in the plan; cascade: true → onDelete: "cascade" is no change', () => {
    const setOwner = (owner: unknown) =>
      withPosts((p) => {
        (p.fields as Record<string, unknown>).owner = owner;
      });
    const [step] = diffSchemas(base, setOwner({ type: 'relation', to: 'users', onDelete: 'cascade' })).steps;
    expect(step).toMatchObject({
      kind: 'change-field-options',
      field: 'owner',
      changes: [{ option: 'onDelete', from: 'setNull', to: 'cascade' }],
      description: 'change posts.owner: onDelete "setNull" → "cascade"',
    });
    const legacy = setOwner({ type: 'relation', to: 'users', cascade: true });
    expect(
      diffSchemas(legacy, setOwner({ type: 'relation', to: 'users', onDelete: 'cascade' })).steps,
    ).toEqual([]);
    // Making an optional relation required also changes its default onDelete.
    expect(
      diffSchemas(base, setOwner({ type: 'relation', to: 'users', required: true })).steps[0]?.description,
    ).toBe('change posts.owner: required unset → true, onDelete "setNull" → "restrict"');
  });

  test('indexes and rules', () => {
    const desired = withPosts((p) => {
      p.indexes = [{ fields: ['title'], unique: true }];
      p.rules = { list: 'true', view: 'owner == auth.id', delete: 'owner == auth.id' };
    });
    const plan = diffSchemas(base, desired);
    expect(plan.steps.map((s) => s.description)).toEqual([
      'drop index (title, createdAt) on posts',
      'add unique index (title) on posts',
      'set the view rule of posts to "owner == auth.id"',
      'set the delete rule of posts to "owner == auth.id"',
    ]);
    expect(plan.destructive).toBe(false);
    const locked = withPosts((p) => {
      p.rules = { list: 'true' };
    });
    expect(diffSchemas(base, locked).steps.map((s) => s.description)).toEqual([
      'set the view rule of posts to admin-only',
    ]);
  });

  test('adding a required field with no default warns', () => {
    const desired = withPosts((p) => {
      (p.fields as Record<string, unknown>).slug = { type: 'text', required: true };
    });
    expect(diffSchemas(base, desired).steps[0]).toMatchObject({
      kind: 'add-field',
      warning: 'required with no default: existing records have no value',
    });
  });

  test('users profile fields are added and dropped like any other', () => {
    const withProfile = doc({ collections: { users: { fields: { name: { type: 'text' } } } } });
    expect(kinds(diffSchemas(null, withProfile).steps)).toEqual(['add-field']);
    expect(kinds(diffSchemas(withProfile, doc({})).steps)).toEqual(['drop-field']);
  });

  test('buckets and channels', () => {
    const a = doc({
      buckets: { avatars: { maxSize: '5MB' }, old: {} },
      channels: { 'room:*': { rules: { join: 'true' } } },
    });
    const b = doc({ buckets: { avatars: { maxSize: '1MB' } }, channels: { lobby: {} } });
    expect(diffSchemas(a, b).steps.map((s) => [s.kind, s.destructive])).toEqual([
      ['change-bucket', false],
      ['drop-bucket', true],
      ['create-channel', false],
      ['drop-channel', false],
    ]);
  });
});

describe('relations to a renamed collection', () => {
  test('follow the rename instead of counting as a destructive retarget', () => {
    const current: SchemaDocument = {
      collections: {
        projects: { fields: { name: { type: 'text' } } },
        posts: { fields: { project: { type: 'relation', to: 'projects' } } },
      },
    };
    const desired: SchemaDocument = {
      collections: {
        workspaces: { renamedFrom: 'projects', fields: { name: { type: 'text' } } },
        posts: { fields: { project: { type: 'relation', to: 'workspaces' } } },
      },
    };
    const plan = diffSchemas(current, desired);
    expect(plan.destructive).toBe(false);
    expect(plan.steps.map((step) => step.kind)).toEqual(['rename-collection']);
  });

  test('still flags a real retarget next to a rename', () => {
    const current: SchemaDocument = {
      collections: {
        projects: { fields: { name: { type: 'text' } } },
        teams: { fields: { name: { type: 'text' } } },
        posts: { fields: { project: { type: 'relation', to: 'projects' } } },
      },
    };
    const desired: SchemaDocument = {
      collections: {
        workspaces: { renamedFrom: 'projects', fields: { name: { type: 'text' } } },
        teams: { fields: { name: { type: 'text' } } },
        posts: { fields: { project: { type: 'relation', to: 'teams' } } },
      },
    };
    const plan = diffSchemas(current, desired);
    const change = plan.steps.find((step) => step.kind === 'change-field-type');
    expect(change).toMatchObject({ field: 'project', change: 'narrowing', destructive: true });
  });
});
