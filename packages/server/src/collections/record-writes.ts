import { randomUUID } from 'node:crypto';
import { quoteIdentifier as q, visibleRecord, type FieldModel } from '@hearth/schema';
import { HearthError } from '../errors/index.js';
import type { Caller } from './caller.js';
import type { ChangeEvent, ChangeEvents } from './change-events.js';
import { runCompiled } from './compiled-statement.js';
import { deleteRefusal } from './delete-errors.js';
import { constrainsVersion, etagMatches, parseEtags } from './etags.js';
import type { LiveCollection, LiveSchema } from './live-schema.js';
import { needsAuthRow, ruleFor } from './record-access.js';
import {
  StatementBuilder,
  bindUnpatchedDataToRow,
  castOf,
  rowToRecord,
  selectColumns,
} from './record-sql.js';
import { ETAG_COLUMN, TXID_COLUMN, type Db, type RecordResult, type WriteScope } from './record-types.js';
import { recordIdOf, validateRecordInput } from './record-validation.js';
import { checkRelationTargets } from './relation-targets.js';
import { writeRefusal } from './write-errors.js';

/** Who writes, to which collection of which schema version, and where. */
export interface WriteContext {
  caller: Caller;
  schema: LiveSchema;
  collection: LiveCollection;
  scope: WriteScope;
}

const createDenied = () => new HearthError('rules/denied', 'The create rule does not allow this record.');

function bindValue(
  builder: StatementBuilder,
  collection: LiveCollection,
  field: string,
  value: unknown,
): string {
  const model = collection.writable.get(field) as FieldModel;
  return builder.param(model.type === 'json' ? JSON.stringify(value) : value, castOf(model));
}

/**
 * Creates, updates and deletes. Update and delete carry their rule in the
 * statement that does the work; a create checks its rule against the record
 * as it would be stored, in the INSERT itself (so rules that follow
 * relations work too). Each committed write emits one change event.
 */
export class RecordWrites {
  constructor(private readonly events: ChangeEvents) {}

  /** Emits the change (now, or at the outer commit) and answers what the caller may see. */
  private committed(
    scope: WriteScope,
    caller: Caller,
    event: ChangeEvent,
    collection: LiveCollection,
    etag: unknown,
  ): RecordResult {
    if (scope.deferred) scope.deferred.push(event);
    else this.events.emit(event);
    return { record: visibleRecord(caller, collection.model, event.record), etag: `"${etag as string}"` };
  }

  async create(write: WriteContext, body: unknown): Promise<RecordResult> {
    const { caller, schema, collection, scope } = write;
    const rule = ruleFor(caller, collection, 'create');
    const values = validateRecordInput(collection, body, 'create');
    await checkRelationTargets(caller, schema, collection, values, scope.db);
    const id = randomUUID();
    const now = new Date();
    const builder = new StatementBuilder();
    const columns = ['id', ...values.keys()].map(q);
    const bound = [
      builder.param(id, 'uuid'),
      ...[...values].map(([field, value]) => bindValue(builder, collection, field, value)),
    ];
    let ruleSql = 'TRUE';
    if (rule) {
      const data: Record<string, unknown> = {
        id,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        ...Object.fromEntries(values),
      };
      const auth = await caller.auth(scope.db, schema, needsAuthRow(collection));
      ruleSql = builder.rule(rule, 't', { auth, data, now, viewRuleFor: null });
      if (ruleSql === 'FALSE') throw createDenied();
    }
    const returning = `RETURNING ${selectColumns(collection, 't')}, t.xmin::text AS ${ETAG_COLUMN}, pg_current_xact_id()::text AS ${TXID_COLUMN}`;
    const sql =
      ruleSql === 'TRUE'
        ? `INSERT INTO ${collection.table} AS t (${columns.join(', ')}) VALUES (${bound.join(', ')}) ${returning}`
        : `INSERT INTO ${collection.table} AS t (${columns.join(', ')}) SELECT ${bound.join(', ')} WHERE ${ruleSql} ${returning}`;
    let rows: Record<string, unknown>[];
    try {
      ({ rows } = await runCompiled(scope.db, schema, sql, builder.params));
    } catch (error) {
      throw writeRefusal(error, collection, schema);
    }
    const row = rows[0];
    if (!row) throw createDenied();
    const record = rowToRecord(collection, row);
    const event = { collection: collection.name, action: 'create', record, oldRecord: null } as const;
    return this.committed(scope, caller, { ...event, txid: row.__txid as string }, collection, row.__etag);
  }

  async update(write: WriteContext, id: string, body: unknown, ifMatch?: string): Promise<RecordResult> {
    const { caller, schema, collection, scope } = write;
    const rule = ruleFor(caller, collection, 'update');
    const recordId = recordIdOf(id);
    const values = validateRecordInput(collection, body, 'update');
    await checkRelationTargets(caller, schema, collection, values, scope.db);
    const now = new Date();
    const builder = new StatementBuilder();
    const where = [`t.id = ${builder.param(recordId, 'uuid')}`];
    if (rule) {
      const auth = await caller.auth(scope.db, schema, needsAuthRow(collection));
      const bound = { ...rule, expr: bindUnpatchedDataToRow(rule.expr, new Set(values.keys())) };
      where.push(
        builder.rule(bound, 't', { auth, data: Object.fromEntries(values), now, viewRuleFor: null }),
      );
    }
    if (constrainsVersion(ifMatch)) {
      where.push(`t.xmin::text = ANY(${builder.param(parseEtags(ifMatch), 'text[]')})`);
    }
    const sets = [...values].map(
      ([field, value]) => `${q(field)} = ${bindValue(builder, collection, field, value)}`,
    );
    sets.push(`"updatedAt" = now()`);
    const columns = selectColumns(collection, 't');
    const sql =
      `WITH old AS (SELECT ${columns} FROM ${collection.table} t WHERE ${where.join(' AND ')} FOR UPDATE OF t) ` +
      `UPDATE ${collection.table} AS t SET ${sets.join(', ')} FROM old WHERE t.id = old.id ` +
      `RETURNING ${columns}, t.xmin::text AS ${ETAG_COLUMN}, pg_current_xact_id()::text AS ${TXID_COLUMN}, to_jsonb(old) AS "__old"`;
    let rows: Record<string, unknown>[];
    try {
      ({ rows } = await scope.db.query<Record<string, unknown>>(sql, builder.params));
    } catch (error) {
      throw writeRefusal(error, collection, schema);
    }
    const row = rows[0];
    if (!row) throw await this.explainMiss(caller, collection, schema, recordId, ifMatch, scope.db);
    const record = rowToRecord(collection, row);
    const oldRecord = rowToRecord(collection, row.__old as Record<string, unknown>);
    const event = { collection: collection.name, action: 'update', record, oldRecord } as const;
    return this.committed(scope, caller, { ...event, txid: row.__txid as string }, collection, row.__etag);
  }

  async delete(write: WriteContext, id: string, ifMatch?: string): Promise<void> {
    const { caller, schema, collection, scope } = write;
    const rule = ruleFor(caller, collection, 'delete');
    const recordId = recordIdOf(id);
    const builder = new StatementBuilder();
    const where = [`t.id = ${builder.param(recordId, 'uuid')}`];
    if (rule) {
      const auth = await caller.auth(scope.db, schema, needsAuthRow(collection));
      where.push(builder.rule(rule, 't', { auth, now: new Date(), viewRuleFor: null }));
    }
    if (constrainsVersion(ifMatch)) {
      where.push(`t.xmin::text = ANY(${builder.param(parseEtags(ifMatch), 'text[]')})`);
    }
    const sql = `DELETE FROM ${collection.table} AS t WHERE ${where.join(' AND ')} RETURNING ${selectColumns(collection, 't')}, pg_current_xact_id()::text AS ${TXID_COLUMN}`;
    let rows: Record<string, unknown>[];
    try {
      ({ rows } = await scope.db.query<Record<string, unknown>>(sql, builder.params));
    } catch (error) {
      throw deleteRefusal(error) ?? error;
    }
    const row = rows[0];
    if (!row) throw await this.explainMiss(caller, collection, schema, recordId, ifMatch, scope.db);
    const record = rowToRecord(collection, row);
    const event = { collection: collection.name, action: 'delete', record, oldRecord: record } as const;
    this.committed(scope, caller, { ...event, txid: row.__txid as string }, collection, null);
  }

  /**
   * After an update or delete matched nothing: 404 if the caller cannot see
   * the record, 412 if it changed since the caller's If-Match, else 403.
   */
  private async explainMiss(
    caller: Caller,
    collection: LiveCollection,
    schema: LiveSchema,
    id: string,
    ifMatch: string | undefined,
    db: Db,
  ): Promise<HearthError> {
    const builder = new StatementBuilder();
    const where = [`t.id = ${builder.param(id, 'uuid')}`];
    if (!caller.admin) {
      const view = collection.rules.view;
      if (!view) return new HearthError('records/not-found');
      const auth = await caller.auth(db, schema, needsAuthRow(collection));
      where.push(builder.rule(view, 't', { auth, now: new Date(), viewRuleFor: null }));
    }
    const { rows } = await db.query<{ etag: string }>(
      `SELECT t.xmin::text AS etag FROM ${collection.table} t WHERE ${where.join(' AND ')}`,
      builder.params,
    );
    const row = rows[0];
    if (!row) return new HearthError('records/not-found');
    if (ifMatch !== undefined && !etagMatches(ifMatch, `"${row.etag}"`))
      return new HearthError('records/precondition-failed');
    return new HearthError('rules/denied', 'The rules do not allow this change to the record.');
  }
}
