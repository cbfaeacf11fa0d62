import { randomUUID } from 'node:crypto';
import {
  checkFilter,
  didYouMean,
  filterCost,
  isRuleError,
  parseSort,
  quoteIdentifier,
  relationPathsOf,
  type CheckedRule,
  type FieldModel,
  type RecordLike,
  type SortKey,
} from '@hearth/schema';
import { generatedStatement, type Pool, type PoolClient } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import type { Caller } from './caller.js';
import type { ChangeEvent, ChangeEvents } from './change-events.js';
import type { CursorCodec } from './cursor.js';
import { deleteRefusal } from './delete-errors.js';
import { readsAuthRow, type LiveCollection, type LiveSchema } from './live-schema.js';
import {
  StatementBuilder,
  bindUnpatchedDataToRow,
  boundExpandedBytes,
  castOf,
  jsonValue,
  keysetAfter,
  orderBy,
  rowToRecord,
  selectColumns,
} from './record-sql.js';
import { isUuid, validateRecordInput, validationError } from './record-validation.js';
import { checkRelationTargets } from './relation-targets.js';
import type { SchemaService } from './schema-service.js';

export type Db = Pool | PoolClient;

/** Where a write runs, and whether its change events wait for an outer commit. */
export interface WriteScope {
  db: Db;
  /** When set, events are collected here and emitted by whoever commits. */
  deferred?: ChangeEvent[];
}

export interface ListParams {
  filter?: string | undefined;
  sort?: string | undefined;
  limit?: string | undefined;
  cursor?: string | undefined;
  expand?: string | undefined;
  fields?: string | undefined;
  count?: string | undefined;
}

export interface ReadParams {
  expand?: string | undefined;
  fields?: string | undefined;
}

export interface RecordResult {
  record: Record<string, unknown>;
  /** The strong ETag (quoted) of the record's current version. */
  etag: string;
}

export interface ListResult {
  items: Record<string, unknown>[];
  nextCursor: string | null;
  total?: number;
}

/** Bounds on the work and the size of one read (HEARTH_FILTER_MAX_COST, HEARTH_EXPAND_MAX_*). */
export interface RecordLimits {
  filterMaxCost: number;
  expandMaxItems: number;
  expandMaxBytes: number;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 200;
export const MAX_EXPAND = 8;

const q = quoteIdentifier;
const ETAG = '"__etag"';
const TXID = '"__txid"';

interface Expansion {
  field: FieldModel;
  target: LiveCollection | undefined;
  column: string;
}

function denied(collection: string, op: string): HearthError {
  return new HearthError('rules/denied', `Only admins may ${op} records of ${collection}.`);
}

function notFound(): HearthError {
  return new HearthError('records/not-found');
}

function queryError(param: string, message: string): HearthError {
  return new HearthError('query/invalid', message, { details: { param } });
}

function list(value: string | undefined, param: string, max: number): string[] {
  if (value === undefined || value.trim() === '') return [];
  if (value.length > 2048) throw queryError(param, `${param} is too long.`);
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw queryError(param, `${param} has an empty entry.`);
  if (items.length > max) throw queryError(param, `${param} may name at most ${max} fields.`);
  return items;
}

/**
 * The record API's logic. Every read, update and delete carries its rule
 * inside the one SQL statement that does the work; rows are never filtered
 * in JS. Creates check the rule against the record as it would be stored,
 * in the INSERT itself (so rules that follow relations work too).
 */
export class RecordService {
  constructor(
    private readonly schemas: SchemaService,
    private readonly cursors: CursorCodec,
    private readonly events: ChangeEvents,
    private readonly limits: RecordLimits,
  ) {}

  collection(name: string, schema: LiveSchema = this.schemas.current()): LiveCollection {
    const collection = schema.collections.get(name);
    if (!collection) {
      const hint = didYouMean(name, schema.collections.keys());
      throw new HearthError(
        'collections/not-found',
        `No collection is named ${JSON.stringify(name)}${hint || '.'}`,
      );
    }
    return collection;
  }

  /** The rule for an operation, or null when the caller bypasses rules; admin-only operations throw. */
  private ruleFor(
    caller: Caller,
    collection: LiveCollection,
    op: 'list' | 'view' | 'create' | 'update' | 'delete',
  ) {
    if (caller.admin) return null;
    const rule = collection.rules[op];
    if (!rule) throw denied(collection.name, op);
    return rule;
  }

  /** The view rules a filter's relation hops will be held to. */
  private hopViewRules(schema: LiveSchema, filter: CheckedRule): CheckedRule[] {
    const targets = new Set(relationPathsOf(filter).flatMap((path) => path.collections));
    return [...targets].map(schema.viewRuleFor).filter((rule) => rule !== null);
  }

  private needsAuthRow(collection: LiveCollection, ...extra: Array<CheckedRule | null | undefined>): boolean {
    return collection.rulesNeedAuthRow || extra.some((rule) => rule != null && readsAuthRow(rule.expr));
  }

  /** What a caller may see of a stored record. */
  private visible(
    caller: Caller,
    collection: LiveCollection,
    record: Record<string, unknown>,
    fields: string[] = [],
  ) {
    if (caller.admin && fields.length === 0) return record;
    const out: Record<string, unknown> = {};
    const own = collection.builtin && caller.userId !== null && record.id === caller.userId;
    for (const field of collection.fields) {
      if (field.hidden && !caller.admin && !(own && field.name === 'email')) continue;
      if (fields.length > 0 && !fields.includes(field.name)) continue;
      out[field.name] = record[field.name];
    }
    return out;
  }

  private parseFields(caller: Caller, collection: LiveCollection, value: string | undefined): string[] {
    const fields = list(value, 'fields', 256);
    for (const name of fields) {
      const field = collection.model.fields.get(name);
      if (!field) {
        throw queryError('fields', `${collection.name} has no field "${name}".`);
      }
      if (field.hidden && !caller.admin) {
        throw new HearthError('filter/forbidden-field', `Field "${name}" is hidden.`, {
          details: { param: 'fields', field: name },
        });
      }
    }
    return fields;
  }

  private parseExpand(
    caller: Caller,
    schema: LiveSchema,
    collection: LiveCollection,
    value: string | undefined,
  ): Expansion[] {
    return list(value, 'expand', MAX_EXPAND).map((name, i) => {
      const field = collection.model.fields.get(name);
      if (!field || field.type !== 'relation' || field.target === null) {
        throw queryError('expand', `"${name}" is not a relation field of ${collection.name}.`);
      }
      if (field.hidden && !caller.admin) {
        throw new HearthError('filter/forbidden-field', `Field "${name}" is hidden.`, {
          details: { param: 'expand', field: name },
        });
      }
      return { field, target: schema.collections.get(field.target), column: `__x${i}` };
    });
  }

  /**
   * One subquery per expanded relation: the related rows the caller passes
   * the target's view rule for, as JSON, with hidden fields left out.
   */
  private expandSql(
    caller: Caller,
    expansion: Expansion,
    builder: StatementBuilder,
    auth: RecordLike | null,
    now: Date,
    i: number,
  ): string {
    const { field, target } = expansion;
    if (!target) return 'NULL';
    const rule = caller.admin ? null : target.rules.view;
    if (!caller.admin && !rule) return 'NULL';
    const alias = `_x${i}`;
    const columns = target.fields
      .filter((f) => caller.admin || !f.hidden)
      .map((f) => `${alias}.${q(f.name)}`)
      .join(', ');
    const ruleSql = rule ? builder.rule(rule, alias, { auth, now, viewRuleFor: null }) : 'TRUE';
    const column = `t.${q(field.name)}`;
    if (field.many) {
      // One more than the cap, so the answer can say the list was cut.
      const cap = builder.param(this.limits.expandMaxItems + 1, 'int');
      return `(SELECT jsonb_agg(to_jsonb(_xr) - '__pos' ORDER BY _xr.__pos) FROM (SELECT ${columns}, array_position(${column}, ${alias}.id) AS __pos FROM ${target.table} ${alias} WHERE ${alias}.id = ANY(${column}) AND ${ruleSql} ORDER BY __pos LIMIT ${cap}) _xr)`;
    }
    return `(SELECT to_jsonb(_xr) FROM (SELECT ${columns} FROM ${target.table} ${alias} WHERE ${alias}.id = ${column} AND ${ruleSql}) _xr)`;
  }

  private attachExpansions(
    record: Record<string, unknown>,
    row: Record<string, unknown>,
    expansions: Expansion[],
  ) {
    if (expansions.length === 0) return record;
    const expand: Record<string, unknown> = {};
    const truncated: string[] = [];
    for (const { field, target, column } of expansions) {
      const value = row[column];
      if (value === null || value === undefined || !target) continue;
      const convert = (item: Record<string, unknown>) => {
        for (const f of target.fields)
          if (Object.hasOwn(item, f.name)) item[f.name] = jsonValue(f, item[f.name]);
        return item;
      };
      if (Array.isArray(value)) {
        const items = value as Record<string, unknown>[];
        if (items.length > this.limits.expandMaxItems) truncated.push(field.name);
        expand[field.name] = items.slice(0, this.limits.expandMaxItems).map(convert);
      } else {
        expand[field.name] = convert(value as Record<string, unknown>);
      }
    }
    return truncated.length > 0 ? { ...record, expand, expandTruncated: truncated } : { ...record, expand };
  }

  private compileFilter(
    caller: Caller,
    schema: LiveSchema,
    collection: LiveCollection,
    filter: string | undefined,
  ): CheckedRule | null {
    if (filter === undefined || filter.trim() === '') return null;
    let checked: CheckedRule;
    try {
      checked = checkFilter(filter, {
        schema: schema.model,
        collection: collection.name,
        forbidHidden: !caller.admin,
      });
    } catch (error) {
      if (!isRuleError(error)) throw error;
      const code = error.code === 'rules/hidden-field' ? 'filter/forbidden-field' : 'filter/invalid';
      throw new HearthError(code, error.message, { details: error.toJSON() });
    }
    const { cost } = filterCost(checked, caller.admin ? undefined : schema.viewRuleFor);
    const limit = this.limits.filterMaxCost;
    if (cost > limit) {
      throw new HearthError(
        'filter/too-costly',
        `The filter would cost ${cost} (terms × relation hops, with the view rules each hop must pass); the limit is ${limit}.`,
        { details: { param: 'filter', cost, limit } },
      );
    }
    return checked;
  }

  private parseSort(
    caller: Caller,
    schema: LiveSchema,
    collection: LiveCollection,
    sort: string | undefined,
  ): SortKey[] {
    if (sort === undefined || sort.trim() === '') {
      return [
        {
          field: 'createdAt',
          direction: 'asc',
          fieldModel: collection.model.fields.get('createdAt') as FieldModel,
        },
      ];
    }
    try {
      return parseSort(sort, {
        schema: schema.model,
        collection: collection.name,
        forbidHidden: !caller.admin,
      });
    } catch (error) {
      if (!isRuleError(error)) throw error;
      if (error.code === 'rules/hidden-field') {
        throw new HearthError('filter/forbidden-field', error.message, {
          details: { param: 'sort', ...error.toJSON() },
        });
      }
      throw new HearthError('query/invalid', error.message, {
        details: { param: 'sort', ...error.toJSON() },
      });
    }
  }

  async list(caller: Caller, name: string, params: ListParams, db: Db): Promise<ListResult> {
    const schema = this.schemas.current();
    const collection = this.collection(name, schema);
    const rule = this.ruleFor(caller, collection, 'list');
    let limit = DEFAULT_LIMIT;
    if (params.limit !== undefined && params.limit !== '') {
      if (!/^\d{1,4}$/.test(params.limit) || Number(params.limit) < 1 || Number(params.limit) > MAX_LIMIT) {
        throw queryError('limit', `limit must be a whole number from 1 to ${MAX_LIMIT}.`);
      }
      limit = Number(params.limit);
    }
    const filter = this.compileFilter(caller, schema, collection, params.filter);
    const keys = this.parseSort(caller, schema, collection, params.sort);
    const sortText = keys.map((k) => `${k.direction === 'desc' ? '-' : ''}${k.field}`).join(',');
    const fields = this.parseFields(caller, collection, params.fields);
    const expansions = this.parseExpand(caller, schema, collection, params.expand);
    const count = params.count === 'true' || params.count === '1';
    if (params.count !== undefined && !['true', '1', 'false', '0', ''].includes(params.count)) {
      throw queryError('count', 'count must be true or false.');
    }
    const cursor = params.cursor
      ? this.cursors.decode(params.cursor, { collection: collection.name, sort: sortText })
      : null;
    if (cursor && (cursor.k.length !== keys.length || !isUuid(cursor.i)))
      throw queryError('cursor', 'The cursor is invalid.');

    const now = new Date();
    const expandRules = expansions.map((e) => (caller.admin ? null : (e.target?.rules.view ?? null)));
    const hopRules = filter && !caller.admin ? this.hopViewRules(schema, filter) : [];
    const auth = await caller.auth(
      db,
      schema,
      this.needsAuthRow(collection, filter, ...expandRules, ...hopRules),
    );
    const builder = new StatementBuilder();
    const where: string[] = [];
    if (rule) where.push(builder.rule(rule, 't', { auth, now, viewRuleFor: null }));
    if (filter) {
      // The client's filter sees a related record only where the caller may view it.
      const viewRuleFor = caller.admin ? null : schema.viewRuleFor;
      where.push(builder.rule(filter, 't', { auth, now, viewRuleFor }));
    }
    const countParams = [...builder.params];
    const countWhere = [...where];
    if (cursor) where.push(keysetAfter(keys, cursor.k, cursor.i, 't', builder, collection.builtin));
    const sortValues = keys.map((k, i) => `t.${q(k.field)}::text AS "__s${i}"`);
    const expandColumns = expansions.map(
      (e, i) => `${this.expandSql(caller, e, builder, auth, now, i)} AS "${e.column}"`,
    );
    const pageSql =
      `SELECT ${[selectColumns(collection, 't'), `t.xmin::text AS ${ETAG}`, ...sortValues, ...expandColumns].join(', ')} ` +
      `FROM ${collection.table} t${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY ${orderBy(keys, 't')} LIMIT ${builder.param(limit + 1, 'int')}`;
    const sql =
      expansions.length === 0
        ? pageSql
        : boundExpandedBytes(
            pageSql,
            keys,
            expansions.map((e) => e.column),
            // At least 1, so the first record is always in the page.
            builder.param(Math.max(1, this.limits.expandMaxBytes), 'bigint'),
          );
    const { rows } = await readQuery(db, schema, sql, builder.params);
    // Fewer rows than the page query found: the expanded records filled the byte budget.
    const endedEarly = rows.length > 0 && rows.length < Number(rows[0]?.__xall ?? rows.length);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor =
      (rows.length > limit || endedEarly) && last
        ? this.cursors.encode({
            c: collection.name,
            s: sortText,
            k: keys.map((_k, i) => (last[`__s${i}`] as string | null) ?? null),
            i: last.id as string,
          })
        : null;
    const items = page.map((row) =>
      this.attachExpansions(
        this.visible(caller, collection, rowToRecord(collection, row), fields),
        row,
        expansions,
      ),
    );
    const result: ListResult = { items, nextCursor };
    if (count) {
      const countSql = `SELECT count(*)::int AS total FROM ${collection.table} t${countWhere.length > 0 ? ` WHERE ${countWhere.join(' AND ')}` : ''}`;
      const counted = await readQuery(db, schema, countSql, countParams);
      result.total = (counted.rows[0]?.total as number | undefined) ?? 0;
    }
    return result;
  }

  async get(caller: Caller, name: string, id: string, params: ReadParams, db: Db): Promise<RecordResult> {
    const schema = this.schemas.current();
    const collection = this.collection(name, schema);
    const rule = this.ruleFor(caller, collection, 'view');
    const fields = this.parseFields(caller, collection, params.fields);
    const expansions = this.parseExpand(caller, schema, collection, params.expand);
    if (!isUuid(id)) throw notFound();
    const now = new Date();
    const expandRules = expansions.map((e) => (caller.admin ? null : (e.target?.rules.view ?? null)));
    const auth = await caller.auth(db, schema, this.needsAuthRow(collection, ...expandRules));
    const builder = new StatementBuilder();
    const where = [`t.id = ${builder.param(id.toLowerCase(), 'uuid')}`];
    if (rule) where.push(builder.rule(rule, 't', { auth, now, viewRuleFor: null }));
    const expandColumns = expansions.map(
      (e, i) => `${this.expandSql(caller, e, builder, auth, now, i)} AS "${e.column}"`,
    );
    const sql = `SELECT ${[selectColumns(collection, 't'), `t.xmin::text AS ${ETAG}`, ...expandColumns].join(', ')} FROM ${collection.table} t WHERE ${where.join(' AND ')}`;
    const { rows } = await readQuery(db, schema, sql, builder.params);
    const row = rows[0];
    if (!row) throw notFound();
    const record = this.attachExpansions(
      this.visible(caller, collection, rowToRecord(collection, row), fields),
      row,
      expansions,
    );
    return { record, etag: `"${row.__etag as string}"` };
  }

  private emit(scope: WriteScope, event: ChangeEvent): void {
    if (scope.deferred) scope.deferred.push(event);
    else this.events.emit(event);
  }

  /** Maps constraint violations to field errors or stable codes. */
  private databaseError(
    error: unknown,
    collection: LiveCollection,
    schema: LiveSchema,
    op: 'write' | 'delete' = 'write',
  ): unknown {
    if (op === 'delete') return deleteRefusal(error) ?? error;
    const pg = error as { code?: string; constraint?: string; table?: string; column?: string };
    if (pg.code === '23505') {
      const fields = (pg.constraint ? collection.uniqueConstraints.get(pg.constraint) : undefined) ?? [
        '(record)',
      ];
      return validationError(
        Object.fromEntries(fields.map((f) => [f, { code: 'unique', message: 'must be unique' }])),
      );
    }
    if (pg.code === '23503') {
      const field = pg.constraint ? collection.foreignKeys.get(pg.constraint) : undefined;
      if (field && pg.table === (collection.builtin ? 'users' : collection.name)) {
        return validationError({
          [field]: { code: 'relation', message: 'refers to a record that does not exist' },
        });
      }
      const referrer = [...schema.collections.values()].find((c) => !c.builtin && c.name === pg.table);
      return new HearthError('records/referenced', undefined, {
        details: { collection: referrer?.name ?? pg.table },
      });
    }
    if (
      pg.code === '22P02' ||
      pg.code === '22003' ||
      pg.code === '22007' ||
      pg.code === '22008' ||
      pg.code === '54000'
    ) {
      return new HearthError('validation/failed', 'A value cannot be stored.', { cause: error });
    }
    return error;
  }

  async create(caller: Caller, name: string, body: unknown, scope: WriteScope): Promise<RecordResult> {
    const schema = this.schemas.current();
    const collection = this.collection(name, schema);
    if (collection.builtin) {
      throw new HearthError(
        'rules/denied',
        'Users are created through /api/auth/signup or the admin API, not the record API.',
      );
    }
    const rule = this.ruleFor(caller, collection, 'create');
    const values = validateRecordInput(collection, body, 'create');
    await checkRelationTargets(caller, schema, collection, values, scope.db);
    const id = randomUUID();
    const now = new Date();
    const builder = new StatementBuilder();
    const columns = ['id', ...values.keys()].map(q);
    const bound = [
      builder.param(id, 'uuid'),
      ...[...values].map(([field, value]) => {
        const model = collection.writable.get(field) as FieldModel;
        return builder.param(model.type === 'json' ? JSON.stringify(value) : value, castOf(model));
      }),
    ];
    let ruleSql = 'TRUE';
    if (rule) {
      const data: Record<string, unknown> = {
        id,
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
        ...Object.fromEntries(values),
      };
      const auth = await caller.auth(scope.db, schema, this.needsAuthRow(collection));
      ruleSql = builder.rule(rule, 't', { auth, data, now, viewRuleFor: null });
      if (ruleSql === 'FALSE')
        throw new HearthError('rules/denied', 'The create rule does not allow this record.');
    }
    const returning = `RETURNING ${selectColumns(collection, 't')}, t.xmin::text AS ${ETAG}, pg_current_xact_id()::text AS ${TXID}`;
    const sql =
      ruleSql === 'TRUE'
        ? `INSERT INTO ${collection.table} AS t (${columns.join(', ')}) VALUES (${bound.join(', ')}) ${returning}`
        : `INSERT INTO ${collection.table} AS t (${columns.join(', ')}) SELECT ${bound.join(', ')} WHERE ${ruleSql} ${returning}`;
    let rows: Record<string, unknown>[];
    try {
      ({ rows } = await runCompiled(scope.db, schema, sql, builder.params));
    } catch (error) {
      throw this.databaseError(error, collection, schema);
    }
    const row = rows[0];
    if (!row) throw new HearthError('rules/denied', 'The create rule does not allow this record.');
    const record = rowToRecord(collection, row);
    this.emit(scope, {
      collection: collection.name,
      action: 'create',
      record,
      oldRecord: null,
      txid: row.__txid as string,
    });
    return { record: this.visible(caller, collection, record), etag: `"${row.__etag as string}"` };
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
      if (!view) return notFound();
      const auth = await caller.auth(db, schema, this.needsAuthRow(collection));
      where.push(builder.rule(view, 't', { auth, now: new Date(), viewRuleFor: null }));
    }
    const { rows } = await db.query<{ etag: string }>(
      `SELECT t.xmin::text AS etag FROM ${collection.table} t WHERE ${where.join(' AND ')}`,
      builder.params,
    );
    const row = rows[0];
    if (!row) return notFound();
    if (ifMatch !== undefined && !etagMatches(ifMatch, `"${row.etag}"`))
      return new HearthError('records/precondition-failed');
    return new HearthError('rules/denied', 'The rules do not allow this change to the record.');
  }

  async update(
    caller: Caller,
    name: string,
    id: string,
    body: unknown,
    options: { ifMatch?: string | undefined },
    scope: WriteScope,
  ): Promise<RecordResult> {
    const schema = this.schemas.current();
    const collection = this.collection(name, schema);
    const rule = this.ruleFor(caller, collection, 'update');
    if (!isUuid(id)) throw notFound();
    const recordId = id.toLowerCase();
    const values = validateRecordInput(collection, body, 'update');
    await checkRelationTargets(caller, schema, collection, values, scope.db);
    const now = new Date();
    const builder = new StatementBuilder();
    const where = [`t.id = ${builder.param(recordId, 'uuid')}`];
    if (rule) {
      const auth = await caller.auth(scope.db, schema, this.needsAuthRow(collection));
      const bound = { ...rule, expr: bindUnpatchedDataToRow(rule.expr, new Set(values.keys())) };
      where.push(
        builder.rule(bound, 't', { auth, data: Object.fromEntries(values), now, viewRuleFor: null }),
      );
    }
    if (options.ifMatch !== undefined && options.ifMatch.trim() !== '*') {
      const tags = parseEtags(options.ifMatch);
      where.push(`t.xmin::text = ANY(${builder.param(tags, 'text[]')})`);
    }
    const sets = [...values].map(([field, value]) => {
      const model = collection.writable.get(field) as FieldModel;
      return `${q(field)} = ${builder.param(model.type === 'json' ? JSON.stringify(value) : value, castOf(model))}`;
    });
    sets.push(`"updatedAt" = now()`);
    const columns = selectColumns(collection, 't');
    const sql =
      `WITH old AS (SELECT ${columns} FROM ${collection.table} t WHERE ${where.join(' AND ')} FOR UPDATE OF t) ` +
      `UPDATE ${collection.table} AS t SET ${sets.join(', ')} FROM old WHERE t.id = old.id ` +
      `RETURNING ${columns}, t.xmin::text AS ${ETAG}, pg_current_xact_id()::text AS ${TXID}, to_jsonb(old) AS "__old"`;
    let rows: Record<string, unknown>[];
    try {
      ({ rows } = await scope.db.query<Record<string, unknown>>(sql, builder.params));
    } catch (error) {
      throw this.databaseError(error, collection, schema);
    }
    const row = rows[0];
    if (!row) throw await this.explainMiss(caller, collection, schema, recordId, options.ifMatch, scope.db);
    const record = rowToRecord(collection, row);
    const oldRecord = rowToRecord(collection, row.__old as Record<string, unknown>);
    this.emit(scope, {
      collection: collection.name,
      action: 'update',
      record,
      oldRecord,
      txid: row.__txid as string,
    });
    return { record: this.visible(caller, collection, record), etag: `"${row.__etag as string}"` };
  }

  async delete(
    caller: Caller,
    name: string,
    id: string,
    options: { ifMatch?: string | undefined },
    scope: WriteScope,
  ): Promise<void> {
    const schema = this.schemas.current();
    const collection = this.collection(name, schema);
    if (collection.builtin) {
      // A user's delete must also end their sessions at once (src/auth/user-deletion.ts).
      throw new HearthError(
        'rules/denied',
        'Users are deleted through DELETE /api/admin/users/:id or DELETE /api/auth/me, not the record API.',
      );
    }
    const rule = this.ruleFor(caller, collection, 'delete');
    if (!isUuid(id)) throw notFound();
    const recordId = id.toLowerCase();
    const builder = new StatementBuilder();
    const where = [`t.id = ${builder.param(recordId, 'uuid')}`];
    if (rule) {
      const auth = await caller.auth(scope.db, schema, this.needsAuthRow(collection));
      where.push(builder.rule(rule, 't', { auth, now: new Date(), viewRuleFor: null }));
    }
    if (options.ifMatch !== undefined && options.ifMatch.trim() !== '*') {
      where.push(`t.xmin::text = ANY(${builder.param(parseEtags(options.ifMatch), 'text[]')})`);
    }
    const sql = `DELETE FROM ${collection.table} AS t WHERE ${where.join(' AND ')} RETURNING ${selectColumns(collection, 't')}, pg_current_xact_id()::text AS ${TXID}`;
    let rows: Record<string, unknown>[];
    try {
      ({ rows } = await scope.db.query<Record<string, unknown>>(sql, builder.params));
    } catch (error) {
      throw this.databaseError(error, collection, schema, 'delete');
    }
    const row = rows[0];
    if (!row) throw await this.explainMiss(caller, collection, schema, recordId, options.ifMatch, scope.db);
    const record = rowToRecord(collection, row);
    this.emit(scope, {
      collection: collection.name,
      action: 'delete',
      record,
      oldRecord: record,
      txid: row.__txid as string,
    });
  }
}

/**
 * A read whose filter literal PostgreSQL cannot hold (a NUL character) is the
 * caller's mistake, not a server error.
 */
async function readQuery(
  db: Db,
  schema: LiveSchema,
  sql: string,
  params: unknown[],
): Promise<{ rows: Record<string, unknown>[] }> {
  try {
    return await runCompiled(db, schema, sql, params);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '22021' || code === '22P05') {
      throw new HearthError('filter/invalid', 'A filter value cannot contain NUL characters.', {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Runs SQL compiled from the schema as a prepared statement (see
 * generatedStatement). If another node changed a column's type before this
 * one saw the new schema version, the prepared plan no longer fits its result
 * (0A000), so outside a transaction it runs once more unprepared.
 */
async function runCompiled(
  db: Db,
  schema: LiveSchema,
  sql: string,
  params: unknown[],
): Promise<{ rows: Record<string, unknown>[] }> {
  try {
    return await db.query<Record<string, unknown>>(generatedStatement(String(schema.version), sql, params));
  } catch (error) {
    const inTransaction = 'release' in db;
    if ((error as { code?: string }).code !== '0A000' || inTransaction) throw error;
    return await db.query<Record<string, unknown>>(sql, params);
  }
}

/** `"123", W/"456"` → ['123', '456'] (weak tags compare by value: xmin is a version, not bytes). */
export function parseEtags(header: string): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
    .filter((tag) => tag !== '')
    .slice(0, 20);
}

function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return parseEtags(header).includes(etag.replace(/^"|"$/g, ''));
}
