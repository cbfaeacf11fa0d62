import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, assertBuilt, runHearth, tempDir, userEnv } from './run-hearth.js';

const exec = promisify(execFile);
const tsc = createRequire(join(REPO_ROOT, 'package.json')).resolve('typescript/bin/tsc');
const exampleSchema = join(REPO_ROOT, 'examples/todo/hearth.schema.json');

let project: string;

/** The SDK surface the generated types are for: collection(name) typed by Schema. */
const sdkShape = `
import type { Schema } from './hearth-types.js';
type Collections = Schema['collections'];
type WithExpand<N extends keyof Collections> = Collections[N]['record'] & { expand?: Collections[N]['expand'] };
export declare function collection<N extends keyof Collections>(name: N): {
  list(): Promise<{ items: WithExpand<N>[]; nextCursor: string | null }>;
  get(id: string): Promise<WithExpand<N>>;
  create(data: Collections[N]['create']): Promise<Collections[N]['record']>;
  update(id: string, data: Collections[N]['update']): Promise<Collections[N]['record']>;
};
`;

const usage = `
import { collection } from './sdk.js';

export async function typed(): Promise<void> {
  const { items } = await collection('todos').list();
  const todo = items[0]!;
  const title: string = todo.title;
  const done: boolean | null = todo.done;
  const priority: 'low' | 'normal' | 'high' | null = todo.priority;
  const due: string | null = todo.due;
  const notes: unknown = todo.notes;
  const project: string = todo.project;
  const created: string = todo.createdAt;
  const projectName: string | undefined = todo.expand?.project?.name;
  const memberIds: string[] | undefined = todo.expand?.project?.members ?? undefined;
  const owner = await collection('projects').get(todo.project);
  const role: 'user' | 'admin' | undefined = owner.expand?.owner?.role;
  const email: string | null | undefined = owner.expand?.owner?.email;
  await collection('todos').create({ title: 'x', project: 'p', author: 'a' });
  await collection('todos').create({ title: 'x', project: 'p', author: 'a', priority: 'high', due: null });
  await collection('todos').update(todo.id, { done: true });
  void [title, done, priority, due, notes, project, created, projectName, memberIds, role, email];

  // @ts-expect-error a misspelt field does not exist
  void todo.titel;
  // @ts-expect-error select values are a union
  await collection('todos').update(todo.id, { priority: 'urgent' });
  // @ts-expect-error required fields must be given on create
  await collection('todos').create({ title: 'x', project: 'p' });
  // @ts-expect-error a required field cannot be set to null
  await collection('todos').update(todo.id, { title: null });
  // @ts-expect-error relations are ids, not records
  await collection('todos').create({ title: 'x', project: { id: 'p' }, author: 'a' });
  // @ts-expect-error unknown collections are not in the schema
  collection('todo');
  // @ts-expect-error system fields cannot be written
  await collection('todos').update(todo.id, { createdAt: 'now' });
}
`;

const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  },
  include: ['*.ts'],
};

async function typecheck(): Promise<{ ok: boolean; output: string }> {
  try {
    await exec(process.execPath, [tsc, '-p', project], { cwd: project });
    return { ok: true, output: '' };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout}${stderr}` };
  }
}

beforeAll(async () => {
  assertBuilt();
  project = await tempDir('hearth-gen-types-');
  await writeFile(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify(tsconfig));
  await writeFile(join(project, 'sdk.ts'), sdkShape);
});

describe('hearth gen types', () => {
  it('writes types that compile under tsc --strict and type the example schema', async () => {
    const run = await runHearth(
      ['gen', 'types', '--file', exampleSchema, '--out', join(project, 'hearth-types.ts')],
      {
        env: userEnv(join(project, 'config')),
      },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/wrote .*hearth-types\.ts \(3 collections and users\)/);
    await writeFile(join(project, 'usage.ts'), usage);
    const result = await typecheck();
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  }, 60_000);

  it('makes a misspelt field a compile error', async () => {
    await writeFile(
      join(project, 'usage.ts'),
      `import { collection } from './sdk.js';\nexport const t = (await collection('todos').get('x')).titel;\n`,
    );
    const result = await typecheck();
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(
      /usage\.ts\(2,\d+\): error TS2551: Property 'titel' does not exist on type .*Did you mean 'title'\?/,
    );
  }, 60_000);

  it('prints to stdout without --out, and is stable', async () => {
    const env = userEnv(join(project, 'config'));
    const a = await runHearth(['gen', 'types', '-f', exampleSchema], { env });
    const b = await runHearth(['gen', 'types', '-f', exampleSchema], { env });
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain("priority: 'low' | 'normal' | 'high' | null;".replace(/'/g, '"'));
    expect(a.stdout).toContain(
      'todos: { record: TodosRecord; create: TodosCreate; update: TodosUpdate; expand: TodosExpand };',
    );
  });
});
