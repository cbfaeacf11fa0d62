import { dirname, resolve } from 'node:path';
import {
  JsonSyntaxError,
  caretExcerpt,
  jsonPointer,
  parseJsonWithLocations,
  positionAt,
  type LocatedJson,
} from '@hearth/schema';
import { z } from 'zod';
import type { FileIssue } from '../schema-file/load-schema-file.js';

export const DEFAULT_RULES_TEST_FILE = 'hearth.rules.test.json';
export const RULES_TEST_SUFFIX = '.rules.test.json';

const fieldValues = z.record(z.string(), z.unknown());
/** Records other rules reach through relations: `{ "projects": { "p1": { "owner": "alice" } } }`. */
const relatedRecords = z.record(z.string(), z.record(z.string(), fieldValues));

/** The caller: null when signed out; `id` is any name you like (it stands for the user's id). */
const caller = z.union([
  z.null(),
  z.looseObject({
    id: z.string().min(1),
    role: z.enum(['user', 'admin']).optional(),
    email: z.string().optional(),
    verified: z.boolean().optional(),
  }),
]);

export const OPERATIONS = ['list', 'view', 'create', 'update', 'delete'] as const;
export type Operation = (typeof OPERATIONS)[number];

const testCase = z.strictObject({
  name: z.string().min(1).max(500),
  as: caller,
  collection: z.string().min(1),
  op: z.enum(OPERATIONS),
  /** The stored row (list, view, update, delete). */
  record: fieldValues.optional(),
  /** The incoming write: the whole body for create, the patch for update. */
  data: fieldValues.optional(),
  related: relatedRecords.optional(),
  /** The time `now` stands for (ISO 8601); default: when the test runs. */
  now: z.string().optional(),
  expect: z.enum(['allow', 'deny']),
});

export const rulesTestFileSchema = z.strictObject({
  $schema: z.string().optional(),
  /** The schema document, relative to this file. */
  schema: z.string().min(1),
  /** Related records shared by every case. */
  records: relatedRecords.optional(),
  now: z.string().optional(),
  cases: z.array(testCase).min(1),
});

export type RulesTestFile = z.infer<typeof rulesTestFileSchema>;
export type RuleTestCase = z.infer<typeof testCase>;

export interface LoadedTestFile {
  file: string;
  /** The schema document's path, resolved against the test file. */
  schemaPath: string;
  content: RulesTestFile;
  /** Where each case starts in the file, for messages. */
  caseLines: number[];
}

/** Parses a rules-test file; problems come back with line:col like schema errors. */
export function parseRulesTestFile(
  text: string,
  file: string,
  absolutePath: string,
): { ok: true; loaded: LoadedTestFile } | { ok: false; issues: FileIssue[] } {
  let located: LocatedJson;
  try {
    located = parseJsonWithLocations(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return {
      ok: false,
      issues: [
        {
          file,
          line: error.position.line,
          col: error.position.col,
          code: 'rules-test/json-syntax',
          pointer: '',
          message: error.detail,
          excerpt: caretExcerpt(text, error.position.offset),
        },
      ],
    };
  }
  const parsed = rulesTestFileSchema.safeParse(located.value);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => {
        const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
        const extra = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
        return locatedIssue(located, file, path, `${issue.message}${extra}`, 'rules-test/invalid');
      }),
    };
  }
  const caseLines = parsed.data.cases.map((_, i) => lineOf(located, ['cases', i]) ?? 1);
  return {
    ok: true,
    loaded: {
      file,
      schemaPath: resolve(dirname(absolutePath), parsed.data.schema),
      content: parsed.data,
      caseLines,
    },
  };
}

export function locatedIssue(
  located: LocatedJson,
  file: string,
  path: (string | number)[],
  message: string,
  code: string,
): FileIssue {
  const pointer = jsonPointer(path);
  for (let depth = path.length; depth >= 0; depth--) {
    const location = located.locations.get(jsonPointer(path.slice(0, depth)));
    if (!location) continue;
    const offset = location.start;
    const { line, col } = positionAt(located.text, offset);
    return {
      file,
      line,
      col,
      code,
      pointer,
      message: `${message} (at ${pointer || '/'})`,
      excerpt: caretExcerpt(located.text, offset),
    };
  }
  return { file, line: null, col: null, code, pointer, message, excerpt: null };
}

function lineOf(located: LocatedJson, path: (string | number)[]): number | null {
  const location = located.locations.get(jsonPointer(path));
  return location ? positionAt(located.text, location.start).line : null;
}
