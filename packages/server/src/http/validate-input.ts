import { z } from 'zod';
import { HearthError } from '../errors/index.js';

export interface FieldProblem {
  path: string;
  message: string;
}

const MAX_PROBLEMS = 20;

interface Step {
  key: string;
  parent: Step | undefined;
}

/**
 * What PostgreSQL refuses to store: U+0000 (in text and in jsonb), and a lone
 * UTF-16 surrogate (jsonb refuses its \u escape; JSON.parse lets one through).
 */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Where the input holds a string PostgreSQL cannot store (UNSTORABLE). Keys
 * count too (metadata is stored as jsonb). Checked on the raw input, before
 * the schema, so that no field of any body can carry one to the database and
 * turn a bad request into a 500.
 */
function unstorableStrings(input: unknown): FieldProblem[] {
  const found: FieldProblem[] = [];
  const problem = (at: Step | undefined, key?: string) => {
    const path: string[] = key === undefined ? [] : [key];
    for (let step = at; step; step = step.parent) path.unshift(step.key);
    found.push({ path: path.join('.'), message: 'must not contain NUL (\\u0000) or a lone surrogate' });
  };
  // An explicit stack, not recursion, and paths kept as parent links: a deeply
  // nested body must neither exhaust the call stack nor cost quadratic memory.
  const pending: Array<[unknown, Step | undefined]> = [[input, undefined]];
  while (pending.length > 0 && found.length < MAX_PROBLEMS) {
    const [value, at] = pending.pop()!;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) problem(at);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (UNSTORABLE.test(key)) problem(at, key);
        pending.push([item, { key, parent: at }]);
      }
    }
  }
  return found;
}

/** The one way zod issues become error details: `[{path, message}]`, at most MAX_PROBLEMS of them. */
export function fieldProblems(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  return issues.slice(0, MAX_PROBLEMS).map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** Parses an untrusted body with a zod schema; a failure is 400 validation/failed listing each field. */
export function validateBody<T>(
  schema: z.ZodType<T>,
  input: unknown,
  invalid?: (issues: readonly z.core.$ZodIssue[]) => HearthError,
): T {
  const unstorable = unstorableStrings(input);
  if (unstorable.length > 0)
    throw new HearthError('validation/failed', undefined, { details: { fields: unstorable } });
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw (invalid ?? invalidInput)(result.error.issues);
}

/**
 * Parses a query with a zod schema: as a body is (validation/failed), or,
 * with `invalid`, with the route's own error (the record API's query/invalid).
 */
export function validateQuery<T>(
  schema: z.ZodType<T>,
  input: Record<string, unknown>,
  invalid?: (issues: readonly z.core.$ZodIssue[]) => HearthError,
): T {
  if (!invalid) return validateBody(schema, input);
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalid(result.error.issues);
}

/** Path parameters that fail their schema, as a body's fields would (validation/failed naming each). */
export function invalidInput(issues: readonly z.core.$ZodIssue[]): HearthError {
  return new HearthError('validation/failed', undefined, { details: { fields: fieldProblems(issues) } });
}

/** A query parameter given at most once: a repeated key is refused, as it is on every route. */
export const queryParam = z
  .unknown()
  .refine((value) => !Array.isArray(value), { message: 'may be given once', abort: true })
  .pipe(z.string());

/** A true/false query flag (`true`/`1`, `false`/`0`/empty); absent is false. */
export const queryFlag = queryParam
  .optional()
  .refine((value) => value === undefined || ['', 'true', '1', 'false', '0'].includes(value), {
    message: 'must be true or false',
  })
  .transform((value) => value === 'true' || value === '1')
  .meta({ type: 'boolean' });
