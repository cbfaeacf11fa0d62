import { z } from 'zod';
import { HearthError } from '../errors/index.js';

/**
 * The opaque cursor of a list ordered by (created at, id). createdAt is
 * PostgreSQL's own text of the timestamp, to the microsecond (select it with
 * `to_json(created_at) #>> '{}'`): an ISO string from a JS Date stops at the
 * millisecond, and a page would then skip rows created later in that millisecond.
 */
const cursorShape = z.object({ createdAt: z.iso.datetime({ offset: true }), id: z.uuid() });

export type KeysetCursor = z.infer<typeof cursorShape>;

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify({ createdAt: cursor.createdAt, id: cursor.id })).toString('base64url');
}

/** A cursor encodeCursor wrote, or 400: a hand-made one must not reach the SQL casts. */
export function decodeCursor(cursor: string | undefined): KeysetCursor | undefined {
  if (!cursor) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  const parsed = cursorShape.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new HearthError('validation/failed', 'The cursor is invalid.', {
    details: { fields: [{ path: 'cursor', message: 'invalid cursor' }] },
  });
}
