import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { JSON_SCHEMA_FILE, schemaDocumentJsonSchema } from './json-schema.js';

const file = fileURLToPath(new URL(`../${JSON_SCHEMA_FILE}`, import.meta.url));

describe('the shipped JSON Schema', () => {
  test(`${JSON_SCHEMA_FILE} matches the zod schema (UPDATE_JSON_SCHEMA=1 rewrites it)`, () => {
    const expected = schemaDocumentJsonSchema();
    if (process.env.UPDATE_JSON_SCHEMA === '1') writeFileSync(file, `${JSON.stringify(expected, null, 2)}\n`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(expected);
  });

  test('it refuses unknown keys and knows the field types', () => {
    const schema = schemaDocumentJsonSchema();
    expect(schema.additionalProperties).toBe(false);
    const text = JSON.stringify(schema);
    for (const type of [
      'text',
      'number',
      'bool',
      'date',
      'json',
      'email',
      'url',
      'select',
      'relation',
      'file',
    ]) {
      expect(text).toContain(`"const":"${type}"`);
    }
    expect(text).toContain('^[a-z][a-zA-Z0-9_]{0,62}$');
  });
});
