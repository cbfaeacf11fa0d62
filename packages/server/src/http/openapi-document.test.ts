import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { apiRoutes } from './api-routes.js';
import type { AppContext } from './app-context.js';
import { declaredStatuses, errorsByStatus } from './declared-answers.js';
import { documentedRoutes, openApiDocument, openApiPath } from './openapi-document.js';
import { tagDescriptions } from './openapi-components.js';

/**
 * Stands in for every service of the app context: the route factories only
 * keep references to their services, and no handler runs here. Any property
 * of it is itself, and so is calling it; it is truthy, so optional routes
 * (/metrics) are bound too.
 */
const inert: unknown = new Proxy(() => inert, {
  get: (_target, key) => (key === 'then' ? undefined : inert),
});

type Operation = {
  operationId: string;
  tags: string[];
  responses: Record<string, { description: string }>;
  security?: unknown[];
};
type ErrorAnswer = {
  content: {
    'application/json': {
      schema: { allOf: Array<{ properties: { error: { properties: { code: { enum: string[] } } } } }> };
    };
  };
};
type Document = {
  paths: Record<string, Record<string, Operation>>;
  tags: Array<{ name: string; description?: string }>;
  components: { schemas: Record<string, unknown> };
};

const routes = apiRoutes(inert as AppContext);
const documented = documentedRoutes(routes);
const document = openApiDocument(routes) as unknown as Document;
const operationOf = (method: string, path: string) =>
  document.paths[openApiPath(path)]?.[method.toLowerCase()];

describe('the route table and its OpenAPI document', () => {
  it('gives every route a unique camelCase operationId', () => {
    const ids = routes.map((route) => route.operationId);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it('lists every route that is not internal, under its method and path, and nothing else', () => {
    for (const route of documented) {
      expect(operationOf(route.method, route.path)?.operationId, `${route.method} ${route.path}`).toBe(
        route.operationId,
      );
    }
    const operations = Object.values(document.paths).flatMap((path) => Object.keys(path));
    expect(operations).toHaveLength(documented.length);
  });

  it('documents, for each route, every status it may answer: its successes and its errors', () => {
    const missing: string[] = [];
    for (const route of documented) {
      const responses = operationOf(route.method, route.path)?.responses ?? {};
      for (const status of declaredStatuses(route))
        if (!responses[status]) missing.push(`${route.method} ${route.path} ${status}`);
      const documentedStatuses = Object.keys(responses).filter((status) => status !== 'default');
      expect(documentedStatuses.map(Number).sort()).toEqual(declaredStatuses(route).sort());
      expect(responses, 'any other answer').toHaveProperty(['default']);
    }
    expect(missing).toEqual([]);
  });

  it('names, in each error answer, the codes the route may fail with at that status', () => {
    for (const route of documented) {
      const responses = operationOf(route.method, route.path)!.responses as unknown as Record<
        string,
        ErrorAnswer
      >;
      for (const [status, codes] of errorsByStatus(route)) {
        const schema = responses[status]?.content['application/json'].schema;
        expect(
          schema?.allOf[1]?.properties.error.properties.code.enum,
          `${route.operationId} ${status}`,
        ).toEqual(codes);
      }
    }
  });

  it('gives a redirect its Location', () => {
    const start = operationOf('GET', '/api/auth/oauth/:provider/start') as unknown as {
      responses: Record<string, { headers?: object }>;
    };
    expect(start.responses[302]?.headers).toHaveProperty(['Location']);
  });

  it('describes every tag, and resolves every $ref', () => {
    for (const tag of document.tags) expect(tagDescriptions, tag.name).toHaveProperty([tag.name]);
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(0);
    for (const [, name] of refs) expect(document.components.schemas, name).toHaveProperty([name!]);
  });

  it('asks for a token where the caller needs one, and only there', () => {
    for (const route of documented) {
      const { security } = operationOf(route.method, route.path)!;
      if (route.caller === 'public') expect(security).toEqual([]);
      else if (route.caller === 'anyone') expect(security).toEqual([{}, { bearer: [] }]);
      else expect(security).toBeUndefined(); // the document's default: a bearer token
    }
  });

  it('documents query parameters as what they arrive as: strings, or flags', () => {
    const list = operationOf('GET', '/api/collections/:name/records') as unknown as {
      parameters: Array<{ name: string; in: string; required: boolean; schema: { type?: string } }>;
    };
    const byName = Object.fromEntries(list.parameters.map((p) => [p.name, p]));
    expect(byName.name).toMatchObject({ in: 'path', required: true, schema: { type: 'string' } });
    expect(byName.filter).toMatchObject({ in: 'query', required: false, schema: { type: 'string' } });
    const apply = operationOf('PUT', '/api/admin/schema') as unknown as typeof list;
    expect(apply.parameters.find((p) => p.name === 'dryRun')?.schema.type).toBe('boolean');
  });
});

/** The repository root, where redocly.yaml is. */
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const redocly = join(
  dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')),
  'bin/cli.js',
);

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }>;
}

describe('@redocly/cli lint, with its recommended rules (redocly.yaml)', () => {
  it('finds no error and no warning in the document', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hearth-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(document, null, 2));
      const run = promisify(execFile);
      const args = [redocly, 'lint', file, '--config', join(root, 'redocly.yaml'), '--format', 'json'];
      const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
      // It exits 1 on errors; the report on stdout says what either way.
      const { stdout } = await run(process.execPath, args, { env, cwd: root }).catch(
        (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
      );
      const report = JSON.parse(stdout) as LintReport;
      const problems = report.problems.map(
        (problem) => `${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`,
      );
      expect(problems).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
