import { HearthError } from './hearth-error.js';
import { readJson, type HttpClient, type HttpMethod, type RequestOptions } from './http-client.js';
import { newIdempotencyKey } from './idempotency-key.js';
import { paginate, type Page } from './paginate.js';
import { rememberEtag } from './record-etag.js';
import { recordPath, recordQuery } from './record-query.js';
import type {
  CreateOf,
  ExpandName,
  FieldName,
  RecordOf,
  SelectedRecord,
  SortKey,
  UpdateOf,
} from './record-types.js';

/** Options of every read: which fields and which relations to return. */
export interface ReadOptions<Fields extends readonly string[], Expand extends readonly string[]> {
  /** Return only these fields (the result type narrows to them). */
  fields?: Fields | undefined;
  /** Relation fields whose records to add under `record.expand` (only those the caller may view). */
  expand?: Expand | undefined;
  signal?: AbortSignal | undefined;
}

/** What a list can ask for. */
export interface ListParams<
  Schema,
  Name extends string,
  Fields extends readonly string[] = [],
  Expand extends readonly string[] = [],
> extends ReadOptions<Fields, Expand> {
  /** A rule-language expression, ANDed with the list rule; build it with `filter()` when it holds values. */
  filter?: string | undefined;
  /** `'-createdAt'` or `['status', '-createdAt']`; default `createdAt` ascending. */
  sort?: SortKey<Schema, Name> | readonly SortKey<Schema, Name>[] | undefined;
  /** Page size: 1 to 200 (the server's maximum), default 20. */
  limit?: number | undefined;
  /** Where to continue: a previous page's `nextCursor`. */
  cursor?: string | null | undefined;
}

/** One page, and the total when `count: true` was asked for. */
export interface ListResult<Item> extends Page<Item> {
  /** How many records match in all (only with `count: true`; costs one more query). */
  total?: number;
}

/** `total` is there for sure when the call asked for it with a literal `count: true`. */
export type ListResultFor<Item, Count extends boolean> = Count extends true
  ? ListResult<Item> & { total: number }
  : ListResult<Item>;

export interface CreateOptions {
  /**
   * Makes retries safe: the server creates one record per key and answers a
   * repeat with the first result. By default each `create` call gets a fresh
   * key, so the SDK may retry the call once on a network failure without
   * risking a duplicate. Pass your own key to make retries of your own (for
   * example after an app restart) safe too, or `false` to send none.
   */
  idempotencyKey?: string | false | undefined;
  signal?: AbortSignal | undefined;
}

export interface WriteOptions {
  /** Write only if the record is still at this version: `etagOf(record)`. A stale one fails with `records/precondition-failed`. */
  ifMatch?: string | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The records of one collection: `hearth.collection('posts')`. Typed by the
 * client's `Schema` when there is one.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class CollectionClient<Schema = any, Name extends string = string> {
  constructor(
    private readonly http: HttpClient,
    /** The collection's name. */
    readonly name: Name,
  ) {
    if (typeof name !== 'string' || name === '') {
      throw new TypeError('Hearth: collection(name) needs a collection name.');
    }
  }

  /** One page of records the caller may list: `{ items, nextCursor, total? }`. */
  async list<
    const Fields extends readonly FieldName<Schema, Name>[] = [],
    const Expand extends readonly ExpandName<Schema, Name>[] = [],
    const Count extends boolean = false,
  >(
    params: ListParams<Schema, Name, Fields, Expand> & { count?: Count | undefined } = {},
  ): Promise<ListResultFor<SelectedRecord<Schema, Name, Fields, Expand>, Count>> {
    const result = await this.http.request<ListResult<SelectedRecord<Schema, Name, Fields, Expand>>>(
      'GET',
      recordPath(this.name),
      withSignal({ query: recordQuery(params) }, params.signal),
    );
    return result as ListResultFor<SelectedRecord<Schema, Name, Fields, Expand>, Count>;
  }

  /**
   * Every record the caller may list, page by page as the loop consumes them:
   * `for await (const post of posts.iterate({ filter }))`. `limit` is the page size.
   */
  iterate<
    const Fields extends readonly FieldName<Schema, Name>[] = [],
    const Expand extends readonly ExpandName<Schema, Name>[] = [],
  >(
    params: ListParams<Schema, Name, Fields, Expand> = {},
  ): AsyncGenerator<SelectedRecord<Schema, Name, Fields, Expand>, void, undefined> {
    const { cursor, ...rest } = params;
    return paginate(
      (next) => this.list<Fields, Expand>({ ...rest, cursor: next }),
      cursor === null || cursor === undefined ? undefined : cursor,
    );
  }

  /** One record; `records/not-found` when it does not exist or the caller may not view it. */
  async get<
    const Fields extends readonly FieldName<Schema, Name>[] = [],
    const Expand extends readonly ExpandName<Schema, Name>[] = [],
  >(
    id: string,
    options: ReadOptions<Fields, Expand> = {},
  ): Promise<SelectedRecord<Schema, Name, Fields, Expand>> {
    const query = recordQuery({ fields: options.fields, expand: options.expand });
    return this.sendForRecord(
      'GET',
      recordPath(this.name, checkId(id)),
      withSignal({ query }, options.signal),
    );
  }

  /** Creates a record; `rules/denied` when the create rule refuses it, `validation/failed` for bad fields. */
  async create(data: CreateOf<Schema, Name>, options: CreateOptions = {}): Promise<RecordOf<Schema, Name>> {
    const key = options.idempotencyKey ?? newIdempotencyKey();
    const request = withSignal(
      { body: data, ...(key === false ? {} : { headers: { 'idempotency-key': key } }) },
      options.signal,
    );
    const path = recordPath(this.name);
    try {
      return await this.sendForRecord('POST', path, request);
    } catch (error) {
      // The request may or may not have reached the server; with a key, asking again cannot create a second record.
      if (key !== false && error instanceof HearthError && error.code === 'client/network') {
        return this.sendForRecord('POST', path, request);
      }
      throw error;
    }
  }

  /** Changes some fields; the others keep their values. */
  async update(
    id: string,
    patch: UpdateOf<Schema, Name>,
    options: WriteOptions = {},
  ): Promise<RecordOf<Schema, Name>> {
    return this.sendForRecord(
      'PATCH',
      recordPath(this.name, checkId(id)),
      withSignal({ body: patch, ...ifMatchHeader(options.ifMatch) }, options.signal),
    );
  }

  /** Deletes a record; `records/not-found` when the caller may not see it. */
  async delete(id: string, options: WriteOptions = {}): Promise<void> {
    await this.http.request(
      'DELETE',
      recordPath(this.name, checkId(id)),
      withSignal(ifMatchHeader(options.ifMatch), options.signal),
    );
  }

  /** Sends a single-record request and remembers the answer's ETag for `etagOf`. */
  private async sendForRecord<T>(method: HttpMethod, path: string, options: RequestOptions): Promise<T> {
    const response = await this.http.send(method, path, options);
    const record = await readJson(response);
    rememberEtag(record, response.headers.get('etag'));
    return record as T;
  }
}

function checkId(id: string): string {
  if (typeof id !== 'string' || id === '')
    throw new TypeError('Hearth: a record id must be a non-empty string.');
  return id;
}

function ifMatchHeader(ifMatch: string | undefined): { headers?: Record<string, string> } {
  return ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } };
}

function withSignal(options: RequestOptions, signal: AbortSignal | undefined): RequestOptions {
  return signal === undefined ? options : { ...options, signal };
}
