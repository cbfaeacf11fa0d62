import { createHash } from 'node:crypto';
import {
  USERS_COLLECTION,
  effectiveOnDelete,
  quoteIdentifier,
  sqlColumnType,
  type CollectionDefinition,
  type FieldDefinition,
  type OnDeleteAction,
  type SchemaDocument,
} from '@hearth/schema';

/**
 * What a schema document means in PostgreSQL: one table per collection (the
 * built-in users collection is hearth.users), one column per field, foreign
 * keys for single relations (to-many relations get delete triggers instead,
 * see delete-triggers.ts), unique constraints and indexes. Names of
 * constraints and indexes are derived from what they cover, so two documents
 * can be compared object by object.
 */

export type OnDelete = 'CASCADE' | 'SET NULL' | 'RESTRICT';

export interface PhysicalColumn {
  name: string;
  sqlType: string;
  definition: FieldDefinition;
}

export interface PhysicalForeignKey {
  name: string;
  field: string;
  target: string;
  onDelete: OnDelete;
}

/** A to-many relation (a uuid[] column): its onDelete is carried out by a trigger on the target. */
export interface PhysicalManyRelation {
  field: string;
  target: string;
  onDelete: OnDeleteAction;
}

export interface PhysicalIndex {
  name: string;
  fields: string[];
  unique: boolean;
  /** A GIN index: on each to-many relation, so its delete trigger finds the ids without a scan. */
  gin?: true;
}

/** How indexes are matched between two documents: kind plus field list. */
export function indexKey(index: Pick<PhysicalIndex, 'unique' | 'gin'>, fields: readonly string[]): string {
  return `${index.gin ? 'g' : index.unique ? 'u' : 'i'}:${fields.join(',')}`;
}

export interface PhysicalCollection {
  name: string;
  builtin: boolean;
  definition: CollectionDefinition;
  columns: Map<string, PhysicalColumn>;
  foreignKeys: Map<string, PhysicalForeignKey>;
  manyRelations: Map<string, PhysicalManyRelation>;
  /** Keyed by indexKey: `u:`, `i:` or `g:` plus the field list. */
  indexes: Map<string, PhysicalIndex>;
}

/** `app."posts"`, or `hearth."users"` for the built-in collection. Names are validated. */
export function tableName(collection: string): string {
  return collection === USERS_COLLECTION
    ? `hearth.${quoteIdentifier('users')}`
    : `app.${quoteIdentifier(collection)}`;
}

export function schemaOf(collection: string): 'hearth' | 'app' {
  return collection === USERS_COLLECTION ? 'hearth' : 'app';
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 20);
}

export function indexName(collection: string, fields: readonly string[], unique: boolean): string {
  return `${unique ? 'uq' : 'ix'}_${shortHash(`${collection}:${fields.join(',')}`)}`;
}

export function foreignKeyName(collection: string, field: string): string {
  return `fk_${shortHash(`${collection}:${field}`)}`;
}

const FOREIGN_KEY_ACTION: Record<OnDeleteAction, OnDelete> = {
  cascade: 'CASCADE',
  setNull: 'SET NULL',
  restrict: 'RESTRICT',
};

/** The foreign key's ON DELETE for the field's onDelete (its default: restrict when required, else setNull). */
export function onDeleteOf(field: Extract<FieldDefinition, { type: 'relation' }>): OnDelete {
  return FOREIGN_KEY_ACTION[effectiveOnDelete(field)];
}

export function physicalCollection(name: string, definition: CollectionDefinition): PhysicalCollection {
  const columns = new Map<string, PhysicalColumn>();
  const foreignKeys = new Map<string, PhysicalForeignKey>();
  const manyRelations = new Map<string, PhysicalManyRelation>();
  const indexes = new Map<string, PhysicalIndex>();
  for (const [fieldName, field] of Object.entries(definition.fields ?? {})) {
    const many = field.type === 'relation' && field.many === true;
    columns.set(fieldName, {
      name: fieldName,
      sqlType: sqlColumnType({ type: field.type, many, name: fieldName }),
      definition: field,
    });
    if (field.type === 'relation' && !many) {
      foreignKeys.set(fieldName, {
        name: foreignKeyName(name, fieldName),
        field: fieldName,
        target: field.to,
        onDelete: onDeleteOf(field),
      });
    }
    if (field.type === 'relation' && many) {
      manyRelations.set(fieldName, {
        field: fieldName,
        target: field.to,
        onDelete: effectiveOnDelete(field),
      });
      const gin = { name: `gx_${shortHash(`${name}:${fieldName}:gin`)}`, fields: [fieldName], unique: false };
      indexes.set(indexKey({ unique: false, gin: true }, [fieldName]), { ...gin, gin: true });
    }
    if (field.unique) {
      indexes.set(`u:${fieldName}`, {
        name: indexName(name, [fieldName], true),
        fields: [fieldName],
        unique: true,
      });
    }
  }
  if (name !== USERS_COLLECTION) {
    // Every collection lists in creation order by default; keyset pages walk this index.
    const fields = ['createdAt', 'id'];
    indexes.set(`i:${fields.join(',')}`, { name: indexName(name, fields, false), fields, unique: false });
  }
  for (const index of definition.indexes ?? []) {
    const unique = index.unique === true;
    const key = `${unique ? 'u' : 'i'}:${index.fields.join(',')}`;
    indexes.set(key, { name: indexName(name, index.fields, unique), fields: [...index.fields], unique });
  }
  return {
    name,
    builtin: name === USERS_COLLECTION,
    definition,
    columns,
    foreignKeys,
    manyRelations,
    indexes,
  };
}

/** Every collection of a document, users included (it always exists). */
export function physicalSchema(document: SchemaDocument): Map<string, PhysicalCollection> {
  const result = new Map<string, PhysicalCollection>();
  for (const [name, definition] of Object.entries(document.collections ?? {})) {
    result.set(name, physicalCollection(name, definition));
  }
  if (!result.has(USERS_COLLECTION)) result.set(USERS_COLLECTION, physicalCollection(USERS_COLLECTION, {}));
  return result;
}
