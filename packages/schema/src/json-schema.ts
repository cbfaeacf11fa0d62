import { z } from 'zod';
import { schemaDocumentSchema } from './document.js';

export const JSON_SCHEMA_FILE = 'hearth.schema.schema.json';

/**
 * The JSON Schema editors use to validate `hearth.schema.json` (shipped as
 * `@hearth/schema/hearth.schema.schema.json`; a test keeps the file in step).
 * It covers the shape; names, relations and rules are checked by
 * `validateSchemaDocument` and `hearth schema push --dry-run`.
 */
export function schemaDocumentJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(schemaDocumentSchema, {
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return {
    $schema: generated.$schema,
    title: 'Hearth schema document (hearth.schema.json)',
    ...Object.fromEntries(Object.entries(generated).filter(([key]) => key !== '$schema')),
  };
}
