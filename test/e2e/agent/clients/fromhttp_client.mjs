// The AWS SDK for JavaScript v3's fromHttp (from @aws-sdk/credential-providers, the repo's own
// dependency), configured by nothing but AWS_CONTAINER_CREDENTIALS_FULL_URI and
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE. Prints one JSON line with the access key id and sha256
// hashes of the secret and session token (never the secrets); on the client's error, {error,
// message} and exit code 3.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fromHttp } from '@aws-sdk/credential-providers';

const sha256 = (value) => createHash('sha256').update(value).digest('hex');
// fromHttp lives in @aws-sdk/credential-provider-http, resolved from where credential-providers is.
const providers = createRequire(import.meta.url).resolve('@aws-sdk/credential-providers');
const version = (name) => {
  // The package.json above the resolved entry point (exports do not list package.json).
  const entry = createRequire(providers).resolve(name);
  const root = entry.slice(0, entry.lastIndexOf(`/node_modules/${name}/`) + `/node_modules/${name}/`.length);
  return JSON.parse(readFileSync(`${root}package.json`, 'utf8')).version;
};

try {
  const credentials = await fromHttp({})();
  console.log(
    JSON.stringify({
      sdk: `@aws-sdk/credential-providers ${version('@aws-sdk/credential-providers')} / @aws-sdk/credential-provider-http ${version('@aws-sdk/credential-provider-http')}`,
      provider: 'fromHttp',
      accessKeyId: credentials.accessKeyId,
      secretAccessKeySha256: sha256(credentials.secretAccessKey),
      sessionTokenSha256: sha256(credentials.sessionToken ?? ''),
    }),
  );
} catch (err) {
  const chain = [];
  for (let e = err; e; e = e.cause) chain.push(e.name ?? typeof e);
  console.log(JSON.stringify({ error: chain.join(' <- '), message: String(err?.message ?? err) }));
  process.exitCode = 3;
}
