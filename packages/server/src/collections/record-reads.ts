import { quoteIdentifier as q, visibleRecord } from '@hearth/schema';
import { HearthError } from '../errors/index.js';
import type { CursorCodec } from '../lib/keyset-cursor.js';
import type { Caller } from './caller.js';
import { readQuery } from './compiled-statement.js';
import type { LiveCollection, LiveSchema } from './live-schema.js';
import { hopViewRules, needsAuthRow, ruleFor } from './record-access.js';
import { attachExpansions, expandColumns, expansionRule } from './record-expand.js';
import {
  parseCount,
  parseExpand,
  parseFields,
  parseFilter,
  parseLimit,
  parseSort,
  sortText,
} from './record-query.js';
import {
  StatementBuilder,
  boundExpandedBytes,
  keysetAfter,
  orderBy,
  rowToRecord,
  selectColumns,
} from './record-sql.js';
import {
  ETAG_COLUMN,
  type Db,
  type ListParams,
  type ListResult,
  type ReadParams,
  type RecordLimits,
  type RecordResult,
} from './record-types.js';
import { recordIdOf } from './record-validation.js';

/**
 * Lists and single reads. The rule and the client's filter go into the one
 * SELECT that does the work; rows are never filtered in JS.
 */
export class RecordReads {
  constructor(
    private readonly cursors: CursorCodec,
    private readonly limits: RecordLimits,
  ) {}

  async list(
    caller: Caller,
    schema: LiveSchema,
    collection: LiveCollection,
    params: ListParams,
    db: Db,
  ): Promise<ListResult> {
    const rule = ruleFor(caller, collection, 'list');
    const limit = parseLimit(params.limit);
    const filter = parseFilter(caller, schema, collection, params.filter, this.limits.filterMaxCost);
    const keys = parseSort(caller, schema, collection, params.sort);
    const fields = parseFields(caller, collection, params.fields);
    const expansions = parseExpand(caller, schema, collection, params.expand);
    const count = parseCount(params.count);
    const cursorScope = `${collection.name}\0${sortText(keys)}`;
    const cursor = params.cursor ? this.cursors.decode(params.cursor, cursorScope, keys.length) : null;

    const now = new Date();
    const expandRules = expansions.map((e) => expansionRule(caller, e));
    const hopRules = filter && !caller.admin ? hopViewRules(schema, filter) : [];
    const auth = await caller.auth(db, schema, needsAuthRow(collection, filter, ...expandRules, ...hopRules));
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
    if (cursor) where.push(keysetAfter(keys, cursor.keys, cursor.id, 't', builder, collection.builtin));
    const sortValues = keys.map((k, i) => `t.${q(k.field)}::text AS "__s${i}"`);
    const maxItems = this.limits.expandMaxItems;
    const pageSql =
      `SELECT ${[selectColumns(collection, 't'), `t.xmin::text AS ${ETAG_COLUMN}`, ...sortValues, ...expandColumns(caller, expansions, builder, auth, now, maxItems)].join(', ')} ` +
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
        ? this.cursors.encode(cursorScope, {
            keys: keys.map((_k, i) => (last[`__s${i}`] as string | null) ?? null),
            id: last.id as string,
          })
        : null;
    const items = page.map((row) =>
      attachExpansions(
        visibleRecord(caller, collection.model, rowToRecord(collection, row), fields),
        row,
        expansions,
        maxItems,
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

  async get(
    caller: Caller,
    schema: LiveSchema,
    collection: LiveCollection,
    id: string,
    params: ReadParams,
    db: Db,
  ): Promise<RecordResult> {
    const rule = ruleFor(caller, collection, 'view');
    const fields = parseFields(caller, collection, params.fields);
    const expansions = parseExpand(caller, schema, collection, params.expand);
    const recordId = recordIdOf(id);
    const now = new Date();
    const expandRules = expansions.map((e) => expansionRule(caller, e));
    const auth = await caller.auth(db, schema, needsAuthRow(collection, ...expandRules));
    const builder = new StatementBuilder();
    const where = [`t.id = ${builder.param(recordId, 'uuid')}`];
    if (rule) where.push(builder.rule(rule, 't', { auth, now, viewRuleFor: null }));
    const maxItems = this.limits.expandMaxItems;
    const sql = `SELECT ${[selectColumns(collection, 't'), `t.xmin::text AS ${ETAG_COLUMN}`, ...expandColumns(caller, expansions, builder, auth, now, maxItems)].join(', ')} FROM ${collection.table} t WHERE ${where.join(' AND ')}`;
    const { rows } = await readQuery(db, schema, sql, builder.params);
    const row = rows[0];
    if (!row) throw new HearthError('records/not-found');
    const record = attachExpansions(
      visibleRecord(caller, collection.model, rowToRecord(collection, row), fields),
      row,
      expansions,
      maxItems,
    );
    return { record, etag: `"${row.__etag as string}"` };
  }
}
