import type { z } from 'zod';
import { HearthError } from '../errors/index.js';

export interface FieldProblem {
  path: string;
  message: string;
}

/** Parses untrusted input with a zod schema; a failure is 400 validation/failed listing each field. */
export function validateBody<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems: FieldProblem[] = result.error.issues.slice(0, 20).map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  throw new HearthError('validation/failed', undefined, { details: { fields: problems } });
}
