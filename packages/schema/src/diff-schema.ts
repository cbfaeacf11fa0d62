import {
  COLLECTION_RULE_NAMES,
  type BucketDefinition,
  type ChannelDefinition,
  type CollectionDefinition,
  type CollectionRuleName,
  type FieldDefinition,
  type FieldType,
  type IndexDefinition,
  type SchemaDocument,
  effectiveOnDelete,
  parseByteSize,
} from './document.js';
import { USERS_COLLECTION, sqlColumnType } from './schema-model.js';

/**
 * A pure diff of two validated documents into an ordered plan. The server
 * compares the stored document with the desired one, shows the plan on a dry
 * run, and refuses destructive steps unless told otherwise. Renames come only
 * from `renamedFrom`; without it a rename is a drop and an add, and the drop
 * says so.
 */

interface StepBase {
  destructive: boolean;
  /** One line for humans: `drop field posts.body (its data is deleted)`. */
  description: string;
}

export type OptionChange = { option: string; from: unknown; to: unknown };

export type PlanStep = StepBase &
  (
    | { kind: 'rename-collection'; from: string; to: string }
    | { kind: 'create-collection'; collection: string; definition: CollectionDefinition }
    | { kind: 'drop-collection'; collection: string; hint?: string }
    | { kind: 'rename-field'; collection: string; from: string; to: string }
    | { kind: 'add-field'; collection: string; field: string; definition: FieldDefinition; warning?: string }
    | {
        kind: 'change-field-type';
        collection: string;
        field: string;
        from: FieldDefinition;
        to: FieldDefinition;
        change: 'widening' | 'narrowing';
        /** The column's SQL type changes (text → email keeps the column, text → number does not). */
        columnTypeChanges: boolean;
      }
    | {
        kind: 'change-field-options';
        collection: string;
        field: string;
        from: FieldDefinition;
        to: FieldDefinition;
        changes: OptionChange[];
        narrowing: boolean;
      }
    | { kind: 'drop-field'; collection: string; field: string; hint?: string }
    | { kind: 'add-index'; collection: string; index: IndexDefinition }
    | { kind: 'drop-index'; collection: string; index: IndexDefinition }
    | {
        kind: 'change-rule';
        collection: string;
        rule: CollectionRuleName;
        from: string | null;
        to: string | null;
      }
    | { kind: 'create-bucket' | 'change-bucket'; bucket: string; definition: BucketDefinition }
    | { kind: 'drop-bucket'; bucket: string }
    | { kind: 'create-channel' | 'change-channel'; pattern: string; definition: ChannelDefinition }
    | { kind: 'drop-channel'; pattern: string }
  );

export type PlanStepKind = PlanStep['kind'];

export interface SchemaPlan {
  steps: PlanStep[];
  /** True when any step is destructive. */
  destructive: boolean;
}

const ORDER: readonly PlanStepKind[] = [
  'rename-collection',
  'create-collection',
  'rename-field',
  'add-field',
  'change-field-type',
  'change-field-options',
  'drop-index',
  'add-index',
  'change-rule',
  'drop-field',
  'drop-collection',
  'create-bucket',
  'change-bucket',
  'drop-bucket',
  'create-channel',
  'change-channel',
  'drop-channel',
];

/** Diffs `current` (null for an empty database) into `desired`. */
export function diffSchemas(current: SchemaDocument | null, desired: SchemaDocument): SchemaPlan {
  const steps: PlanStep[] = [];
  const currentCollections = withUsers(current?.collections);
  const desiredCollections = withUsers(desired.collections);
  const matched = new Set<string>();
  const created: string[] = [];
  // Known up front, so a relation to a renamed collection is not mistaken for a retarget.
  const collectionRenames = new Map<string, string>();
  for (const [name, definition] of Object.entries(desiredCollections)) {
    const from = definition.renamedFrom;
    if (
      from &&
      !Object.hasOwn(currentCollections, name) &&
      Object.hasOwn(currentCollections, from) &&
      !Object.hasOwn(desiredCollections, from)
    ) {
      collectionRenames.set(from, name);
    }
  }

  for (const [name, definition] of Object.entries(desiredCollections)) {
    let from: string | null = null;
    if (Object.hasOwn(currentCollections, name)) from = name;
    else if (
      definition.renamedFrom &&
      Object.hasOwn(currentCollections, definition.renamedFrom) &&
      !Object.hasOwn(desiredCollections, definition.renamedFrom)
    ) {
      from = definition.renamedFrom;
      steps.push({
        kind: 'rename-collection',
        from,
        to: name,
        destructive: false,
        description: `rename collection "${from}" to "${name}"`,
      });
    }
    if (from === null) {
      const count = Object.keys(definition.fields ?? {}).length;
      steps.push({
        kind: 'create-collection',
        collection: name,
        definition,
        destructive: false,
        description: `create collection "${name}" (${count} field${count === 1 ? '' : 's'})`,
      });
      created.push(name);
      continue;
    }
    matched.add(from);
    diffCollection(
      name,
      currentCollections[from] as CollectionDefinition,
      definition,
      steps,
      collectionRenames,
    );
  }

  for (const [name, definition] of Object.entries(currentCollections)) {
    if (matched.has(name)) continue;
    const similar = created.find((c) => sameFieldNames(definition, desiredCollections[c]));
    const step: PlanStep = {
      kind: 'drop-collection',
      collection: name,
      destructive: true,
      description: `drop collection "${name}" and all its records`,
    };
    if (similar) step.hint = `if "${similar}" is "${name}" renamed, add "renamedFrom": "${name}" to it`;
    steps.push(step);
  }

  diffNamed(current?.buckets ?? {}, desired.buckets ?? {}, steps, {
    create: (bucket, definition) => ({
      kind: 'create-bucket',
      bucket,
      definition,
      destructive: false,
      description: `create bucket "${bucket}"`,
    }),
    change: (bucket, definition) => ({
      kind: 'change-bucket',
      bucket,
      definition,
      destructive: false,
      description: `change bucket "${bucket}" (limits or rules)`,
    }),
    drop: (bucket) => ({
      kind: 'drop-bucket',
      bucket,
      destructive: true,
      description: `drop bucket "${bucket}" and its files`,
    }),
  });
  diffNamed(current?.channels ?? {}, desired.channels ?? {}, steps, {
    create: (pattern, definition) => ({
      kind: 'create-channel',
      pattern,
      definition,
      destructive: false,
      description: `add channel "${pattern}"`,
    }),
    change: (pattern, definition) => ({
      kind: 'change-channel',
      pattern,
      definition,
      destructive: false,
      description: `change the rules of channel "${pattern}"`,
    }),
    drop: (pattern) => ({
      kind: 'drop-channel',
      pattern,
      destructive: false,
      description: `remove channel "${pattern}"`,
    }),
  });

  const ordered = steps
    .map((step, i) => ({ step, i }))
    .sort((a, b) => ORDER.indexOf(a.step.kind) - ORDER.indexOf(b.step.kind) || a.i - b.i)
    .map(({ step }) => step);
  return { steps: ordered, destructive: ordered.some((s) => s.destructive) };
}

function withUsers(
  collections: Record<string, CollectionDefinition> | undefined,
): Record<string, CollectionDefinition> {
  const all: Record<string, CollectionDefinition> = { ...collections };
  if (!Object.hasOwn(all, USERS_COLLECTION)) all[USERS_COLLECTION] = { fields: {} };
  return all;
}

function sameFieldNames(a: CollectionDefinition, b: CollectionDefinition | undefined): boolean {
  const x = Object.keys(a.fields ?? {}).sort();
  const y = Object.keys(b?.fields ?? {}).sort();
  return x.length > 0 && x.join(',') === y.join(',');
}

function diffCollection(
  name: string,
  current: CollectionDefinition,
  desired: CollectionDefinition,
  steps: PlanStep[],
  collectionRenames: ReadonlyMap<string, string>,
): void {
  const currentFields = current.fields ?? {};
  const desiredFields = desired.fields ?? {};
  const matched = new Set<string>();
  const renames = new Map<string, string>();
  const added: { field: string; definition: FieldDefinition }[] = [];

  for (const [field, definition] of Object.entries(desiredFields)) {
    let from: string | null = null;
    if (Object.hasOwn(currentFields, field)) from = field;
    else if (
      definition.renamedFrom &&
      Object.hasOwn(currentFields, definition.renamedFrom) &&
      !Object.hasOwn(desiredFields, definition.renamedFrom)
    ) {
      from = definition.renamedFrom;
      renames.set(from, field);
      steps.push({
        kind: 'rename-field',
        collection: name,
        from,
        to: field,
        destructive: false,
        description: `rename field ${name}.${from} to ${name}.${field}`,
      });
    }
    if (from === null) {
      const step: PlanStep = {
        kind: 'add-field',
        collection: name,
        field,
        definition,
        destructive: false,
        description: `add field ${name}.${field} (${describeField(definition)})`,
      };
      if (definition.required && !('default' in definition && definition.default !== undefined))
        step.warning = 'required with no default: existing records have no value';
      steps.push(step);
      added.push({ field, definition });
      continue;
    }
    matched.add(from);
    diffField(name, field, currentFields[from] as FieldDefinition, definition, steps, collectionRenames);
  }

  for (const [field, definition] of Object.entries(currentFields)) {
    if (matched.has(field)) continue;
    const step: PlanStep = {
      kind: 'drop-field',
      collection: name,
      field,
      destructive: true,
      description: `drop field ${name}.${field} (its data is deleted)`,
    };
    const twin = added.find((a) => a.definition.type === definition.type);
    if (twin)
      step.hint = `if ${name}.${twin.field} is ${name}.${field} renamed, add "renamedFrom": "${field}" to it`;
    steps.push(step);
  }

  const indexKey = (index: IndexDefinition, rename: (f: string) => string): string =>
    `${index.unique ? 'unique ' : ''}(${index.fields.map(rename).join(', ')})`;
  const currentIndexes = new Map(
    (current.indexes ?? []).map((index) => [indexKey(index, (f) => renames.get(f) ?? f), index]),
  );
  const desiredIndexes = new Map((desired.indexes ?? []).map((index) => [indexKey(index, (f) => f), index]));
  for (const [key, index] of currentIndexes) {
    if (!desiredIndexes.has(key))
      steps.push({
        kind: 'drop-index',
        collection: name,
        index,
        destructive: false,
        description: `drop index ${key} on ${name}`,
      });
  }
  for (const [key, index] of desiredIndexes) {
    if (!currentIndexes.has(key))
      steps.push({
        kind: 'add-index',
        collection: name,
        index,
        destructive: false,
        description: `add ${index.unique ? 'unique ' : ''}index (${index.fields.join(', ')}) on ${name}`,
      });
  }

  for (const rule of COLLECTION_RULE_NAMES) {
    const from = current.rules?.[rule] ?? null;
    const to = desired.rules?.[rule] ?? null;
    if (from === to) continue;
    const what = to === null ? 'admin-only' : to === 'true' ? 'public' : JSON.stringify(to);
    steps.push({
      kind: 'change-rule',
      collection: name,
      rule,
      from,
      to,
      destructive: false,
      description: `set the ${rule} rule of ${name} to ${what}`,
    });
  }
}

const TEXT_LIKE: ReadonlySet<FieldType> = new Set(['text', 'email', 'url', 'select', 'file']);

function diffField(
  collection: string,
  field: string,
  from: FieldDefinition,
  to: FieldDefinition,
  steps: PlanStep[],
  collectionRenames: ReadonlyMap<string, string>,
): void {
  const fromColumn = sqlColumnType({
    name: field,
    type: from.type,
    many: from.type === 'relation' && from.many === true,
  });
  const toColumn = sqlColumnType({
    name: field,
    type: to.type,
    many: to.type === 'relation' && to.many === true,
  });
  const retargeted =
    from.type === 'relation' &&
    to.type === 'relation' &&
    (collectionRenames.get(from.to) ?? from.to) !== to.to;
  if (from.type !== to.type || fromColumn !== toColumn || retargeted) {
    const change = typeChange(from, to, retargeted);
    const what = `${describeField(from)} to ${describeField(to)}`;
    const why =
      change === 'widening'
        ? from.type === 'relation' && to.type === 'json'
          ? ': the ids are kept as JSON strings; the link and its onDelete go'
          : ''
        : retargeted
          ? ': existing ids point at the old collection and are cleared'
          : ': values that do not fit are lost or rejected';
    steps.push({
      kind: 'change-field-type',
      collection,
      field,
      from,
      to,
      change,
      columnTypeChanges: fromColumn !== toColumn,
      destructive: change === 'narrowing',
      description: `change ${collection}.${field} from ${what} (${change}${why})`,
    });
    return;
  }
  const changes: OptionChange[] = [];
  const keys = new Set([...Object.keys(from), ...Object.keys(to)]);
  for (const key of [...keys].sort()) {
    // onDelete is compared by what it means, below: cascade: true and onDelete: "cascade" are one thing.
    if (key === 'type' || key === 'renamedFrom' || key === 'cascade' || key === 'onDelete') continue;
    const a = (from as Record<string, unknown>)[key];
    const b = (to as Record<string, unknown>)[key];
    // A relation that follows its target's rename has not changed.
    if (key === 'to' && typeof a === 'string' && (collectionRenames.get(a) ?? a) === b) continue;
    if (stableJson(a) !== stableJson(b)) changes.push({ option: key, from: a, to: b });
  }
  if (from.type === 'relation' && to.type === 'relation') {
    const before = effectiveOnDelete(from);
    const after = effectiveOnDelete(to);
    if (before !== after) changes.push({ option: 'onDelete', from: before, to: after });
  }
  if (changes.length === 0) return;
  steps.push({
    kind: 'change-field-options',
    collection,
    field,
    from,
    to,
    changes,
    narrowing: changes.some((c) => optionNarrows(c)),
    // Records holding a removed select value would no longer be valid: they must be changed first.
    destructive: changes.some((c) => c.option === 'values' && optionNarrows(c)),
    description: `change ${collection}.${field}: ${changes.map((c) => `${c.option} ${JSON.stringify(c.from) ?? 'unset'} → ${JSON.stringify(c.to) ?? 'unset'}`).join(', ')}`,
  });
}

/** Widening keeps every existing value valid; narrowing may lose or reject some. */
function typeChange(
  from: FieldDefinition,
  to: FieldDefinition,
  retargeted: boolean,
): 'widening' | 'narrowing' {
  if (from.type === 'relation' && to.type === 'relation') {
    if (retargeted) return 'narrowing';
    return !from.many && to.many ? 'widening' : 'narrowing';
  }
  // Every value survives as JSON (an id becomes a string, a to-many a list of them): only the link goes.
  if (to.type === 'json') return 'widening';
  if (from.type === 'relation' || to.type === 'relation') return 'narrowing';
  if (to.type === 'text')
    return TEXT_LIKE.has(from.type) || from.type === 'number' || from.type === 'bool' || from.type === 'date'
      ? 'widening'
      : 'narrowing';
  return 'narrowing';
}

function optionNarrows({ option, from, to }: OptionChange): boolean {
  switch (option) {
    case 'required':
    case 'unique':
    case 'integer':
      return to === true && from !== true;
    case 'values':
      return Array.isArray(from) && (!Array.isArray(to) || from.some((v) => !to.includes(v)));
    case 'min':
      return to !== undefined && (from === undefined || (to as number) > (from as number));
    case 'max':
      return to !== undefined && (from === undefined || (to as number) < (from as number));
    case 'maxSize':
      return typeof to === 'string' && (typeof from !== 'string' || parseByteSize(to) < parseByteSize(from));
    case 'types':
      return to !== undefined;
    default:
      return false;
  }
}

function describeField(field: FieldDefinition): string {
  if (field.type === 'relation') return `relation to ${field.many ? 'many ' : ''}${field.to}`;
  return field.type;
}

function diffNamed<T>(
  current: Record<string, T>,
  desired: Record<string, T>,
  steps: PlanStep[],
  make: {
    create: (name: string, definition: T) => PlanStep;
    change: (name: string, definition: T) => PlanStep;
    drop: (name: string) => PlanStep;
  },
): void {
  for (const [name, definition] of Object.entries(desired)) {
    if (!Object.hasOwn(current, name)) steps.push(make.create(name, definition));
    else if (stableJson(current[name]) !== stableJson(definition)) steps.push(make.change(name, definition));
  }
  for (const name of Object.keys(current)) {
    if (!Object.hasOwn(desired, name)) steps.push(make.drop(name));
  }
}

/** JSON with object keys sorted, so key order never reads as a change. */
function stableJson(value: unknown): string {
  if (value === undefined) return 'undefined';
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
