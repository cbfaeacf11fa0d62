import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '@hearth/testkit';

type Operation = {
  operationId: string;
  requestBody?: { content: { 'application/json': { schema: { properties: object } } } };
  responses: Record<string, unknown>;
};
type Document = {
  openapi: string;
  info: { license?: { name: string } };
  paths: Record<string, Record<string, Operation>>;
};

let app: TestApp;
let document: Document;
beforeAll(async () => {
  app = await startTestApp();
  const response = await app.request<Document>('GET', '/api/openapi.json');
  expect(response.status).toBe(200);
  document = response.body;
});
afterAll(async () => {
  await app?.close();
});

describe('GET /api/openapi.json', () => {
  it('serves an OpenAPI 3.1 document for the record, schema, auth and admin APIs', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.license?.name).toBe('MIT');
    const paths = document.paths;
    expect(Object.keys(paths['/api/collections/{name}/records'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
    expect(Object.keys(paths['/api/collections/{name}/records/{id}'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'patch', 'delete']),
    );
    for (const path of [
      '/api/batch',
      '/api/admin/schema',
      '/api/admin/schema/versions',
      '/api/auth/signup',
      '/api/auth/login',
      '/api/auth/refresh',
      '/api/auth/me',
      '/api/auth/providers',
      '/api/auth/oauth/exchange',
      '/api/auth/oauth/{provider}/link',
      '/api/admin/setup',
      '/api/admin/keys',
      '/api/admin/keys/{id}',
      '/api/admin/users',
      '/api/admin/users/{id}',
      '/api/admin/users/{id}/revoke-sessions',
      '/api/admin/users/{id}/unlock',
      '/api/admin/outbox',
      '/api/admin/outbox/{id}/retry',
      '/api/admin/signing-keys/rotate',
      '/.well-known/jwks.json',
      '/health',
      '/ready',
    ]) {
      expect(paths, path).toHaveProperty([path]);
    }
  });

  it('names every operation and gives each a 4xx answer', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.operationId, `${method} ${path}`).toMatch(/^[a-z][a-zA-Z0-9]*$/);
        expect(Object.keys(operation.responses).some((status) => /^4\d\d$/.test(status))).toBe(true);
      }
    }
  });

  it('says what the routes really answer', () => {
    const post = (path: string) => document.paths[path]?.post;
    // These answer the user (200), not an empty 204.
    expect(Object.keys(post('/api/auth/password/reset')?.responses ?? {})).toContain('200');
    expect(Object.keys(post('/api/auth/password/reset')?.responses ?? {})).not.toContain('204');
    expect(Object.keys(post('/api/auth/mfa/totp/disable')?.responses ?? {})).toContain('200');
    expect(Object.keys(post('/api/auth/mfa/totp/disable')?.responses ?? {})).not.toContain('204');
    // A record that fails its rule is a 403; a missing one a 404; a stale If-Match a 412.
    const patch = document.paths['/api/collections/{name}/records/{id}']?.patch;
    expect(Object.keys(patch?.responses ?? {})).toEqual(expect.arrayContaining(['200', '403', '404', '412']));
  });

  it('takes auth request bodies from the routes’ own zod schemas', () => {
    const signup = document.paths['/api/auth/signup']?.post;
    expect(Object.keys(signup?.requestBody?.content['application/json'].schema.properties ?? {})).toEqual(
      expect.arrayContaining(['email', 'password']),
    );
  });
});
