import { z } from 'zod';
import {
  anonymousBody,
  changePasswordBody,
  codeBody,
  currentFactorBody,
  emailLinkRequestBody,
  loginBody,
  mfaVerifyBody,
  patchMeBody,
  reauthenticateBody,
  refreshBody,
  resetBody,
  signupBody,
  tokenBody,
} from '../auth/request-schemas.js';
import { errorCodes } from '../errors/index.js';
import { DEFAULT_LIMIT, MAX_EXPAND, MAX_LIMIT } from './record-service.js';
import { MAX_BATCH_REQUESTS } from './record-routes.js';
import { json as jsonResult, route, type Route } from '../http/route.js';

/**
 * The OpenAPI 3.1 document for the record, schema and auth APIs. Auth request
 * bodies come from the same zod schemas the routes validate with, so they
 * cannot drift; the rest is written here next to the routes it describes.
 */

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json): Json => ({ content: { 'application/json': { schema } } });
const errorResponse = (description: string): Json => ({ description, ...json(ref('Error')) });

function bodyOf(schema: z.ZodType): Json {
  const converted = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete converted.$schema;
  return { required: true, ...json(converted) };
}

interface OperationOptions {
  tags: string[];
  summary: string;
  body?: Json;
  parameters?: Json[];
  responses: Record<string, Json>;
  /** Public routes take no token. */
  public?: boolean;
}

function operation(options: OperationOptions): Json {
  return {
    tags: options.tags,
    summary: options.summary,
    ...(options.parameters ? { parameters: options.parameters } : {}),
    ...(options.body ? { requestBody: options.body } : {}),
    responses: { ...options.responses, default: errorResponse('An error; `error.code` says which.') },
    ...(options.public ? { security: [] } : {}),
  };
}

const query = (name: string, description: string, schema: Json = { type: 'string' }): Json => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});
const pathParam = (name: string, description: string): Json => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});
const header = (name: string, description: string): Json => ({
  name,
  in: 'header',
  required: false,
  description,
  schema: { type: 'string' },
});

const ok = (description: string, schema: Json): Json => ({ description, ...json(schema) });
const empty = (description: string): Json => ({ description });

function recordPaths(): Json {
  const name = pathParam('name', 'The collection.');
  const id = pathParam('id', 'The record id (a uuid).');
  const listParams = [
    query('filter', 'A rule expression ANDed with the list rule (docs/rules.md).'),
    query('sort', 'Comma-separated fields, `-` for descending. Default `createdAt`.'),
    query('limit', `1 to ${MAX_LIMIT}, default ${DEFAULT_LIMIT}.`, {
      type: 'integer',
      minimum: 1,
      maximum: MAX_LIMIT,
      default: DEFAULT_LIMIT,
    }),
    query('cursor', 'The `nextCursor` of the previous page (same `sort`).'),
    query(
      'expand',
      `Up to ${MAX_EXPAND} comma-separated relation fields; related records are embedded only where the caller passes their view rule.`,
    ),
    query('fields', 'Comma-separated fields to return.'),
    query('count', '`true` adds `total`.', { type: 'boolean' }),
  ];
  const tags = ['records'];
  return {
    '/api/collections/{name}/records': {
      parameters: [name],
      get: operation({
        tags,
        summary: 'List the records the list rule allows',
        parameters: listParams,
        responses: { 200: ok('A page of records.', ref('RecordPage')) },
      }),
      post: operation({
        tags,
        summary: 'Create a record (checked against the create rule)',
        parameters: [
          header(
            'Idempotency-Key',
            'Makes retries safe for 24 hours: same key and body → same response; another body → 422.',
          ),
        ],
        body: { required: true, ...json(ref('RecordInput')) },
        responses: { 201: ok('The new record; `ETag` and `Location` headers.', ref('Record')) },
      }),
    },
    '/api/collections/{name}/records/{id}': {
      parameters: [name, id],
      get: operation({
        tags,
        summary: 'View a record (404 when the view rule hides it)',
        parameters: [query('expand', 'As for lists.'), query('fields', 'As for lists.')],
        responses: { 200: ok('The record; an `ETag` header.', ref('Record')) },
      }),
      patch: operation({
        tags,
        summary: 'Update some fields of a record',
        parameters: [header('If-Match', 'An ETag from a read: 412 if the record changed since.')],
        body: { required: true, ...json(ref('RecordInput')) },
        responses: { 200: ok('The updated record; its new `ETag`.', ref('Record')) },
      }),
      delete: operation({
        tags,
        summary: 'Delete a record',
        parameters: [header('If-Match', 'An ETag from a read: 412 if the record changed since.')],
        responses: { 204: empty('Deleted.') },
      }),
    },
    '/api/batch': {
      post: operation({
        tags,
        summary: `Run up to ${MAX_BATCH_REQUESTS} record API calls in one transaction`,
        body: {
          required: true,
          ...json({
            type: 'object',
            required: ['requests'],
            additionalProperties: false,
            properties: {
              requests: {
                type: 'array',
                minItems: 1,
                maxItems: MAX_BATCH_REQUESTS,
                items: {
                  type: 'object',
                  required: ['method', 'path'],
                  additionalProperties: false,
                  properties: {
                    method: { enum: ['GET', 'POST', 'PATCH', 'DELETE'] },
                    path: { type: 'string', description: '/api/collections/:name/records[/:id][?query]' },
                    body: {},
                    headers: {
                      type: 'object',
                      additionalProperties: { type: 'string' },
                      description: 'e.g. If-Match',
                    },
                  },
                },
              },
            },
          }),
        },
        responses: {
          200: ok('Every response, in order.', {
            type: 'object',
            properties: {
              responses: {
                type: 'array',
                items: { type: 'object', properties: { status: { type: 'integer' }, body: {} } },
              },
            },
          }),
        },
      }),
    },
  };
}

function schemaPaths(): Json {
  const tags = ['schema'];
  return {
    '/api/admin/schema': {
      get: operation({
        tags,
        summary: 'The applied schema document and its version (admin or service key)',
        responses: {
          200: ok('The live schema.', {
            type: 'object',
            properties: {
              schema: { type: 'object' },
              version: { type: ['integer', 'null'] },
              appliedAt: { type: ['string', 'null'], format: 'date-time' },
            },
          }),
        },
      }),
      put: operation({
        tags,
        summary: 'Plan (dryRun=true) or apply a schema document (admin or service key)',
        parameters: [query('dryRun', 'Only validate and plan.', { type: 'boolean' })],
        body: {
          required: true,
          ...json({
            type: 'object',
            required: ['schema'],
            additionalProperties: false,
            properties: {
              schema: {
                description:
                  'The document, as JSON or as the text of hearth.schema.json (then errors carry line:col).',
              },
              allowDestructive: { type: 'boolean' },
              ifVersion: {
                type: ['integer', 'null'],
                description: 'The version planned against; another current version is 409 schema/conflict.',
              },
            },
          }),
        },
        responses: {
          200: ok('The plan; applied unless dryRun.', {
            type: 'object',
            properties: {
              plan: { type: 'array', items: { type: 'object' } },
              destructive: { type: 'boolean' },
              errors: { type: 'array', items: { type: 'object' } },
              sql: { type: 'array', items: { type: 'string' } },
              applied: { type: 'boolean' },
              version: { type: ['integer', 'null'] },
            },
          }),
        },
      }),
    },
    '/api/admin/schema/versions': {
      get: operation({
        tags,
        summary: 'Applied schema versions, newest first',
        responses: { 200: ok('Versions.', { type: 'object' }) },
      }),
    },
  };
}

function authPaths(): Json {
  const tags = ['auth'];
  const sessionResult = ok('The user and a session.', ref('SignInResult'));
  const done = empty('Done.');
  const post = (
    summary: string,
    body: z.ZodType | undefined,
    responses: Record<string, Json>,
    isPublic = false,
  ): Json => ({
    post: operation({ tags, summary, ...(body ? { body: bodyOf(body) } : {}), responses, public: isPublic }),
  });
  return {
    '/api/auth/signup': post(
      'Sign up with email and password',
      signupBody,
      { 201: ok('The user; a session unless email confirmation is on.', ref('SignInResult')) },
      true,
    ),
    '/api/auth/login': post(
      'Sign in; answers {mfa:{ticket,methods}} when a second factor is needed',
      loginBody,
      { 200: sessionResult },
      true,
    ),
    '/api/auth/anonymous': post('Sign in anonymously', anonymousBody, { 201: sessionResult }, true),
    '/api/auth/refresh': post(
      'Rotate a refresh token for a new session',
      refreshBody,
      { 200: ok('The new session.', { type: 'object', properties: { session: ref('Session') } }) },
      true,
    ),
    '/api/auth/logout': post('End the session of a refresh token', refreshBody, { 204: done }, true),
    '/api/auth/logout-all': post('End every session of the caller', undefined, { 204: done }),
    '/api/auth/me': {
      get: operation({
        tags,
        summary: 'The signed-in user',
        responses: { 200: ok('The user.', { type: 'object', properties: { user: ref('User') } }) },
      }),
      patch: operation({
        tags,
        summary: 'Change metadata, email or password',
        body: bodyOf(patchMeBody),
        responses: { 200: ok('The user.', { type: 'object', properties: { user: ref('User') } }) },
      }),
      delete: operation({
        tags,
        summary: 'Delete the account for good (needs recent authentication)',
        responses: { 204: done },
      }),
    },
    '/api/auth/reauthenticate': post('Present credentials again for sensitive changes', reauthenticateBody, {
      204: done,
    }),
    '/api/auth/password/change': post('Change the password (revokes other sessions)', changePasswordBody, {
      200: sessionResult,
    }),
    '/api/auth/password/forgot': post(
      'Mail a reset link (202 whatever the email)',
      emailLinkRequestBody,
      { 202: empty('Accepted.') },
      true,
    ),
    '/api/auth/password/reset': post('Set a new password with a reset token', resetBody, { 204: done }, true),
    '/api/auth/email/verify': post(
      'Confirm an email address with the mailed token',
      tokenBody,
      { 200: ok('The user.', { type: 'object' }) },
      true,
    ),
    '/api/auth/email/verify/resend': post(
      'Mail the confirmation link again',
      emailLinkRequestBody,
      { 202: empty('Accepted.') },
      true,
    ),
    '/api/auth/sessions': {
      get: operation({
        tags,
        summary: "The caller's sessions",
        responses: { 200: ok('Sessions.', { type: 'object' }) },
      }),
    },
    '/api/auth/sessions/{id}': {
      delete: operation({
        tags,
        summary: "Revoke one of the caller's sessions",
        parameters: [pathParam('id', 'The session id.')],
        responses: { 204: done },
      }),
    },
    '/api/auth/mfa/totp/enroll': post('Start TOTP enrolment', currentFactorBody, {
      200: ok('The secret and an otpauth URI.', { type: 'object' }),
    }),
    '/api/auth/mfa/totp/confirm': post('Confirm TOTP with a first code', codeBody, {
      200: ok('Recovery codes.', { type: 'object' }),
    }),
    '/api/auth/mfa/totp/disable': post('Turn TOTP off', codeBody, { 204: done }),
    '/api/auth/mfa/recovery-codes': post('Issue new recovery codes', currentFactorBody, {
      200: ok('Recovery codes.', { type: 'object' }),
    }),
    '/api/auth/mfa/verify': post(
      'Finish a login that needs a second factor',
      mfaVerifyBody,
      { 200: sessionResult },
      true,
    ),
    '/api/auth/oauth/{provider}/start': {
      get: operation({
        tags,
        summary: 'Redirect to an OAuth/OIDC provider',
        parameters: [
          pathParam('provider', 'A configured provider.'),
          query('redirectTo', 'Where to return to.'),
        ],
        responses: { 302: empty('Redirect to the provider.') },
        public: true,
      }),
    },
    '/api/auth/oauth/{provider}/callback': {
      get: operation({
        tags,
        summary: 'The provider redirects back here',
        parameters: [pathParam('provider', 'The provider.')],
        responses: { 302: empty('Redirect to the app.') },
        public: true,
      }),
    },
    '/api/auth/identities': {
      get: operation({
        tags,
        summary: "The caller's linked providers",
        responses: { 200: ok('Identities.', { type: 'object' }) },
      }),
    },
    '/api/auth/identities/{provider}': {
      delete: operation({
        tags,
        summary: 'Unlink a provider',
        parameters: [pathParam('provider', 'The provider.')],
        responses: { 204: done },
      }),
    },
    '/.well-known/jwks.json': {
      get: operation({
        tags,
        summary: 'Public keys that verify access tokens',
        responses: { 200: ok('A JWK set.', { type: 'object' }) },
        public: true,
      }),
    },
  };
}

export function openApiDocument(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hearth',
      version: '1',
      description:
        'The record, schema and auth APIs of a Hearth server. Errors are `{"error":{"code","message","details"?}}`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [
      {
        name: 'records',
        description: 'Records of collections, filtered by their rules (docs/collections.md, docs/rules.md).',
      },
      { name: 'schema', description: 'The schema document (admin users and service keys).' },
      { name: 'auth', description: 'Accounts, sessions and tokens (docs/auth.md).' },
    ],
    paths: { ...recordPaths(), ...schemaPaths(), ...authPaths() },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An access token, or a service key (hearth_sk_…).',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', examples: errorCodes },
                message: { type: 'string' },
                details: {},
              },
            },
          },
        },
        Record: {
          type: 'object',
          required: ['id', 'createdAt', 'updatedAt'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
            expand: { type: 'object', description: 'Related records asked for with ?expand=.' },
            expandTruncated: {
              type: 'array',
              items: { type: 'string' },
              description:
                'Expanded many-relation fields cut at HEARTH_EXPAND_MAX_ITEMS records (present only when one was).',
            },
          },
          additionalProperties: true,
          description: 'The fields of the collection the caller may see.',
        },
        RecordInput: {
          type: 'object',
          additionalProperties: true,
          description: 'Field values. id, createdAt, updatedAt and unknown fields are refused.',
        },
        RecordPage: {
          type: 'object',
          required: ['items', 'nextCursor'],
          properties: {
            items: { type: 'array', items: ref('Record') },
            nextCursor: { type: ['string', 'null'] },
            total: { type: 'integer', description: 'With ?count=true.' },
          },
        },
        User: { type: 'object', additionalProperties: true },
        Session: {
          type: 'object',
          properties: {
            accessToken: { type: 'string' },
            refreshToken: { type: 'string' },
            expiresAt: { type: 'integer' },
            tokenType: { const: 'Bearer' },
          },
        },
        SignInResult: {
          oneOf: [
            {
              type: 'object',
              properties: { user: ref('User'), session: { oneOf: [ref('Session'), { type: 'null' }] } },
            },
            {
              type: 'object',
              properties: {
                mfa: {
                  type: 'object',
                  properties: {
                    ticket: { type: 'string' },
                    methods: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
            },
          ],
        },
      },
    },
  };
}

/** GET /api/openapi.json. */
export function openApiRoutes(_routes: Route[]): Route[] {
  let document: Json | undefined;
  return [
    route({
      method: 'GET',
      path: '/api/openapi.json',
      operationId: 'getOpenApiDocument',
      summary: 'This OpenAPI document.',
      tag: 'Meta',
      caller: 'public',
      responses: { 200: { description: 'The OpenAPI 3.1 document.', schema: { type: 'object' } } },
      handle: () => jsonResult((document ??= openApiDocument())),
    }),
  ];
}
