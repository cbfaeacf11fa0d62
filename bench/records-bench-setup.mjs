// Shared set-up for the record API scenarios: one collection of 10,000 rows
// spread over 100 owners, with the owner-only rules from the issue, and a
// signed-in owner. Seeded once per run whichever scenario asks first.
import { randomBytes } from 'node:crypto';
import { createAdminUser, hashPassword } from '@hearth/server';

export const COLLECTION = 'benchposts';
export const ROWS = 10_000;
const OWNERS = 100;
const PASSWORD = 'bench passphrase for records';

export const schema = {
  collections: {
    [COLLECTION]: {
      fields: {
        title: { type: 'text', required: true, max: 200 },
        published: { type: 'bool', default: false },
        owner: { type: 'relation', to: 'users', required: true },
      },
      // One index per list order the bench measures: the default (createdAt) and a user field (title).
      indexes: [{ fields: ['owner', 'createdAt'] }, { fields: ['owner', 'title'] }],
      rules: {
        list: 'owner == auth.id',
        view: 'owner == auth.id',
        create: 'auth != null && data.owner == auth.id',
        update: 'owner == auth.id',
        delete: 'owner == auth.id',
      },
    },
  },
};

/** The columns the record API returns, for the baseline's equivalent SQL. */
export const COLUMNS = 'id, "createdAt", "updatedAt", title, published, owner';
/** The path of the collection's records, the same for Hearth and the baseline. */
export const RECORDS_PATH = `/api/collections/${COLLECTION}/records`;
/** What a record id looks like; anything else is a 404 without a query, as in Hearth. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let prepared;

async function login(hearthUrl, email) {
  const response = await fetch(`${hearthUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const body = await response.json();
  if (!body.session) throw new Error(`bench login failed with ${response.status}: ${JSON.stringify(body)}`);
  return body.session.accessToken;
}

export function prepareRecords({ hearthUrl, pool }) {
  prepared ??= (async () => {
    const tag = randomBytes(4).toString('hex');
    const adminEmail = `bench-admin-${tag}@example.test`;
    await createAdminUser(pool, { email: adminEmail, password: PASSWORD });
    const adminToken = await login(hearthUrl, adminEmail);
    const push = await fetch(`${hearthUrl}/api/admin/schema`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ schema }),
    });
    if (!push.ok) throw new Error(`bench schema push failed with ${push.status}: ${await push.text()}`);

    const passwordHash = await hashPassword(PASSWORD);
    const { rows: owners } = await pool.query(
      `INSERT INTO hearth.users (email, "passwordHash", "emailVerified")
       SELECT 'bench-owner-' || $1 || '-' || n || '@example.test', $2, true FROM generate_series(1, $3) AS n
       RETURNING id, email`,
      [tag, passwordHash, OWNERS],
    );
    await pool.query(
      `INSERT INTO app.${COLLECTION} (title, published, owner, "createdAt")
       SELECT 'post ' || n, n % 2 = 0, ($1::uuid[])[1 + n % $2], now() - make_interval(secs => n)
       FROM generate_series(1, $3) AS n`,
      [owners.map((o) => o.id), OWNERS, ROWS],
    );
    await pool.query(`ANALYZE app.${COLLECTION}`);
    const owner = owners[0];
    const token = await login(hearthUrl, owner.email);
    const { rows: mine } = await pool.query(`SELECT id FROM app.${COLLECTION} WHERE owner = $1 LIMIT 1`, [
      owner.id,
    ]);
    return { ownerId: owner.id, token, recordId: mine[0].id };
  })();
  return prepared;
}
