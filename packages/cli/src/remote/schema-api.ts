import type { PlanStep, SchemaDocument } from '@hearth/schema';
import type { ApiClient } from './api-client.js';

/** A schema problem as the server reports it (PUT /api/admin/schema). */
export interface ServerSchemaProblem {
  code: string;
  pointer: string;
  message: string;
  line?: number;
  col?: number;
}

export interface LiveSchema {
  schema: SchemaDocument;
  version: number | null;
  appliedAt: string | null;
}

export interface SchemaPlanResult {
  plan: PlanStep[];
  destructive: boolean;
  errors: ServerSchemaProblem[];
  sql: string[];
  applied: boolean;
  version: number | null;
}

export function getLiveSchema(client: ApiClient): Promise<LiveSchema> {
  return client.request<LiveSchema>('GET', '/api/admin/schema');
}

/** The server's plan for `document`, with nothing changed. */
export function planSchema(client: ApiClient, document: SchemaDocument): Promise<SchemaPlanResult> {
  return client.request<SchemaPlanResult>('PUT', '/api/admin/schema', {
    query: { dryRun: true },
    body: { schema: document },
  });
}

/**
 * Applies `document` if the live schema is still at `ifVersion` (the version
 * the plan was made against); otherwise the server answers schema/conflict.
 */
export function applySchema(
  client: ApiClient,
  document: SchemaDocument,
  options: { allowDestructive: boolean; ifVersion: number | null },
): Promise<SchemaPlanResult> {
  return client.request<SchemaPlanResult>('PUT', '/api/admin/schema', {
    query: { dryRun: false },
    body: { schema: document, allowDestructive: options.allowDestructive, ifVersion: options.ifVersion },
  });
}
