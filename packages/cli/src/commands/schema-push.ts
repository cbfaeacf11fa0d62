import type { Command } from 'commander';
import type { SchemaPlanResult, SchemaProblem } from '@hearth/client';
import { CliError, EXIT, ExitSilently } from '../cli-error.js';
import { resolveServerTarget } from '../config/credentials.js';
import { printJson } from '../output/print.js';
import { formatPlan } from '../output/print-plan.js';
import { withProgress } from '../output/progress.js';
import { stderrPaint, stdoutPaint } from '../output/terminal.js';
import { ApiClient, ApiError } from '../remote/api-client.js';
import { DEFAULT_SCHEMA_FILE, loadSchemaFile, withoutPointer } from '../schema-file/load-schema-file.js';
import { failWithIssues } from '../schema-file/report-issues.js';
import { serverProblemsToIssues } from '../schema-file/server-problems.js';

interface Flags {
  file: string;
  dryRun?: boolean;
  allowDestructive?: boolean;
  json?: boolean;
  url?: string;
}

export function registerSchemaPush(schema: Command): void {
  schema
    .command('push')
    .description('Validate the schema document, show the plan, and apply it to the server.')
    .option('-f, --file <path>', 'the schema document', DEFAULT_SCHEMA_FILE)
    .option('--dry-run', 'show the plan and check it, but change nothing')
    .option('--allow-destructive', 'apply drops and narrowing changes (data may be lost)')
    .option('--json', 'print the plan and the outcome as JSON')
    .option('--url <url>', 'the server (default: HEARTH_URL or the saved login)')
    .addHelpText(
      'after',
      `
Exit codes (a contract for CI):
  0  applied, or nothing to do (with --dry-run: the plan can be applied)
  1  the schema or a rule is invalid (errors as file:line:col)
  2  the plan is destructive and --allow-destructive was not given
  3  the server cannot be reached, or refused the credentials
  4  conflict: the schema changed since it was planned, or another push is running

The plan is made against the live version and applied only if that version is
still current, in one transaction: a push never half-applies.

Examples:
  $ hearth schema push --dry-run
  $ hearth schema push
  $ hearth schema push --allow-destructive
  $ HEARTH_URL=https://api.example.com HEARTH_SERVICE_KEY=hearth_sk_... hearth schema push --json`,
    )
    .action(async (flags: Flags) => {
      await push(flags);
    });
}

async function push(flags: Flags): Promise<void> {
  const json = flags.json === true;
  const loaded = await loadSchemaFile(flags.file);
  if (!loaded.ok) failWithIssues(loaded.issues, json, { file: loaded.file });
  const document = withoutPointer(loaded.document);
  const target = await resolveServerTarget(flags);
  const client = ApiClient.for(target);
  const paint = stdoutPaint();
  const report = (fields: Record<string, unknown>) => {
    if (json) printJson({ url: target.url, file: loaded.file, dryRun: flags.dryRun === true, ...fields });
  };
  const serverInvalid = (errors: SchemaProblem[]): never =>
    failWithIssues(serverProblemsToIssues(errors, loaded.file, loaded.text), json, { file: loaded.file });

  const planned = await withProgress(`Planning against ${target.url}`, () =>
    client.admin.schema.apply(document),
  );
  if (planned.errors.length > 0) serverInvalid(planned.errors);
  if (!json) {
    process.stdout.write(
      `${paint.bold(`Plan for ${loaded.file} against ${target.url}`)} (schema version ${planned.version ?? 'none'}):\n${formatPlan(planned.plan, paint)}\n`,
    );
  }

  if (planned.destructive && flags.allowDestructive !== true) {
    report({
      ok: false,
      plan: planned.plan,
      destructive: true,
      applied: false,
      version: planned.version,
      exitCode: EXIT.destructive,
    });
    if (!json) {
      const count = planned.plan.filter((s) => s.destructive).length;
      process.stderr.write(
        `${stderrPaint().red('refused')}: ${count} destructive step${count === 1 ? '' : 's'}; review the plan, then run again with --allow-destructive to apply ${count === 1 ? 'it' : 'them'}\n`,
      );
    }
    throw new ExitSilently(EXIT.destructive);
  }

  if (flags.dryRun) {
    report({
      ok: true,
      plan: planned.plan,
      destructive: planned.destructive,
      sql: planned.sql,
      applied: false,
      version: planned.version,
    });
    if (!json) process.stdout.write('Dry run: nothing was changed.\n');
    return;
  }

  let applied: SchemaPlanResult;
  try {
    applied = await withProgress(`Applying to ${target.url}`, () =>
      client.admin.schema.apply(document, {
        dryRun: false,
        allowDestructive: flags.allowDestructive === true,
        ifVersion: planned.version,
      }),
    );
  } catch (error) {
    throw mapApplyError(error, serverInvalid, json, report);
  }
  report({
    ok: true,
    plan: applied.plan,
    destructive: applied.destructive,
    sql: applied.sql,
    applied: applied.applied,
    version: applied.version,
  });
  if (!json) {
    process.stdout.write(
      applied.applied
        ? `${paint.green('Applied')}: the schema is now at version ${applied.version ?? 'none'}.\n`
        : 'Nothing to do: the server already has this schema.\n',
    );
  }
}

function mapApplyError(
  error: unknown,
  serverInvalid: (errors: SchemaProblem[]) => never,
  json: boolean,
  report: (fields: Record<string, unknown>) => void,
): unknown {
  if (!(error instanceof ApiError)) return error;
  const fail = (exitCode: number, message: string) => {
    report({ ok: false, applied: false, error: { code: error.code, message: error.message }, exitCode });
    return json ? new ExitSilently(exitCode) : new CliError(message, exitCode);
  };
  switch (error.code) {
    case 'schema/conflict':
      return fail(
        EXIT.conflict,
        `conflict: ${error.serverMessage} Nothing was applied; run \`hearth schema diff\` to see the new plan, then push again`,
      );
    case 'schema/destructive':
      return fail(
        EXIT.destructive,
        'the server found destructive steps; run again with --allow-destructive to apply them',
      );
    case 'schema/invalid': {
      const errors = (error.details as { errors?: SchemaProblem[] } | undefined)?.errors;
      if (errors && errors.length > 0) serverInvalid(errors);
      return fail(EXIT.failure, `the server refused the schema: ${error.serverMessage}`);
    }
    case 'schema/apply-failed':
      return fail(
        EXIT.failure,
        `PostgreSQL refused the change, and nothing was applied: ${error.serverMessage}`,
      );
    default:
      return error;
  }
}
