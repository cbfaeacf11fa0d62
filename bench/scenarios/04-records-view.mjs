// View one record as its owner under `owner == auth.id`: Hearth's
// GET /api/collections/benchposts/records/:id (token check, rule compiled
// into the SELECT) against the raw baseline running the same SELECT with the
// owner's id.
import { COLLECTION, COLUMNS, prepareRecords } from '../records-bench-setup.mjs';

export const name = 'view one record as its owner (owner == auth.id, 10k rows)';
export const target = 0.7;

export const baselineRoutes = {
  'GET /records/view': async ({ pool, url }) => {
    const { rows } = await pool.query(
      `SELECT ${COLUMNS}, xmin::text AS etag FROM app.${COLLECTION} WHERE id = $1 AND owner = $2`,
      [url.searchParams.get('id'), url.searchParams.get('owner')],
    );
    if (!rows[0]) return { status: 404, json: { error: { code: 'records/not-found' } } };
    return { json: rows[0] };
  },
};

export async function prepare(context) {
  const { ownerId, token, recordId } = await prepareRecords(context);
  return {
    hearth: {
      path: `/api/collections/${COLLECTION}/records/${recordId}`,
      headers: { authorization: `Bearer ${token}` },
    },
    baseline: { path: `/records/view?id=${recordId}&owner=${ownerId}` },
  };
}
