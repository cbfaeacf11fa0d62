import { openApiDocument } from '../http/openapi-document.js';
import { json, route, type Route, type RouteResult } from '../http/route.js';

/** GET /api/openapi.json: the OpenAPI document of `routes` (and of itself), generated once, on first ask. */
export function openApiRoutes(routes: Route[]): Route[] {
  let document: Record<string, unknown> | undefined;
  const self: Route = route({
    method: 'GET',
    path: '/api/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI 3.1 document, generated from the route table.',
    tag: 'Meta',
    caller: 'public',
    responses: { 200: { description: 'The OpenAPI 3.1 document.', schema: { type: 'object' } } },
    handle: (): RouteResult => json((document ??= openApiDocument([...routes, self]))),
  });
  return [self];
}
