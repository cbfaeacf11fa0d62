import { HearthError } from '../errors/index.js';
import { CASCADE_TOO_DEEP, FOREIGN_KEY_VIOLATION } from './delete-triggers.js';

/** PostgreSQL's "stack depth limit exceeded": a chain of cascades too long for the server's stack. */
const STACK_DEPTH_EXCEEDED = '54001';

/**
 * Why PostgreSQL refused a delete, as a stable error: a relation with
 * onDelete "restrict" (a foreign key or a to-many trigger) still points at a
 * deleted record, or the cascades went too deep. Only the referring
 * collection is named, never its records, which the caller may not see.
 * Undefined for any other error.
 */
export function deleteRefusal(error: unknown): HearthError | undefined {
  const pg = error as { code?: string; table?: string };
  if (pg.code === FOREIGN_KEY_VIOLATION) {
    return new HearthError('records/referenced', undefined, {
      details: { collection: pg.table ?? null },
      cause: error,
    });
  }
  if (pg.code === CASCADE_TOO_DEEP || pg.code === STACK_DEPTH_EXCEEDED) {
    return new HearthError('records/cascade-too-deep', undefined, { cause: error });
  }
  return undefined;
}
