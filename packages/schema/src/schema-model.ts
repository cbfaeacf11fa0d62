import type { CollectionDefinition, FieldDefinition, FieldType, SchemaDocument } from './document.js';

/**
 * The resolved view of a validated document that the rule checker, the
 * compiler and the server share: every collection's full field list,
 * including the system fields every record has and the built-in `users` fields.
 */

export const USERS_COLLECTION = 'users';

/**
 * The built-in users collection's rules when the document sets none: a user
 * sees only itself. The server and `hearth rules test` both use this.
 */
export const DEFAULT_USERS_RULES: Readonly<{ list: string; view: string }> = Object.freeze({
  list: 'id == auth.id',
  view: 'id == auth.id',
});
export const SYSTEM_FIELD_NAMES = ['id', 'createdAt', 'updatedAt'] as const;
export const BUILTIN_USER_FIELD_NAMES = ['email', 'role', 'verified'] as const;
/** Names the server's `hearth.users` table keeps for itself. */
export const RESERVED_USER_FIELD_NAMES = [
  // Columns of hearth.users that auth owns (packages/server/migrations/002_auth.sql) and never exposes.
  'password',
  'passwordHash',
  'password_hash',
  'passwordChangedAt',
  'emailVerified',
  'metadata',
  'totpSecret',
  'totpPendingSecret',
  'totpLastStep',
  'anonymous',
  'disabled',
  'mfa',
  'tokenVersion',
] as const;
/** Names of the rule language and of PostgreSQL system columns; no field may take them. */
export const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set([
  ...SYSTEM_FIELD_NAMES,
  'auth',
  'data',
  'now',
  'path',
  'channel',
  'record',
  'request',
  'this',
  'true',
  'false',
  'null',
  'in',
  'expand',
  // Names the expanded many-relations a list answer cut short.
  'expandTruncated',
  'constructor',
  'prototype',
  'oid',
  'ctid',
  'xmin',
  'xmax',
  'cmin',
  'cmax',
  'tableoid',
]);
export const RESERVED_COLLECTION_NAMES: ReadonlySet<string> = new Set([
  'constructor',
  'prototype',
  'hearth',
  'auth',
  'data',
]);

export interface FieldModel {
  name: string;
  type: FieldType;
  /** The document's definition; null for system and built-in fields. */
  definition: FieldDefinition | null;
  system: boolean;
  hidden: boolean;
  /** Relations only: the target collection, and whether it holds a list of ids. */
  target: string | null;
  many: boolean;
  /** Relations only: writes must point at records the writer may view. */
  viewable: boolean;
  /** select only. */
  values: readonly string[] | null;
}

export interface CollectionModel {
  name: string;
  builtin: boolean;
  fields: ReadonlyMap<string, FieldModel>;
  definition: CollectionDefinition | null;
}

export interface SchemaModel {
  document: SchemaDocument;
  collections: ReadonlyMap<string, CollectionModel>;
}

const cache = new WeakMap<SchemaDocument, SchemaModel>();

/** The model of a validated document (cached per document object; treat documents as immutable). */
export function schemaModel(document: SchemaDocument): SchemaModel {
  const cached = cache.get(document);
  if (cached) return cached;
  const collections = new Map<string, CollectionModel>();
  const declared = document.collections ?? {};
  for (const [name, definition] of Object.entries(declared)) {
    collections.set(name, collectionModel(name, definition));
  }
  if (!collections.has(USERS_COLLECTION))
    collections.set(USERS_COLLECTION, collectionModel(USERS_COLLECTION, null));
  const model: SchemaModel = { document, collections };
  cache.set(document, model);
  return model;
}

function collectionModel(name: string, definition: CollectionDefinition | null): CollectionModel {
  const fields = new Map<string, FieldModel>();
  fields.set('id', systemField('id', 'text'));
  fields.set('createdAt', systemField('createdAt', 'date'));
  fields.set('updatedAt', systemField('updatedAt', 'date'));
  const builtin = name === USERS_COLLECTION;
  if (builtin) {
    // Email addresses are personal: only admins may filter or sort on other users' emails.
    fields.set('email', { ...systemField('email', 'email'), hidden: true });
    fields.set('role', systemField('role', 'text'));
    fields.set('verified', systemField('verified', 'bool'));
  }
  for (const [fieldName, field] of Object.entries(definition?.fields ?? {})) {
    if (fields.has(fieldName)) continue; // reported by the validator
    fields.set(fieldName, {
      name: fieldName,
      type: field.type,
      definition: field,
      system: false,
      hidden: field.hidden === true,
      target: field.type === 'relation' ? field.to : null,
      many: field.type === 'relation' && field.many === true,
      viewable: field.type === 'relation' && field.viewable === true,
      values: field.type === 'select' ? field.values : null,
    });
  }
  return { name, builtin, fields, definition };
}

function systemField(name: string, type: FieldType): FieldModel {
  return {
    name,
    type,
    definition: null,
    system: true,
    hidden: false,
    target: null,
    many: false,
    viewable: false,
    values: null,
  };
}

/**
 * The PostgreSQL column type for a field. The rule compiler relies on this
 * mapping, so the server's DDL must use it.
 */
export function sqlColumnType(field: Pick<FieldModel, 'type' | 'many' | 'name'>): string {
  if (field.name === 'id') return 'uuid';
  switch (field.type) {
    case 'text':
    case 'email':
    case 'url':
    case 'select':
    case 'file':
      return 'text';
    case 'number':
      return 'double precision';
    case 'bool':
      return 'boolean';
    case 'date':
      return 'timestamptz(3)';
    case 'json':
      return 'jsonb';
    case 'relation':
      return field.many ? 'uuid[]' : 'uuid';
  }
}

/** `"name"`, with any embedded quote doubled (names are validated, this is a second fence). */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Accepts a validated document or its model. */
export function toSchemaModel(schema: SchemaDocument | SchemaModel): SchemaModel {
  return 'document' in schema && schema.collections instanceof Map
    ? (schema as SchemaModel)
    : schemaModel(schema as SchemaDocument);
}
