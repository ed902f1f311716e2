import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fromContainerMetadata, fromHttp } from '@aws-sdk/credential-providers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDERS_LOCATION, RETURNS_LOCATION } from '../../support/demo.js';
import { findMinted, startStack, type Stack } from '../../support/stack.js';

/**
 * Real credential consumers against a running sidecar and emulator: each must
 * get exactly the credentials the emulator minted, with enough lifetime left
 * that it would not refresh (botocore and Java refresh at 15 min left).
 */
const run = promisify(execFile);
const FIFTEEN_MINUTES_MS = 15 * 60 * 1000;

let stack: Stack;
let home: string;
beforeAll(async () => {
  // A location profile: two tables' locations in one bucket, one lease (what an S3A per-bucket provider asks for).
  stack = await startStack({
    config: {
      profiles: { 'sales-lake': { locations: [ORDERS_LOCATION, RETURNS_LOCATION] } },
      dynamic: { allowedLocations: ['s3://demo-lake/sales/*'] },
    },
  });
  home = mkdtempSync(join(tmpdir(), 'lfcs-home-'));
});
afterAll(async () => {
  await stack?.close();
  rmSync(home, { recursive: true, force: true });
});

/** An environment with no other credential source, so the chain can only find the container provider. */
function consumerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    ...extra,
  };
}

describe('@aws-sdk/credential-providers', () => {
  it('fromHttp with the token file gets the minted credentials', async () => {
    const creds = await fromHttp({
      awsContainerCredentialsFullUri: `${stack.sidecar.credentialsUrl}/v1/credentials/orders`,
      awsContainerAuthorizationTokenFile: stack.tokenFile,
    })();
    expect(await findMinted(stack, creds)).toBeDefined();
    expect(creds.expiration!.getTime() - Date.now()).toBeGreaterThan(FIFTEEN_MINUTES_MS);
  });

  it('fromHttp reaches the partition profile and the dynamic route', async () => {
    const partition = await fromHttp({
      awsContainerCredentialsFullUri: `${stack.sidecar.credentialsUrl}/v1/credentials/orders-2024-01-01`,
      awsContainerAuthorizationToken: stack.token,
    })();
    expect(await findMinted(stack, partition)).toBeDefined();
    const query = new URLSearchParams({
      table: 'arn:aws:glue:us-east-1:123456789012:table/sales/orders',
      permissions: 'SELECT,DESCRIBE',
      queryId: 'conformance-q1',
    });
    const dynamic = await fromHttp({
      awsContainerCredentialsFullUri: `${stack.sidecar.credentialsUrl}/v1/credentials?${query}`,
      awsContainerAuthorizationToken: stack.token,
    })();
    expect(await findMinted(stack, dynamic)).toBeDefined();
    expect(dynamic.accessKeyId).not.toBe(partition.accessKeyId);
  });

  it('fromHttp reaches the location profile and a location= dynamic request', async () => {
    const profile = await fromHttp({
      awsContainerCredentialsFullUri: `${stack.sidecar.credentialsUrl}/v1/credentials/sales-lake`,
      awsContainerAuthorizationTokenFile: stack.tokenFile,
    })();
    expect(await findMinted(stack, profile)).toBeDefined();
    expect(profile.expiration!.getTime() - Date.now()).toBeGreaterThan(FIFTEEN_MINUTES_MS);
    const query = new URLSearchParams({ location: JSON.stringify([RETURNS_LOCATION, ORDERS_LOCATION]) });
    const dynamic = await fromHttp({
      awsContainerCredentialsFullUri: `${stack.sidecar.credentialsUrl}/v1/credentials?${query}`,
      awsContainerAuthorizationToken: stack.token,
    })();
    // The same canonical location set: the profile's lease, not a second call.
    expect(dynamic.accessKeyId).toBe(profile.accessKeyId);
  });

  it('fromContainerMetadata with the env token gets the minted credentials', async () => {
    const saved = { ...process.env };
    process.env['AWS_CONTAINER_CREDENTIALS_FULL_URI'] = `${stack.sidecar.credentialsUrl}/v1/credentials/customers`;
    process.env['AWS_CONTAINER_AUTHORIZATION_TOKEN'] = stack.token;
    delete process.env['AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'];
    try {
      const creds = await fromContainerMetadata({ timeout: 2000, maxRetries: 0 })();
      expect(await findMinted(stack, creds)).toBeDefined();
      expect(creds.expiration!.getTime() - Date.now()).toBeGreaterThan(FIFTEEN_MINUTES_MS);
    } finally {
      process.env = saved;
    }
  });

  it('the Node default provider chain finds the sidecar from the two environment variables', async () => {
    const script = `
      import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
      const c = await fromNodeProviderChain()();
      console.log(JSON.stringify({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey,
        sessionToken: c.sessionToken, expiration: c.expiration?.toISOString() }));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: process.cwd(),
      timeout: 15_000,
      env: consumerEnv({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${stack.sidecar.credentialsUrl}/v1/credentials/orders`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: stack.tokenFile,
      }),
    });
    const creds = JSON.parse(stdout) as { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
    expect(await findMinted(stack, creds)).toBeDefined();
    expect(Date.parse(creds.expiration) - Date.now()).toBeGreaterThan(FIFTEEN_MINUTES_MS);
  });
});

/**
 * The first interpreter that can import botocore: the image's `python3`, or
 * Debian's (where .ci/run installs python3-botocore when neither has it).
 */
let python: string | undefined;
async function pythonWithBotocore(): Promise<string> {
  if (python) return python;
  for (const candidate of ['python3', '/usr/bin/python3']) {
    const ok = await run(candidate, ['-c', 'import botocore'], { timeout: 15_000 }).then(
      () => true,
      () => false,
    );
    if (ok) {
      python = candidate;
      return python;
    }
  }
  throw new Error('no python3 with botocore: install python3-botocore (apt-get install -y python3-botocore)');
}

describe('botocore', () => {
  const script = `
import json, botocore.session
session = botocore.session.get_session()
creds = session.get_credentials()
frozen = creds.get_frozen_credentials()
print(json.dumps({"method": creds.method, "accessKeyId": frozen.access_key, "secretAccessKey": frozen.secret_key,
  "sessionToken": frozen.token, "refreshNeeded": creds.refresh_needed(), "mandatoryRefreshNeeded": creds.refresh_needed(600)}))
`;

  async function botocore(env: Record<string, string>) {
    const { stdout } = await run(await pythonWithBotocore(), ['-c', script], { timeout: 15_000, env: consumerEnv(env) });
    return JSON.parse(stdout) as {
      method: string;
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken: string;
      refreshNeeded: boolean;
      mandatoryRefreshNeeded: boolean;
    };
  }

  it('the default session with the token file gets minted credentials it does not want to refresh', async () => {
    const creds = await botocore({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${stack.sidecar.credentialsUrl}/v1/credentials/orders`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: stack.tokenFile,
    });
    expect(creds.method).toBe('container-role');
    expect(await findMinted(stack, creds)).toBeDefined();
    expect(creds.refreshNeeded).toBe(false);
    expect(creds.mandatoryRefreshNeeded).toBe(false);
  });

  it('the location profile serves botocore minted credentials it does not want to refresh', async () => {
    const creds = await botocore({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${stack.sidecar.credentialsUrl}/v1/credentials/sales-lake`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: stack.tokenFile,
    });
    expect(creds.method).toBe('container-role');
    expect(await findMinted(stack, creds)).toBeDefined();
    expect(creds.refreshNeeded).toBe(false);
  });

  it('the legacy env token works too', async () => {
    const creds = await botocore({
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${stack.sidecar.credentialsUrl}/v1/credentials/orders-2024-01-01`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: stack.token,
    });
    expect(creds.method).toBe('container-role');
    expect(await findMinted(stack, creds)).toBeDefined();
  });

  it('a wrong token is refused and botocore reports the sidecar error', async () => {
    await expect(
      botocore({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${stack.sidecar.credentialsUrl}/v1/credentials/orders`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: 'not-the-token-0123456789',
      }),
    ).rejects.toThrow(/Unauthorized|401|Error/);
    expect(stack.logs()).not.toContain(stack.token);
  }, 30_000);
});
