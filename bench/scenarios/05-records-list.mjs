// List 20 records as their owner under `owner == auth.id`: Hearth's
// GET /api/collections/benchposts/records?limit=20 (rule in the WHERE, keyset
// order, a signed next cursor) against the raw baseline running the same
// SELECT ... ORDER BY "createdAt", id LIMIT 21.
import { COLLECTION, COLUMNS, prepareRecords } from '../records-bench-setup.mjs';

export const name = 'list 20 records as their owner (owner == auth.id, 10k rows)';
export const target = 0.7;

export const baselineRoutes = {
  'GET /records/list': async ({ pool, url }) => {
    const { rows } = await pool.query(
      `SELECT ${COLUMNS}, xmin::text AS etag FROM app.${COLLECTION} WHERE owner = $1 ORDER BY "createdAt", id LIMIT 21`,
      [url.searchParams.get('owner')],
    );
    return { json: { items: rows.slice(0, 20), nextCursor: rows.length > 20 ? rows[19].id : null } };
  },
};

export async function prepare(context) {
  const { ownerId, token } = await prepareRecords(context);
  return {
    hearth: {
      path: `/api/collections/${COLLECTION}/records?limit=20`,
      headers: { authorization: `Bearer ${token}` },
    },
    baseline: { path: `/records/list?owner=${ownerId}` },
  };
}
