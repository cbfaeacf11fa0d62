// List 20 records as their owner under `owner == auth.id`, in the default
// order: Hearth's GET /api/collections/benchposts/records?limit=20 (rule in
// the WHERE, keyset order, a signed next cursor) against a raw route that
// verifies the same token and runs one prepared
// SELECT ... WHERE owner = <sub> ORDER BY "createdAt", id LIMIT 21.
// The same route answers 06's sort by a user field (title).
import { COLLECTION, COLUMNS, RECORDS_PATH, UUID, prepareRecords } from '../records-bench-setup.mjs';

export const name = 'list 20 records as their owner (owner == auth.id, 10k rows)';
export const target = 0.8;

/** The orders the baseline knows: the sort column, and the statements for the first and later pages. */
const ORDERS = new Map(
  [
    ['', '"createdAt"'],
    ['title', 'title'],
  ].map(([sort, column]) => {
    const select = `SELECT ${COLUMNS} FROM app.${COLLECTION} WHERE owner = $1`;
    return [
      sort,
      {
        key: sort === '' ? 'createdAt' : sort,
        first: { name: `list-${sort}`, text: `${select} ORDER BY ${column}, id LIMIT $2` },
        after: {
          name: `list-${sort}-after`,
          text: `${select} AND (${column}, id) > ($3, $4) ORDER BY ${column}, id LIMIT $2`,
        },
      },
    ];
  }),
);

const invalid = (param) => ({ status: 400, json: { error: { code: 'query/invalid', details: { param } } } });

export const baselineRoutes = [
  {
    method: 'GET',
    path: new RegExp(`^${RECORDS_PATH}$`),
    async handle({ pool, query, headers, verifyBearer }) {
      const claims = await verifyBearer(headers.authorization);
      const order = ORDERS.get(query.get('sort') ?? '');
      if (!order) return invalid('sort');
      const limit = Number(query.get('limit') ?? 20);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) return invalid('limit');
      // The cursor is the last row's sort value and id; both are bound parameters, so it needs no signature.
      let after;
      const cursor = query.get('cursor');
      if (cursor) {
        try {
          after = JSON.parse(Buffer.from(cursor, 'base64url').toString());
        } catch {
          return invalid('cursor');
        }
        if (!Array.isArray(after) || after.length !== 2 || !UUID.test(after[1])) return invalid('cursor');
      }
      const statement = after ? order.after : order.first;
      const values = after ? [claims.sub, limit + 1, ...after] : [claims.sub, limit + 1];
      const { rows } = await pool.query({ ...statement, values });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const lastKey = last?.[order.key];
      const nextCursor =
        rows.length > limit
          ? Buffer.from(
              JSON.stringify([lastKey instanceof Date ? lastKey.toISOString() : lastKey, last.id]),
            ).toString('base64url')
          : null;
      return { json: { items, nextCursor } };
    },
  },
];

export async function prepare(context) {
  const { token } = await prepareRecords(context);
  const request = { path: `${RECORDS_PATH}?limit=20`, headers: { authorization: `Bearer ${token}` } };
  return { hearth: request, baseline: request };
}
