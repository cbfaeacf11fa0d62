import { createHmac, timingSafeEqual } from 'node:crypto';
import { HearthError } from '../errors/index.js';

/** What a page boundary remembers: the last row's sort values (as PostgreSQL text) and id. */
export interface CursorPayload {
  /** Collection. */
  c: string;
  /** The sort it was issued for, e.g. `-createdAt,title`. */
  s: string;
  /** Sort key values of the last row, as text (null for NULL). */
  k: Array<string | null>;
  /** Id of the last row. */
  i: string;
}

const invalid = () =>
  new HearthError('query/invalid', 'The cursor is invalid or was issued for another query.', {
    details: { param: 'cursor' },
  });

/**
 * Opaque keyset cursors: base64url JSON plus an HMAC-SHA256 with the
 * instance signing key, so a client can neither forge a position nor smuggle
 * values into the query (they are bound parameters anyway).
 */
export class CursorCodec {
  constructor(private readonly key: string) {}

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(`cursor:${body}`).digest('base64url').slice(0, 32);
  }

  encode(payload: CursorPayload): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  decode(cursor: string, expected: { collection: string; sort: string }): CursorPayload {
    if (cursor.length > 4096) throw invalid();
    const [body, signature, extra] = cursor.split('.');
    if (!body || !signature || extra !== undefined) throw invalid();
    const wanted = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (wanted.length !== given.length || !timingSafeEqual(wanted, given)) throw invalid();
    let payload: CursorPayload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as CursorPayload;
    } catch {
      throw invalid();
    }
    if (payload.c !== expected.collection || payload.s !== expected.sort || !Array.isArray(payload.k))
      throw invalid();
    return payload;
  }
}
