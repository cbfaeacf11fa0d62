// View one record as its owner under `owner == auth.id`: Hearth's
// GET /api/collections/benchposts/records/:id (token check, rule compiled
// into the SELECT, ETag) against a raw route that verifies the same token and
// runs one prepared SELECT ... WHERE id = $1 AND owner = <the token's sub>.
import { COLLECTION, COLUMNS, RECORDS_PATH, UUID, prepareRecords } from '../records-bench-setup.mjs';

export const name = 'view one record as its owner (owner == auth.id, 10k rows)';
export const target = 0.85;

const notFound = { status: 404, json: { error: { code: 'records/not-found' } } };

export const baselineRoutes = [
  {
    method: 'GET',
    path: new RegExp(`^${RECORDS_PATH}/([^/]+)$`),
    async handle({ pool, params, headers, verifyBearer }) {
      const claims = await verifyBearer(headers.authorization);
      if (!UUID.test(params[0])) return notFound;
      const { rows } = await pool.query({
        name: 'view',
        text: `SELECT ${COLUMNS}, xmin::text AS etag FROM app.${COLLECTION} WHERE id = $1 AND owner = $2`,
        values: [params[0], claims.sub],
      });
      if (!rows[0]) return notFound;
      const { etag, ...record } = rows[0];
      return { headers: { etag: `"${etag}"` }, json: record };
    },
  },
];

export async function prepare(context) {
  const { token, recordId } = await prepareRecords(context);
  const request = { path: `${RECORDS_PATH}/${recordId}`, headers: { authorization: `Bearer ${token}` } };
  return { hearth: request, baseline: request };
}
