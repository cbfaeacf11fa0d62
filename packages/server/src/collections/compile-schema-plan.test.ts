import { assertSchemaDocument, type SchemaDocument } from '@hearth/schema';
import { describe, expect, test } from 'vitest';
import { compileSchemaPlan } from './compile-schema-plan.js';
import { deleteTriggers } from './delete-triggers.js';
import { foreignKeyName, indexName, physicalCollection } from './physical-schema.js';

const doc = (collections: Record<string, unknown>, extra: Record<string, unknown> = {}): SchemaDocument =>
  assertSchemaDocument({ collections, ...extra });

const T = (name: string) => `app."${name}"`;
const fk = (collection: string, field: string) => foreignKeyName(collection, field);
const ix = (collection: string, fields: string[], unique = false) => indexName(collection, fields, unique);
const gin = (collection: string, field: string) =>
  (
    physicalCollection(collection, {
      fields: { [field]: { type: 'relation', to: 'users', many: true } },
    }).indexes.get(`g:${field}`) as { name: string }
  ).name;
const trigger = expect.stringMatching(
  /^(CREATE OR REPLACE FUNCTION app\.|CREATE TRIGGER |DROP FUNCTION IF EXISTS app\.)"od_/,
);

const posts = (fields: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
  posts: { fields: { title: { type: 'text' }, ...fields }, ...more },
});

interface Case {
  name: string;
  from: SchemaDocument | null;
  to: SchemaDocument;
  /** Per step: its kind, whether it is destructive, and its statements in the order they run. */
  steps: [kind: string, destructive: boolean, sql: unknown[]][];
  /** The change-field-type verdict, when there is one. */
  change?: 'widening' | 'narrowing';
}

const cases: Case[] = [
  {
    name: 'a new collection: its table, default index, unique constraint and foreign key',
    from: null,
    to: doc(posts({ slug: { type: 'text', unique: true }, owner: { type: 'relation', to: 'users' } })),
    steps: [
      [
        'create-collection',
        false,
        [
          `CREATE TABLE ${T('posts')} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), "createdAt" timestamptz(3) NOT NULL DEFAULT now(), "updatedAt" timestamptz(3) NOT NULL DEFAULT now(), "title" text, "slug" text, "owner" uuid)`,
          `ALTER TABLE ${T('posts')} ADD CONSTRAINT "${ix('posts', ['slug'], true)}" UNIQUE ("slug")`,
          `CREATE INDEX "${ix('posts', ['createdAt', 'id'])}" ON ${T('posts')} ("createdAt", "id")`,
          `ALTER TABLE ${T('posts')} ADD CONSTRAINT "${fk('posts', 'owner')}" FOREIGN KEY ("owner") REFERENCES hearth."users" (id) ON DELETE SET NULL`,
        ],
      ],
    ],
  },
  {
    name: 'a text field added',
    from: doc(posts({})),
    to: doc(posts({ body: { type: 'text' } })),
    steps: [['add-field', false, [`ALTER TABLE ${T('posts')} ADD COLUMN "body" text`]]],
  },
  {
    name: 'a profile field added to users goes to hearth.users',
    from: doc({}),
    to: doc({ users: { fields: { nickname: { type: 'text' } } } }),
    steps: [['add-field', false, ['ALTER TABLE hearth."users" ADD COLUMN "nickname" text']]],
  },
  {
    name: 'a required relation added: the column, then its restricting foreign key',
    from: doc(posts({})),
    to: doc(posts({ owner: { type: 'relation', to: 'users', required: true } })),
    steps: [
      [
        'add-field',
        false,
        [
          `ALTER TABLE ${T('posts')} ADD COLUMN "owner" uuid`,
          `ALTER TABLE ${T('posts')} ADD CONSTRAINT "${fk('posts', 'owner')}" FOREIGN KEY ("owner") REFERENCES hearth."users" (id) ON DELETE RESTRICT`,
        ],
      ],
    ],
  },
  {
    name: 'a field dropped: destructive; its foreign key goes first',
    from: doc(posts({ owner: { type: 'relation', to: 'users' } })),
    to: doc(posts({})),
    steps: [
      [
        'drop-field',
        true,
        [
          `ALTER TABLE ${T('posts')} DROP CONSTRAINT "${fk('posts', 'owner')}"`,
          `ALTER TABLE ${T('posts')} DROP COLUMN "owner"`,
        ],
      ],
    ],
  },
  {
    name: 'a field renamed: the column and its unique constraint follow',
    from: doc(posts({ slug: { type: 'text', unique: true } })),
    to: doc(posts({ handle: { type: 'text', unique: true, renamedFrom: 'slug' } })),
    steps: [
      [
        'rename-field',
        false,
        [
          `ALTER TABLE ${T('posts')} RENAME COLUMN "slug" TO "handle"`,
          `ALTER TABLE ${T('posts')} RENAME CONSTRAINT "${ix('posts', ['slug'], true)}" TO "${ix('posts', ['handle'], true)}"`,
        ],
      ],
    ],
  },
  {
    name: 'a collection renamed: the table, its index and its foreign key follow',
    from: doc({ notes: { fields: { owner: { type: 'relation', to: 'users' } } } }),
    to: doc({ memos: { fields: { owner: { type: 'relation', to: 'users' } }, renamedFrom: 'notes' } }),
    steps: [
      [
        'rename-collection',
        false,
        [
          `ALTER TABLE ${T('notes')} RENAME TO "memos"`,
          `ALTER TABLE ${T('memos')} RENAME CONSTRAINT "${fk('notes', 'owner')}" TO "${fk('memos', 'owner')}"`,
          `ALTER INDEX app."${ix('notes', ['createdAt', 'id'])}" RENAME TO "${ix('memos', ['createdAt', 'id'])}"`,
        ],
      ],
    ],
  },
  {
    name: 'a field renamed and narrowed in one push: the type change names the new column',
    from: doc(posts({ score: { type: 'text' } })),
    to: doc(posts({ points: { type: 'number', renamedFrom: 'score' } })),
    change: 'narrowing',
    steps: [
      ['rename-field', false, [`ALTER TABLE ${T('posts')} RENAME COLUMN "score" TO "points"`]],
      [
        'change-field-type',
        true,
        [
          `ALTER TABLE ${T('posts')} ALTER COLUMN "points" TYPE double precision USING "points"::double precision`,
        ],
      ],
    ],
  },
  {
    name: 'a collection and its unique field renamed together: one rename of the constraint, to its final name',
    from: doc({ notes: { fields: { slug: { type: 'text', unique: true } } } }),
    to: doc({
      memos: {
        fields: { handle: { type: 'text', unique: true, renamedFrom: 'slug' } },
        renamedFrom: 'notes',
      },
    }),
    steps: [
      [
        'rename-collection',
        false,
        [
          `ALTER TABLE ${T('notes')} RENAME TO "memos"`,
          `ALTER INDEX app."${ix('notes', ['createdAt', 'id'])}" RENAME TO "${ix('memos', ['createdAt', 'id'])}"`,
        ],
      ],
      [
        'rename-field',
        false,
        [
          `ALTER TABLE ${T('memos')} RENAME COLUMN "slug" TO "handle"`,
          `ALTER TABLE ${T('memos')} RENAME CONSTRAINT "${ix('notes', ['slug'], true)}" TO "${ix('memos', ['handle'], true)}"`,
        ],
      ],
    ],
  },
  {
    name: 'a collection dropped: destructive',
    from: doc(posts({ owner: { type: 'relation', to: 'users' } })),
    to: doc({}),
    steps: [
      [
        'drop-collection',
        true,
        [`ALTER TABLE ${T('posts')} DROP CONSTRAINT "${fk('posts', 'owner')}"`, `DROP TABLE ${T('posts')}`],
      ],
    ],
  },
  {
    name: 'text → number is narrowing',
    from: doc(posts({ score: { type: 'text' } })),
    to: doc(posts({ score: { type: 'number' } })),
    change: 'narrowing',
    steps: [
      [
        'change-field-type',
        true,
        [
          `ALTER TABLE ${T('posts')} ALTER COLUMN "score" TYPE double precision USING "score"::double precision`,
        ],
      ],
    ],
  },
  {
    name: 'number → text is widening',
    from: doc(posts({ score: { type: 'number' } })),
    to: doc(posts({ score: { type: 'text' } })),
    change: 'widening',
    steps: [
      [
        'change-field-type',
        false,
        [`ALTER TABLE ${T('posts')} ALTER COLUMN "score" TYPE text USING "score"::text`],
      ],
    ],
  },
  {
    name: 'text → email keeps the column: no SQL, but narrowing',
    from: doc(posts({ contact: { type: 'text' } })),
    to: doc(posts({ contact: { type: 'email' } })),
    change: 'narrowing',
    steps: [['change-field-type', true, []]],
  },
  {
    name: 'relation → json is widening: the foreign key goes, the ids stay as JSON strings',
    from: doc(posts({ owner: { type: 'relation', to: 'users' } })),
    to: doc(posts({ owner: { type: 'json' } })),
    change: 'widening',
    steps: [
      [
        'change-field-type',
        false,
        [
          `ALTER TABLE ${T('posts')} DROP CONSTRAINT "${fk('posts', 'owner')}"`,
          `ALTER TABLE ${T('posts')} ALTER COLUMN "owner" TYPE jsonb USING to_jsonb("owner")`,
        ],
      ],
    ],
  },
  {
    name: 'a to-many relation → json is widening: its trigger and GIN index go',
    from: doc(posts({ readers: { type: 'relation', to: 'users', many: true } })),
    to: doc(posts({ readers: { type: 'json' } })),
    change: 'widening',
    steps: [
      [
        'change-field-type',
        false,
        [
          trigger,
          `DROP INDEX app."${gin('posts', 'readers')}"`,
          `ALTER TABLE ${T('posts')} ALTER COLUMN "readers" TYPE jsonb USING to_jsonb("readers")`,
        ],
      ],
    ],
  },
  {
    name: 'relation → relation to many is widening: foreign key out, GIN index and trigger in',
    from: doc(posts({ owner: { type: 'relation', to: 'users' } })),
    to: doc(posts({ owner: { type: 'relation', to: 'users', many: true } })),
    change: 'widening',
    steps: [
      [
        'change-field-type',
        false,
        [
          `ALTER TABLE ${T('posts')} DROP CONSTRAINT "${fk('posts', 'owner')}"`,
          `ALTER TABLE ${T('posts')} ALTER COLUMN "owner" TYPE uuid[] USING CASE WHEN "owner" IS NULL THEN NULL ELSE ARRAY["owner"] END`,
          `CREATE INDEX "${gin('posts', 'owner')}" ON ${T('posts')} USING gin ("owner")`,
          trigger,
          trigger,
        ],
      ],
    ],
  },
  {
    name: 'a relation retargeted is narrowing: its ids are cleared and the foreign key points anew',
    from: doc({ ...posts({ ref: { type: 'relation', to: 'users' } }), tags: { fields: {} } }),
    to: doc({ ...posts({ ref: { type: 'relation', to: 'tags' } }), tags: { fields: {} } }),
    change: 'narrowing',
    steps: [
      [
        'change-field-type',
        true,
        [
          `ALTER TABLE ${T('posts')} DROP CONSTRAINT "${fk('posts', 'ref')}"`,
          `ALTER TABLE ${T('posts')} ALTER COLUMN "ref" TYPE uuid USING NULL`,
          `ALTER TABLE ${T('posts')} ADD CONSTRAINT "${fk('posts', 'ref')}" FOREIGN KEY ("ref") REFERENCES ${T('tags')} (id) ON DELETE SET NULL`,
        ],
      ],
    ],
  },
  {
    name: 'a change of onDelete replaces the foreign key',
    from: doc(posts({ owner: { type: 'relation', to: 'users' } })),
    to: doc(posts({ owner: { type: 'relation', to: 'users', onDelete: 'cascade' } })),
    steps: [
      [
        'change-field-options',
        false,
        [
          `ALTER TABLE ${T('posts')} DROP CONSTRAINT "${fk('posts', 'owner')}"`,
          `ALTER TABLE ${T('posts')} ADD CONSTRAINT "${fk('posts', 'owner')}" FOREIGN KEY ("owner") REFERENCES hearth."users" (id) ON DELETE CASCADE`,
        ],
      ],
    ],
  },
  {
    name: 'unique switched on: a constraint (which fails on duplicates rather than losing them)',
    from: doc(posts({ slug: { type: 'text' } })),
    to: doc(posts({ slug: { type: 'text', unique: true } })),
    steps: [
      [
        'change-field-options',
        false,
        [`ALTER TABLE ${T('posts')} ADD CONSTRAINT "${ix('posts', ['slug'], true)}" UNIQUE ("slug")`],
      ],
    ],
  },
  {
    name: 'select values removed: destructive, no SQL',
    from: doc(posts({ status: { type: 'select', values: ['draft', 'live'] } })),
    to: doc(posts({ status: { type: 'select', values: ['live'] } })),
    steps: [['change-field-options', true, []]],
  },
  {
    name: 'a declared index added, another dropped',
    from: doc(posts({}, { indexes: [{ fields: ['title'] }] })),
    to: doc(posts({}, { indexes: [{ fields: ['title', 'createdAt'], unique: true }] })),
    steps: [
      ['drop-index', false, [`DROP INDEX app."${ix('posts', ['title'])}"`]],
      [
        'add-index',
        false,
        [
          `ALTER TABLE ${T('posts')} ADD CONSTRAINT "${ix('posts', ['title', 'createdAt'], true)}" UNIQUE ("title", "createdAt")`,
        ],
      ],
    ],
  },
  {
    name: 'a rule changed: no SQL',
    from: doc(posts({}, { rules: { list: 'true' } })),
    to: doc(posts({}, { rules: { list: 'auth != null' } })),
    steps: [['change-rule', false, []]],
  },
  {
    name: 'a bucket dropped: destructive, no SQL',
    from: doc({}, { buckets: { avatars: { rules: { read: 'true' } } } }),
    to: doc({}),
    steps: [['drop-bucket', true, []]],
  },
];

describe('compileSchemaPlan', () => {
  test.each(cases)('$name', ({ from, to, steps, change }) => {
    const compiled = compileSchemaPlan(from, to);
    expect(compiled.steps.map((s) => [s.kind, s.destructive, s.sql])).toEqual(steps);
    expect(compiled.destructive).toBe(steps.some(([, destructive]) => destructive));
    if (change) expect(compiled.steps.find((s) => s.kind === 'change-field-type')).toMatchObject({ change });
    // Every statement that runs is one of a step's; nothing runs that the plan does not show.
    expect(compiled.repairs).toEqual([]);
    expect(compiled.statements.map((s) => s.sql).sort()).toEqual(compiled.steps.flatMap((s) => s.sql).sort());
  });

  test('collections that point at each other: both tables exist before either foreign key', () => {
    const compiled = compileSchemaPlan(
      null,
      doc({
        a: { fields: { b: { type: 'relation', to: 'b' } } },
        b: { fields: { a: { type: 'relation', to: 'a' } } },
      }),
    );
    const order = compiled.statements.map((s) => s.sql.split(' (')[0]);
    expect(order.slice(0, 2)).toEqual([`CREATE TABLE ${T('a')}`, `CREATE TABLE ${T('b')}`]);
    expect(order.slice(-2)).toEqual([
      expect.stringContaining(`ALTER TABLE ${T('a')} ADD CONSTRAINT`),
      expect.stringContaining(`ALTER TABLE ${T('b')} ADD CONSTRAINT`),
    ]);
  });

  test('a rename of the collection a to-many relation points at replaces its trigger, under that rename', () => {
    const from = doc({
      tags: { fields: {} },
      ...posts({ tags: { type: 'relation', to: 'tags', many: true } }),
    });
    const to = doc({
      labels: { fields: {}, renamedFrom: 'tags' },
      ...posts({ tags: { type: 'relation', to: 'labels', many: true } }),
    });
    const compiled = compileSchemaPlan(from, to);
    expect(compiled.steps.map((s) => s.kind)).toEqual(['rename-collection']);
    expect(compiled.steps[0]?.sql).toEqual([
      trigger,
      `ALTER TABLE ${T('tags')} RENAME TO "labels"`,
      `ALTER INDEX app."${ix('tags', ['createdAt', 'id'])}" RENAME TO "${ix('labels', ['createdAt', 'id'])}"`,
      trigger,
      trigger,
    ]);
    expect(compiled.repairs).toEqual([]);
  });

  test('the same document with its delete triggers missing from the database: only repairs', () => {
    const document = doc(posts({ readers: { type: 'relation', to: 'users', many: true } }));
    const compiled = compileSchemaPlan(document, document, new Set());
    expect(compiled.steps).toEqual([]);
    expect(compiled.repairs).toEqual([trigger, trigger]);
    const leftOver = compileSchemaPlan(
      document,
      document,
      new Set([...deleteTriggers(document).keys(), 'od_aleftover']),
    );
    expect(leftOver.repairs).toEqual(['DROP FUNCTION IF EXISTS app."od_aleftover"() CASCADE']);
  });
});
