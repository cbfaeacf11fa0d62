import type { Command } from 'commander';
import { resolveServerTarget } from '../config/credentials.js';
import { printJson } from '../output/print.js';
import { formatPlan } from '../output/print-plan.js';
import { withProgress } from '../output/progress.js';
import { stdoutPaint } from '../output/terminal.js';
import { ApiClient } from '../remote/api-client.js';
import { DEFAULT_SCHEMA_FILE, loadSchemaFile, withoutPointer } from '../schema-file/load-schema-file.js';
import { failWithIssues } from '../schema-file/report-issues.js';
import { serverProblemsToIssues } from '../schema-file/server-problems.js';

interface Flags {
  file: string;
  json?: boolean;
  url?: string;
}

export function registerSchemaDiff(schema: Command): void {
  schema
    .command('diff')
    .description(
      'Show the plan that pushing the schema document would apply (creates, alters, renames, drops).',
    )
    .option('-f, --file <path>', 'the schema document', DEFAULT_SCHEMA_FILE)
    .option('--json', 'print the plan as JSON')
    .option('--url <url>', 'the server (default: HEARTH_URL or the saved login)')
    .addHelpText(
      'after',
      `
Nothing is changed. Destructive steps (drops, narrowing type changes) are
marked; a rename needs "renamedFrom", or it shows as a drop and an add.

Examples:
  $ hearth schema diff
  $ hearth schema diff --file hearth.schema.json --json | jq '.plan[] | select(.destructive)'`,
    )
    .action(async (flags: Flags) => {
      const loaded = await loadSchemaFile(flags.file);
      if (!loaded.ok) failWithIssues(loaded.issues, flags.json === true, { file: loaded.file });
      const target = await resolveServerTarget(flags);
      const result = await withProgress(`Planning against ${target.url}`, () =>
        ApiClient.for(target).admin.schema.apply(withoutPointer(loaded.document)),
      );
      if (result.errors.length > 0)
        failWithIssues(serverProblemsToIssues(result.errors, loaded.file, loaded.text), flags.json === true);
      if (flags.json) {
        printJson({
          url: target.url,
          version: result.version,
          plan: result.plan,
          destructive: result.destructive,
          sql: result.sql,
        });
        return;
      }
      const paint = stdoutPaint();
      process.stdout.write(
        `${paint.bold(`Plan for ${loaded.file} against ${target.url}`)} (schema version ${result.version ?? 'none'}):\n${formatPlan(result.plan, paint)}\n`,
      );
    });
}
