import { HearthError } from '../errors/index.js';
import type { LiveCollection, LiveSchema } from './live-schema.js';
import { validationError } from './record-validation.js';

/** PostgreSQL's codes for a value its column cannot hold (bad text, out of range, bad date, too long). */
const UNSTORABLE = new Set(['22P02', '22003', '22007', '22008', '54000']);

/**
 * Maps the constraint violations of a create or update to field errors or
 * stable codes; any other error is returned as it is.
 */
export function writeRefusal(error: unknown, collection: LiveCollection, schema: LiveSchema): unknown {
  const pg = error as { code?: string; constraint?: string; table?: string; column?: string };
  if (pg.code === '23505') {
    const fields = (pg.constraint ? collection.uniqueConstraints.get(pg.constraint) : undefined) ?? [
      '(record)',
    ];
    return validationError(
      Object.fromEntries(fields.map((f) => [f, { code: 'unique', message: 'must be unique' }])),
    );
  }
  if (pg.code === '23503') {
    const field = pg.constraint ? collection.foreignKeys.get(pg.constraint) : undefined;
    if (field && pg.table === (collection.builtin ? 'users' : collection.name)) {
      return validationError({
        [field]: { code: 'relation', message: 'refers to a record that does not exist' },
      });
    }
    const referrer = [...schema.collections.values()].find((c) => !c.builtin && c.name === pg.table);
    return new HearthError('records/referenced', undefined, {
      details: { collection: referrer?.name ?? pg.table },
    });
  }
  if (pg.code !== undefined && UNSTORABLE.has(pg.code)) {
    return new HearthError('validation/failed', 'A value cannot be stored.', { cause: error });
  }
  return error;
}
