import { describe, expect, test } from 'vitest';
import { ALICE, BOB, blogSchema } from '../test/fixture-schema.ts';
import { checkRule, evaluateRule, RuleError, type RuleContext, type RuleKind } from './index.js';

const PROJECT = '55555555-5555-4555-8555-555555555555';
const TEAM = '66666666-6666-4666-8666-666666666666';

function run(source: string, context: RuleContext, kind: RuleKind = 'list'): boolean {
  const rule = checkRule(source, {
    schema: blogSchema,
    kind,
    collection: kind === 'write' || kind === 'join' ? undefined! : 'posts',
  });
  return evaluateRule(rule, context);
}

const post = {
  id: '77777777-7777-4777-8777-777777777777',
  title: 'Hello',
  owner: ALICE.id,
  published: false,
  score: null,
  project: PROJECT,
};

describe('evaluateRule', () => {
  test('owner-only and public-read', () => {
    expect(run('published || owner == auth.id', { record: post, auth: ALICE })).toBe(true);
    expect(run('published || owner == auth.id', { record: post, auth: BOB })).toBe(false);
    expect(run('published || owner == auth.id', { record: post, auth: null })).toBe(false);
    expect(run('published || owner == auth.id', { record: { ...post, published: true }, auth: null })).toBe(
      true,
    );
  });

  test('an owner cannot give a record away: data.owner == owner pins the owner on update', () => {
    const rule = 'owner == auth.id && data.owner == owner';
    // `data` is the record as it will be stored.
    const keep = { record: post, auth: ALICE, data: { ...post, title: 'new' } };
    const move = { record: post, auth: ALICE, data: { ...post, owner: BOB.id } };
    const clear = { record: post, auth: ALICE, data: { ...post, owner: null } };
    expect(run(rule, keep, 'update')).toBe(true);
    expect(run(rule, move, 'update')).toBe(false);
    expect(run(rule, clear, 'update')).toBe(false);
    expect(run('owner == auth.id', move, 'update')).toBe(true);
  });

  describe('null semantics', () => {
    const record = { ...post, title: null, body: null, score: null, published: null };
    test.each([
      ['title == null', true],
      ['title != null', false],
      ['title == body', true],
      ['title != "x"', true],
      ['title == "x"', false],
      ['score < 1', false],
      ['score >= 1', false],
      ['!(score < 1)', true],
      ['published', false],
      ['!published', true],
      ['published == false', false],
      ['published == null', true],
      ['title.startsWith("a")', false],
      ['!title.startsWith("a")', true],
      ['lower(title) == null', true],
      ['size(title) == null', true],
      ['title in ["a"]', false],
      ['(title + "x") == null', true],
    ])('%s is %s when the fields are null', (source, expected) => {
      expect(run(source, { record, auth: ALICE })).toBe(expected);
    });

    test('signed out, auth.* is absent: every comparison with it is false, and ! flips that', () => {
      expect(run('owner == auth.id', { record: post, auth: null })).toBe(false);
      expect(run('owner != auth.id', { record: post, auth: null })).toBe(false);
      expect(run('auth.id == null', { record: post, auth: null })).toBe(false);
      expect(run('!(owner == auth.id)', { record: post, auth: null })).toBe(true);
      expect(run('auth == null', { record: post, auth: null })).toBe(true);
    });
  });

  describe('relations', () => {
    const project = { id: PROJECT, owner: BOB.id, team: TEAM, archived: false };
    const team = { id: TEAM, owner: BOB.id, members: [ALICE.id] };
    const db: Record<string, Record<string, Record<string, unknown>>> = {
      projects: { [PROJECT]: project },
      teams: { [TEAM]: team },
    };
    const resolve = (collection: string, id: string) => db[collection]?.[id] ?? null;

    test('through a resolver', () => {
      expect(run('project.owner == auth.id', { record: post, auth: BOB, resolve })).toBe(true);
      expect(run('auth.id in project.team.members', { record: post, auth: ALICE, resolve })).toBe(true);
      expect(run('auth.id in project.team.members', { record: post, auth: BOB, resolve })).toBe(false);
    });

    test('through pre-expanded records, with no resolver', () => {
      const expanded = { ...post, project: { ...project, team } };
      expect(
        run('auth.id in project.team.members && !project.archived', { record: expanded, auth: ALICE }),
      ).toBe(true);
      expect(run(`project == "${PROJECT}"`, { record: expanded, auth: ALICE })).toBe(true);
    });

    test('a null or dangling relation makes comparisons through it false', () => {
      expect(
        run('project.owner != auth.id', { record: { ...post, project: null }, auth: ALICE, resolve }),
      ).toBe(false);
      expect(
        run('project.owner == null', {
          record: { ...post, project: '88888888-8888-4888-8888-888888888888' },
          auth: ALICE,
          resolve,
        }),
      ).toBe(false);
      expect(run('!project.archived', { record: { ...post, project: null }, auth: ALICE, resolve })).toBe(
        true,
      );
    });

    test('an unloaded relation is an error, not a silent false', () => {
      let error: unknown;
      try {
        run('project.owner == auth.id', { record: post, auth: ALICE });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RuleError);
      expect((error as RuleError).code).toBe('rules/relation-not-loaded');
    });

    test('create-time checks on data, including a relation in the incoming record', () => {
      const rule = 'auth != null && data.owner == auth.id && data.project.owner == auth.id';
      expect(run(rule, { data: { owner: BOB.id, project: PROJECT }, auth: BOB, resolve }, 'create')).toBe(
        true,
      );
      expect(run(rule, { data: { owner: BOB.id, project: PROJECT }, auth: ALICE, resolve }, 'create')).toBe(
        false,
      );
      expect(run(rule, { data: { owner: ALICE.id, project: PROJECT }, auth: ALICE, resolve }, 'create')).toBe(
        false,
      );
    });
  });

  test('ids compare as lowercase uuids', () => {
    const carol = { ...ALICE, id: 'abcdef00-1111-4111-8111-11111111abcd' };
    expect(run('owner == auth.id', { record: { ...post, owner: carol.id.toUpperCase() }, auth: carol })).toBe(
      true,
    );
    expect(
      run(`owner == "${carol.id.toUpperCase()}"`, { record: { ...post, owner: carol.id }, auth: carol }),
    ).toBe(false);
  });

  test('dates accept Date objects, ISO strings and milliseconds', () => {
    const now = Date.parse('2024-06-01T12:00:00Z');
    for (const publishedAt of [
      new Date('2024-05-01T00:00:00Z'),
      '2024-05-01T00:00:00Z',
      Date.parse('2024-05-01T00:00:00Z'),
    ]) {
      expect(
        run('publishedAt < now && publishedAt > "2024-04-30"', {
          record: { ...post, publishedAt },
          auth: null,
          now,
        }),
      ).toBe(true);
    }
  });

  test('strings order by code point; lower and upper touch ASCII only', () => {
    expect(run('title < "a"', { record: { ...post, title: 'Z' }, auth: null })).toBe(true);
    expect(run('title < "\uffff"', { record: { ...post, title: '😀' }, auth: null })).toBe(false);
    expect(run('lower(title) == "straße é"', { record: { ...post, title: 'STRAßE é' }, auth: null })).toBe(
      true,
    );
    expect(run('upper(title) == "É"', { record: { ...post, title: 'é' }, auth: null })).toBe(false);
    expect(run('size(title) == 1', { record: { ...post, title: '😀' }, auth: null })).toBe(true);
  });

  test('values of the wrong type read as null', () => {
    expect(run('score == null', { record: { ...post, score: '3' }, auth: null })).toBe(true);
    expect(run('published', { record: { ...post, published: 'true' }, auth: null })).toBe(false);
  });

  test('record rules need a record', () => {
    expect(() => run('true', { auth: null })).toThrow(TypeError);
  });

  test('bucket and channel rules', () => {
    const write = checkRule("auth != null && path.startsWith(auth.id + '/')", {
      schema: blogSchema,
      kind: 'write',
    });
    expect(evaluateRule(write, { auth: ALICE, path: `${ALICE.id}/a.png` })).toBe(true);
    expect(evaluateRule(write, { auth: ALICE, path: `${BOB.id}/a.png` })).toBe(false);
    expect(evaluateRule(write, { auth: null, path: 'x' })).toBe(false);
    const join = checkRule('channel == "room:" + auth.id || auth.role == "admin"', {
      schema: blogSchema,
      kind: 'join',
    });
    expect(evaluateRule(join, { auth: ALICE, channel: `room:${ALICE.id}` })).toBe(true);
    expect(evaluateRule(join, { auth: ALICE, channel: 'room:other' })).toBe(false);
  });
});
