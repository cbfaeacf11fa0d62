import { isHearthError } from '@hearth/client';

/** What a form shows after a failed request: a message, and the field it is about, if any. */
export interface FormProblem {
  message: string;
  /** The name of the input the message belongs to; unset for a message about the whole form. */
  field?: string;
}

export interface ProblemOptions {
  /** Error codes that are about one input, e.g. `{ 'auth/weak-password': 'password' }`. */
  fields?: Record<string, string>;
  /** Wording for codes this page explains better than the server's generic message. */
  messages?: Record<string, string>;
}

/**
 * Turns whatever a client call threw into what the form shows. The server's
 * own message is kept where it is specific (a weak password says why); codes
 * the page knows get the page's wording.
 */
export function formProblem(error: unknown, options: ProblemOptions = {}): FormProblem {
  if (!isHearthError(error)) {
    return { message: `Something went wrong: ${error instanceof Error ? error.message : String(error)}` };
  }
  const field = options.fields?.[error.code];
  const withField = (message: string): FormProblem =>
    field === undefined ? { message } : { message, field };
  const pageMessage = options.messages?.[error.code];
  if (pageMessage !== undefined) return withField(pageMessage);

  switch (error.code) {
    case 'client/network':
      return { message: 'The server could not be reached. Check the connection and try again.' };
    case 'http/rate-limited':
      return { message: `Too many attempts. Try again ${retryIn(error.retryAfter)}.` };
    case 'validation/failed':
      return validationProblem(error.details, error.message, options.fields);
    default:
      return withField(error.message);
  }
}

function retryIn(seconds: number | undefined): string {
  if (seconds === undefined || seconds <= 0) return 'later';
  if (seconds < 90) return `in ${Math.ceil(seconds)} seconds`;
  return `in ${Math.ceil(seconds / 60)} minutes`;
}

/** validation/failed carries `details.fields: [{path, message}]`; point at the first input it names. */
function validationProblem(
  details: unknown,
  fallback: string,
  fields: Record<string, string> | undefined,
): FormProblem {
  const first = fieldProblems(details)[0];
  if (first === undefined) return { message: fallback };
  const message = `${first.path === '' ? 'Input' : capitalise(first.path)}: ${first.message}`;
  const known = Object.values(fields ?? {}).includes(first.path);
  return known ? { message, field: first.path } : { message };
}

function fieldProblems(details: unknown): Array<{ path: string; message: string }> {
  if (typeof details !== 'object' || details === null) return [];
  const list = (details as { fields?: unknown }).fields;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (item): item is { path: string; message: string } =>
      typeof item === 'object' &&
      item !== null &&
      typeof (item as { path?: unknown }).path === 'string' &&
      typeof (item as { message?: unknown }).message === 'string',
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
