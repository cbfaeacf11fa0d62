import { didYouMean } from '@hearth/schema';
import { HearthError } from '../errors/index.js';
import type { CursorCodec } from '../lib/keyset-cursor.js';
import type { Caller } from './caller.js';
import type { ChangeEvents } from './change-events.js';
import type { LiveCollection, LiveSchema } from './live-schema.js';
import { RecordReads } from './record-reads.js';
import type {
  Db,
  ListParams,
  ListResult,
  ReadParams,
  RecordLimits,
  RecordResult,
  WriteScope,
} from './record-types.js';
import { RecordWrites } from './record-writes.js';
import type { SchemaService } from './schema-service.js';

export type * from './record-types.js';
export { DEFAULT_LIMIT, MAX_EXPAND, MAX_LIMIT } from './record-query.js';

/**
 * The record API's logic, against the live schema: query parsing
 * (record-query.ts), reads (record-reads.ts), writes (record-writes.ts) and
 * who may do what (record-access.ts).
 */
export class RecordService {
  private readonly reads: RecordReads;
  private readonly writes: RecordWrites;

  constructor(
    private readonly schemas: SchemaService,
    cursors: CursorCodec,
    events: ChangeEvents,
    limits: RecordLimits,
  ) {
    this.reads = new RecordReads(cursors, limits);
    this.writes = new RecordWrites(events);
  }

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

  async list(caller: Caller, name: string, params: ListParams, db: Db): Promise<ListResult> {
    const schema = this.schemas.current();
    return this.reads.list(caller, schema, this.collection(name, schema), params, db);
  }

  async get(caller: Caller, name: string, id: string, params: ReadParams, db: Db): Promise<RecordResult> {
    const schema = this.schemas.current();
    return this.reads.get(caller, schema, this.collection(name, schema), id, params, db);
  }

  async create(caller: Caller, name: string, body: unknown, scope: WriteScope): Promise<RecordResult> {
    const schema = this.schemas.current();
    return this.writes.create({ caller, schema, collection: this.collection(name, schema), scope }, body);
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
    const write = { caller, schema, collection: this.collection(name, schema), scope };
    return this.writes.update(write, id, body, options.ifMatch);
  }

  async delete(
    caller: Caller,
    name: string,
    id: string,
    options: { ifMatch?: string | undefined },
    scope: WriteScope,
  ): Promise<void> {
    const schema = this.schemas.current();
    const write = { caller, schema, collection: this.collection(name, schema), scope };
    return this.writes.delete(write, id, options.ifMatch);
  }
}
