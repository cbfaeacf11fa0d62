import type { SchemaDocument } from '@hearth/schema';
import type { HttpClient } from '../http-client.js';
import type { ApplySchemaParams, LiveSchema, SchemaPlanResult, SchemaVersion } from './admin-types.js';
import { adminPath } from './admin-path.js';

/** `client.admin.schema`: the live schema document, its history, and pushing a new one. */
export class AdminSchemaClient {
  constructor(private readonly http: HttpClient) {}

  get(): Promise<LiveSchema> {
    return this.http.request<LiveSchema>('GET', adminPath('schema'));
  }

  /** The applied versions. */
  async versions(): Promise<SchemaVersion[]> {
    return (await this.http.request<{ items: SchemaVersion[] }>('GET', adminPath('schema', 'versions')))
      .items;
  }

  /**
   * Plans `schema` against the live one and, with `dryRun: false`, applies
   * it. A dry run is the default, so nothing changes by accident.
   */
  apply(schema: SchemaDocument, params: ApplySchemaParams = {}): Promise<SchemaPlanResult> {
    const { dryRun = true, ...rest } = params;
    return this.http.request<SchemaPlanResult>('PUT', adminPath('schema'), {
      query: { dryRun },
      body: { schema, ...rest },
    });
  }
}
