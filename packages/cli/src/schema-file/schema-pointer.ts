import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { JSON_SCHEMA_FILE } from '@hearth/schema';
import { SCHEMA_POINTER } from './load-schema-file.js';

/**
 * The `"$schema"` pointer for a schema file in `dir`: the installed
 * `@hearth/schema`'s JSON Schema in the nearest node_modules at or above
 * `dir` (a file in a subfolder of the project points up to it), or the
 * project-root default when none is installed yet.
 */
export function schemaPointerFor(dir: string): string {
  for (let at = dir; ; at = dirname(at)) {
    const file = join(at, 'node_modules', '@hearth', 'schema', JSON_SCHEMA_FILE);
    if (existsSync(file)) {
      const path = relative(dir, file).split(sep).join('/');
      return path.startsWith('../') ? path : `./${path}`;
    }
    if (dirname(at) === at) return SCHEMA_POINTER;
  }
}
