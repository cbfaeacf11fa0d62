import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveServerTarget } from '../config/credentials.js';
import { withProgress } from '../output/progress.js';
import { stderrPaint } from '../output/terminal.js';
import { ApiClient } from '../remote/api-client.js';
import { formatSchemaDocument } from '../schema-file/canonical-schema.js';
import { displayPath, withoutPointer } from '../schema-file/load-schema-file.js';
import { schemaPointerFor } from '../schema-file/schema-pointer.js';

interface Flags {
  out?: string;
  url?: string;
}

export function registerSchemaPull(schema: Command): void {
  schema
    .command('pull')
    .description("Write the server's live schema as a stable, formatted document.")
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .option('--url <url>', 'the server (default: HEARTH_URL or the saved login)')
    .addHelpText(
      'after',
      `
The output has a fixed key order, so the same schema always gives the same
text, and pushing a pulled document is a no-op. The file's "$schema" pointer is
kept (or added) for editor validation.

Examples:
  $ hearth schema pull --out hearth.schema.json
  $ hearth schema pull > live.schema.json && git diff --no-index hearth.schema.json live.schema.json`,
    )
    .action(async (flags: Flags) => {
      const target = await resolveServerTarget(flags);
      const live = await withProgress(`Reading the schema from ${target.url}`, () =>
        ApiClient.for(target).admin.schema.get(),
      );
      const out = flags.out ? resolve(flags.out) : undefined;
      const pointer =
        (out ? await existingPointer(out) : undefined) ??
        schemaPointerFor(out ? dirname(out) : process.cwd());
      const text = formatSchemaDocument({ $schema: pointer, ...withoutPointer(live.schema) });
      if (!flags.out) {
        process.stdout.write(text);
        return;
      }
      await writeFile(resolve(flags.out), text);
      process.stderr.write(
        `${stderrPaint().green('wrote')} ${displayPath(resolve(flags.out))} (schema version ${live.version ?? 'none'} from ${target.url})\n`,
      );
    });
}

async function existingPointer(path: string): Promise<string | undefined> {
  try {
    const current = JSON.parse(await readFile(path, 'utf8')) as { $schema?: unknown };
    return typeof current.$schema === 'string' ? current.$schema : undefined;
  } catch {
    return undefined;
  }
}
