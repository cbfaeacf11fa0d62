import { readdir, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { CliError, ExitSilently, EXIT } from '../cli-error.js';
import { printJson } from '../output/print.js';
import { inCi, stdoutPaint } from '../output/terminal.js';
import { failWithIssues } from '../schema-file/report-issues.js';
import { junitReport } from '../rules-test/junit-report.js';
import { runRulesTests, type CaseResult, type RuleCoverage } from '../rules-test/run-rules-tests.js';
import { DEFAULT_RULES_TEST_FILE, RULES_TEST_SUFFIX } from '../rules-test/test-file.js';

interface Flags {
  reporter: 'pretty' | 'junit';
  output?: string;
  json?: boolean;
  requireCoverage?: boolean;
}

export function registerRulesTest(rules: Command): void {
  rules
    .command('test')
    .description('Run rule test cases offline, through the same checker and evaluator the server uses.')
    .argument('[files...]', `test files (default: every *${RULES_TEST_SUFFIX} in the current directory)`)
    .addOption(
      new Option('--reporter <name>', 'output format').choices(['pretty', 'junit']).default('pretty'),
    )
    .option('-o, --output <file>', 'write the report to a file (junit) instead of stdout')
    .option('--json', 'print the results as JSON')
    .option('--require-coverage', 'fail unless every rule has at least one allow and one deny case')
    .addHelpText(
      'after',
      `
A test file (${DEFAULT_RULES_TEST_FILE}) names a schema and lists cases:
  { "schema": "./hearth.schema.json",
    "cases": [ { "name": "owners edit", "as": { "id": "alice", "role": "user" },
                 "collection": "posts", "op": "update",
                 "record": { "title": "a", "owner": "alice" }, "data": { "title": "b" },
                 "expect": "allow" } ] }
The exit code is 1 when any case fails. See docs/cli.md for the whole format.

Examples:
  $ hearth rules test
  $ hearth rules test tests/*.rules.test.json --require-coverage
  $ hearth rules test --reporter junit --output rules-junit.xml`,
    )
    .action(async (files: string[], flags: Flags) => {
      const paths = files.length > 0 ? files : await defaultTestFiles();
      const run = await runRulesTests(paths);
      if (!run.ok) failWithIssues(run.issues, flags.json === true);

      const cases = run.files.flatMap((f) => f.cases);
      const failed = cases.filter((c) => !c.passed);
      const uncovered = run.coverage.filter((c) => c.allow === 0 || c.deny === 0);
      const coverageFails = flags.requireCoverage === true && uncovered.length > 0;

      if (flags.reporter === 'junit') {
        const xml = junitReport(run.files);
        if (flags.output) await writeFile(flags.output, xml);
        else process.stdout.write(xml);
      }
      if (flags.json) {
        printJson({
          ok: failed.length === 0 && !coverageFails,
          passed: cases.length - failed.length,
          failed: failed.length,
          files: run.files,
          coverage: run.coverage,
        });
      } else if (flags.reporter === 'pretty' || flags.output) {
        printPretty(run.files, uncovered, flags.requireCoverage === true);
      }
      if (failed.length > 0 || coverageFails) throw new ExitSilently(EXIT.failure);
    });
}

async function defaultTestFiles(): Promise<string[]> {
  const found = (await readdir('.')).filter((name) => name.endsWith(RULES_TEST_SUFFIX)).sort();
  if (found.length === 0)
    throw new CliError(
      `no *${RULES_TEST_SUFFIX} files here; pass test files, or run \`hearth init\` for a sample`,
    );
  return found;
}

function printPretty(
  files: { file: string; cases: CaseResult[] }[],
  uncovered: RuleCoverage[],
  requireCoverage: boolean,
): void {
  const paint = stdoutPaint();
  const quiet = inCi();
  const out: string[] = [];
  for (const file of files) {
    out.push(paint.bold(file.file));
    for (const c of file.cases) {
      if (c.passed) {
        if (!quiet)
          out.push(
            `  ${paint.green('✓')} ${c.name} ${paint.dim(`(${c.collection} ${c.op} → ${c.actual ?? ''})`)}`,
          );
        continue;
      }
      out.push(`  ${paint.red('✗')} ${c.name} ${paint.dim(c.location)}`);
      if (c.error !== undefined) out.push(`      ${paint.red('error:')} ${c.error}`);
      else {
        out.push(`      expected ${paint.bold(c.expect)}, got ${paint.bold(c.actual ?? '')}`);
        out.push(`      ${paint.dim(c.reason)}`);
      }
    }
  }
  for (const gap of uncovered) {
    const missing = [gap.allow === 0 ? 'allow' : null, gap.deny === 0 ? 'deny' : null]
      .filter(Boolean)
      .join(' or ');
    out.push(
      `${requireCoverage ? paint.red('uncovered') : paint.yellow('uncovered')}: ${gap.collection}.${gap.op} in ${gap.schema} has no ${missing} case`,
    );
  }
  const all = files.flatMap((f) => f.cases);
  const failed = all.filter((c) => !c.passed).length;
  const summary = `${all.length - failed} passed, ${failed} failed (${all.length} case${all.length === 1 ? '' : 's'})`;
  out.push(failed > 0 ? paint.red(summary) : paint.green(summary));
  process.stdout.write(`${out.join('\n')}\n`);
}
