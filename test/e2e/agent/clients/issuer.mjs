// A standalone OIDC issuer for the agent network tests, run inside the test's network namespace
// (the test process cannot listen there itself): serves the discovery document and the JWKS on
// 127.0.0.1:<port>, re-reading the JWKS file on every request, so the test, which holds the
// private keys (test/support/oidc-issuer.ts TestIssuer), rotates keys by rewriting the file.
// Usage: node issuer.mjs <port> <jwks.json>. The issuer is http://127.0.0.1:<port>.
// Logs one JSON line per request (discovery, or the kids of the JWKS served) so the test can count fetches.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [port, jwksFile] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const server = createServer((req, res) => {
  const send = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.url === '/.well-known/openid-configuration') {
    // A hash of the Authorization header lfcs sent (its own token), never the token itself.
    const authorization = req.headers.authorization;
    const authorizationSha256 = authorization === undefined ? null : createHash('sha256').update(authorization).digest('hex');
    console.log(JSON.stringify({ msg: 'discovery', authorizationSha256 }));
    return send(200, { issuer, jwks_uri: `${issuer}/openid/v1/jwks`, id_token_signing_alg_values_supported: ['RS256', 'ES256'] });
  }
  if (req.url === '/openid/v1/jwks') {
    const jwks = JSON.parse(readFileSync(jwksFile, 'utf8'));
    console.log(JSON.stringify({ msg: 'jwks', keys: jwks.keys.map((k) => k.kid) }));
    return send(200, jwks);
  }
  send(404, { message: 'not found' });
});
server.listen(Number(port), '127.0.0.1', () => console.log(`issuer listening at ${issuer}`));
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
