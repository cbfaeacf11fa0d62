import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyTestSchema,
  createTestAdmin,
  createTestServiceKey,
  signUpTestUser,
  startAppWithOpenSignup,
  type TestApp,
  type TestUser,
} from '@hearth/testkit';

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

let app: TestApp;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;
const anonymous = { headers: {} as Record<string, string> };

beforeAll(async () => {
  app = await startAppWithOpenSignup();
  admin = await createTestAdmin(app);
  const key = await createTestServiceKey(app, admin.token);
  alice = await signUpTestUser(app);
  bob = await signUpTestUser(app);
  await applyTestSchema(app, key.headers, schema);
  const pool = app.hearth.pool;
  await pool.query(`UPDATE hearth.users SET "displayName" = 'Alice Secret' WHERE id = $1`, [alice.id]);
  const insert = async (collection: string, row: Record<string, unknown>) => {
    const columns = Object.keys(row);
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO app.${collection} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      Object.values(row),
    );
    return rows[0]!.id;
  };
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
  await insert('tasks', { title: 'open task', project: open, author: bob.id });
});
afterAll(async () => {
  await app?.close();
});

const list = (who: { headers: Record<string, string> }, query: string) =>
  app.request<Page>('GET', `/api/collections/tasks/records?count=true&${query}`, { headers: who.headers });

const total = async (who: { headers: Record<string, string> }, filter: string): Promise<number> => {
  const response = await list(who, `filter=${encodeURIComponent(filter)}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.total ?? -1;
};

describe('filters that follow relations see only what the caller may view', () => {
  it('anonymous filter through a relation cannot read a private project name (bisection attack)', async () => {
    // Recover the name one character at a time, as the attack did with count=true.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ';
    let known = '';
    for (let round = 0; round < 8; round++) {
      let next: string | null = null;
      for (const c of alphabet) {
        const filter = `title == "secret task" && project.name.startsWith(${JSON.stringify(known + c)})`;
        if ((await total(anonymous, filter)) > 0) {
          next = c;
          break;
        }
      }
      if (next === null) break;
      known += next;
    }
    expect(known).toBe('');
    // The owner, who may view the project, filters through it as before.
    expect(await total(alice, 'project.name.startsWith("Ap")')).toBe(1);
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
  for (const filter of probes) {
    it(`anonymous and other users learn nothing from filter=${filter}`, async () => {
      const probe = `title == "secret task" && (${filter})`;
      expect(await total(anonymous, probe)).toBe(0);
      expect(await total(bob, probe)).toBe(0);
      expect(await total(admin, probe)).toBe(1);
    });
  }

  it('hidden fields of related records stay unfilterable (400, not a count)', async () => {
    const response = await list(anonymous, `filter=${encodeURIComponent('author.email != ""')}`);
    expect(response.status).toBe(400);
    expect(response.body.error?.code).toBe('filter/forbidden-field');
  });

  it('a hop sees what the caller may view: the owner, admins, and public projects', async () => {
    expect(await total(alice, 'author.displayName == "Alice Secret"')).toBe(1);
    expect(await total(alice, 'project.budget > 1000000')).toBe(1);
    expect(await total(admin, 'project.vault.code == "vault-code"')).toBe(1);
    expect(await total(admin, 'author.displayName == "Alice Secret"')).toBe(1);
    // A public project is seen by everyone, and the admin-only vault by nobody else.
    expect(await total(anonymous, 'project.name == "Open"')).toBe(1);
    expect(await total(alice, 'vault.code == "vault-code"')).toBe(0);
  });

  it('a negated probe cannot tell a hidden project from a missing one', async () => {
    const hiddenVsMissing = async (filter: string) =>
      (await list(anonymous, `filter=${encodeURIComponent(filter)}`)).body;
    const a = await hiddenVsMissing('!(project.name == "Apollo")');
    const b = await hiddenVsMissing('!(project.name == "Zeus")');
    expect(a.total).toBe(2);
    expect(b.total).toBe(2);
  });
});

describe('sort and expand through relations', () => {
  it('sorting by a relation path is a 400, so the order cannot leak what the filter may not read', async () => {
    for (const sort of ['project.name', '-project.budget', 'author.displayName']) {
      const response = await list(anonymous, `sort=${encodeURIComponent(sort)}`);
      expect(response.status).toBe(400);
      expect(response.body.error?.code).toBe('query/invalid');
    }
  });

  it('expand shows a related record only through its view rule', async () => {
    const response = await list(anonymous, 'expand=project,author,vault&sort=title');
    expect(response.status).toBe(200);
    const [open, secret] = response.body.items;
    expect(open?.title).toBe('open task');
    expect(open?.expand?.project).toMatchObject({ name: 'Open' });
    expect(secret?.title).toBe('secret task');
    expect(secret?.expand?.project).toBeUndefined();
    expect(secret?.expand?.author).toBeUndefined();
    expect(JSON.stringify(response.body)).not.toContain('Apollo');
    expect(JSON.stringify(response.body)).not.toContain('vault-code');
    const owner = await list(alice, 'expand=project,author&sort=title');
    expect(owner.body.items[1]?.expand?.project).toMatchObject({ name: 'Apollo', budget: 1234567 });
    expect(owner.body.items[1]?.expand?.author).toMatchObject({ displayName: 'Alice Secret' });
  });
});
