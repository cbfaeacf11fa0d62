import { errorCodes } from '../errors/index.js';
import { outboxStatuses } from '../mail/outbox.js';

/**
 * The named schemas routes refer to with `{ $ref: '#/components/schemas/<Name>' }`
 * in their `responses` (and `bodyDoc`), and the descriptions of their tags.
 * The rest of the OpenAPI document is generated from the route table
 * (openapi-document.ts); a test checks every reference resolves.
 */

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const string: Json = { type: 'string' };
const dateTime: Json = { type: 'string', format: 'date-time' };
const nullable = (schema: Json): Json => ({ oneOf: [schema, { type: 'null' }] });
const object = (properties: Record<string, Json>, description?: string): Json => ({
  type: 'object',
  required: Object.keys(properties),
  properties,
  ...(description ? { description } : {}),
});
const list = (item: string): Json => object({ items: { type: 'array', items: ref(item) } });
const page = (item: string): Json =>
  object({
    items: { type: 'array', items: ref(item) },
    nextCursor: {
      type: ['string', 'null'],
      description: 'Pass as `cursor` for the next page; null at the end.',
    },
  });

/** A description for each route `tag`, in the order the document lists them. */
export const tagDescriptions: Record<string, string> = {
  Records: 'Records of collections, filtered by their rules (docs/collections.md, docs/rules.md).',
  Schema: 'The schema document: read, plan and apply it (admin users and service keys).',
  Auth: 'Accounts, sessions, tokens and second factors (docs/auth.md).',
  OAuth: 'Sign-in and account linking with OAuth/OpenID Connect providers (docs/auth.md).',
  Admin: 'First-admin setup, users, service keys, the mail outbox and signing keys (docs/admin.md).',
  Operations: 'Health, readiness and metrics for orchestrators and monitoring (docs/self-hosting.md).',
  Meta: 'This document.',
};

export const componentSchemas: Record<string, Json> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', examples: errorCodes, description: 'A code of docs/errors.md.' },
          message: string,
          details: { description: 'Code-specific details, e.g. `fields` for validation/failed.' },
        },
      },
    },
  },
  Message: object({ message: string }),

  // Records
  Record: {
    type: 'object',
    required: ['id', 'createdAt', 'updatedAt'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      createdAt: dateTime,
      updatedAt: dateTime,
      expand: { type: 'object', description: 'Related records asked for with ?expand=.' },
      expandTruncated: {
        type: 'array',
        items: string,
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
      nextCursor: {
        type: ['string', 'null'],
        description: 'Pass as `cursor` for the next page; null at the end.',
      },
      total: { type: 'integer', description: 'With ?count=true.' },
    },
  },
  BatchResult: object({
    responses: {
      type: 'array',
      description: 'One per request, in order.',
      items: object({
        status: {
          type: 'integer',
          description: 'What the request alone would have answered: 200, 201 or 204.',
        },
        body: { description: 'Its body: a record, a page of records, or null for a delete.' },
      }),
    },
  }),

  // Schema
  LiveSchema: object({
    schema: { type: 'object', description: 'The applied schema document (docs/collections.md).' },
    version: { type: ['integer', 'null'], description: 'Null before the first push.' },
    appliedAt: { type: ['string', 'null'], format: 'date-time' },
  }),
  SchemaVersions: object({
    items: {
      type: 'array',
      items: object({
        id: { type: 'integer' },
        appliedAt: dateTime,
        appliedBy: { type: ['string', 'null'], description: '`user:<id>` or `key:<id>`.' },
        steps: { type: 'integer', description: 'How many plan steps it applied.' },
      }),
    },
  }),
  SchemaProblem: {
    type: 'object',
    required: ['code', 'path', 'pointer', 'message'],
    properties: {
      code: string,
      path: { type: 'array', items: { type: ['string', 'integer'] } },
      pointer: { type: 'string', description: 'A JSON pointer into the document.' },
      message: string,
      line: { type: 'integer', description: 'When the schema was sent as text.' },
      col: { type: 'integer' },
      rule: object({ line: { type: 'integer' }, col: { type: 'integer' }, excerpt: string, message: string }),
    },
  },
  SchemaApplyResult: object({
    plan: {
      type: 'array',
      description: 'The steps, as `hearth schema push` shows them.',
      items: {
        type: 'object',
        required: ['kind', 'sql'],
        properties: {
          kind: string,
          sql: { type: 'array', items: string, description: 'What this step runs.' },
        },
        additionalProperties: true,
      },
    },
    destructive: { type: 'boolean', description: 'Whether any step drops or narrows data.' },
    errors: { type: 'array', items: ref('SchemaProblem') },
    sql: { type: 'array', items: string, description: 'The statements that run (or would), in order.' },
    repairs: { type: 'array', items: string, description: 'Delete-trigger repairs, whatever the plan.' },
    applied: { type: 'boolean' },
    version: { type: ['integer', 'null'], description: 'The current version after this call.' },
  }),

  // Auth
  User: object({
    id: { type: 'string', format: 'uuid' },
    email: { type: ['string', 'null'], description: 'Null for an anonymous user.' },
    emailVerified: { type: 'boolean' },
    role: { enum: ['user', 'admin'] },
    anonymous: { type: 'boolean' },
    disabled: { type: 'boolean' },
    mfaEnabled: { type: 'boolean' },
    metadata: { type: 'object', additionalProperties: true },
    createdAt: dateTime,
    updatedAt: dateTime,
  }),
  UserResult: object({ user: ref('User') }),
  Session: object({
    accessToken: string,
    refreshToken: string,
    expiresAt: { type: 'integer', description: 'When the access token expires, in Unix seconds.' },
    tokenType: { const: 'Bearer' },
  }),
  SessionResult: object({ session: ref('Session') }),
  SignInResult: {
    oneOf: [
      object(
        { user: ref('User'), session: nullable(ref('Session')) },
        'Signed in (session null until the email is confirmed, when that is required).',
      ),
      object(
        {
          mfa: object({
            ticket: { type: 'string', description: 'For POST /api/auth/mfa/verify.' },
            methods: { type: 'array', items: string },
          }),
        },
        'A second factor is needed.',
      ),
    ],
  },
  SessionInfo: object({
    id: { type: 'string', format: 'uuid' },
    createdAt: dateTime,
    lastUsedAt: dateTime,
    expiresAt: dateTime,
    methods: { type: 'array', items: string, description: 'How the session was signed in.' },
    userAgent: { type: ['string', 'null'] },
    ip: { type: ['string', 'null'] },
    current: { type: 'boolean', description: 'Whether it is the session of this request.' },
  }),
  SessionList: list('SessionInfo'),
  TotpEnrollment: object({
    secret: { type: 'string', description: 'The base32 secret.' },
    uri: { type: 'string', description: 'An otpauth:// URI for authenticator apps (as a QR code).' },
  }),
  RecoveryCodes: {
    type: 'object',
    required: ['recoveryCodes'],
    properties: {
      recoveryCodes: { type: 'array', items: string, description: 'Shown once; each works once.' },
      user: ref('User'),
    },
  },
  Jwks: object({
    keys: {
      type: 'array',
      items: { type: 'object', additionalProperties: true },
      description: 'Public JWKs.',
    },
  }),

  // OAuth
  Provider: object({ name: string, displayName: string }),
  ProviderList: list('Provider'),
  Identity: object({
    provider: string,
    email: { type: ['string', 'null'] },
    createdAt: dateTime,
    lastUsedAt: dateTime,
  }),
  IdentityList: list('Identity'),
  Url: object({ url: { type: 'string', format: 'uri', description: 'Where to send the browser.' } }),

  // Admin
  SetupState: object({ complete: { type: 'boolean', description: 'Whether the first admin exists.' } }),
  ServiceKey: object({
    id: { type: 'string', format: 'uuid' },
    name: string,
    prefix: { type: 'string', description: 'The first characters of the key, to recognise it.' },
    scopes: { type: 'array', items: string },
    createdAt: dateTime,
    lastUsedAt: { type: ['string', 'null'], format: 'date-time' },
  }),
  CreatedServiceKey: {
    allOf: [
      ref('ServiceKey'),
      object({ key: { type: 'string', description: 'The key itself (hearth_sk_…), shown only now.' } }),
    ],
  },
  ServiceKeyList: list('ServiceKey'),
  UserPage: page('User'),
  RevokedSessions: object({ revoked: { type: 'integer', description: 'How many sessions ended.' } }),
  OutboxMail: object({
    id: { type: 'string', format: 'uuid' },
    to: string,
    subject: string,
    text: { type: ['string', 'null'], description: 'Null for a service key without mail:read.' },
    html: { type: ['string', 'null'] },
    createdAt: dateTime,
    status: { enum: [...outboxStatuses] },
    attempts: { type: 'integer' },
    lastError: { type: ['string', 'null'] },
    sentAt: { type: ['string', 'null'], format: 'date-time' },
  }),
  OutboxPage: page('OutboxMail'),
  OutboxMailResult: object({ mail: ref('OutboxMail') }),
  RotatedKey: object({ kid: { type: 'string', description: 'The id of the new signing key.' } }),
};
