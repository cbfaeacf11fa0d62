// The raw baseline: what an honest hand-written server does for the same
// question as the Hearth endpoint a scenario measures. Plain node:http + pg,
// prepared (named) statements, the least SQL that gives the same answer with
// the same response fields, and the bearer check an owner-only rule needs
// (baseline-jwt.mjs). Started as a child process by run.mjs, after Hearth,
// whose JWKS it trusts.
import { createServer } from 'node:http';
import pg from 'pg';
import { bearerVerifier, Unauthorized } from './baseline-jwt.mjs';
import { loadScenarios } from './scenarios.mjs';

const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 10 });
const verifyBearer = bearerVerifier(new URL('/.well-known/jwks.json', process.env.BENCH_HEARTH_URL));
const routes = [];
for (const scenario of await loadScenarios()) routes.push(...(scenario.baselineRoutes ?? []));

function route(method, path) {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const match = candidate.path.exec(path);
    if (match) return { handle: candidate.handle, params: match.slice(1) };
  }
  return undefined;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function send(res, status, json, headers = {}) {
  const text = JSON.stringify(json);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const server = createServer(async (req, res) => {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  const found = route(req.method, mark === -1 ? url : url.slice(0, mark));
  if (!found) return send(res, 404, { error: { code: 'not-found' } });
  try {
    const body = req.method === 'GET' ? undefined : await readBody(req);
    const query = new URLSearchParams(mark === -1 ? '' : url.slice(mark + 1));
    const answer = await found.handle({
      pool,
      params: found.params,
      query,
      headers: req.headers,
      body,
      verifyBearer,
    });
    send(res, answer.status ?? 200, answer.json, answer.headers);
  } catch (error) {
    if (error instanceof Unauthorized) send(res, 401, { error: { code: 'auth/invalid-token' } });
    else send(res, 500, { error: { code: 'internal', message: String(error) } });
  }
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`baseline listening at http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
