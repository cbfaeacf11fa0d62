import { access, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { inCi, stdoutPaint } from '../output/terminal.js';
import { DEFAULT_SCHEMA_FILE, SCHEMA_POINTER, displayPath } from '../schema-file/load-schema-file.js';
import { schemaPointerFor } from '../schema-file/schema-pointer.js';
import { DEFAULT_RULES_TEST_FILE } from '../rules-test/test-file.js';

interface Flags {
  dir: string;
  force?: boolean;
}

const STARTER_SCHEMA = {
  $schema: SCHEMA_POINTER,
  collections: {
    posts: {
      fields: {
        title: { type: 'text', required: true, max: 200 },
        body: { type: 'text' },
        published: { type: 'bool', default: false },
        owner: { type: 'relation', to: 'users', required: true },
      },
      indexes: [{ fields: ['owner', 'createdAt'] }],
      rules: {
        list: 'published || owner == auth.id',
        view: 'published || owner == auth.id',
        create: 'auth != null && data.owner == auth.id',
        update: 'owner == auth.id && data.owner == auth.id',
        delete: 'owner == auth.id',
      },
    },
  },
};

const alice = { id: 'alice', role: 'user' };
const bob = { id: 'bob', role: 'user' };
const draft = { title: 'Draft', published: false, owner: 'alice' };

const STARTER_TESTS = {
  schema: `./${DEFAULT_SCHEMA_FILE}`,
  cases: [
    {
      name: 'anyone lists published posts',
      as: null,
      collection: 'posts',
      op: 'list',
      record: { ...draft, published: true },
      expect: 'allow',
    },
    {
      name: 'strangers do not list drafts',
      as: bob,
      collection: 'posts',
      op: 'list',
      record: draft,
      expect: 'deny',
    },
    {
      name: 'strangers do not see drafts',
      as: bob,
      collection: 'posts',
      op: 'view',
      record: draft,
      expect: 'deny',
    },
    {
      name: 'owners see their drafts',
      as: alice,
      collection: 'posts',
      op: 'view',
      record: draft,
      expect: 'allow',
    },
    {
      name: 'signed-in users create their own posts',
      as: alice,
      collection: 'posts',
      op: 'create',
      data: { title: 'Hi', owner: 'alice' },
      expect: 'allow',
    },
    {
      name: 'nobody creates posts for someone else',
      as: bob,
      collection: 'posts',
      op: 'create',
      data: { title: 'Hi', owner: 'alice' },
      expect: 'deny',
    },
    {
      name: 'owners edit their posts',
      as: alice,
      collection: 'posts',
      op: 'update',
      record: draft,
      data: { title: 'Better' },
      expect: 'allow',
    },
    {
      name: 'owners cannot give posts away',
      as: alice,
      collection: 'posts',
      op: 'update',
      record: draft,
      data: { owner: 'bob' },
      expect: 'deny',
    },
    {
      name: 'owners delete their posts',
      as: alice,
      collection: 'posts',
      op: 'delete',
      record: draft,
      expect: 'allow',
    },
    {
      name: 'strangers cannot delete',
      as: bob,
      collection: 'posts',
      op: 'delete',
      record: draft,
      expect: 'deny',
    },
  ],
};

export function registerInit(program: Command): void {
  program
    .command('init')
    .description(`Create a starter ${DEFAULT_SCHEMA_FILE} (with editor validation) and a rules-test file.`)
    .option('-d, --dir <dir>', 'where to create the files', '.')
    .option('--force', 'overwrite files that already exist')
    .addHelpText(
      'after',
      `
Creates ${DEFAULT_SCHEMA_FILE}, whose "$schema" pointer lets editors validate it
(install @hearth/schema in the project, beside @hearth/cli), and ${DEFAULT_RULES_TEST_FILE}
with allow and deny cases for its rules.

Examples:
  $ hearth init
  $ hearth init --dir backend
  $ hearth init && hearth schema validate && hearth rules test`,
    )
    .action(async (flags: Flags) => {
      const dir = resolve(flags.dir);
      const files = [
        {
          path: join(dir, DEFAULT_SCHEMA_FILE),
          content: { ...STARTER_SCHEMA, $schema: schemaPointerFor(dir) },
        },
        { path: join(dir, DEFAULT_RULES_TEST_FILE), content: STARTER_TESTS },
      ];
      if (!flags.force) {
        for (const file of files) {
          if (await exists(file.path))
            throw new CliError(`${displayPath(file.path)} already exists; pass --force to overwrite it`);
        }
      }
      await mkdir(dir, { recursive: true });
      for (const file of files) await writeFile(file.path, `${JSON.stringify(file.content, null, 2)}\n`);
      const paint = stdoutPaint();
      for (const file of files) process.stdout.write(`${paint.green('created')} ${displayPath(file.path)}\n`);
      if (!inCi())
        process.stdout.write(
          `\nNext: edit the schema, then \`hearth schema validate\`, \`hearth rules test\` and \`hearth schema push\`.\n`,
        );
    });
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
