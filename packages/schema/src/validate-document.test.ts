import { describe, expect, test } from 'vitest';
import { blogSchema } from '../test/fixture-schema.ts';
import {
  assertSchemaDocument,
  effectiveOnDelete,
  parseSchemaDocument,
  SchemaError,
  validateSchemaDocument,
  type SchemaIssue,
} from './index.js';

function issues(input: unknown): SchemaIssue[] {
  const result = typeof input === 'string' ? parseSchemaDocument(input) : validateSchemaDocument(input);
  if (result.ok) throw new Error('expected the document to be invalid');
  return result.issues;
}

function messages(input: unknown): string[] {
  return issues(input).map((i) => i.message);
}

const posts = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  collections: { posts: { fields, ...extra } },
});

describe('validateSchemaDocument', () => {
  test('accepts the design document example and the test fixture', () => {
    const design = {
      collections: {
        posts: {
          fields: {
            title: { type: 'text', required: true, max: 200 },
            published: { type: 'bool', default: false },
            owner: { type: 'relation', to: 'users', required: true },
          },
          indexes: [{ fields: ['owner', 'createdAt'] }],
          rules: {
            list: 'published || owner == auth.id',
            view: 'published || owner == auth.id',
            create: 'auth != null && data.owner == auth.id',
            update: 'owner == auth.id',
            delete: 'owner == auth.id',
          },
        },
      },
      buckets: {
        avatars: {
          maxSize: '5MB',
          types: ['image/*'],
          rules: { read: 'true', write: "auth != null && path.startsWith(auth.id + '/')" },
        },
      },
      channels: { 'room:*': { rules: { join: 'auth != null', broadcast: 'auth != null' } } },
    };
    expect(validateSchemaDocument(design)).toMatchObject({ ok: true });
    expect(validateSchemaDocument(blogSchema)).toMatchObject({ ok: true });
    expect(validateSchemaDocument({})).toMatchObject({ ok: true });
    expect(assertSchemaDocument(JSON.stringify(design))).toEqual(design);
  });

  test.each([
    [{ colections: {} }, '/colections: unknown key "colections"'],
    [
      posts({ title: { type: 'text', requird: true } }),
      '/collections/posts/fields/title/requird: unknown key "requird"',
    ],
    [
      posts({ title: { type: 'string' } }),
      '/collections/posts/fields/title/type: unknown field type (text, number, bool, date, json, email, url, select, relation, file)',
    ],
    [
      posts({ Title: { type: 'text' } }),
      '/collections/posts/fields/Title: invalid name "Title": must match /^[a-z][a-zA-Z0-9_]{0,62}$/',
    ],
    [
      posts({ 'drop table': { type: 'text' } }),
      '/collections/posts/fields/drop table: invalid name "drop table": must match /^[a-z][a-zA-Z0-9_]{0,62}$/',
    ],
    [posts({ id: { type: 'text' } }), '/collections/posts/fields/id: "id" is a reserved name'],
    [
      posts({ createdAt: { type: 'date' } }),
      '/collections/posts/fields/createdAt: "createdAt" is a reserved name',
    ],
    [posts({ auth: { type: 'text' } }), '/collections/posts/fields/auth: "auth" is a reserved name'],
    [posts({ ctid: { type: 'text' } }), '/collections/posts/fields/ctid: "ctid" is a reserved name'],
    [
      posts({ owner: { type: 'relation', to: 'usr' } }),
      '/collections/posts/fields/owner/to: unknown collection "usr"',
    ],
    [
      posts({ owner: { type: 'relation', to: 'users', required: true, onDelete: 'setNull' } }),
      '/collections/posts/fields/owner/onDelete: a required relation cannot be set to null; use "restrict" or "cascade", or make it optional',
    ],
    [
      posts({ tags: { type: 'relation', to: 'users', many: true, required: true, onDelete: 'setNull' } }),
      '/collections/posts/fields/tags/onDelete: a required relation cannot be set to null; use "restrict" or "cascade", or make it optional',
    ],
    [
      posts({ owner: { type: 'relation', to: 'users', cascade: true, onDelete: 'restrict' } }),
      '/collections/posts/fields/owner/cascade: "cascade": true contradicts "onDelete": "restrict" (cascade is deprecated; keep onDelete)',
    ],
    [
      {
        collections: { users: { fields: { team: { type: 'relation', to: 'users', onDelete: 'cascade' } } } },
      },
      '/collections/users/fields/team/onDelete: a relation of users cannot cascade: deleting a record must not delete user accounts (use "setNull" or "restrict"; delete users through the admin API)',
    ],
    [
      posts({ owner: { type: 'relation', to: 'users', onDelete: 'delete' } }),
      '/collections/posts/fields/owner/onDelete: Invalid option: expected one of "cascade"|"setNull"|"restrict"',
    ],
    [
      posts({ s: { type: 'select', values: ['a', 'b'], default: 'c' } }),
      '/collections/posts/fields/s/default: default "c" is not one of the values',
    ],
    [
      posts({ s: { type: 'select', values: [] } }),
      '/collections/posts/fields/s/values: Too small: expected array to have >=1 items',
    ],
    [
      posts({ n: { type: 'number', min: 5, max: 1 } }),
      '/collections/posts/fields/n/min: min is greater than max',
    ],
    [
      posts({ n: { type: 'number', integer: true, default: 1.5 } }),
      '/collections/posts/fields/n/default: default is not an integer',
    ],
    [
      posts({ d: { type: 'date', min: 'tomorrow' } }),
      '/collections/posts/fields/d/min: Invalid string: must match pattern /^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?(Z|[+-]\\d{2}:\\d{2}))?$/',
    ],
    [
      posts({ d: { type: 'date', default: '2024-02-30' } }),
      '/collections/posts/fields/d/default: "2024-02-30" is not a valid date',
    ],
    [
      posts({ f: { type: 'file', maxSize: 'huge' } }),
      '/collections/posts/fields/f/maxSize: Invalid string: must match pattern /^[0-9]+(\\.[0-9]+)?\\s*(B|KB|MB|GB|KiB|MiB|GiB)$/i',
    ],
    [
      posts({ a: { type: 'text' } }, { indexes: [{ fields: ['b'] }] }),
      '/collections/posts/indexes/0/fields/0: unknown field "b"',
    ],
    [
      posts({ a: { type: 'json' } }, { indexes: [{ fields: ['a'] }] }),
      '/collections/posts/indexes/0/fields/0: cannot index a json field',
    ],
    [
      posts({ a: { type: 'text' } }, { indexes: [{ fields: ['a'] }, { fields: ['a'] }] }),
      '/collections/posts/indexes/1: duplicate index',
    ],
    [
      posts({ a: { type: 'text', renamedFrom: 'a' } }),
      '/collections/posts/fields/a/renamedFrom: a field cannot be renamed from itself',
    ],
    [
      posts({ a: { type: 'text', renamedFrom: 'b' }, b: { type: 'text' } }),
      '/collections/posts/fields/a/renamedFrom: "b" still exists in this collection',
    ],
    [
      posts({ a: { type: 'text', renamedFrom: 'c' }, b: { type: 'text', renamedFrom: 'c' } }),
      '/collections/posts/fields/b/renamedFrom: "a" is already renamed from "c"',
    ],
    [
      { collections: { users: { fields: { email: { type: 'text' } } } } },
      '/collections/users/fields/email: "email" is a built-in field of users',
    ],
    [
      { collections: { users: { fields: {}, renamedFrom: 'people' } } },
      '/collections/users/renamedFrom: the users collection cannot be renamed',
    ],
    [
      { collections: { a: { renamedFrom: 'b' }, b: {} } },
      '/collections/a/renamedFrom: "b" still exists in this document',
    ],
    [
      posts({ a: { type: 'text' } }, { rules: { list: 'ownr == auth.id' } }),
      '/collections/posts/rules/list: unknown field "ownr" in posts (rule 1:1)',
    ],
    [
      posts({ a: { type: 'text' } }, { rules: { lst: 'true' } }),
      '/collections/posts/rules/lst: unknown key "lst"',
    ],
    [
      { buckets: { avatars: { rules: { write: 'owner == auth.id' } } } },
      '/buckets/avatars/rules/write: unknown name "owner" (write rules can use auth, now, path) (rule 1:1)',
    ],
    [
      { buckets: { avatars: { types: ['images'] } } },
      '/buckets/avatars/types/0: Invalid string: must match pattern /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\\/(\\*|[a-z0-9][a-z0-9!#$&^_.+-]{0,126})$/i',
    ],
    [
      { channels: { 'room:*:x': {} } },
      '/channels/room:*:x: invalid name "room:*:x": Invalid string: must match pattern /^[a-zA-Z0-9_.:-]{1,100}\\*?$|^\\*$/',
    ],
    [
      { channels: { 'room:*': { rules: { join: 'path == ""' } } } },
      '/channels/room:*/rules/join: unknown name "path" (join rules can use auth, now, channel) (rule 1:1)',
    ],
  ])('%j → %s', (input, message) => {
    expect(messages(input)).toContain(message);
  });

  test('__proto__, constructor and prototype keys are refused anywhere, without polluting', () => {
    const text =
      '{"collections":{"posts":{"fields":{"x":{"type":"json","default":{"__proto__":{"polluted":true}}}}}}}';
    expect(messages(text)).toEqual([
      '/collections/posts/fields/x/default/__proto__: the key "__proto__" is not allowed',
    ]);
    expect(messages(JSON.parse('{"__proto__": {"polluted": true}}'))).toEqual([
      '/__proto__: the key "__proto__" is not allowed',
    ]);
    expect(messages({ collections: { constructor: {} } })).toEqual([
      '/collections/constructor: the key "constructor" is not allowed',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('issues from text carry line:col; rule errors point inside the rule string', () => {
    const text = `{
  "collections": {
    "posts": {
      "fields": { "owner": { "type": "relation", "to": "usrs" } },
      "rules": { "list": "owner == auth.id || ownr == auth.id" }
    }
  }
}`;
    const found = issues(text);
    expect(found.map((i) => [i.pointer, i.line, i.col])).toEqual([
      ['/collections/posts/fields/owner/to', 4, 56],
      ['/collections/posts/rules/list', 5, 47],
    ]);
    const rule = found[1]?.rule;
    expect(rule?.formatted).toBe(
      'collections.posts.rules.list:1:21: unknown field "ownr" in posts; did you mean "owner"?\n  owner == auth.id || ownr == auth.id\n                      ^~~~',
    );
    expect(text.split('\n')[4]?.slice(46, 50)).toBe('ownr');
  });

  test('a setNull on a required relation is located at its onDelete (line:col)', () => {
    const text = `{
  "collections": {
    "posts": {
      "fields": { "owner": { "type": "relation", "to": "users", "required": true, "onDelete": "setNull" } }
    }
  }
}`;
    expect(issues(text).map((i) => [i.pointer, i.line, i.col])).toEqual([
      ['/collections/posts/fields/owner/onDelete', 4, 95],
    ]);
  });

  test('onDelete defaults to restrict when required and setNull when optional; cascade: true still means cascade', () => {
    expect(effectiveOnDelete({ required: true })).toBe('restrict');
    expect(effectiveOnDelete({})).toBe('setNull');
    expect(effectiveOnDelete({ cascade: true, required: true })).toBe('cascade');
    expect(effectiveOnDelete({ onDelete: 'restrict' })).toBe('restrict');
    expect(
      validateSchemaDocument(posts({ tags: { type: 'relation', to: 'users', many: true, cascade: true } }))
        .ok,
    ).toBe(true);
  });

  test('unknown keys are located at the key', () => {
    const text = '{\n  "collections": {},\n  "bucket": {}\n}';
    expect(issues(text).map((i) => [i.message, i.line, i.col])).toEqual([
      ['/bucket: unknown key "bucket"', 3, 3],
    ]);
  });

  test('JSON syntax errors and duplicate keys are located', () => {
    expect(issues('{\n  "collections": {,}\n}')).toEqual([
      {
        code: 'schema/json-syntax',
        path: [],
        pointer: '',
        message: '2:19: expected a property name but found ","',
        line: 2,
        col: 19,
      },
    ]);
    expect(messages('{"collections": {}, "collections": {}}')).toEqual(['1:21: duplicate key "collections"']);
    expect(messages('[')).toEqual(['1:2: unexpected the end of the text']);
  });

  test('assertSchemaDocument throws a SchemaError with every issue', () => {
    let error: unknown;
    try {
      assertSchemaDocument(posts({ id: { type: 'text' }, b: { type: 'relation', to: 'nope' } }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SchemaError);
    expect((error as SchemaError).code).toBe('schema/invalid');
    expect((error as SchemaError).issues).toHaveLength(2);
    expect((error as SchemaError).message).toContain('2 problems');
  });
});
