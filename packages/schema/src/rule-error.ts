import { caretExcerpt, type SourcePosition } from './source-text.js';

/** Stable codes; the server maps them to HTTP statuses (all are 400 except `rules/relation-not-loaded`, a 500). */
export type RuleErrorCode =
  | 'rules/syntax'
  | 'rules/unknown-name'
  | 'rules/type-mismatch'
  | 'rules/too-complex'
  | 'rules/not-allowed'
  | 'rules/hidden-field'
  | 'rules/relation-not-loaded';

export interface RuleErrorOptions {
  code: RuleErrorCode;
  /** What went wrong, without the location, e.g. `unknown field "ownr"`. */
  detail: string;
  source: string;
  position: SourcePosition;
  length?: number;
  /** Where the rule came from, e.g. `collections.posts.rules.list` or `filter`. */
  label?: string;
}

/**
 * A rule, filter or sort that cannot be parsed, checked or evaluated.
 * `message` is one line (`label:line:col: detail`); `formatted` adds the caret excerpt.
 */
export class RuleError extends Error {
  override readonly name = 'RuleError';
  readonly code: RuleErrorCode;
  readonly detail: string;
  readonly label: string;
  readonly position: SourcePosition;
  readonly length: number;
  readonly excerpt: string;

  constructor(options: RuleErrorOptions) {
    const label = options.label ?? 'rule';
    const { line, col } = options.position;
    super(`${label}:${line}:${col}: ${options.detail}`);
    this.code = options.code;
    this.detail = options.detail;
    this.label = label;
    this.position = options.position;
    this.length = options.length ?? 1;
    this.excerpt = caretExcerpt(options.source, options.position.offset, this.length);
  }

  /** `label:line:col: detail`, the source line, and a caret under the culprit. */
  get formatted(): string {
    return `${this.message}\n${this.excerpt}`;
  }

  get line(): number {
    return this.position.line;
  }

  get col(): number {
    return this.position.col;
  }

  /** A plain object for an HTTP error's `details`. */
  toJSON(): {
    code: RuleErrorCode;
    message: string;
    label: string;
    line: number;
    col: number;
    excerpt: string;
  } {
    return {
      code: this.code,
      message: this.message,
      label: this.label,
      line: this.position.line,
      col: this.position.col,
      excerpt: this.excerpt,
    };
  }
}

export function isRuleError(value: unknown): value is RuleError {
  return value instanceof RuleError;
}
