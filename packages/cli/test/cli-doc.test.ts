import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/program.js';
import { EXIT } from '../src/cli-error.js';
import { REPO_ROOT } from './run-hearth.js';

/** docs/cli.md must describe exactly the commands and flags the program defines. */

const doc = readFileSync(join(REPO_ROOT, 'docs/cli.md'), 'utf8');

interface DocSection {
  args: string[];
  flags: string[];
}

/** `### \`hearth keys create <name>\`` sections, with the first cells of their tables. */
function documentedCommands(): Map<string, DocSection> {
  const sections = new Map<string, DocSection>();
  const parts = doc.split(/^### /m).slice(1);
  for (const part of parts) {
    const heading = /^`hearth ([^`]+)`/.exec(part);
    if (!heading?.[1]) continue;
    const words = heading[1].split(' ');
    const name = words.filter((w) => !/^[<[]/.test(w)).join(' ');
    const args = words.filter((w) => /^[<[]/.test(w));
    const body = part.split(/^#{2,3} /m)[0] ?? '';
    const flags = [...body.matchAll(/^\|\s*`(-[^`]+)`\s*\|/gm)].map((m) => m[1] as string);
    sections.set(name, { args, flags });
  }
  return sections;
}

function leafCommands(command: Command, prefix: string[] = []): Map<string, Command> {
  const out = new Map<string, Command>();
  for (const sub of command.commands) {
    const path = [...prefix, sub.name()];
    if (sub.commands.length === 0) out.set(path.join(' '), sub);
    else for (const [name, leaf] of leafCommands(sub, path)) out.set(name, leaf);
  }
  return out;
}

function argumentsOf(command: Command): string[] {
  return command.registeredArguments.map((a) => {
    const name = `${a.name()}${a.variadic ? '...' : ''}`;
    return a.required ? `<${name}>` : `[${name}]`;
  });
}

const program = buildProgram();
const commands = leafCommands(program);
const documented = documentedCommands();

describe('docs/cli.md', () => {
  it('documents every command, and only commands that exist', () => {
    expect([...documented.keys()].sort()).toEqual([...commands.keys()].sort());
  });

  it.each([...commands.keys()])('hearth %s: same arguments and flags as the definition', (name) => {
    const command = commands.get(name) as Command;
    const section = documented.get(name);
    expect(section, `no "### \`hearth ${name}\`" section`).toBeDefined();
    expect(section?.args).toEqual(argumentsOf(command));
    const defined = command.options.filter((o) => !o.hidden).map((o) => o.flags);
    expect([...(section?.flags ?? [])].sort()).toEqual([...defined].sort());
  });

  it('documents every command with --help examples', () => {
    for (const [name, command] of commands) {
      let help = '';
      command.configureOutput({ writeOut: (text) => (help += text), writeErr: () => undefined });
      command.outputHelp();
      expect(help, `hearth ${name} --help`).toMatch(/\nExamples:\n {2}\$ hearth /);
    }
  });

  it('documents the global options', () => {
    const section = /## Global options\n([\s\S]*?)\n## /.exec(doc)?.[1] ?? '';
    const flags = [...section.matchAll(/^\|\s*`(-[^`]+)`\s*\|/gm)].map((m) => m[1]);
    expect(flags).toEqual(program.options.map((o) => o.flags));
  });

  it('documents every exit code', () => {
    const section = /## Exit codes\n([\s\S]*?)\n## /.exec(doc)?.[1] ?? '';
    const codes = [...section.matchAll(/^\|\s*(\d)\s*\|/gm)].map((m) => Number(m[1]));
    expect(codes).toEqual(Object.values(EXIT));
  });
});
