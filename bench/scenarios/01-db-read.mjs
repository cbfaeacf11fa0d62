// A trivial database read: Hearth's /ready (one SELECT 1 through its pool,
// plus its storage check) against the same query through raw node:http + pg.
export const name = 'trivial database read (GET /ready)';
export const target = undefined;

export const baselineRoutes = {
  'GET /ready': async ({ pool }) => {
    await pool.query('SELECT 1');
    return { json: { status: 'ok', checks: { database: { ok: true } } } };
  },
};

export async function prepare() {
  return {
    hearth: { path: '/ready' },
    baseline: { path: '/ready' },
  };
}
