import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { HearthError } from '../errors/index.js';
import { CursorCodec, createdAtCursors } from './keyset-cursor.js';

const id = randomUUID();
const position = { keys: ['2030-01-01 00:00:00.123456+00', null], id };

function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error instanceof HearthError ? { code: error.code, details: error.details } : error;
  }
  return 'accepted';
}

const invalid = { code: 'query/invalid', details: { param: 'cursor' } };

describe('CursorCodec.signed', () => {
  const codec = CursorCodec.signed('test-secret');

  test('round-trips a position, and the cursor is short', () => {
    const cursor = codec.encode('posts\0-createdAt', position);
    expect(codec.decode(cursor, 'posts\0-createdAt', 2)).toEqual(position);
    expect(cursor.length).toBeLessThan(140);
  });

  test('refuses a cursor of another scope, another key, a tampered body or signature', () => {
    const cursor = codec.encode('posts\0title', position);
    const [body, signature] = cursor.split('.') as [string, string];
    const forgedBody = Buffer.from(JSON.stringify(['x', null, id])).toString('base64url');
    for (const bad of [
      () => codec.decode(cursor, 'posts\0-title', 2),
      () => codec.decode(cursor, 'other\0title', 2),
      () => CursorCodec.signed('other-secret').decode(cursor, 'posts\0title', 2),
      () => codec.decode(`${forgedBody}.${signature}`, 'posts\0title', 2),
      () => codec.decode(`${body}.${signature.slice(1)}`, 'posts\0title', 2),
      () => codec.decode(body, 'posts\0title', 2),
      () => codec.decode(`${cursor}.x`, 'posts\0title', 2),
      () => codec.decode('garbage', 'posts\0title', 2),
      () => codec.decode('x'.repeat(5000), 'posts\0title', 2),
    ]) {
      expect(refusal(bad)).toEqual(invalid);
    }
  });

  test('refuses a genuine cursor with the wrong number of sort values', () => {
    const cursor = codec.encode('s', position);
    expect(refusal(() => codec.decode(cursor, 's', 1))).toEqual(invalid);
  });
});

describe('createdAtCursors', () => {
  const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  test('round-trips PostgreSQL’s text of a timestamp', () => {
    const at = { keys: ['2030-01-01T00:00:00.123456+00:00'], id };
    expect(createdAtCursors.decode(createdAtCursors.encode('users', at), 'users', 1)).toEqual(at);
  });

  test('a hand-made cursor never reaches the SQL casts', () => {
    for (const bad of [
      'not-base64-json',
      forged(null),
      forged({ createdAt: '2030-01-01T00:00:00Z', id }),
      forged(['yesterday', id]),
      forged(['2030-02-30T00:00:00Z', id]),
      forged([null, id]),
      forged(['2030-01-01T00:00:00Z', "x'); DROP TABLE hearth.users; --"]),
      `${forged(['2030-01-01T00:00:00Z', id])}.signature`,
    ]) {
      expect(
        refusal(() => createdAtCursors.decode(bad, 'users', 1)),
        bad,
      ).toEqual(invalid);
    }
  });
});
