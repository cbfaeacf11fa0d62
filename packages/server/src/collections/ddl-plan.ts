import { quoteIdentifier, type FieldDefinition, type SchemaDocument } from '@hearth/schema';
import {
  indexKey,
  physicalSchema,
  schemaOf,
  tableName,
  type PhysicalCollection,
  type PhysicalColumn,
  type PhysicalForeignKey,
  type PhysicalIndex,
} from './physical-schema.js';
import { createDeleteTriggerSql, deleteTriggers, dropDeleteTriggerSql } from './delete-triggers.js';

export type DdlAction =
  | 'dropForeignKey'
  | 'dropIndex'
  | 'renameCollection'
  | 'renameField'
  | 'dropField'
  | 'dropCollection'
  | 'createCollection'
  | 'addField'
  | 'changeFieldType'
  | 'alterField'
  | 'alterCollection'
  | 'renameIndex'
  | 'renameForeignKey'
  | 'addIndex'
  | 'addForeignKey'
  | 'dropDeleteTrigger'
  | 'addDeleteTrigger'
  | 'setRules'
  | 'setBuckets'
  | 'setChannels';

/**
 * One DDL step. The public plan is @hearth/schema's `diffSchemas`; this is
 * how the server carries it out in PostgreSQL (foreign keys, constraint and
 * index names included). `sql` runs in order; steps without SQL change only
 * the document.
 */
export interface DdlStep {
  action: DdlAction;
  collection?: string;
  field?: string;
  /** The old name for renames. */
  from?: string;
  /** Drops data, or may fail on or change existing values. Needs `allowDestructive`. */
  destructive: boolean;
  summary: string;
  /** A suggestion, e.g. a drop-and-add that looks like a rename. */
  hint?: string;
  sql: string[];
}

/** Apply order: drops of dependents before renames and drops, creates before constraints. */
const PHASE: Record<DdlAction, number> = {
  dropForeignKey: 1,
  dropIndex: 2,
  renameCollection: 3,
  renameField: 4,
  dropField: 5,
  dropCollection: 6,
  createCollection: 7,
  addField: 8,
  changeFieldType: 9,
  alterField: 10,
  alterCollection: 10,
  renameIndex: 11,
  renameForeignKey: 11,
  addIndex: 12,
  addForeignKey: 13,
  // Before any table or column it names is renamed or dropped; after every one it needs exists.
  dropDeleteTrigger: 1,
  addDeleteTrigger: 13,
  setRules: 14,
  setBuckets: 14,
  setChannels: 14,
};

const q = quoteIdentifier;

/** Widening changes keep every value; everything else between differing types is narrowing. */
function isWidening(from: FieldDefinition, to: FieldDefinition): boolean {
  if (to.type === 'json') return true;
  const textual = new Set(['text', 'email', 'url', 'select', 'file']);
  if (to.type === 'text' && (textual.has(from.type) || ['number', 'bool', 'date'].includes(from.type)))
    return true;
  if (from.type === 'relation' && to.type === 'relation')
    return from.to === to.to && !from.many && to.many === true;
  return false;
}

function usingClause(column: string, from: PhysicalColumn, to: PhysicalColumn): string {
  const c = q(column);
  if (to.sqlType === 'jsonb') return `to_jsonb(${c})`;
  if (from.sqlType === 'uuid' && to.sqlType === 'uuid[]')
    return `CASE WHEN ${c} IS NULL THEN NULL ELSE ARRAY[${c}] END`;
  if (from.sqlType === 'uuid[]' && to.sqlType === 'uuid') return `${c}[1]`;
  if (from.sqlType === 'jsonb' && to.sqlType === 'text') return `${c} #>> '{}'`;
  if (from.sqlType === 'jsonb') return `(${c} #>> '{}')::${to.sqlType}`;
  return `${c}::${to.sqlType}`;
}

/** JSON with sorted keys, so key order never counts as a change. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

function withoutRename<T extends { renamedFrom?: string | undefined }>(value: T): Omit<T, 'renamedFrom'> {
  const { renamedFrom: _ignored, ...rest } = value;
  return rest;
}

function columnDefinition(column: PhysicalColumn): string {
  return `${q(column.name)} ${column.sqlType}`;
}

function indexSql(collection: string, index: PhysicalIndex): string {
  const columns = index.fields.map(q).join(', ');
  if (index.gin) return `CREATE INDEX ${q(index.name)} ON ${tableName(collection)} USING gin (${columns})`;
  if (index.unique) {
    return `ALTER TABLE ${tableName(collection)} ADD CONSTRAINT ${q(index.name)} UNIQUE (${columns})`;
  }
  return `CREATE INDEX ${q(index.name)} ON ${tableName(collection)} (${columns})`;
}

function dropIndexSql(collection: string, index: PhysicalIndex): string {
  if (index.unique) return `ALTER TABLE ${tableName(collection)} DROP CONSTRAINT ${q(index.name)}`;
  return `DROP INDEX ${schemaOf(collection)}.${q(index.name)}`;
}

function foreignKeySql(collection: string, fk: PhysicalForeignKey): string {
  return (
    `ALTER TABLE ${tableName(collection)} ADD CONSTRAINT ${q(fk.name)} FOREIGN KEY (${q(fk.field)}) ` +
    `REFERENCES ${tableName(fk.target)} (id) ON DELETE ${fk.onDelete}`
  );
}

/**
 * Compares the applied document with a new one and returns the steps that
 * turn the database from one into the other. Renames happen only where the
 * new document says `renamedFrom` (and the old name is gone); a field or
 * collection that merely disappears is a destructive drop.
 */
export function planDdl(
  previous: SchemaDocument,
  next: SchemaDocument,
  /** The delete triggers the database has (delete-triggers.ts); by default, those `previous` needs. */
  existingTriggers: ReadonlySet<string> = new Set(deleteTriggers(previous).keys()),
): DdlStep[] {
  const before = physicalSchema(previous);
  const after = physicalSchema(next);
  const steps: DdlStep[] = [];
  const add = (step: DdlStep) => steps.push(step);

  // To-many relations: a trigger per (field, target, onDelete); any change replaces it.
  const wantedTriggers = deleteTriggers(next);
  for (const name of existingTriggers) {
    if (wantedTriggers.has(name)) continue;
    add({
      action: 'dropDeleteTrigger',
      destructive: false,
      summary: `drop an on-delete trigger of a to-many relation (${name})`,
      sql: dropDeleteTriggerSql(name),
    });
  }
  for (const trigger of wantedTriggers.values()) {
    if (existingTriggers.has(trigger.name)) continue;
    add({
      action: 'addDeleteTrigger',
      collection: trigger.collection,
      field: trigger.field,
      destructive: false,
      summary: `${trigger.collection}.${trigger.field} (to many ${trigger.target}): on delete ${trigger.onDelete}`,
      sql: createDeleteTriggerSql(trigger),
    });
  }

  // Which old collection each new one continues (same name, or an explicit rename).
  const collectionFrom = new Map<string, string>();
  for (const [name, collection] of after) {
    if (before.has(name)) collectionFrom.set(name, name);
    else {
      const from = collection.definition.renamedFrom;
      if (from !== undefined && before.has(from) && !after.has(from)) collectionFrom.set(name, from);
    }
  }
  const continued = new Set(collectionFrom.values());
  const newNameOf = new Map([...collectionFrom].map(([to, from]) => [from, to]));

  // Per continued collection: which old field each new field continues.
  const fieldFrom = new Map<string, Map<string, string>>();
  for (const [name, from] of collectionFrom) {
    const oldColumns = (before.get(from) as PhysicalCollection).columns;
    const newColumns = (after.get(name) as PhysicalCollection).columns;
    const mapping = new Map<string, string>();
    for (const [field, column] of newColumns) {
      if (oldColumns.has(field)) mapping.set(field, field);
      else {
        const renamed = column.definition.renamedFrom;
        if (renamed !== undefined && oldColumns.has(renamed) && !newColumns.has(renamed))
          mapping.set(field, renamed);
      }
    }
    fieldFrom.set(name, mapping);
  }
  const newFieldName = (oldCollection: string, oldField: string): string | undefined => {
    const name = newNameOf.get(oldCollection);
    if (name === undefined) return undefined;
    for (const [to, from] of fieldFrom.get(name) ?? []) if (from === oldField) return to;
    return ['id', 'createdAt', 'updatedAt', 'email', 'role', 'verified'].includes(oldField)
      ? oldField
      : undefined;
  };

  // Foreign keys and indexes, compared under the new names.
  for (const [oldName, oldCollection] of before) {
    const name = newNameOf.get(oldName);
    const newCollection = name === undefined ? undefined : after.get(name);
    for (const fk of oldCollection.foreignKeys.values()) {
      const field = newFieldName(oldName, fk.field);
      const target = newNameOf.get(fk.target);
      const match = field === undefined ? undefined : newCollection?.foreignKeys.get(field);
      const oldColumn = oldCollection.columns.get(fk.field);
      const newColumn = field === undefined ? undefined : newCollection?.columns.get(field);
      if (
        match &&
        match.target === target &&
        match.onDelete === fk.onDelete &&
        oldColumn?.sqlType === newColumn?.sqlType
      ) {
        if (match.name !== fk.name && name !== undefined) {
          add({
            action: 'renameForeignKey',
            collection: name,
            field: match.field,
            destructive: false,
            summary: `rename the foreign key of ${name}.${match.field}`,
            sql: [`ALTER TABLE ${tableName(name)} RENAME CONSTRAINT ${q(fk.name)} TO ${q(match.name)}`],
          });
        }
        continue;
      }
      add({
        action: 'dropForeignKey',
        collection: oldName,
        field: fk.field,
        destructive: false,
        summary: `drop the foreign key ${oldName}.${fk.field} → ${fk.target}`,
        sql: [`ALTER TABLE ${tableName(oldName)} DROP CONSTRAINT ${q(fk.name)}`],
      });
    }
    for (const index of oldCollection.indexes.values()) {
      const fields = index.fields.map((f) => newFieldName(oldName, f));
      const key = indexKey(index, fields as string[]);
      const match = fields.every((f) => f !== undefined) ? newCollection?.indexes.get(key) : undefined;
      if (match && name !== undefined) {
        if (match.name !== index.name) {
          add({
            action: 'renameIndex',
            collection: name,
            destructive: false,
            summary: `rename the ${index.unique ? 'unique constraint' : 'index'} on ${name} (${match.fields.join(', ')})`,
            sql: [
              index.unique
                ? `ALTER TABLE ${tableName(name)} RENAME CONSTRAINT ${q(index.name)} TO ${q(match.name)}`
                : `ALTER INDEX ${schemaOf(name)}.${q(index.name)} RENAME TO ${q(match.name)}`,
            ],
          });
        }
        continue;
      }
      // A dropped table takes its indexes with it.
      if (name === undefined) continue;
      add({
        action: 'dropIndex',
        collection: oldName,
        destructive: false,
        summary: `drop the ${index.unique ? 'unique constraint' : 'index'} on ${oldName} (${index.fields.join(', ')})`,
        sql: [dropIndexSql(oldName, index)],
      });
    }
  }

  // Collections: renames, drops, creates and per-field changes.
  for (const [oldName, oldCollection] of before) {
    if (continued.has(oldName)) continue;
    const added = [...after.keys()].filter((n) => !collectionFrom.has(n));
    add({
      action: 'dropCollection',
      collection: oldName,
      destructive: true,
      summary: `drop collection ${oldName} and all its records`,
      ...(added.length > 0
        ? { hint: `if ${oldName} became ${added.join(' or ')}, set "renamedFrom": "${oldName}" there` }
        : {}),
      sql: [`DROP TABLE ${tableName(oldCollection.name)}`],
    });
  }
  for (const [name, collection] of after) {
    const from = collectionFrom.get(name);
    if (from === undefined) {
      const columns = [
        'id uuid PRIMARY KEY DEFAULT gen_random_uuid()',
        '"createdAt" timestamptz(3) NOT NULL DEFAULT now()',
        '"updatedAt" timestamptz(3) NOT NULL DEFAULT now()',
        ...[...collection.columns.values()].map(columnDefinition),
      ];
      add({
        action: 'createCollection',
        collection: name,
        destructive: false,
        summary: `create collection ${name} (${[...collection.columns.keys()].join(', ') || 'no fields'})`,
        sql: [`CREATE TABLE ${tableName(name)} (${columns.join(', ')})`],
      });
      for (const index of collection.indexes.values()) {
        add({
          action: 'addIndex',
          collection: name,
          destructive: false,
          summary: `add ${index.unique ? 'a unique constraint' : 'an index'} on ${name} (${index.fields.join(', ')})`,
          sql: [indexSql(name, index)],
        });
      }
      for (const fk of collection.foreignKeys.values()) {
        add({
          action: 'addForeignKey',
          collection: name,
          field: fk.field,
          destructive: false,
          summary: `${name}.${fk.field} references ${fk.target} (on delete ${fk.onDelete.toLowerCase()})`,
          sql: [foreignKeySql(name, fk)],
        });
      }
      if (collection.definition.rules && Object.keys(collection.definition.rules).length > 0) {
        add({
          action: 'setRules',
          collection: name,
          destructive: false,
          summary: `set the rules of ${name}`,
          sql: [],
        });
      }
      continue;
    }

    const old = before.get(from) as PhysicalCollection;
    if (from !== name) {
      add({
        action: 'renameCollection',
        collection: name,
        from,
        destructive: false,
        summary: `rename collection ${from} to ${name}`,
        sql: [`ALTER TABLE ${tableName(from)} RENAME TO ${q(name)}`],
      });
    }
    const mapping = fieldFrom.get(name) ?? new Map<string, string>();
    const keptOld = new Set(mapping.values());
    const addedFields = [...collection.columns.keys()].filter((f) => !mapping.has(f));
    for (const [oldField, column] of old.columns) {
      if (keptOld.has(oldField)) continue;
      const lookalike = addedFields.filter((f) => collection.columns.get(f)?.sqlType === column.sqlType);
      add({
        action: 'dropField',
        collection: name,
        field: oldField,
        destructive: true,
        summary: `drop field ${name}.${oldField} and its values`,
        ...(lookalike.length > 0
          ? {
              hint: `if ${oldField} became ${lookalike.join(' or ')}, set "renamedFrom": "${oldField}" on it`,
            }
          : {}),
        sql: [`ALTER TABLE ${tableName(name)} DROP COLUMN ${q(oldField)}`],
      });
    }
    for (const [field, column] of collection.columns) {
      const oldField = mapping.get(field);
      if (oldField === undefined) {
        add({
          action: 'addField',
          collection: name,
          field,
          destructive: false,
          summary: `add field ${name}.${field} (${column.definition.type})`,
          sql: [`ALTER TABLE ${tableName(name)} ADD COLUMN ${columnDefinition(column)}`],
        });
        continue;
      }
      if (oldField !== field) {
        add({
          action: 'renameField',
          collection: name,
          field,
          from: oldField,
          destructive: false,
          summary: `rename field ${name}.${oldField} to ${field}`,
          sql: [`ALTER TABLE ${tableName(name)} RENAME COLUMN ${q(oldField)} TO ${q(field)}`],
        });
      }
      const oldColumn = old.columns.get(oldField) as PhysicalColumn;
      const a = oldColumn.definition;
      const b = column.definition;
      const retarget = a.type === 'relation' && b.type === 'relation' && newNameOf.get(a.to) !== b.to;
      if (a.type !== b.type || oldColumn.sqlType !== column.sqlType || retarget) {
        const widening = !retarget && isWidening(a, b);
        // Ids of the old target mean nothing in the new one: they are cleared.
        const using = retarget ? 'NULL' : usingClause(field, oldColumn, column);
        add({
          action: 'changeFieldType',
          collection: name,
          field,
          destructive: !widening,
          summary: `change ${name}.${field} from ${describeField(a)} to ${describeField(b)}${widening ? '' : ' (narrowing: values may be lost or refused)'}`,
          sql:
            oldColumn.sqlType === column.sqlType && !retarget
              ? []
              : [
                  `ALTER TABLE ${tableName(name)} ALTER COLUMN ${q(field)} TYPE ${column.sqlType} USING ${using}`,
                ],
        });
        continue;
      }
      if (canonicalJson(withoutRename(a)) !== canonicalJson(withoutRename(b))) {
        const lostValues =
          a.type === 'select' && b.type === 'select' ? a.values.filter((v) => !b.values.includes(v)) : [];
        add({
          action: 'alterField',
          collection: name,
          field,
          destructive: lostValues.length > 0,
          summary:
            lostValues.length > 0
              ? `change ${name}.${field}: remove select values ${lostValues.map((v) => JSON.stringify(v)).join(', ')}`
              : `change the options of ${name}.${field}`,
          sql: [],
        });
      }
    }
    for (const [key, index] of collection.indexes) {
      const oldKeyMatches = [...old.indexes.values()].some((o) => {
        const fields = o.fields.map((f) => newFieldName(from, f));
        return indexKey(o, fields as string[]) === key;
      });
      if (oldKeyMatches) continue;
      add({
        action: 'addIndex',
        collection: name,
        destructive: false,
        summary: `add ${index.unique ? 'a unique constraint' : 'an index'} on ${name} (${index.fields.join(', ')})`,
        sql: [indexSql(name, index)],
      });
    }
    for (const fk of collection.foreignKeys.values()) {
      const oldField = mapping.get(fk.field);
      const oldFk = oldField === undefined ? undefined : old.foreignKeys.get(oldField);
      const same =
        oldFk !== undefined &&
        newNameOf.get(oldFk.target) === fk.target &&
        oldFk.onDelete === fk.onDelete &&
        old.columns.get(oldFk.field)?.sqlType === collection.columns.get(fk.field)?.sqlType;
      if (same) continue;
      add({
        action: 'addForeignKey',
        collection: name,
        field: fk.field,
        destructive: false,
        summary: `${name}.${fk.field} references ${fk.target} (on delete ${fk.onDelete.toLowerCase()})`,
        sql: [foreignKeySql(name, fk)],
      });
    }
    const oldRules = canonicalJson(old.definition.rules ?? {});
    const newRules = canonicalJson(collection.definition.rules ?? {});
    if (oldRules !== newRules) {
      const changed = (['list', 'view', 'create', 'update', 'delete'] as const).filter(
        (op) => (old.definition.rules?.[op] ?? null) !== (collection.definition.rules?.[op] ?? null),
      );
      add({
        action: 'setRules',
        collection: name,
        destructive: false,
        summary: `change the ${changed.join(', ') || 'rules'} rule${changed.length === 1 ? '' : 's'} of ${name}`,
        sql: [],
      });
    }
    if ((old.definition.description ?? null) !== (collection.definition.description ?? null)) {
      add({
        action: 'alterCollection',
        collection: name,
        destructive: false,
        summary: `change the description of ${name}`,
        sql: [],
      });
    }
  }
  if (canonicalJson(previous.buckets ?? {}) !== canonicalJson(next.buckets ?? {})) {
    add({ action: 'setBuckets', destructive: false, summary: 'change the storage buckets', sql: [] });
  }
  if (canonicalJson(previous.channels ?? {}) !== canonicalJson(next.channels ?? {})) {
    add({ action: 'setChannels', destructive: false, summary: 'change the realtime channels', sql: [] });
  }
  return steps
    .map((step, order) => ({ step, order }))
    .sort((x, y) => PHASE[x.step.action] - PHASE[y.step.action] || x.order - y.order)
    .map(({ step }) => step);
}

function describeField(field: FieldDefinition): string {
  if (field.type === 'relation') return `relation to ${field.many ? 'many ' : ''}${field.to}`;
  return field.type;
}
