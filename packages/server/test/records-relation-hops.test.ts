import { describe, expect, it } from 'vitest';
import { acrossCallers, useApiScenarios, type ApiScenario } from '@hearth/testkit';

/**
 * A relation hop in a client's filter, sort or expand sees a related record
 * only through that collection's view rule for the same caller. Tasks are
 * public; the projects they belong to are not.
 */

const schema = {
  collections: {
    users: { fields: { displayName: { type: 'text' } } },
    projects: {
      fields: {
        name: { type: 'text' },
        budget: { type: 'number' },
        public: { type: 'bool', default: false },
        owner: { type: 'relation', to: 'users' },
        vault: { type: 'relation', to: 'vaults' },
      },
      rules: { list: 'public || owner == auth.id', view: 'public || owner == auth.id' },
    },
    // No rules at all: admin-only.
    vaults: { fields: { code: { type: 'text' } } },
    tasks: {
      fields: {
        title: { type: 'text' },
        project: { type: 'relation', to: 'projects' },
        author: { type: 'relation', to: 'users' },
        vault: { type: 'relation', to: 'vaults' },
      },
      rules: { list: 'true', view: 'true' },
    },
  },
};

interface Page {
  items: Array<{ id: string; title: string; expand?: Record<string, unknown> }>;
  total?: number;
  error?: { code: string };
}

const api = useApiScenarios({
  schema,
  users: ['alice', 'bob'],
  seed: async ({ app, insert, user }) => {
    const alice = user('alice');
    await app.hearth.pool.query(`UPDATE hearth.users SET "displayName" = 'Alice Secret' WHERE id = $1`, [
      alice.id,
    ]);
    const vault = await insert('vaults', { code: 'vault-code' });
    const secret = await insert('projects', {
      name: 'Apollo',
      budget: 1234567,
      public: false,
      owner: alice.id,
      vault,
    });
    const open = await insert('projects', { name: 'Open', budget: 10, public: true, owner: alice.id });
    await insert('tasks', { title: 'secret task', project: secret, author: alice.id, vault });
    await insert('tasks', { title: 'open task', project: open, author: user('bob').id });
  },
});

/** A counted list of tasks. */
const list = (query: Record<string, string>) =>
  ({ method: 'GET', path: '/api/collections/tasks/records', query: { count: 'true', ...query } }) as const;
/** Counts the tasks `filter` finds. */
const counted = (name: string, filter: string, outcomes: Record<string, number>): ApiScenario[] =>
  acrossCallers(
    { ...list({ filter }), name },
    Object.fromEntries(
      Object.entries(outcomes).map(([caller, total]) => [caller, { status: 200, content: { total } }]),
    ),
  );

describe('filters that follow relations see only what the caller may view', () => {
  it('anonymous filter through a relation cannot read a private project name (bisection attack)', async () => {
    const total = async (as: string, filter: string) => {
      const response = await api.send({ ...list({ filter }), as });
      expect(response.status, response.text).toBe(200);
      return (response.body as Page).total ?? -1;
    };
    // Recover the name one character at a time, as the attack did with count=true.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ';
    let known = '';
    for (let round = 0; round < 8; round++) {
      let next: string | null = null;
      for (const c of alphabet) {
        const filter = `title == "secret task" && project.name.startsWith(${JSON.stringify(known + c)})`;
        if ((await total('anonymous', filter)) > 0) {
          next = c;
          break;
        }
      }
      if (next === null) break;
      known += next;
    }
    expect(known).toBe('');
    // The owner, who may view the project, filters through it as before.
    expect(await total('alice', 'project.name.startsWith("Ap")')).toBe(1);
  });

  const probes = [
    'project.name == "Apollo"',
    'project.name.startsWith("Ap")',
    'project.budget > 1000000',
    'project.budget >= 1234567 && project.budget <= 1234567',
    'project.owner != null',
    'lower(project.name) == "apollo"',
    'project.vault.code == "vault-code"',
    'vault.code == "vault-code"',
    'author.displayName == "Alice Secret"',
    'author.displayName.startsWith("A")',
  ];
  api.run(
    probes.flatMap((filter) =>
      counted(
        `anonymous and other users learn nothing from filter=${filter}`,
        `title == "secret task" && (${filter})`,
        {
          anonymous: 0,
          bob: 0,
          admin: 1,
        },
      ),
    ),
  );

  api.run([
    {
      ...list({ filter: 'author.email != ""' }),
      name: 'hidden fields of related records stay unfilterable (400, not a count)',
      status: 400,
      content: { error: { code: 'filter/forbidden-field' } },
      notContains: ['"total"'],
    },
    // A hop sees what the caller may view: the owner, admins, and public projects.
    ...counted('the owner filters on her own user fields', 'author.displayName == "Alice Secret"', {
      alice: 1,
    }),
    ...counted('the owner filters through her private project', 'project.budget > 1000000', { alice: 1 }),
    ...counted('an admin filters through two hops', 'project.vault.code == "vault-code"', { admin: 1 }),
    ...counted('an admin filters on any user field', 'author.displayName == "Alice Secret"', { admin: 1 }),
    ...counted('a public project is seen by everyone', 'project.name == "Open"', { anonymous: 1 }),
    ...counted('the admin-only vault is seen by nobody else', 'vault.code == "vault-code"', { alice: 0 }),
    // A negated probe cannot tell a hidden project from a missing one.
    ...counted('a negated probe of a hidden project counts every task', '!(project.name == "Apollo")', {
      anonymous: 2,
    }),
    ...counted('a negated probe of a missing project counts the same', '!(project.name == "Zeus")', {
      anonymous: 2,
    }),
  ]);
});

describe('sort and expand through relations', () => {
  api.run([
    ...['project.name', '-project.budget', 'author.displayName'].map((sort): ApiScenario => ({
      ...list({ sort }),
      name: `sorting by a relation path (${sort}) is a 400, so the order cannot leak what the filter may not read`,
      status: 400,
      content: { error: { code: 'query/invalid' } },
    })),
    {
      ...list({ expand: 'project,author,vault', sort: 'title' }),
      name: 'expand shows a related record only through its view rule',
      status: 200,
      content: {
        items: [{ title: 'open task', expand: { project: { name: 'Open' } } }, { title: 'secret task' }],
      },
      notContains: ['Apollo', 'vault-code'],
      after: (_c, response) => {
        const secret = (response.body as Page).items[1];
        expect(secret?.expand?.project).toBeUndefined();
        expect(secret?.expand?.author).toBeUndefined();
      },
    },
    {
      ...list({ expand: 'project,author', sort: 'title' }),
      name: 'the owner sees her project and herself through the same expand',
      as: 'alice',
      status: 200,
      content: {
        items: [
          {},
          {
            expand: {
              project: { name: 'Apollo', budget: 1234567 },
              author: { displayName: 'Alice Secret' },
            },
          },
        ],
      },
    },
  ]);
});
