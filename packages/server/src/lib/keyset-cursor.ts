import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { HearthError } from '../errors/index.js';

/**
 * Where a page ended: the last row's sort values, as PostgreSQL's own text of
 * each (null for NULL), and its id. Text, not a JS Date: a Date stops at the
 * millisecond, and a page would skip rows created later in that millisecond.
 */
export interface KeysetPosition {
  keys: Array<string | null>;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** 16 bytes of HMAC-SHA256: forging one is 2^128 guesses. */
const SIGNATURE_BYTES = 16;
const MAX_CURSOR_LENGTH = 4096;

/** Every list answers a bad cursor the same way. */
export function invalidCursor(): HearthError {
  return new HearthError('query/invalid', 'The cursor is invalid or was issued for another query.', {
    details: { param: 'cursor' },
  });
}

/**
 * The one codec of opaque keyset cursors: base64url JSON of the position.
 * A signed codec adds an HMAC with the instance signing key over the scope
 * (collection and sort) and the body, so a client can neither forge a
 * position nor reuse one for another query, and the sort values need no
 * type check before they reach the SQL. A checked codec, for lists whose
 * sort values are few and fixed (admin lists by createdAt), checks them instead.
 */
export class CursorCodec {
  private constructor(
    /** Made once: an HMAC over a KeyObject skips importing the key per request. */
    private readonly key: KeyObject | null,
    private readonly checkKeys: (keys: ReadonlyArray<string | null>) => boolean,
  ) {}

  static signed(secret: string): CursorCodec {
    return new CursorCodec(createSecretKey(Buffer.from(secret)), () => true);
  }

  static checked(checkKeys: (keys: ReadonlyArray<string | null>) => boolean): CursorCodec {
    return new CursorCodec(null, checkKeys);
  }

  private sign(scope: string, body: string): string {
    return createHmac('sha256', this.key as KeyObject)
      .update(`cursor:${scope}\0${body}`)
      .digest()
      .subarray(0, SIGNATURE_BYTES)
      .toString('base64url');
  }

  encode(scope: string, position: KeysetPosition): string {
    const body = Buffer.from(JSON.stringify([...position.keys, position.id])).toString('base64url');
    return this.key ? `${body}.${this.sign(scope, body)}` : body;
  }

  /** The position a cursor of this scope holds, with `keyCount` sort values; query/invalid otherwise. */
  decode(cursor: string, scope: string, keyCount: number): KeysetPosition {
    if (cursor.length > MAX_CURSOR_LENGTH) throw invalidCursor();
    const [body, signature, extra] = cursor.split('.');
    if (!body || extra !== undefined || (this.key === null) !== (signature === undefined))
      throw invalidCursor();
    if (signature !== undefined) {
      const wanted = Buffer.from(this.sign(scope, body));
      const given = Buffer.from(signature);
      if (wanted.length !== given.length || !timingSafeEqual(wanted, given)) throw invalidCursor();
    }
    let values: unknown;
    try {
      values = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalidCursor();
    }
    if (!Array.isArray(values) || values.length !== keyCount + 1) throw invalidCursor();
    const keys = values.slice(0, keyCount) as unknown[];
    const id = values[keyCount] as unknown;
    if (typeof id !== 'string' || !UUID.test(id)) throw invalidCursor();
    if (!keys.every((key): key is string | null => key === null || typeof key === 'string'))
      throw invalidCursor();
    if (!this.checkKeys(keys)) throw invalidCursor();
    return { keys, id };
  }
}

const timestamp = z.iso.datetime({ offset: true });

/**
 * Cursors of lists ordered by (createdAt, id), unsigned: the one sort value
 * must be a timestamp (select PostgreSQL's text of it with
 * `to_json("createdAt") #>> '{}'`), so a hand-made one never reaches the SQL casts.
 */
export const createdAtCursors = CursorCodec.checked(
  (keys) => keys.length === 1 && timestamp.safeParse(keys[0]).success,
);
