// Create a record: Hearth's POST /api/collections/benchposts/records (write
// rate limit, body validation, the create rule `auth != null && data.owner ==
// auth.id` checked on the record as it would be stored, INSERT ... RETURNING,
// a change event) against a raw route that verifies the same token, checks
// the body's fields and the rule in JS, and runs one prepared INSERT.
import { COLLECTION, COLUMNS, RECORDS_PATH, prepareRecords } from '../records-bench-setup.mjs';

export const name = 'create a record (10k rows)';
export const target = 0.75;

const failed = (field) => ({
  status: 400,
  json: { error: { code: 'validation/failed', details: { field } } },
});

export const baselineRoutes = [
  {
    method: 'POST',
    path: new RegExp(`^${RECORDS_PATH}$`),
    async handle({ pool, headers, body, verifyBearer }) {
      const claims = await verifyBearer(headers.authorization);
      if (!headers['content-type']?.startsWith('application/json')) {
        return { status: 415, json: { error: { code: 'request/unsupported-media-type' } } };
      }
      let input;
      try {
        input = JSON.parse(body);
      } catch {
        return { status: 400, json: { error: { code: 'request/invalid-json' } } };
      }
      const { title, published = false, owner } = input ?? {};
      if (typeof title !== 'string' || title.length > 200) return failed('title');
      if (typeof published !== 'boolean') return failed('published');
      if (owner !== claims.sub) return { status: 403, json: { error: { code: 'rules/denied' } } };
      const { rows } = await pool.query({
        name: 'create',
        text: `INSERT INTO app.${COLLECTION} (title, published, owner) VALUES ($1, $2, $3) RETURNING ${COLUMNS}, xmin::text AS etag`,
        values: [title, published, owner],
      });
      const { etag, ...record } = rows[0];
      return {
        status: 201,
        headers: { etag: `"${etag}"`, location: `${RECORDS_PATH}/${record.id}` },
        json: record,
      };
    },
  },
];

export async function prepare(context) {
  const { ownerId, token } = await prepareRecords(context);
  const request = {
    method: 'POST',
    path: RECORDS_PATH,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ title: 'benchmark post', owner: ownerId }),
  };
  return {
    hearth: request,
    baseline: request,
    async cleanup() {
      await context.pool.query(`DELETE FROM app.${COLLECTION} WHERE title = 'benchmark post'`);
    },
  };
}
