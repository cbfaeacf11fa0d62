import { BUILTIN_USER_FIELD_NAMES, SYSTEM_FIELD_NAMES, type PlanStep } from '@hearth/schema';
import type { PhysicalCollection } from './physical-schema.js';

const BUILT_IN_COLUMNS: ReadonlySet<string> = new Set([...SYSTEM_FIELD_NAMES, ...BUILTIN_USER_FIELD_NAMES]);

/**
 * Which old collection and field each new one continues, as the plan says:
 * the same name, or a rename step. Nothing here compares definitions; the
 * plan (diffSchemas) has already decided what was renamed, added or dropped.
 */
export class PlanRenames {
  private readonly collectionTo = new Map<string, string>();
  private readonly collectionFrom = new Map<string, string>();
  /** Per new collection name: new field name → old field name. */
  private readonly fieldFrom = new Map<string, Map<string, string>>();
  private readonly created = new Set<string>();
  private readonly dropped = new Set<string>();
  private readonly droppedFields = new Set<string>();
  private readonly addedFields = new Set<string>();

  constructor(
    plan: readonly PlanStep[],
    private readonly before: ReadonlyMap<string, PhysicalCollection>,
    private readonly after: ReadonlyMap<string, PhysicalCollection>,
  ) {
    for (const step of plan) {
      if (step.kind === 'rename-collection') {
        this.collectionTo.set(step.from, step.to);
        this.collectionFrom.set(step.to, step.from);
      } else if (step.kind === 'create-collection') this.created.add(step.collection);
      else if (step.kind === 'drop-collection') this.dropped.add(step.collection);
      else if (step.kind === 'rename-field') {
        const fields = this.fieldFrom.get(step.collection) ?? new Map<string, string>();
        fields.set(step.to, step.from);
        this.fieldFrom.set(step.collection, fields);
      } else if (step.kind === 'drop-field') this.droppedFields.add(`${step.collection}.${step.field}`);
      else if (step.kind === 'add-field') this.addedFields.add(`${step.collection}.${step.field}`);
    }
  }

  /** The new name of an old collection; undefined when it is dropped. */
  newCollection(old: string): string | undefined {
    if (this.dropped.has(old)) return undefined;
    return this.collectionTo.get(old) ?? (this.after.has(old) ? old : undefined);
  }

  /** The old name of a new collection; undefined when it is created. */
  oldCollection(name: string): string | undefined {
    if (this.created.has(name)) return undefined;
    return this.collectionFrom.get(name) ?? (this.before.has(name) ? name : undefined);
  }

  /** The new name of an old collection's field; undefined when it (or its collection) is dropped. */
  newField(oldCollection: string, oldField: string): string | undefined {
    const name = this.newCollection(oldCollection);
    if (name === undefined) return undefined;
    if (BUILT_IN_COLUMNS.has(oldField)) return oldField;
    for (const [to, from] of this.fieldFrom.get(name) ?? []) if (from === oldField) return to;
    if (this.droppedFields.has(`${name}.${oldField}`)) return undefined;
    return this.after.get(name)?.columns.has(oldField) ? oldField : undefined;
  }

  /** The old name of a new collection's field; undefined when it (or its collection) is new. */
  oldField(collection: string, field: string): string | undefined {
    const from = this.oldCollection(collection);
    if (from === undefined) return undefined;
    if (BUILT_IN_COLUMNS.has(field)) return field;
    const renamed = this.fieldFrom.get(collection)?.get(field);
    if (renamed !== undefined) return renamed;
    if (this.addedFields.has(`${collection}.${field}`)) return undefined;
    return this.before.get(from)?.columns.has(field) ? field : undefined;
  }
}
