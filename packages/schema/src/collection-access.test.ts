import { describe, expect, test } from 'vitest';
import {
  accessDecision,
  allowsAccess,
  collectionRuleSet,
  collectionRuleSets,
  schemaModel,
  seesField,
  visibleRecord,
  type AccessViewer,
  type SchemaDocument,
} from './index.js';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';

const document: SchemaDocument = {
  collections: {
    users: { fields: { name: { type: 'text' }, note: { type: 'text', hidden: true } } },
    posts: {
      fields: {
        title: { type: 'text' },
        owner: { type: 'relation', to: 'users' },
        secret: { type: 'text', hidden: true },
      },
      rules: { list: 'owner == auth.id', view: 'owner == auth.id', delete: 'true' },
    },
  },
};
const model = schemaModel(document);
const admin: AccessViewer = { admin: true, userId: null };
const alice: AccessViewer = { admin: false, userId: ALICE };
const nobody: AccessViewer = { admin: false, userId: null };

describe('collectionRuleSet', () => {
  test('users gets its default rules when the document sets none, and never a create rule', () => {
    const users = collectionRuleSet(model, 'users');
    expect(users.source).toEqual({
      list: 'id == auth.id',
      view: 'id == auth.id',
      create: null,
      update: null,
      delete: null,
    });
    expect(users.declared.list).toBe(false);
    const withRules = schemaModel({
      collections: { users: { rules: { create: 'true', update: 'id == auth.id', delete: 'true' } } },
    });
    const declared = collectionRuleSet(withRules, 'users');
    expect(declared.source).toMatchObject({
      list: null,
      create: null,
      update: 'id == auth.id',
      delete: null,
    });
    expect(declared.declared.update).toBe(true);
  });

  test('a missing rule is null, and every collection is covered', () => {
    const sets = collectionRuleSets(model);
    expect([...sets.keys()].sort()).toEqual(['posts', 'users']);
    expect(sets.get('posts')?.checked.create).toBeNull();
    expect(sets.get('posts')?.checked.list?.kind).toBe('list');
  });
});

describe('accessDecision', () => {
  const posts = collectionRuleSet(model, 'posts');
  const users = collectionRuleSet(model, 'users');

  test('admins bypass rules, a missing rule is admin-only', () => {
    expect(accessDecision(admin, 'posts', posts.checked, 'create')).toEqual({ kind: 'bypass' });
    expect(accessDecision(alice, 'posts', posts.checked, 'create')).toEqual({ kind: 'admin-only' });
    expect(accessDecision(alice, 'posts', posts.checked, 'list')).toMatchObject({
      kind: 'rule',
      rule: { source: 'owner == auth.id' },
    });
  });

  test('creating or deleting an account through the record API is closed even to admins', () => {
    expect(accessDecision(admin, 'users', users.checked, 'create').kind).toBe('closed');
    expect(accessDecision(admin, 'users', users.checked, 'delete').kind).toBe('closed');
    expect(accessDecision(admin, 'users', users.checked, 'update')).toEqual({ kind: 'bypass' });
  });

  test('allowsAccess evaluates the rule against the record', () => {
    const view = accessDecision(alice, 'posts', posts.checked, 'view');
    const auth = { id: ALICE };
    expect(allowsAccess(view, { auth, record: { id: 'p', owner: ALICE } })).toBe(true);
    expect(allowsAccess(view, { auth, record: { id: 'p', owner: BOB } })).toBe(false);
    expect(allowsAccess({ kind: 'admin-only' }, { auth, record: {} })).toBe(false);
    expect(allowsAccess({ kind: 'bypass' }, { auth: null, record: {} })).toBe(true);
  });
});

describe('visibleRecord', () => {
  const users = model.collections.get('users')!;
  const posts = model.collections.get('posts')!;
  const aliceRow = { id: ALICE, email: 'a@x', role: 'user', verified: true, name: 'A', note: 'n' };

  test('hidden fields are for admins; a user sees their own email, never another user’s', () => {
    expect(visibleRecord(admin, users, aliceRow)).toBe(aliceRow);
    expect(visibleRecord(alice, users, aliceRow)).not.toHaveProperty('note');
    expect(visibleRecord(alice, users, aliceRow)).toHaveProperty('email', 'a@x');
    expect(visibleRecord(alice, users, { ...aliceRow, id: BOB })).not.toHaveProperty('email');
    expect(visibleRecord(nobody, posts, { id: 'p', title: 't', secret: 's' })).not.toHaveProperty('secret');
  });

  test('fields narrows the answer, for admins too', () => {
    expect(visibleRecord(admin, posts, { id: 'p', title: 't', secret: 's' }, ['secret'])).toEqual({
      secret: 's',
    });
  });

  test('seesField: hidden fields cannot be read, filtered or sorted on by users', () => {
    const secret = posts.fields.get('secret')!;
    expect(seesField(alice, secret)).toBe(false);
    expect(seesField(admin, secret)).toBe(true);
    expect(seesField(alice, users.fields.get('email')!, true)).toBe(true);
  });
});
