import { quoteIdentifier as q } from '@hearth/schema';
import {
  schemaOf,
  tableName,
  type PhysicalColumn,
  type PhysicalForeignKey,
  type PhysicalIndex,
} from './physical-schema.js';

/** The text of each DDL statement a schema plan compiles to. Names are validated identifiers. */

export function createTableSql(collection: string, columns: Iterable<PhysicalColumn>): string {
  const definitions = [
    'id uuid PRIMARY KEY DEFAULT gen_random_uuid()',
    '"createdAt" timestamptz(3) NOT NULL DEFAULT now()',
    '"updatedAt" timestamptz(3) NOT NULL DEFAULT now()',
    ...[...columns].map(columnDefinition),
  ];
  return `CREATE TABLE ${tableName(collection)} (${definitions.join(', ')})`;
}

export function dropTableSql(collection: string): string {
  return `DROP TABLE ${tableName(collection)}`;
}

export function renameTableSql(from: string, to: string): string {
  return `ALTER TABLE ${tableName(from)} RENAME TO ${q(to)}`;
}

export function addColumnSql(collection: string, column: PhysicalColumn): string {
  return `ALTER TABLE ${tableName(collection)} ADD COLUMN ${columnDefinition(column)}`;
}

export function dropColumnSql(collection: string, field: string): string {
  return `ALTER TABLE ${tableName(collection)} DROP COLUMN ${q(field)}`;
}

export function renameColumnSql(collection: string, from: string, to: string): string {
  return `ALTER TABLE ${tableName(collection)} RENAME COLUMN ${q(from)} TO ${q(to)}`;
}

/** `using` is `NULL` to clear the column (a relation to another collection), else how values convert. */
export function changeColumnTypeSql(
  collection: string,
  from: PhysicalColumn,
  to: PhysicalColumn,
  clear: boolean,
): string {
  const using = clear ? 'NULL' : usingClause(to.name, from, to);
  return `ALTER TABLE ${tableName(collection)} ALTER COLUMN ${q(to.name)} TYPE ${to.sqlType} USING ${using}`;
}

export function addIndexSql(collection: string, index: PhysicalIndex): string {
  const columns = index.fields.map(q).join(', ');
  if (index.gin) return `CREATE INDEX ${q(index.name)} ON ${tableName(collection)} USING gin (${columns})`;
  if (index.unique) {
    return `ALTER TABLE ${tableName(collection)} ADD CONSTRAINT ${q(index.name)} UNIQUE (${columns})`;
  }
  return `CREATE INDEX ${q(index.name)} ON ${tableName(collection)} (${columns})`;
}

export function dropIndexSql(collection: string, index: PhysicalIndex): string {
  if (index.unique) return `ALTER TABLE ${tableName(collection)} DROP CONSTRAINT ${q(index.name)}`;
  return `DROP INDEX ${schemaOf(collection)}.${q(index.name)}`;
}

export function renameIndexSql(collection: string, index: PhysicalIndex, to: string): string {
  return index.unique
    ? `ALTER TABLE ${tableName(collection)} RENAME CONSTRAINT ${q(index.name)} TO ${q(to)}`
    : `ALTER INDEX ${schemaOf(collection)}.${q(index.name)} RENAME TO ${q(to)}`;
}

export function addForeignKeySql(collection: string, fk: PhysicalForeignKey): string {
  return (
    `ALTER TABLE ${tableName(collection)} ADD CONSTRAINT ${q(fk.name)} FOREIGN KEY (${q(fk.field)}) ` +
    `REFERENCES ${tableName(fk.target)} (id) ON DELETE ${fk.onDelete}`
  );
}

export function dropForeignKeySql(collection: string, fk: PhysicalForeignKey): string {
  return `ALTER TABLE ${tableName(collection)} DROP CONSTRAINT ${q(fk.name)}`;
}

export function renameForeignKeySql(collection: string, fk: PhysicalForeignKey, to: string): string {
  return `ALTER TABLE ${tableName(collection)} RENAME CONSTRAINT ${q(fk.name)} TO ${q(to)}`;
}

function columnDefinition(column: PhysicalColumn): string {
  return `${q(column.name)} ${column.sqlType}`;
}

/** How the values of a column convert to its new type. */
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
