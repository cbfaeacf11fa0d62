// Create a record: Hearth's POST /api/collections/benchposts/records (body
// validation, the create rule `auth != null && data.owner == auth.id`
// checked against the record as it would be stored, INSERT ... RETURNING,
// a change event) against the raw baseline parsing the body and running the
// INSERT.
import { COLLECTION, COLUMNS, prepareRecords } from '../records-bench-setup.mjs';

export const name = 'create a record (10k rows)';
export const target = 0.5;

export const baselineRoutes = {
  'POST /records/create': async ({ pool, body }) => {
    const input = JSON.parse(body);
    const { rows } = await pool.query(
      `INSERT INTO app.${COLLECTION} (title, published, owner) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [input.title, input.published ?? false, input.owner],
    );
    return { status: 201, json: rows[0] };
  },
};

export async function prepare(context) {
  const { ownerId, token } = await prepareRecords(context);
  const body = JSON.stringify({ title: 'benchmark post', owner: ownerId });
  const json = { 'content-type': 'application/json' };
  return {
    hearth: {
      method: 'POST',
      path: `/api/collections/${COLLECTION}/records`,
      headers: { ...json, authorization: `Bearer ${token}` },
      body,
    },
    baseline: { method: 'POST', path: '/records/create', headers: json, body },
    async cleanup() {
      await context.pool.query(`DELETE FROM app.${COLLECTION} WHERE title = 'benchmark post'`);
    },
  };
}
