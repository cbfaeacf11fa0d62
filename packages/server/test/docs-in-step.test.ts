import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { knownErrorCodes } from '@hearth/client';
import { configOptions, errorTable } from '@hearth/server';

const docs = (name: string) =>
  readFileSync(fileURLToPath(new URL(`../../../docs/${name}`, import.meta.url)), 'utf8');

/** Rows of a markdown table whose first cell is a `code` span. */
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => /^\|\s*`[^`]+`\s*\|/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

describe('docs/errors.md, the server error table and the SDK agree', () => {
  const rows = tableRows(docs('errors.md'));
  const documented = new Map(rows.map((row) => [unquote(row[0] ?? ''), Number(row[1])]));

  it('documents every code with its status', () => {
    for (const [code, { status }] of Object.entries(errorTable)) {
      expect(documented.get(code), `docs/errors.md is missing ${code}`).toBe(status);
    }
  });

  it('documents no code the server does not have', () => {
    for (const code of documented.keys()) expect(Object.keys(errorTable)).toContain(code);
  });

  it('the SDK knows exactly the server codes', () => {
    expect([...knownErrorCodes].sort()).toEqual(Object.keys(errorTable).sort());
  });
});

describe('docs/configuration.md and the config options agree', () => {
  const rows = tableRows(docs('configuration.md'));
  const documented = new Map(rows.map((row) => [unquote(row[0] ?? ''), unquote(row[1] ?? '')]));

  it('documents every variable with its file key', () => {
    for (const option of Object.values(configOptions)) {
      expect(documented.get(option.env), `docs/configuration.md is missing ${option.env}`).toBe(option.key);
    }
  });

  it('documents defaults that match the code', () => {
    for (const row of rows) {
      const option = Object.values(configOptions).find(
        (candidate) => candidate.env === unquote(row[0] ?? ''),
      );
      if (option && 'default' in option && option.default !== '') {
        expect(unquote(row[2] ?? ''), `default of ${option.env}`).toBe(option.default);
      }
    }
  });

  it('documents no variable the server does not read', () => {
    const known = new Set([
      ...Object.values(configOptions).map((option) => option.env),
      'HEARTH_CONFIG_FILE',
    ]);
    for (const name of documented.keys()) expect(known, `${name} is documented but unknown`).toContain(name);
  });
});
