import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { caretExcerpt, parseSchemaDocument, type SchemaDocument, type SchemaIssue } from '@hearth/schema';
import { CliError } from '../cli-error.js';

export const DEFAULT_SCHEMA_FILE = 'hearth.schema.json';
/** The editor hint `hearth init` and `schema pull` write; it is not part of the schema. */
export const SCHEMA_POINTER = './node_modules/@hearth/schema/hearth.schema.schema.json';

/** One problem in a file, located for editors and CI annotations. */
export interface FileIssue {
  file: string;
  line: number | null;
  col: number | null;
  code: string;
  /** JSON pointer into the document. */
  pointer: string;
  message: string;
  /** The document line with a caret under the culprit. */
  excerpt: string | null;
}

export type LoadedSchema =
  | { ok: true; file: string; text: string; document: SchemaDocument }
  | { ok: false; file: string; text: string; issues: FileIssue[] };

/** `hearth.schema.json` relative to the working directory when it is inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') ? rel : path;
}

export async function readTextFile(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`${displayPath(path)} does not exist; ${what}`);
    throw new CliError(`cannot read ${displayPath(path)}: ${(error as Error).message}`);
  }
}

/** Reads and validates a schema document: its shape, names, relations and every rule. */
export async function loadSchemaFile(path = DEFAULT_SCHEMA_FILE): Promise<LoadedSchema> {
  const file = resolve(path);
  const text = await readTextFile(
    file,
    'pass --file, or run `hearth init` (or `hearth schema pull`) to create one',
  );
  return checkSchemaText(text, displayPath(file));
}

export function checkSchemaText(text: string, file: string): LoadedSchema {
  const result = parseSchemaDocument(text);
  if (result.ok) return { ok: true, file, text, document: result.document };
  return { ok: false, file, text, issues: result.issues.map((issue) => toFileIssue(issue, file, text)) };
}

function toFileIssue(issue: SchemaIssue, file: string, text: string): FileIssue {
  const line = issue.line ?? null;
  const col = issue.col ?? null;
  const message = issue.rule ? `${issue.rule.detail} (in ${issue.pointer})` : stripPointer(issue);
  return {
    file,
    line,
    col,
    code: issue.code,
    pointer: issue.pointer,
    message,
    excerpt:
      line !== null && col !== null
        ? caretExcerpt(text, offsetOf(text, line, col), issue.rule?.length ?? 1)
        : null,
  };
}

/** The validator's messages start with the pointer; the file position says where already. */
function stripPointer(issue: SchemaIssue): string {
  const prefix = `${issue.pointer || '/'}: `;
  const detail = issue.message.startsWith(prefix) ? issue.message.slice(prefix.length) : issue.message;
  return issue.pointer ? `${detail} (at ${issue.pointer})` : detail;
}

export function offsetOf(text: string, line: number, col: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  return offset + col - 1;
}

/** The document to send: without the editor-only `$schema` pointer, so it never reads as a change. */
export function withoutPointer(document: SchemaDocument): SchemaDocument {
  const { $schema: _pointer, ...rest } = document;
  return rest;
}
