import type { SchemaDocument } from '@hearth/schema';
import { createDeleteTriggerSql, deleteTriggers, dropDeleteTriggerSql } from './delete-triggers.js';
import {
  addForeignKeySql,
  addIndexSql,
  dropForeignKeySql,
  dropIndexSql,
  renameForeignKeySql,
  renameIndexSql,
} from './ddl-sql.js';
import { DDL_PHASE, type DdlPhase } from './ddl-phase.js';
import { indexKey, type PhysicalCollection, type PhysicalIndex } from './physical-schema.js';
import type { PlanRenames } from './plan-renames.js';

/**
 * What a statement on a derived object is about, so it can be filed under
 * the plan step that caused it. Collections and fields are named as they are
 * before the push (`old…`) and after it; a name is missing when there is none.
 */
export interface DerivedSubject {
  oldCollection?: string | undefined;
  collection?: string | undefined;
  oldFields: string[];
  fields: string[];
  /** For relations: the collection pointed at, before and after. */
  oldTarget?: string | undefined;
  target?: string | undefined;
  /** A declared index (the document's `indexes`), not one a field implies. */
  declared?: boolean;
}

export interface DerivedStatement {
  phase: DdlPhase;
  sql: string[];
  /** Null for a repair: the database lacks, or has left over, a delete trigger whatever the plan says. */
  subject: DerivedSubject | null;
}

/**
 * The objects a collection implies besides its table and columns: foreign
 * keys of single relations, unique constraints and indexes (their names are
 * derived from what they cover, see physical-schema.ts), and the delete
 * triggers of to-many relations. Given how the plan maps old names to new
 * ones, each object is kept, renamed, dropped or created.
 */
export function derivedStatements(
  previous: SchemaDocument,
  next: SchemaDocument,
  before: ReadonlyMap<string, PhysicalCollection>,
  after: ReadonlyMap<string, PhysicalCollection>,
  renames: PlanRenames,
  existingTriggers: ReadonlySet<string>,
): DerivedStatement[] {
  return [
    ...foreignKeyStatements(before, after, renames),
    ...indexStatements(before, after, renames),
    ...triggerStatements(previous, next, renames, existingTriggers),
  ];
}

function foreignKeyStatements(
  before: ReadonlyMap<string, PhysicalCollection>,
  after: ReadonlyMap<string, PhysicalCollection>,
  renames: PlanRenames,
): DerivedStatement[] {
  const out: DerivedStatement[] = [];
  for (const [oldName, oldCollection] of before) {
    const name = renames.newCollection(oldName);
    const collection = name === undefined ? undefined : after.get(name);
    for (const fk of oldCollection.foreignKeys.values()) {
      const field = renames.newField(oldName, fk.field);
      const match = field === undefined ? undefined : collection?.foreignKeys.get(field);
      const subject: DerivedSubject = {
        oldCollection: oldName,
        collection: name,
        oldFields: [fk.field],
        fields: field === undefined ? [] : [field],
        oldTarget: fk.target,
        target: match?.target,
      };
      const kept =
        match !== undefined &&
        match.target === renames.newCollection(fk.target) &&
        match.onDelete === fk.onDelete &&
        oldCollection.columns.get(fk.field)?.sqlType === collection?.columns.get(match.field)?.sqlType;
      if (kept && name !== undefined) {
        if (match.name !== fk.name) {
          out.push({
            phase: DDL_PHASE.renameDerived,
            sql: [renameForeignKeySql(name, fk, match.name)],
            subject,
          });
        }
        continue;
      }
      out.push({ phase: DDL_PHASE.dropDerived, sql: [dropForeignKeySql(oldName, fk)], subject });
    }
  }
  for (const [name, collection] of after) {
    const oldName = renames.oldCollection(name);
    const oldCollection = oldName === undefined ? undefined : before.get(oldName);
    for (const fk of collection.foreignKeys.values()) {
      const oldField = renames.oldField(name, fk.field);
      const oldFk = oldField === undefined ? undefined : oldCollection?.foreignKeys.get(oldField);
      const kept =
        oldFk !== undefined &&
        renames.newCollection(oldFk.target) === fk.target &&
        oldFk.onDelete === fk.onDelete &&
        oldCollection?.columns.get(oldFk.field)?.sqlType === collection.columns.get(fk.field)?.sqlType;
      if (kept) continue;
      out.push({
        phase: DDL_PHASE.addDerived,
        sql: [addForeignKeySql(name, fk)],
        subject: {
          oldCollection: oldName,
          collection: name,
          oldFields: oldField === undefined ? [] : [oldField],
          fields: [fk.field],
          oldTarget: oldFk?.target,
          target: fk.target,
        },
      });
    }
  }
  return out;
}

function isDeclared(collection: PhysicalCollection, index: PhysicalIndex): boolean {
  return (
    index.gin !== true &&
    (collection.definition.indexes ?? []).some(
      (declared) =>
        (declared.unique === true) === index.unique && declared.fields.join(',') === index.fields.join(','),
    )
  );
}

function indexStatements(
  before: ReadonlyMap<string, PhysicalCollection>,
  after: ReadonlyMap<string, PhysicalCollection>,
  renames: PlanRenames,
): DerivedStatement[] {
  const out: DerivedStatement[] = [];
  /** An old index's key under the new field names; undefined when one of its fields is gone. */
  const fieldsAfter = (oldName: string, index: PhysicalIndex): (string | undefined)[] =>
    index.fields.map((f) => renames.newField(oldName, f));
  const keyAfter = (oldName: string, index: PhysicalIndex): string | undefined => {
    const fields = fieldsAfter(oldName, index);
    return fields.every((f) => f !== undefined) ? indexKey(index, fields as string[]) : undefined;
  };
  for (const [oldName, oldCollection] of before) {
    const name = renames.newCollection(oldName);
    const collection = name === undefined ? undefined : after.get(name);
    for (const index of oldCollection.indexes.values()) {
      const key = keyAfter(oldName, index);
      const match = key === undefined ? undefined : collection?.indexes.get(key);
      // A dropped table takes its indexes with it.
      if (name === undefined) continue;
      const subject: DerivedSubject = {
        oldCollection: oldName,
        collection: name,
        oldFields: index.fields,
        fields: fieldsAfter(oldName, index).filter((f) => f !== undefined),
        declared: isDeclared(oldCollection, index),
      };
      if (match !== undefined) {
        if (match.name !== index.name) {
          out.push({
            phase: DDL_PHASE.renameDerived,
            sql: [renameIndexSql(name, index, match.name)],
            subject,
          });
        }
        continue;
      }
      out.push({ phase: DDL_PHASE.dropIndex, sql: [dropIndexSql(oldName, index)], subject });
    }
  }
  for (const [name, collection] of after) {
    const oldName = renames.oldCollection(name);
    const oldCollection = oldName === undefined ? undefined : before.get(oldName);
    const keptKeys = new Set(
      oldName === undefined || oldCollection === undefined
        ? []
        : [...oldCollection.indexes.values()].map((index) => keyAfter(oldName, index)),
    );
    for (const [key, index] of collection.indexes) {
      if (keptKeys.has(key)) continue;
      out.push({
        phase: DDL_PHASE.addIndex,
        sql: [addIndexSql(name, index)],
        subject: {
          oldCollection: oldName,
          collection: name,
          oldFields: [],
          fields: index.fields,
          declared: isDeclared(collection, index),
        },
      });
    }
  }
  return out;
}

function triggerStatements(
  previous: SchemaDocument,
  next: SchemaDocument,
  renames: PlanRenames,
  existing: ReadonlySet<string>,
): DerivedStatement[] {
  const out: DerivedStatement[] = [];
  const had = deleteTriggers(previous);
  const wanted = deleteTriggers(next);
  for (const name of existing) {
    if (wanted.has(name)) continue;
    const trigger = had.get(name);
    const collection = trigger && renames.newCollection(trigger.collection);
    const field = trigger && renames.newField(trigger.collection, trigger.field);
    out.push({
      phase: DDL_PHASE.dropDerived,
      sql: dropDeleteTriggerSql(name),
      subject: trigger
        ? {
            oldCollection: trigger.collection,
            collection,
            oldFields: [trigger.field],
            fields: field === undefined ? [] : [field],
            oldTarget: trigger.target,
            target: renames.newCollection(trigger.target),
          }
        : null,
    });
  }
  for (const trigger of wanted.values()) {
    if (existing.has(trigger.name)) continue;
    const oldCollection = renames.oldCollection(trigger.collection);
    const oldField = renames.oldField(trigger.collection, trigger.field);
    out.push({
      phase: DDL_PHASE.addDerived,
      sql: createDeleteTriggerSql(trigger),
      // One the applied document needs too was lost from the database: a repair, not a change.
      subject: had.has(trigger.name)
        ? null
        : {
            oldCollection,
            collection: trigger.collection,
            oldFields: oldField === undefined ? [] : [oldField],
            fields: [trigger.field],
            oldTarget: renames.oldCollection(trigger.target),
            target: trigger.target,
          },
    });
  }
  return out;
}
