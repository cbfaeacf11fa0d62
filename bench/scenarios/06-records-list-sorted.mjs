// List 20 records as their owner sorted by a user field (?sort=title): the
// same as 05 in another order, which Hearth compiles from the schema and the
// baseline answers with its second prepared statement (05-records-list.mjs).
import { RECORDS_PATH, prepareRecords } from '../records-bench-setup.mjs';

export const name = 'list 20 records as their owner, sorted by title (10k rows)';
export const target = 0.8;

export const baselineRoutes = [];

export async function prepare(context) {
  const { token } = await prepareRecords(context);
  const request = {
    path: `${RECORDS_PATH}?limit=20&sort=title`,
    headers: { authorization: `Bearer ${token}` },
  };
  return { hearth: request, baseline: request };
}
