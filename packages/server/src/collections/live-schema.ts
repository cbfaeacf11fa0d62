import {
  BUILTIN_USER_FIELD_NAMES,
  USERS_COLLECTION,
  collectionRuleSet,
  quoteIdentifier,
  schemaModel,
  type CheckedExpr,
  type CheckedRule,
  type CollectionModel,
  type CollectionRuleName,
  type FieldModel,
  type SchemaDocument,
  type SchemaModel,
  type ViewRuleLookup,
} from '@hearth/schema';
import { physicalCollection, tableName, type PhysicalIndex } from './physical-schema.js';

/** A collection as the record API uses it, with its rules checked once per schema version. */
export interface LiveCollection {
  name: string;
  builtin: boolean;
  /** `app."posts"` (trusted SQL). */
  table: string;
  model: CollectionModel;
  /** Every readable field, system ones first. */
  fields: FieldModel[];
  /** Fields a record body may set (users: profile fields only). */
  writable: Map<string, FieldModel>;
  /** A null rule is admin-only. */
  rules: Record<CollectionRuleName, CheckedRule | null>;
  /** Rules that read the caller's profile fields need the user's row. */
  rulesNeedAuthRow: boolean;
  /** Unique constraint names to the fields they cover, to report violations per field. */
  uniqueConstraints: Map<string, string[]>;
  /** Foreign key constraint names to their field. */
  foreignKeys: Map<string, string>;
}

export interface LiveSchema {
  /** The id in hearth.schema_versions; null before the first push. */
  version: number | null;
  appliedAt: string | null;
  document: SchemaDocument;
  model: SchemaModel;
  collections: Map<string, LiveCollection>;
  /** What a relation hop in a client's filter must pass: the target's view rule (none: admin-only). */
  viewRuleFor: ViewRuleLookup;
}

/** `auth.id`, `auth.email`, `auth.role` and `auth.verified` come from the token; anything else needs the row. */
const AUTH_FROM_TOKEN = new Set<string>(['id', ...BUILTIN_USER_FIELD_NAMES]);

export function readsAuthRow(expr: CheckedExpr): boolean {
  switch (expr.kind) {
    case 'ref': {
      const first = expr.steps[0];
      return expr.root === 'auth' && first !== undefined && !AUTH_FROM_TOKEN.has(first.field.name);
    }
    case 'literal':
      return false;
    case 'list':
      return expr.items.some(readsAuthRow);
    case 'compare':
    case 'and':
    case 'or':
    case 'concat':
      return readsAuthRow(expr.left) || readsAuthRow(expr.right);
    case 'in':
      return readsAuthRow(expr.needle) || readsAuthRow(expr.haystack);
    case 'not':
      return readsAuthRow(expr.operand);
    case 'call':
      return expr.args.some(readsAuthRow);
  }
}

export function buildLiveSchema(
  document: SchemaDocument,
  version: number | null,
  appliedAt: string | null,
): LiveSchema {
  const model = schemaModel(document);
  const collections = new Map<string, LiveCollection>();
  for (const [name, collectionModel] of model.collections) {
    const builtin = name === USERS_COLLECTION;
    const definition = collectionModel.definition ?? {};
    const rules = collectionRuleSet(model, name).checked;
    const writable = new Map<string, FieldModel>();
    for (const field of collectionModel.fields.values()) if (!field.system) writable.set(field.name, field);
    const physical = physicalCollection(name, definition);
    const uniqueConstraints = new Map<string, string[]>();
    for (const index of physical.indexes.values() as Iterable<PhysicalIndex>) {
      if (index.unique) uniqueConstraints.set(index.name, index.fields);
    }
    const foreignKeys = new Map([...physical.foreignKeys.values()].map((fk) => [fk.name, fk.field] as const));
    collections.set(name, {
      name,
      builtin,
      table: tableName(name),
      model: collectionModel,
      fields: [...collectionModel.fields.values()],
      writable,
      rules,
      rulesNeedAuthRow: Object.values(rules).some((rule) => rule !== null && readsAuthRow(rule.expr)),
      uniqueConstraints,
      foreignKeys,
    });
  }
  const viewRuleFor: ViewRuleLookup = (name) => collections.get(name)?.rules.view ?? null;
  return { version, appliedAt, document, model, collections, viewRuleFor };
}

export const quote = quoteIdentifier;
