import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { assertSchemaDocument, checkRule, type RuleKind } from './index.js';

/** RULES.md becomes docs/rules.md: its example document and worked examples must stay valid. */
const text = readFileSync(fileURLToPath(new URL('../RULES.md', import.meta.url)), 'utf8');
const example = /```json\n([\s\S]*?)```/.exec(text)?.[1] ?? '';

const WORKED: [string | null, RuleKind, string][] = [
  ['posts', 'list', 'owner == auth.id'],
  ['posts', 'create', 'auth != null && data.owner == auth.id'],
  ['posts', 'update', 'owner == auth.id && data.owner == auth.id'],
  ['posts', 'list', 'published || owner == auth.id'],
  ['posts', 'update', 'owner == auth.id && data.owner == owner'],
  ['projects', 'list', 'auth.id in team.members || team.owner == auth.id'],
  ['projects', 'update', 'team.owner == auth.id && !archived'],
  ['posts', 'create', 'auth != null && data.owner == auth.id && data.status == "draft"'],
  [
    'comments',
    'create',
    'auth != null && data.author == auth.id && (data.post.published || data.post.owner == auth.id)',
  ],
  ['posts', 'delete', 'owner == auth.id || auth.role == "admin"'],
  ['posts', 'create', 'auth != null && auth.verified'],
  ['posts', 'list', 'published && publishAt <= now'],
  [null, 'read', 'true'],
  [null, 'write', "auth != null && path.startsWith(auth.id + '/')"],
  [null, 'join', 'auth != null'],
  [null, 'join', 'channel == "user:" + auth.id'],
];

describe('RULES.md', () => {
  const document = assertSchemaDocument(example);

  test('its example document is valid', () => {
    expect(Object.keys(document.collections ?? {})).toEqual(['teams', 'projects', 'comments', 'posts']);
  });

  test.each(WORKED)('worked example on %s (%s): %s', (collection, kind, rule) => {
    expect(text).toContain(rule);
    expect(() =>
      checkRule(rule, { schema: document, kind, ...(collection ? { collection } : {}) }),
    ).not.toThrow();
  });
});
