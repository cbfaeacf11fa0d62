import { describe, expect, test } from 'vitest';
import { blogSchema } from '../test/fixture-schema.ts';
import { checkRule, matchChannel, relationPathsOf } from './index.js';

describe('relationPathsOf', () => {
  test('lists the relations a rule follows, longest first-come, deduplicated', () => {
    const rule = checkRule(
      'auth.id in project.team.members && project.owner != null || auth.team.owner == owner || owner == auth.id',
      {
        schema: blogSchema,
        kind: 'list',
        collection: 'posts',
      },
    );
    expect(relationPathsOf(rule)).toEqual([
      { root: 'record', fields: ['project', 'team'], collections: ['projects', 'teams'] },
      { root: 'auth', fields: ['team'], collections: ['teams'] },
    ]);
  });

  test('create rules read relations from data', () => {
    const rule = checkRule('project.owner == auth.id', {
      schema: blogSchema,
      kind: 'create',
      collection: 'posts',
    });
    expect(relationPathsOf(rule)).toEqual([{ root: 'data', fields: ['project'], collections: ['projects'] }]);
  });

  test('rules without relations need nothing loaded', () => {
    expect(
      relationPathsOf(
        checkRule('owner == auth.id', { schema: blogSchema, kind: 'view', collection: 'posts' }),
      ),
    ).toEqual([]);
  });
});

describe('matchChannel', () => {
  const doc = { channels: { 'room:*': {}, 'room:vip:*': { rules: { join: 'false' } }, lobby: {} } };
  test.each([
    ['lobby', 'lobby'],
    ['room:1', 'room:*'],
    ['room:vip:1', 'room:vip:*'],
    ['room:', null],
    ['lobby2', null],
  ])('%s → %s', (name, pattern) => {
    expect(matchChannel(doc, name)?.pattern ?? null).toBe(pattern);
  });
});
