import { caretExcerpt, parseJsonWithLocations, positionAt } from '@hearth/schema';
import type { SchemaProblem } from '@hearth/client';
import type { FileIssue } from './load-schema-file.js';

/** Problems only the server finds (e.g. a users field that clashes with an auth column), placed in the local file. */
export function serverProblemsToIssues(problems: SchemaProblem[], file: string, text: string): FileIssue[] {
  let locations: Map<string, { start: number; keyStart?: number }> = new Map();
  try {
    locations = parseJsonWithLocations(text).locations;
  } catch {
    // The file parsed locally a moment ago; without locations the issues still name the pointer.
  }
  return problems.map((problem) => {
    const location = locations.get(problem.pointer);
    const offset = location ? (location.keyStart ?? location.start) : null;
    const position = offset === null ? null : positionAt(text, offset);
    const prefix = `${problem.pointer || '/'}: `;
    const detail = problem.message.startsWith(prefix)
      ? problem.message.slice(prefix.length)
      : problem.message;
    return {
      file,
      line: position?.line ?? null,
      col: position?.col ?? null,
      code: problem.code,
      pointer: problem.pointer,
      message: `${detail} (at ${problem.pointer || '/'}; reported by the server)`,
      excerpt: offset === null ? null : caretExcerpt(text, offset),
    };
  });
}
