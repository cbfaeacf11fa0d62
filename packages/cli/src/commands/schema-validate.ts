import type { Command } from 'commander';
import { printJson } from '../output/print.js';
import { stdoutPaint } from '../output/terminal.js';
import { DEFAULT_SCHEMA_FILE, loadSchemaFile } from '../schema-file/load-schema-file.js';
import { failWithIssues } from '../schema-file/report-issues.js';

interface Flags {
  file: string;
  json?: boolean;
}

export function registerSchemaValidate(schema: Command): void {
  schema
    .command('validate')
    .description('Check the schema document and every rule, offline (no server needed).')
    .option('-f, --file <path>', 'the schema document', DEFAULT_SCHEMA_FILE)
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Errors are printed as file:line:col with a caret under the culprit; the exit
code is 0 when the document is valid and 1 when it is not.

Examples:
  $ hearth schema validate
  $ hearth schema validate --file config/hearth.schema.json
  $ hearth schema validate --json | jq '.issues[].message'`,
    )
    .action(async (flags: Flags) => {
      const loaded = await loadSchemaFile(flags.file);
      if (!loaded.ok) failWithIssues(loaded.issues, flags.json === true, { file: loaded.file });
      const collections = Object.keys(loaded.document.collections ?? {}).length;
      let rules = 0;
      for (const collection of Object.values(loaded.document.collections ?? {}))
        for (const rule of Object.values(collection.rules ?? {})) if (typeof rule === 'string') rules++;
      if (flags.json) {
        printJson({ ok: true, file: loaded.file, collections, rules, issues: [] });
        return;
      }
      const paint = stdoutPaint();
      process.stdout.write(
        `${paint.green('✓')} ${loaded.file} is valid (${plural(collections, 'collection')}, ${plural(rules, 'collection rule')})\n`,
      );
    });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
