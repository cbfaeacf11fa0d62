import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { assertSchemaDocument, type SchemaDocument } from '@hearth/schema';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { resolveServerTarget } from '../config/credentials.js';
import { withProgress } from '../output/progress.js';
import { stderrPaint } from '../output/terminal.js';
import { ApiClient } from '../remote/api-client.js';
import { DEFAULT_SCHEMA_FILE, displayPath, loadSchemaFile } from '../schema-file/load-schema-file.js';
import { failWithIssues } from '../schema-file/report-issues.js';
import { generateTypes } from '../typegen/generate-types.js';

interface Flags {
  file?: string;
  url?: string | true;
  out?: string;
}

export function registerGenTypes(gen: Command): void {
  gen
    .command('types')
    .description('Write TypeScript types for every collection, for createClient<Schema>().')
    .option('-f, --file <path>', `read the schema document (default: ${DEFAULT_SCHEMA_FILE}; offline)`)
    .option('--url [url]', "read the live server's schema instead (default: HEARTH_URL or the saved login)")
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      `
Each collection gets <Name>Record, <Name>Create, <Name>Update and <Name>Expand
types, and \`Schema\` ties them to the collection names (see docs/cli.md).

Examples:
  $ hearth gen types --out src/hearth-types.ts
  $ hearth gen types --file backend/hearth.schema.json --out src/hearth-types.ts
  $ HEARTH_URL=https://api.example.com hearth gen types --url --out src/hearth-types.ts`,
    )
    .action(async (flags: Flags) => {
      if (flags.file !== undefined && flags.url !== undefined)
        throw new CliError('give either --file or --url, not both');
      let document: SchemaDocument;
      let origin: string;
      if (flags.url !== undefined) {
        const target = await resolveServerTarget({ url: flags.url === true ? undefined : flags.url });
        const live = await withProgress(`Reading the schema from ${target.url}`, () =>
          ApiClient.for(target).admin.schema.get(),
        );
        document = assertSchemaDocument(live.schema);
        origin = `the schema at ${target.url}`;
      } else {
        const loaded = await loadSchemaFile(flags.file ?? DEFAULT_SCHEMA_FILE);
        if (!loaded.ok) failWithIssues(loaded.issues, false);
        document = loaded.document;
        origin = loaded.file;
      }
      const source = generateTypes(document, origin);
      if (!flags.out) {
        process.stdout.write(source);
        return;
      }
      const out = resolve(flags.out);
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, source);
      const count = Object.keys(document.collections ?? {}).length;
      process.stderr.write(
        `${stderrPaint().green('wrote')} ${displayPath(out)} (${count} collection${count === 1 ? '' : 's'} and users)\n`,
      );
    });
}
