import { createHash } from 'node:crypto';
import { quoteIdentifier, type OnDeleteAction, type SchemaDocument } from '@hearth/schema';
import { physicalSchema, schemaOf, tableName } from './physical-schema.js';

/**
 * onDelete for to-many relations. PostgreSQL has no foreign keys on array
 * elements, so each `uuid[]` relation field gets a statement-level AFTER
 * DELETE trigger on its target table: it sees every deleted id at once (the
 * transition table) and, in the same transaction as the delete, removes them
 * from the field (setNull), deletes the records that hold them (cascade), or
 * refuses (restrict). Foreign-key cascades of single relations fire these
 * triggers too, so every chain of cascades is followed whichever path a
 * delete takes: the record API, a batch, a user deletion or plain SQL.
 *
 * A chain ends when a level deletes nothing (a cycle ends because a deleted
 * row cannot be deleted again); a chain deeper than MAX_CASCADE_DEPTH trigger
 * levels is refused with SQLSTATE CASCADE_TOO_DEEP, and the whole delete
 * rolls back.
 */

/** Bumped when the generated function body changes, so every trigger is rebuilt at the next start. */
const TRIGGER_VERSION = 1;
/** Trigger levels a delete may go through (foreign-key actions count as levels too). */
export const MAX_CASCADE_DEPTH = 32;
/** Raised by a trigger when a cascade goes deeper than MAX_CASCADE_DEPTH. */
export const CASCADE_TOO_DEEP = 'HC001';
/** What a restricting trigger raises, like a foreign key's RESTRICT. */
export const FOREIGN_KEY_VIOLATION = '23503';
/** Every generated trigger function is app."od_<hash>"(); the prefix finds them in pg_proc. */
export const DELETE_TRIGGER_PREFIX = 'od_';

export interface DeleteTrigger {
  /** The name of both the function (in schema app) and its trigger. */
  name: string;
  /** The collection whose field holds the ids, the field, and the collection it points at. */
  collection: string;
  field: string;
  target: string;
  onDelete: OnDeleteAction;
}

const q = quoteIdentifier;

function triggerName(collection: string, field: string, target: string, onDelete: OnDeleteAction): string {
  const hash = createHash('sha256')
    .update(`v${TRIGGER_VERSION}:${collection}:${field}:${target}:${onDelete}`)
    .digest('hex');
  // Triggers on one table fire in name order: restrict checks last, so a record that a cascade on
  // the same table has just deleted no longer counts as pointing at the target.
  return `${DELETE_TRIGGER_PREFIX}${onDelete === 'restrict' ? 'z' : 'a'}${hash.slice(0, 24)}`;
}

/** The triggers a document needs, by name. */
export function deleteTriggers(document: SchemaDocument): Map<string, DeleteTrigger> {
  const triggers = new Map<string, DeleteTrigger>();
  for (const collection of physicalSchema(document).values()) {
    for (const relation of collection.manyRelations.values()) {
      const name = triggerName(collection.name, relation.field, relation.target, relation.onDelete);
      triggers.set(name, { name, collection: collection.name, ...relation });
    }
  }
  return triggers;
}

function actionSql(trigger: DeleteTrigger): string {
  const table = tableName(trigger.collection);
  const column = q(trigger.field);
  switch (trigger.onDelete) {
    case 'cascade':
      return `DELETE FROM ${table} WHERE ${column} && ids;`;
    case 'setNull':
      return (
        `UPDATE ${table} SET ${column} = ARRAY(SELECT u.x FROM unnest(${column}) WITH ORDINALITY AS u(x, n) ` +
        `WHERE u.x <> ALL (ids) ORDER BY u.n) WHERE ${column} && ids;`
      );
    case 'restrict':
      // Names are validated identifiers ([a-z][a-zA-Z0-9_]*), safe inside a literal.
      return (
        `IF EXISTS (SELECT 1 FROM ${table} WHERE ${column} && ids) THEN ` +
        `RAISE EXCEPTION 'records of ${trigger.collection} still refer to a deleted record (${trigger.field})' ` +
        `USING ERRCODE = '${FOREIGN_KEY_VIOLATION}', SCHEMA = '${schemaOf(trigger.collection)}', ` +
        `TABLE = '${trigger.collection}', CONSTRAINT = '${trigger.name}'; END IF;`
      );
  }
}

/** Creates the function and its trigger on the target table. */
export function createDeleteTriggerSql(trigger: DeleteTrigger): string[] {
  const fn = `app.${q(trigger.name)}`;
  return [
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $od$
DECLARE ids uuid[];
BEGIN
  SELECT array_agg(id) INTO ids FROM deleted_rows;
  IF ids IS NULL THEN RETURN NULL; END IF;
  IF pg_trigger_depth() > ${MAX_CASCADE_DEPTH} THEN
    RAISE EXCEPTION 'the delete cascades deeper than ${MAX_CASCADE_DEPTH} levels' USING ERRCODE = '${CASCADE_TOO_DEEP}';
  END IF;
  ${actionSql(trigger)}
  RETURN NULL;
END $od$`,
    `CREATE TRIGGER ${q(trigger.name)} AFTER DELETE ON ${tableName(trigger.target)} ` +
      `REFERENCING OLD TABLE AS deleted_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
  ];
}

/** Drops the function and, with it, its trigger (wherever its target table is now). */
export function dropDeleteTriggerSql(name: string): string[] {
  return [`DROP FUNCTION IF EXISTS app.${q(name)}() CASCADE`];
}

/** The generated trigger functions that exist in the database. */
export const EXISTING_DELETE_TRIGGERS_SQL = `SELECT proname AS name FROM pg_proc
  WHERE pronamespace = 'app'::regnamespace AND starts_with(proname, '${DELETE_TRIGGER_PREFIX}')`;
