// The raw baseline: plain node:http + pg, no framework, doing the same work
// as the Hearth endpoint a scenario measures. Started as a child process.
import { createServer } from 'node:http';
import pg from 'pg';
import { loadScenarios } from './scenarios.mjs';

const pool = new pg.Pool({ connectionString: process.env.BENCH_DATABASE_URL, max: 10 });
const routes = new Map();
for (const scenario of await loadScenarios()) {
  for (const [key, handler] of Object.entries(scenario.baselineRoutes ?? {})) routes.set(key, handler);
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

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://baseline');
  const handler = routes.get(`${req.method} ${url.pathname}`);
  if (!handler) {
    res.writeHead(404).end();
    return;
  }
  try {
    const body = req.method === 'GET' ? undefined : await readBody(req);
    const { status = 200, json } = await handler({ pool, url, headers: req.headers, body });
    const text = JSON.stringify(json);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  } catch (error) {
    res.writeHead(500).end(String(error));
  }
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`baseline listening at http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
