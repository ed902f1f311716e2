/**
 * Baseline for the hit-path benchmark: a bare Express 5 app that does what a
 * sidecar hit must do at minimum (constant-time token check, then a
 * credentials body with the same headers) and nothing else.
 * Prints {"url","token"} on stdout when listening; exits on SIGTERM.
 */
import express from 'express';
import { payload, token, tokenMatches } from './baseline-body.mjs';

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.get('/v1/credentials/:profile', (req, res) => {
  const header = req.headers.authorization;
  const ok = tokenMatches(header);
  if (!ok) {
    res.status(401).setHeader('Content-Type', 'application/json').end('{"code":"Unauthorized"}');
    return;
  }
  res.status(200);
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, token })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
