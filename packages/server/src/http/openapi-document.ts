import { z } from 'zod';
import { errorTable, type ErrorCode } from '../errors/index.js';
import { errorsByStatus } from './declared-answers.js';
import { componentSchemas, tagDescriptions } from './openapi-components.js';
import type { ResponseDoc, Route } from './route.js';

/**
 * The OpenAPI 3.1 document, generated from the route table, so that it says
 * what the routes do and cannot drift from them: each route's operationId,
 * summary, tag and caller; its parameters, body and success answers from its
 * zod schemas; and one error answer per status its `errors`, and the errors
 * every route of its kind may give (declared-answers.ts), can have.
 */

type Json = Record<string, unknown>;

/** A zod schema as JSON Schema, without `$schema` (the document's dialect applies). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const converted = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  delete converted.$schema;
  return converted;
}

function schemaOf(schema: z.ZodType | Json, io: 'input' | 'output'): Json {
  return schema instanceof z.ZodType ? jsonSchema(schema, io) : schema;
}

/** find-my-way's `:name` (with an optional `(regex)`) as OpenAPI's `{name}`. */
export function openApiPath(template: string): string {
  return template.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}');
}

function pathParamNames(template: string): string[] {
  return [...template.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]!);
}

function shapeOf(schema: z.ZodType | undefined): Record<string, z.ZodType> {
  return schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
}

/**
 * A parameter: path and query values arrive as strings, so each is described
 * by what its schema makes of it (the output side: `queryParam` takes unknown
 * and gives a string); a flag says `boolean` through its `.meta()`.
 */
function parameter(name: string, where: 'path' | 'query', schema: z.ZodType | undefined): Json {
  const converted = schema ? jsonSchema(schema, 'output') : {};
  const { description, ...rest } = converted;
  const required = where === 'path' || (schema !== undefined && !schema.safeParse(undefined).success);
  return {
    name,
    in: where,
    required,
    ...(typeof description === 'string' ? { description } : {}),
    schema: Object.keys(rest).length > 0 ? rest : { type: 'string' },
  };
}

function parametersOf(route: Route): Json[] {
  const params = shapeOf(route.params);
  const parameters = pathParamNames(route.path).map((name) => parameter(name, 'path', params[name]));
  for (const [name, schema] of Object.entries(shapeOf(route.query)))
    parameters.push(parameter(name, 'query', schema));
  for (const [name, description] of Object.entries(route.requestHeaders ?? {}))
    parameters.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
  return parameters;
}

function requestBodyOf(route: Route): Json | undefined {
  const schema = route.body ? jsonSchema(route.body, 'input') : route.bodyDoc;
  if (!schema) return undefined;
  // The dispatcher reads a missing body as {} (validate-input.ts): required unless {} passes.
  const required = route.body ? !route.body.safeParse({}).success : true;
  const content: Json = { 'application/json': { schema } };
  if (route.bodyFormat === 'json-or-form') content['application/x-www-form-urlencoded'] = { schema };
  return { required, content };
}

function headersOf(headers: Record<string, string> | undefined): Json | undefined {
  if (!headers) return undefined;
  return Object.fromEntries(
    Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
  );
}

function successOf(status: number, answer: ResponseDoc): Json {
  const redirect = status >= 300 && status < 400 && !answer.headers?.Location;
  const headers = headersOf(redirect ? { Location: 'Where to go.', ...answer.headers } : answer.headers);
  return {
    description: answer.description,
    ...(headers ? { headers } : {}),
    ...(answer.schema
      ? {
          content: {
            [answer.contentType ?? 'application/json']: { schema: schemaOf(answer.schema, 'output') },
          },
        }
      : answer.contentType
        ? { content: { [answer.contentType]: { schema: { type: 'string' } } } }
        : {}),
  };
}

const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
};

function failureOf(status: number, codes: ErrorCode[]): Json {
  const description = codes.map((code) => `\`${code}\`: ${errorTable[code].message}`).join(' ');
  return {
    description,
    ...(status === 429 || status === 503 ? { headers: retryAfter } : {}),
    content: {
      'application/json': {
        schema: {
          allOf: [
            { $ref: '#/components/schemas/Error' },
            { properties: { error: { properties: { code: { enum: codes } } } } },
          ],
        },
      },
    },
  };
}

/** Whatever else may answer: a proxy in front, or a failure no route foresees. */
const unforeseen: Json = {
  description: 'Any other status, e.g. from a proxy in front; an `Error` body when Hearth answers it.',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};

/**
 * Who may call: `public` routes read no token; `anyone` may send one (rules
 * then see the caller) or none; `user` and `admin` routes need one.
 */
function securityOf(route: Route): Json[] | undefined {
  if (route.caller === 'public') return [];
  if (route.caller === 'anyone') return [{}, { bearer: [] }];
  return undefined;
}

function operationOf(route: Route): Json {
  const responses: Json = {};
  for (const [status, answer] of Object.entries(route.responses))
    responses[status] = successOf(Number(status), answer);
  for (const [status, codes] of errorsByStatus(route)) responses[status] = failureOf(status, codes);
  responses.default = unforeseen;
  const parameters = parametersOf(route);
  const requestBody = requestBodyOf(route);
  const security = securityOf(route);
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(security ? { security } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

function tagsOf(routes: Route[]): Json[] {
  const used = new Set(routes.map((route) => route.tag));
  const known = Object.keys(tagDescriptions).filter((name) => used.has(name));
  const unknown = [...used].filter((name) => !(name in tagDescriptions));
  return [...known, ...unknown].map((name) => ({
    name,
    ...(tagDescriptions[name] ? { description: tagDescriptions[name] } : {}),
  }));
}

/** The routes the document lists: all but `internal` ones. */
export function documentedRoutes(routes: Route[]): Route[] {
  return routes.filter((route) => !route.internal);
}

export function openApiDocument(routes: Route[]): Json {
  const documented = documentedRoutes(routes);
  const paths: Record<string, Json> = {};
  for (const route of documented) {
    const path = (paths[openApiPath(route.path)] ??= {});
    path[route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Hearth',
      version: '1',
      description:
        'The HTTP API of a Hearth server, generated from its route table. ' +
        'Errors are `{"error":{"code","message","details"?}}`, with the codes of docs/errors.md.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'This server.' }],
    security: [{ bearer: [] }],
    tags: tagsOf(documented),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An access token, or a service key (hearth_sk_…).',
        },
      },
      schemas: componentSchemas,
    },
  };
}
