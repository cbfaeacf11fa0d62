import { Router } from 'express';
import { z } from 'zod';
import { requireAdmin } from '../auth/principal.js';
import { HearthError } from '../errors/index.js';
import type { SchemaService } from './schema-service.js';

const putBody = z.strictObject({
  schema: z.unknown(),
  allowDestructive: z.boolean().optional(),
  ifVersion: z.number().int().nullable().optional(),
});

function flag(value: unknown, name: string): boolean {
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new HearthError('validation/failed', `${name} must be true or false.`, {
    details: { fields: [{ path: name, message: 'must be true or false' }] },
  });
}

/** `GET /api/admin/schema`, `PUT /api/admin/schema`, `GET /api/admin/schema/versions`: admins and service keys only. */
export function schemaAdminRoutes(schemas: SchemaService): Router {
  const router = Router();

  router.get('/api/admin/schema', (req, res) => {
    requireAdmin(req.principal);
    const live = schemas.current();
    res.json({ schema: live.document, version: live.version, appliedAt: live.appliedAt });
  });

  router.get('/api/admin/schema/versions', async (req, res) => {
    requireAdmin(req.principal);
    res.json({ items: await schemas.versions() });
  });

  router.put('/api/admin/schema', async (req, res) => {
    const principal = requireAdmin(req.principal);
    const parsed = putBody.safeParse(req.body ?? {});
    if (!parsed.success || parsed.data.schema === undefined) {
      throw new HearthError(
        'validation/failed',
        'The body must be {schema, allowDestructive?, ifVersion?}.',
        {
          details: {
            fields: (parsed.success ? [{ path: ['schema'], message: 'required' }] : parsed.error.issues).map(
              (i) => ({
                path: i.path.map(String).join('.'),
                message: i.message,
              }),
            ),
          },
        },
      );
    }
    const result = await schemas.apply(
      {
        schema: parsed.data.schema,
        dryRun: flag(req.query.dryRun, 'dryRun'),
        allowDestructive:
          parsed.data.allowDestructive ?? flag(req.query.allowDestructive, 'allowDestructive'),
        ifVersion: parsed.data.ifVersion,
      },
      principal,
    );
    res.json(result);
  });

  return router;
}
