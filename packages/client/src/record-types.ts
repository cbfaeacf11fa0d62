/**
 * How a schema type (the one `hearth gen types` writes) flows into the
 * collection API. With no schema type (`Schema = any`) every name is allowed
 * and records are loose objects.
 */

/** What `hearth gen types` generates for one collection. */
export interface CollectionTypes {
  record: object;
  create: object;
  update: object;
  expand: object;
}

/** The shape of a generated `Schema`: `{ collections: { posts: { record, create, update, expand } } }`. */
export interface SchemaShape {
  collections: Record<string, CollectionTypes>;
}

/** A record when there is no schema type: the system fields plus anything. */
export interface LooseRecord {
  id: string;
  createdAt: string;
  updatedAt: string;
  [field: string]: unknown;
}

/** True for `any` (the default schema). */
type IsAny<T> = 0 extends 1 & T ? true : false;

type Collections<Schema> = Schema extends { collections: infer C } ? C : never;

/** The collection names of a schema (`string` without one). */
export type CollectionName<Schema> = IsAny<Schema> extends true ? string : keyof Collections<Schema> & string;

type Part<Schema, Name, Key extends keyof CollectionTypes, Loose> =
  IsAny<Schema> extends true
    ? Loose
    : Name extends keyof Collections<Schema>
      ? Collections<Schema>[Name] extends { [K in Key]: infer T }
        ? T
        : never
      : never;

/** A record of collection `Name` as the API returns it. */
export type RecordOf<Schema, Name extends string> = Part<Schema, Name, 'record', LooseRecord>;
/** The body of a create. */
export type CreateOf<Schema, Name extends string> = Part<Schema, Name, 'create', Record<string, unknown>>;
/** The body of an update. */
export type UpdateOf<Schema, Name extends string> = Part<Schema, Name, 'update', Record<string, unknown>>;
/** The related records `expand` can add, by relation field. */
export type ExpandOf<Schema, Name extends string> = Part<Schema, Name, 'expand', Record<string, unknown>>;

/** Names of the fields of a record (for `fields` and `sort`). */
export type FieldName<Schema, Name extends string> = keyof RecordOf<Schema, Name> & string;
/** Names of the relation fields `expand` accepts. */
export type ExpandName<Schema, Name extends string> = keyof ExpandOf<Schema, Name> & string;

/** A sort key: a field name, `-` in front for descending. */
export type SortKey<Schema, Name extends string> = FieldName<Schema, Name> | `-${FieldName<Schema, Name>}`;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * The record a read returns: only the `fields` asked for (all when none),
 * plus an `expand` object with the relations asked for (each may be missing
 * when the related record is gone or the caller may not view it), and
 * `expandTruncated` naming the many-relations cut at the server's limit.
 */
export type SelectedRecord<
  Schema,
  Name extends string,
  Fields extends readonly string[],
  Expand extends readonly string[],
> = [Fields[number]] extends [never]
  ? [Expand[number]] extends [never]
    ? RecordOf<Schema, Name>
    : Simplify<RecordOf<Schema, Name> & Expanded<Schema, Name, Expand[number]>>
  : Simplify<
      PickFields<Schema, Name, Fields[number]> &
        ([Expand[number]] extends [never] ? unknown : Expanded<Schema, Name, Expand[number]>)
    >;

/** `expand`, and the many-relations the server cut at its per-field limit (HEARTH_EXPAND_MAX_ITEMS). */
type Expanded<Schema, Name extends string, Keys extends string> = {
  expand: ExpandPart<Schema, Name, Keys>;
  expandTruncated?: Keys[];
};

type PickFields<Schema, Name extends string, Keys extends string> =
  IsAny<Schema> extends true
    ? Record<string, unknown>
    : Pick<RecordOf<Schema, Name>, Keys & keyof RecordOf<Schema, Name>>;

type ExpandPart<Schema, Name extends string, Keys extends string> =
  IsAny<Schema> extends true
    ? Record<string, unknown>
    : Pick<ExpandOf<Schema, Name>, Keys & keyof ExpandOf<Schema, Name>>;
