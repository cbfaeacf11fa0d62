import { z } from 'zod';
import { json, route, type Route } from '../http/route.js';
import { queryFlag } from '../http/validate-input.js';
import type { SchemaService } from './schema-service.js';

const putBody = z.strictObject({
  schema: z.unknown().refine((value) => value !== undefined, { message: 'required' }),
  allowDestructive: z.boolean().optional(),
  ifVersion: z.number().int().nullable().optional(),
});
const putQuery = z.object({ dryRun: queryFlag, allowDestructive: queryFlag });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const tag = 'Schema';

/** `GET /api/admin/schema`, `PUT /api/admin/schema`, `GET /api/admin/schema/versions`: admins and service keys only. */
export function schemaRoutes(schemas: SchemaService): Route[] {
  return [
    route({
      method: 'GET',
      path: '/api/admin/schema',
      operationId: 'getSchema',
      summary: 'The live schema and its version.',
      tag,
      caller: 'admin',
      responses: { 200: { description: 'The live schema.', schema: ref('LiveSchema') } },
      handle() {
        const live = schemas.current();
        return json({ schema: live.document, version: live.version, appliedAt: live.appliedAt });
      },
    }),
    route({
      method: 'GET',
      path: '/api/admin/schema/versions',
      operationId: 'listSchemaVersions',
      summary: 'Every applied schema version, newest first.',
      tag,
      caller: 'admin',
      responses: { 200: { description: 'The versions.', schema: ref('SchemaVersions') } },
      handle: async () => json({ items: await schemas.versions() }),
    }),
    route({
      method: 'PUT',
      path: '/api/admin/schema',
      operationId: 'applySchema',
      summary: 'Plan (dryRun) or apply a schema: one transaction, destructive steps only when allowed.',
      tag,
      caller: 'admin',
      query: putQuery,
      body: putBody,
      responses: {
        200: { description: 'The plan, and whether it was applied.', schema: ref('SchemaApplyResult') },
      },
      errors: ['schema/invalid', 'schema/destructive', 'schema/conflict', 'schema/apply-failed'],
      async handle({ principal, query, body }) {
        const result = await schemas.apply(
          {
            schema: body.schema,
            dryRun: query.dryRun,
            allowDestructive: body.allowDestructive ?? query.allowDestructive,
            ifVersion: body.ifVersion,
          },
          principal,
        );
        return json(result);
      },
    }),
  ];
}
