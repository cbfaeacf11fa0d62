import type { Painter } from '../output/terminal.js';
import type { FileIssue } from './load-schema-file.js';

/**
 * `file:line:col: error: message [code]` (the format compilers use, which
 * editors and CI problem matchers parse), then the line with a caret.
 */
export function formatIssue(issue: FileIssue, paint: Painter): string {
  const where = issue.line !== null ? `${issue.file}:${issue.line}:${issue.col}` : issue.file;
  const head = `${paint.bold(where)}: ${paint.red('error')}: ${issue.message} ${paint.dim(`[${issue.code}]`)}`;
  return issue.excerpt ? `${head}\n${issue.excerpt}` : head;
}

/** GitHub Actions annotations, so errors show on the pull request's diff. */
export function githubAnnotation(issue: FileIssue): string {
  const escape = (value: string) => value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const props = [`file=${issue.file}`];
  if (issue.line !== null) props.push(`line=${issue.line}`, `col=${issue.col ?? 1}`);
  return `::error ${props.join(',')}::${escape(`${issue.message} [${issue.code}]`)}`;
}
