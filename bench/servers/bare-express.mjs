/**
 * Baseline for the hit-path benchmark: a bare Express 5 app that does what a
 * sidecar hit must do at minimum (constant-time token check, then a
 * credentials body with the same headers) and nothing else.
 * Prints {"url","token"} on stdout when listening; exits on SIGTERM.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import express from 'express';

const token = randomBytes(32).toString('base64url');
const digest = createHash('sha256').update(token).digest();
const payload = JSON.stringify({
  AccessKeyId: 'ASIALFCSEMU000000001',
  SecretAccessKey: randomBytes(30).toString('base64'),
  Token: 'IQoJb3JpZ2luX2Vj' + randomBytes(360).toString('base64'),
  Expiration: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  AccountId: '123456789012',
});

const app = express();
app.disable('x-powered-by');
app.disable('etag');
app.get('/v1/credentials/:profile', (req, res) => {
  const header = req.headers.authorization;
  const ok = header !== undefined && timingSafeEqual(createHash('sha256').update(header).digest(), digest);
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
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, token }) + '\n');
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
