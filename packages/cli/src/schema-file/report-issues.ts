import { ExitSilently, EXIT } from '../cli-error.js';
import { stderrPaint } from '../output/terminal.js';
import type { FileIssue } from './load-schema-file.js';
import { formatIssue, githubAnnotation } from './format-issues.js';

/** Prints every issue on stderr (and as GitHub annotations in Actions), then ends the run with exit 1. */
export function failWithIssues(
  issues: FileIssue[],
  json: boolean,
  extra: Record<string, unknown> = {},
): never {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: false, ...extra, issues }, null, 2)}\n`);
  } else {
    const paint = stderrPaint();
    for (const issue of issues) process.stderr.write(`${formatIssue(issue, paint)}\n`);
    if (process.env.GITHUB_ACTIONS === 'true')
      for (const issue of issues) process.stdout.write(`${githubAnnotation(issue)}\n`);
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    process.stderr.write(`${count}; fix ${issues.length === 1 ? 'it' : 'them'} and run the command again\n`);
  }
  throw new ExitSilently(EXIT.failure);
}
