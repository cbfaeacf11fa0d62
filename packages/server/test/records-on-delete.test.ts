import { describe, expect, it } from 'vitest';
import { applyTestSchema, useApiScenarios } from '@hearth/testkit';

/**
 * onDelete per relation field, for single relations (foreign keys) and
 * to-many relations (triggers on the target), through the record API, the
 * batch API, chains of cascades and cycles.
 */

const open = { list: 'true', view: 'true', create: 'true', update: 'true', delete: 'true' };
const relation = (to: string, options: Record<string, unknown> = {}) => ({
  type: 'relation',
  to,
  ...options,
});

const schema = {
  collections: {
    targets: { fields: { name: { type: 'text' } }, rules: open },
    oneCascade: { fields: { t: relation('targets', { onDelete: 'cascade' }) }, rules: open },
    oneSetNull: { fields: { t: relation('targets', { onDelete: 'setNull' }) }, rules: open },
    oneRestrict: { fields: { t: relation('targets', { onDelete: 'restrict' }) }, rules: open },
    // The old spelling still works: cascade: true.
    oneLegacy: { fields: { t: relation('targets', { required: true, cascade: true }) }, rules: open },
    manyCascade: { fields: { t: relation('targets', { many: true, onDelete: 'cascade' }) }, rules: open },
    manySetNull: { fields: { t: relation('targets', { many: true }) }, rules: open },
    manyRestrict: { fields: { t: relation('targets', { many: true, required: true }) }, rules: open },
    // Nobody but admins may see these: a refused delete must not reveal them.
    hiddenRefs: { fields: { t: relation('targets', { many: true, onDelete: 'restrict' }) }, rules: {} },
    // A ← B (single, cascade) ← C (many, cascade) ← D (many, setNull)
    chainB: { fields: { a: relation('targets', { onDelete: 'cascade' }) }, rules: open },
    chainC: { fields: { b: relation('chainB', { many: true, onDelete: 'cascade' }) }, rules: open },
    chainD: { fields: { c: relation('chainC', { many: true }) }, rules: open },
    both: {
      fields: {
        c: relation('targets', { many: true, onDelete: 'cascade' }),
        r: relation('targets', { many: true, onDelete: 'restrict' }),
      },
      rules: open,
    },
    tree: { fields: { parent: relation('tree', { onDelete: 'restrict' }) }, rules: open },
    nodes: {
      fields: { name: { type: 'text' }, links: relation('nodes', { many: true, onDelete: 'cascade' }) },
      rules: open,
    },
  },
};

const api = useApiScenarios({ schema, users: ['alice'] });

const records = (name: string, id?: string) =>
  `/api/collections/${name}/records${id === undefined ? '' : `/${id}`}`;

async function create(name: string, body: Record<string, unknown>): Promise<string> {
  return (await api.context().createRecord('alice', name, body)).id;
}

async function read(name: string, id: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const { status, body } = await api.send({ as: 'key', method: 'GET', path: records(name, id) });
  return { status, body: body as Record<string, unknown> };
}

/** Alice's delete, answered with status and parsed body. */
const remove = (name: string, id: string) =>
  api.send({ as: 'alice', method: 'DELETE', path: records(name, id) });

const target = () => create('targets', { name: 'target' });

describe('onDelete', () => {
  it.each([
    ['oneCascade', false, 'cascade'],
    ['oneLegacy', false, 'cascade'],
    ['oneSetNull', false, 'setNull'],
    ['oneRestrict', false, 'restrict'],
    ['manyCascade', true, 'cascade'],
    ['manySetNull', true, 'setNull'],
    ['manyRestrict', true, 'restrict'],
  ] as const)('deleting a target applies %s (many: %s, %s)', async (collection, many, action) => {
    const doomed = await target();
    const kept = await target();
    const value = many ? [kept, doomed] : doomed;
    const referrer = await create(collection, { t: value });

    const deleted = await remove('targets', doomed);
    const after = await read(collection, referrer);
    if (action === 'restrict') {
      expect(deleted.status).toBe(409);
      expect(deleted.body).toMatchObject({ error: { code: 'records/referenced', details: { collection } } });
      expect((await read('targets', doomed)).status).toBe(200);
      expect(after.body.t).toEqual(value);
    } else {
      expect(deleted.status).toBe(204);
      if (action === 'cascade') expect(after.status).toBe(404);
      else expect(after.body.t).toEqual(many ? [kept] : null);
    }
  });

  it('a refused delete names the blocking collection, never the records the caller cannot see', async () => {
    const doomed = await target();
    const hidden = await api.context().createRecord('key', 'hiddenRefs', { t: [doomed] });
    const refused = await remove('targets', doomed);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      error: {
        code: 'records/referenced',
        message: 'Other records still refer to this record.',
        details: { collection: 'hiddenRefs' },
      },
    });
    expect(JSON.stringify(refused.body)).not.toContain(hidden.id);
  });

  it('a record that one relation cascades and another restricts goes: the restrict is checked after the cascade', async () => {
    const doomed = await target();
    const referrer = await create('both', { c: [doomed], r: [doomed] });
    const blocked = await target();
    await create('both', { r: [blocked] });
    expect((await remove('targets', doomed)).status).toBe(204);
    expect((await read('both', referrer)).status).toBe(404);
    expect((await remove('targets', blocked)).status).toBe(409);
  });

  it('a record that a record of its own collection restricts is 409 records/referenced, not a 400', async () => {
    const root = await create('tree', {});
    await create('tree', { parent: root });
    const refused = await remove('tree', root);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: { code: 'records/referenced', details: { collection: 'tree' } },
    });
  });

  it('cascades chain through single and to-many relations in one delete', async () => {
    const a = await target();
    const b = await create('chainB', { a });
    const c = await create('chainC', { b: [b] });
    const otherC = await create('chainC', {});
    const d = await create('chainD', { c: [otherC, c] });

    expect((await remove('targets', a)).status).toBe(204);
    expect((await read('chainB', b)).status).toBe(404);
    expect((await read('chainC', c)).status).toBe(404);
    expect((await read('chainC', otherC)).status).toBe(200);
    expect((await read('chainD', d)).body.c).toEqual([otherC]);
  });

  it('a cycle of cascades ends: two records that link each other both go, no hang', async () => {
    const x = await create('nodes', { name: 'x' });
    const y = await create('nodes', { name: 'y', links: [x] });
    await api.send({ as: 'alice', method: 'PATCH', path: records('nodes', x), body: { links: [y] } });
    const bystander = await create('nodes', { name: 'bystander' });

    expect((await remove('nodes', x)).status).toBe(204);
    expect((await read('nodes', y)).status).toBe(404);
    expect((await read('nodes', bystander)).status).toBe(200);
  });

  it('a chain of cascades deeper than the bound is refused whole, with a stable code (not a 500)', async () => {
    const chain = [await create('nodes', { name: 'n0' })];
    for (let i = 1; i <= 40; i += 1)
      chain.push(await create('nodes', { name: `n${i}`, links: [chain[i - 1]] }));

    const refused = await remove('nodes', chain[0] as string);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'records/cascade-too-deep' } });
    expect((await read('nodes', chain[40] as string)).status).toBe(200);
    expect((await read('nodes', chain[0] as string)).status).toBe(200);
  });

  it('a batch whose later delete is restricted rolls back the earlier cascade', async () => {
    const first = await target();
    const cascaded = await create('manyCascade', { t: [first] });
    const blocked = await target();
    await create('oneRestrict', { t: blocked });

    const batch = await api.send({
      as: 'alice',
      method: 'POST',
      path: '/api/batch',
      body: {
        requests: [
          { method: 'DELETE', path: records('targets', first) },
          { method: 'DELETE', path: records('targets', blocked) },
        ],
      },
    });
    expect(batch.status).toBe(409);
    expect(batch.body).toMatchObject({
      error: { code: 'records/referenced', details: { index: 1, details: { collection: 'oneRestrict' } } },
    });
    expect((await read('targets', first)).status).toBe(200);
    expect((await read('manyCascade', cascaded)).status).toBe(200);
  });

  it('concurrent duplicate deletes of one record: one 204, the rest 404, never a 500', async () => {
    const doomed = await target();
    await create('manySetNull', { t: [doomed] });
    const statuses = await Promise.all(
      Array.from({ length: 6 }, () => remove('targets', doomed).then((r) => r.status)),
    );
    expect(statuses.sort()).toEqual([204, 404, 404, 404, 404, 404]);
  });

  it('concurrent deletes of targets that the same records point at all succeed (no deadlock 500)', async () => {
    const targets = await Promise.all(Array.from({ length: 8 }, () => target()));
    const referrers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        create(i % 2 === 0 ? 'manySetNull' : 'manyCascade', {
          t: i % 4 < 2 ? targets : [...targets].reverse(),
        }),
      ),
    );
    const statuses = await Promise.all(targets.map((id) => remove('targets', id).then((r) => r.status)));
    expect(statuses).toEqual(targets.map(() => 204));
    for (const [i, id] of referrers.entries()) {
      const after = await read(i % 2 === 0 ? 'manySetNull' : 'manyCascade', id);
      if (i % 2 === 0) expect(after.body.t).toEqual([]);
      else expect(after.status).toBe(404);
    }
  });

  api.run(
    [
      ['an unknown id', '00000000-0000-4000-8000-000000000000'],
      ['a malformed id', 'not-a-uuid'],
      ['an id with SQL in it', "1' OR '1'='1"],
    ].map(([what, id]) => ({
      name: `deleting ${what} is a 404, not a 500`,
      as: 'alice',
      method: 'DELETE' as const,
      path: records('targets', encodeURIComponent(id!)),
      status: 404,
      content: { error: { code: 'records/not-found' } },
    })),
  );

  it('the plan shows a change of onDelete, and applying it changes what a delete does', async () => {
    const changed = structuredClone(schema) as typeof schema;
    (changed.collections.manySetNull.fields.t as Record<string, unknown>).onDelete = 'cascade';
    const { app, key } = api.context();
    const dry = await app.request<{ plan: Array<{ description: string }>; sql: string[] }>(
      'PUT',
      '/api/admin/schema?dryRun=true',
      { body: { schema: changed }, headers: key.headers },
    );
    expect(dry.body.plan.map((step) => step.description)).toEqual([
      'change manySetNull.t: onDelete "setNull" → "cascade"',
    ]);
    expect(dry.body.sql.some((sql) => sql.includes('DELETE FROM app."manySetNull"'))).toBe(true);

    await applyTestSchema(app, key.headers, changed);
    const doomed = await target();
    const referrer = await create('manySetNull', { t: [doomed] });
    expect((await remove('targets', doomed)).status).toBe(204);
    expect((await read('manySetNull', referrer)).status).toBe(404);
    await applyTestSchema(app, key.headers, schema);
  });

  it('every to-many relation column has a GIN index, so its delete trigger does not scan the table', async () => {
    const { rows } = await api.context().app.hearth.pool.query<{ table: string; definition: string }>(
      `SELECT tablename AS table, indexdef AS definition FROM pg_indexes
       WHERE schemaname = 'app' AND indexdef LIKE '%USING gin%' ORDER BY tablename`,
    );
    expect(rows.map((row) => row.table)).toEqual([
      'both',
      'both',
      'chainC',
      'chainD',
      'hiddenRefs',
      'manyCascade',
      'manyRestrict',
      'manySetNull',
      'nodes',
    ]);
  });

  it('triggers missing from the database (one from before they existed) are rebuilt at start-up', async () => {
    const { app } = api.context();
    await app.hearth.pool.query(
      `DO $$ DECLARE f text; BEGIN
         FOR f IN SELECT proname FROM pg_proc WHERE pronamespace = 'app'::regnamespace AND proname LIKE 'od\\_%' LOOP
           EXECUTE format('DROP FUNCTION app.%I() CASCADE', f);
         END LOOP; END $$`,
    );
    const repaired = await app.hearth.collections.schemas.ensureDeleteTriggers();
    expect(repaired).toBeGreaterThan(0);
    const doomed = await target();
    const referrer = await create('manySetNull', { t: [doomed] });
    await remove('targets', doomed);
    expect((await read('manySetNull', referrer)).body.t).toEqual([]);
  });
});
