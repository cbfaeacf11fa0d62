import {
  compileRuleToSql,
  quoteIdentifier,
  sqlColumnType,
  type CheckedExpr,
  type CheckedRule,
  type FieldModel,
  type RecordLike,
  type SortKey,
  type ViewRuleLookup,
} from '@hearth/schema';
import type { LiveCollection } from './live-schema.js';

const q = quoteIdentifier;

/** The cast for a bound value of a field (timestamps keep full precision when compared). */
export function castOf(field: Pick<FieldModel, 'type' | 'many' | 'name'>): string {
  const type = sqlColumnType(field);
  return type === 'timestamptz(3)' ? 'timestamptz' : type;
}

/** Collects bound parameters while a statement is assembled; every value goes through here. */
export class StatementBuilder {
  readonly params: unknown[] = [];

  param(value: unknown, cast?: string): string {
    this.params.push(value);
    return cast ? `$${this.params.length}::${cast}` : `$${this.params.length}`;
  }

  /**
   * A rule or filter as a strict boolean over `alias`, its values bound here.
   * `viewRuleFor` guards the relation hops of a client's filter; pass null only
   * for the schema's own rules and for admins.
   */
  rule(
    rule: CheckedRule,
    alias: string,
    context: {
      auth: RecordLike | null;
      data?: RecordLike | null;
      now: Date;
      viewRuleFor: ViewRuleLookup | null;
    },
  ): string {
    const compiled = compileRuleToSql(rule, {
      alias,
      auth: context.auth,
      ...(context.data === undefined ? {} : { data: context.data }),
      now: context.now,
      firstParam: this.params.length + 1,
      ...(context.viewRuleFor ? { viewRuleFor: context.viewRuleFor } : {}),
    });
    this.params.push(...compiled.params);
    return compiled.sql;
  }
}

/** selectColumns' answers, per collection (a schema version makes new ones) and alias. */
const columnLists = new WeakMap<LiveCollection, Map<string, string>>();

/**
 * `t."id", t."createdAt", ...`: every field of the collection, never the private columns of hearth.users.
 * Built once per collection and alias: every record statement starts with it.
 */
export function selectColumns(collection: LiveCollection, alias: string): string {
  let byAlias = columnLists.get(collection);
  if (!byAlias) columnLists.set(collection, (byAlias = new Map()));
  let columns = byAlias.get(alias);
  if (columns === undefined) {
    columns = collection.fields.map((f) => `${alias}.${q(f.name)}`).join(', ');
    byAlias.set(alias, columns);
  }
  return columns;
}

/** A record as stored: every field, hidden ones included (for change events and admins). */
export function rowToRecord(
  collection: LiveCollection,
  row: Record<string, unknown>,
): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const field of collection.fields) record[field.name] = jsonValue(field, row[field.name]);
  return record;
}

export function jsonValue(field: FieldModel, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  // Timestamps inside jsonb (from to_jsonb) come as text with an offset.
  if (field.type === 'date' && typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? new Date(ms).toISOString() : value;
  }
  return value;
}

/**
 * For an update rule, `data` is the record as it would be stored: the patch
 * where it sets a field, the current row elsewhere. Names of `data` that the
 * patch does not set are rewritten to read the row, so the whole rule still
 * runs inside the UPDATE statement.
 */
export function bindUnpatchedDataToRow(expr: CheckedExpr, patched: ReadonlySet<string>): CheckedExpr {
  const walk = (e: CheckedExpr): CheckedExpr => {
    switch (e.kind) {
      case 'ref': {
        const first = e.steps[0];
        if (e.root === 'data' && first && !patched.has(first.field.name)) return { ...e, root: 'record' };
        return e;
      }
      case 'literal':
        return e;
      case 'list':
        return { ...e, items: e.items.map(walk) };
      case 'compare':
      case 'and':
      case 'or':
      case 'concat':
        return { ...e, left: walk(e.left), right: walk(e.right) } as CheckedExpr;
      case 'in':
        return { ...e, needle: walk(e.needle), haystack: walk(e.haystack) };
      case 'not':
        return { ...e, operand: walk(e.operand) };
      case 'call':
        return { ...e, args: e.args.map(walk) };
    }
  };
  return walk(expr);
}

const NOT_NULL_SYSTEM = new Set(['id', 'createdAt', 'updatedAt']);

function nullable(key: SortKey, builtin: boolean): boolean {
  if (NOT_NULL_SYSTEM.has(key.field)) return false;
  return !(builtin && (key.field === 'role' || key.field === 'verified'));
}

/** The id tie-break follows the last key, so a one-direction sort stays one row comparison. */
function tieBreak(keys: readonly SortKey[]): 'ASC' | 'DESC' {
  return keys[keys.length - 1]?.direction === 'desc' ? 'DESC' : 'ASC';
}

/** ORDER BY for the keys plus the id tie-break, with PostgreSQL's default null placement spelled out. */
export function orderBy(keys: readonly SortKey[], alias: string): string {
  const parts = keys.map(
    (k) => `${alias}.${q(k.field)} ${k.direction === 'desc' ? 'DESC NULLS FIRST' : 'ASC NULLS LAST'}`,
  );
  if (!keys.some((k) => k.field === 'id')) parts.push(`${alias}."id" ${tieBreak(keys)}`);
  return parts.join(', ');
}

/**
 * The keyset condition "strictly after the row with these sort values":
 * a row comparison when every key is non-null and sorts the same way (so
 * the index is used), else the expanded OR chain with explicit null order.
 */
export function keysetAfter(
  keys: readonly SortKey[],
  values: ReadonlyArray<string | null>,
  lastId: string,
  alias: string,
  builder: StatementBuilder,
  builtin: boolean,
): string {
  const all = keys.some((k) => k.field === 'id')
    ? keys.map((k, i) => ({ key: k, value: values[i] ?? null }))
    : [
        ...keys.map((k, i) => ({ key: k, value: values[i] ?? null })),
        {
          key: {
            field: 'id',
            direction: tieBreak(keys) === 'DESC' ? 'desc' : 'asc',
            fieldModel: { name: 'id', type: 'text', many: false },
          } as SortKey,
          value: lastId,
        },
      ];
  const direction = all[0]?.key.direction;
  const simple = all.every(
    (e) => e.value !== null && !nullable(e.key, builtin) && e.key.direction === direction,
  );
  if (simple) {
    const columns = all.map((e) => `${alias}.${q(e.key.field)}`).join(', ');
    const bound = all.map((e) => builder.param(e.value, castOf(e.key.fieldModel))).join(', ');
    return `((${columns}) ${direction === 'desc' ? '<' : '>'} (${bound}))`;
  }
  const chain = (i: number): string => {
    const entry = all[i];
    if (!entry) return 'FALSE';
    const column = `${alias}.${q(entry.key.field)}`;
    const desc = entry.key.direction === 'desc';
    let after: string;
    let equal: string;
    if (entry.value === null) {
      after = desc ? `${column} IS NOT NULL` : 'FALSE';
      equal = `${column} IS NULL`;
    } else {
      const p = builder.param(entry.value, castOf(entry.key.fieldModel));
      after = desc
        ? `${column} < ${p}`
        : nullable(entry.key, builtin)
          ? `(${column} > ${p} OR ${column} IS NULL)`
          : `${column} > ${p}`;
      equal = `${column} = ${p}`;
    }
    const rest = chain(i + 1);
    return rest === 'FALSE' ? `(${after})` : `(${after} OR (${equal} AND ${rest}))`;
  };
  return chain(0);
}

/**
 * Wraps a page query whose rows carry expanded records in `columns`: the page
 * ends at the first row after which the expanded JSON passed `budget` bytes
 * (the first row always stays), so one response stays bounded however many
 * relations the rows hold. `__xall` is how many rows the page had before the
 * cut; fewer rows back means the page ended early and has a next cursor.
 */
export function boundExpandedBytes(
  pageSql: string,
  keys: readonly SortKey[],
  columns: readonly string[],
  budget: string,
): string {
  const bytes = columns.map((c) => `coalesce(octet_length(_p."${c}"::text), 0)`).join(' + ');
  const running = `sum(${bytes}) OVER (ORDER BY ${orderBy(keys, '_p')} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;
  return (
    `SELECT * FROM (SELECT _p.*, ${bytes} AS "__xb", ${running} AS "__xsum", count(*) OVER ()::int AS "__xall" ` +
    `FROM (${pageSql}) _p) _w WHERE _w."__xsum" - _w."__xb" < ${budget} ORDER BY ${orderBy(keys, '_w')}`
  );
}
