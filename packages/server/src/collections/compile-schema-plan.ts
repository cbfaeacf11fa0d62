import { diffSchemas, type PlanStep, type SchemaDocument } from '@hearth/schema';
import { deleteTriggers } from './delete-triggers.js';
import { derivedStatements, type DerivedSubject } from './derived-ddl.js';
import { DDL_PHASE, type DdlPhase } from './ddl-phase.js';
import {
  addColumnSql,
  changeColumnTypeSql,
  createTableSql,
  dropColumnSql,
  dropTableSql,
  renameColumnSql,
  renameTableSql,
} from './ddl-sql.js';
import { physicalSchema, type PhysicalCollection, type PhysicalColumn } from './physical-schema.js';
import { PlanRenames } from './plan-renames.js';

/** A step of the plan with the statements it runs, in the order they run. */
export type CompiledStep = PlanStep & { sql: string[] };

export interface CompiledStatement {
  sql: string;
  /** The index of its step in `steps`, or null for a repair. */
  step: number | null;
}

export interface CompiledSchemaPlan {
  /** @hearth/schema's diffSchemas plan, each step with its SQL. */
  steps: CompiledStep[];
  /** True when any step is destructive. */
  destructive: boolean;
  /** Statements the database needs whatever the plan: delete triggers it lacks or has left over. */
  repairs: string[];
  /** Every statement of the steps and the repairs, in the order they run. */
  statements: CompiledStatement[];
}

/**
 * The one schema diff, carried out in PostgreSQL: the plan is diffSchemas',
 * and every statement that runs is compiled from one of its steps (or is a
 * repair of the delete triggers), so the plan a dry run shows is the plan a
 * push applies. Statements run phase by phase (ddl-phase.ts), so a step's
 * own statements need not be contiguous.
 */
export function compileSchemaPlan(
  previous: SchemaDocument | null,
  next: SchemaDocument,
  /** The delete triggers the database has (delete-triggers.ts); by default, those `previous` needs. */
  existingTriggers: ReadonlySet<string> = new Set(deleteTriggers(previous ?? {}).keys()),
): CompiledSchemaPlan {
  const plan = diffSchemas(previous, next);
  const before = physicalSchema(previous ?? {});
  const after = physicalSchema(next);
  const renames = new PlanRenames(plan.steps, before, after);
  const pending: { phase: DdlPhase; sql: string; step: number | null }[] = [];
  const add = (step: number | null, phase: DdlPhase, sql: readonly string[]) => {
    for (const statement of sql) pending.push({ phase, sql: statement, step });
  };

  plan.steps.forEach((step, index) => {
    const own = ownStatement(step, before, after, renames);
    if (own) add(index, own.phase, [own.sql]);
  });
  for (const derived of derivedStatements(previous ?? {}, next, before, after, renames, existingTriggers)) {
    add(derived.subject && ownerOf(plan.steps, derived.subject), derived.phase, derived.sql);
  }

  const statements = pending
    .map((statement, order) => ({ statement, order }))
    .sort((a, b) => a.statement.phase - b.statement.phase || a.order - b.order)
    .map(({ statement }) => ({ sql: statement.sql, step: statement.step }));
  return {
    steps: plan.steps.map((step, index) => ({
      ...step,
      sql: statements.filter((s) => s.step === index).map((s) => s.sql),
    })),
    destructive: plan.destructive,
    repairs: statements.filter((s) => s.step === null).map((s) => s.sql),
    statements,
  };
}

/** The statement on the table or column itself that a step needs, if any. */
function ownStatement(
  step: PlanStep,
  before: ReadonlyMap<string, PhysicalCollection>,
  after: ReadonlyMap<string, PhysicalCollection>,
  renames: PlanRenames,
): { phase: DdlPhase; sql: string } | undefined {
  const newColumn = (collection: string, field: string) =>
    after.get(collection)?.columns.get(field) as PhysicalColumn;
  switch (step.kind) {
    case 'rename-collection':
      return { phase: DDL_PHASE.renameCollection, sql: renameTableSql(step.from, step.to) };
    case 'create-collection': {
      const columns = (after.get(step.collection) as PhysicalCollection).columns.values();
      return { phase: DDL_PHASE.createCollection, sql: createTableSql(step.collection, columns) };
    }
    case 'drop-collection':
      return { phase: DDL_PHASE.dropCollection, sql: dropTableSql(step.collection) };
    case 'rename-field':
      return { phase: DDL_PHASE.renameField, sql: renameColumnSql(step.collection, step.from, step.to) };
    case 'add-field':
      return {
        phase: DDL_PHASE.addField,
        sql: addColumnSql(step.collection, newColumn(step.collection, step.field)),
      };
    case 'drop-field':
      return { phase: DDL_PHASE.dropField, sql: dropColumnSql(step.collection, step.field) };
    case 'change-field-type': {
      const oldCollection = renames.oldCollection(step.collection) as string;
      const oldField = renames.oldField(step.collection, step.field) as string;
      const from = before.get(oldCollection)?.columns.get(oldField) as PhysicalColumn;
      const to = newColumn(step.collection, step.field);
      // Ids of the old target mean nothing in the new one: they are cleared.
      const retargeted =
        step.from.type === 'relation' &&
        step.to.type === 'relation' &&
        renames.newCollection(step.from.to) !== step.to.to;
      if (from.sqlType === to.sqlType && !retargeted) return undefined;
      return {
        phase: DDL_PHASE.changeFieldType,
        sql: changeColumnTypeSql(step.collection, from, to, retargeted),
      };
    }
    default:
      return undefined;
  }
}

/**
 * The step a statement on a derived object belongs to: the change of its
 * field, else the rename of its field or collection, else the rename of the
 * collection it points at. Null when none caused it (then it is a repair).
 */
function ownerOf(steps: readonly PlanStep[], subject: DerivedSubject): number | null {
  const { collection, oldCollection, fields, oldFields } = subject;
  const sameFields = (a: readonly string[], b: readonly string[]) => a.join(',') === b.join(',');
  const candidates: ((step: PlanStep) => boolean)[] = [
    (step) =>
      subject.declared === true &&
      ((step.kind === 'add-index' && sameFields(step.index.fields, fields)) ||
        (step.kind === 'drop-index' && sameFields(step.index.fields, oldFields))) &&
      step.collection === collection,
    (step) =>
      (step.kind === 'add-field' ||
        step.kind === 'change-field-type' ||
        step.kind === 'change-field-options') &&
      step.collection === collection &&
      fields.includes(step.field),
    (step) => step.kind === 'drop-field' && step.collection === collection && oldFields.includes(step.field),
    (step) => step.kind === 'rename-field' && step.collection === collection && fields.includes(step.to),
    (step) =>
      (step.kind === 'create-collection' && step.collection === collection) ||
      (step.kind === 'drop-collection' && step.collection === oldCollection),
    (step) => step.kind === 'rename-collection' && step.to === collection,
    (step) =>
      step.kind === 'rename-collection' &&
      subject.target !== undefined &&
      step.to === subject.target &&
      step.from === subject.oldTarget,
  ];
  for (const candidate of candidates) {
    const index = steps.findIndex(candidate);
    if (index >= 0) return index;
  }
  return null;
}
