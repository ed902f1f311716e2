/**
 * Baseline for the hit-path benchmark: bare node:http doing what a sidecar
 * hit must do at minimum (constant-time token check, then the same
 * credentials body and headers) and nothing else: the ceiling for lfcs.
 * Prints {"url","token"} on stdout when listening; exits on SIGTERM.
 */
import { createServer } from 'node:http';
import { payload, token, tokenMatches } from './baseline-body.mjs';

const length = String(Buffer.byteLength(payload));

const server = createServer((req, res) => {
  const header = req.headers.authorization;
  const ok = tokenMatches(header);
  if (!ok || req.method !== 'GET' || !req.url.startsWith('/v1/credentials/')) {
    res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"code":"Unauthorized"}');
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': length });
  res.end(payload);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, token })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
