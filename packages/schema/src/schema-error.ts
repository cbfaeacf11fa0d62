import type { RuleError, RuleErrorCode } from './rule-error.js';

export type SchemaIssueCode = 'schema/invalid' | 'schema/json-syntax' | RuleErrorCode;

export interface SchemaIssue {
  code: SchemaIssueCode;
  /** Where in the document, e.g. ["collections", "posts", "fields", "owner", "to"]. */
  path: (string | number)[];
  /** The same as a JSON pointer: `/collections/posts/fields/owner/to`. */
  pointer: string;
  /** One line: `/collections/posts/fields/owner/to: unknown collection "usr"`. */
  message: string;
  /** Position in the document text, when it was given as text. */
  line?: number;
  col?: number;
  /** For rule errors: the rule's own error, with its caret excerpt. */
  rule?: RuleError;
}

/** A schema document that cannot be used; `issues` lists every problem found. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
  readonly code = 'schema/invalid' as const;

  constructor(readonly issues: SchemaIssue[]) {
    super(
      issues.length === 1
        ? `invalid schema: ${issues[0]?.message ?? ''}`
        : `invalid schema: ${issues.length} problems\n${issues.map((i) => `  ${i.line ? `${i.line}:${i.col} ` : ''}${i.message}`).join('\n')}`,
    );
  }

  /** Every issue, with rule excerpts, for a terminal. */
  get formatted(): string {
    return this.issues
      .map((issue) => {
        const where = issue.line ? `${issue.line}:${issue.col}: ` : '';
        return issue.rule ? `${where}${issue.pointer}\n${issue.rule.formatted}` : `${where}${issue.message}`;
      })
      .join('\n');
  }
}
