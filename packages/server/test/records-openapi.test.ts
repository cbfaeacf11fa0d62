import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '@hearth/testkit';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('GET /api/openapi.json', () => {
  it('serves an OpenAPI 3.1 document for the record, schema and auth APIs', async () => {
    const response = await app.request<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/api/openapi.json',
    );
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const paths = response.body.paths;
    expect(Object.keys(paths['/api/collections/{name}/records'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
    expect(Object.keys(paths['/api/collections/{name}/records/{id}'] ?? {})).toEqual(
      expect.arrayContaining(['get', 'patch', 'delete']),
    );
    for (const path of [
      '/api/batch',
      '/api/admin/schema',
      '/api/auth/signup',
      '/api/auth/login',
      '/api/auth/refresh',
      '/api/auth/me',
    ]) {
      expect(paths, path).toHaveProperty([path]);
    }
    // Auth bodies come from the routes' own zod schemas.
    const signup = paths['/api/auth/signup']?.post as {
      requestBody: { content: { 'application/json': { schema: { properties: object } } } };
    };
    expect(Object.keys(signup.requestBody.content['application/json'].schema.properties)).toEqual(
      expect.arrayContaining(['email', 'password']),
    );
  });
});
