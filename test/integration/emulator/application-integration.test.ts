import { Sha256 } from '@aws-crypto/sha256-js';
import { GetTemporaryGlueTableCredentialsCommand, type LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCatalog, type Catalog, type RunningEmulator } from '../../../src/emulator/index.js';
import {
  CUSTOMERS_ARN,
  DEMO_CATALOG_YAML,
  errorOf,
  lakeFormationClient,
  noGrantsKeys,
  ORDERS_ARN,
  REGION,
  sidecarKeys,
  startTestEmulator,
  type Keys,
} from '../../support/emulator.js';
import { startStack } from '../../support/stack.js';

/**
 * Lake Formation's application-integration model in the emulator: STS
 * AssumeRole with session tags (through the SDK's own fromTemporaryCredentials),
 * the data-lake settings that decide who may get credentials, Glue GetTable,
 * and lfcs's upstream.assumeRole making lfcs an authorized caller.
 */
const ROLE = 'arn:aws:iam::123456789012:role/lfcs-authorized';
const TAG_VALUE = 'lfcs-authorized-app';

/** The demo catalog plus an assumable role (with an external id) holding the grants, and the data-lake settings. */
function integrationCatalog(settings: { allowFullTableExternalDataAccess: boolean }): Catalog {
  const demo = parseCatalog(DEMO_CATALOG_YAML);
  return {
    ...demo,
    roles: [
      ...demo.roles,
      { arn: ROLE, trustedPrincipals: ['arn:aws:iam::123456789012:role/lfcs-demo-sidecar'], externalId: 'lfcs-external-id' },
    ],
    grants: [...demo.grants, { principal: ROLE, table: 'sales.*', permissions: ['SELECT', 'DESCRIBE'] }],
    dataLakeSettings: { ...settings, authorizedSessionTagValues: [TAG_VALUE] },
  };
}

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startTestEmulator({ catalog: integrationCatalog({ allowFullTableExternalDataAccess: true }) });
});
afterAll(async () => {
  await emulator?.close();
});

function assumed(tags: Record<string, string>, options: { keys?: Keys; externalId?: string } = {}) {
  return fromTemporaryCredentials({
    params: {
      RoleArn: ROLE,
      RoleSessionName: 'integration-test',
      ExternalId: options.externalId ?? 'lfcs-external-id',
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    },
    masterCredentials: options.keys ?? sidecarKeys(),
    clientConfig: { region: REGION, endpoint: emulator.url, maxAttempts: 1 },
  });
}

const tableCall = (client: LakeFormationClient, tableArn: string) =>
  client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: tableArn, SupportedPermissionTypes: ['COLUMN_PERMISSION'] }));

describe('data-lake settings and STS session tags', () => {
  it('refuses a filtered table to a caller without the session tag, and serves it to a session that carries it', async () => {
    const plain = lakeFormationClient(emulator);
    const refused = await errorOf(() => tableCall(plain, CUSTOMERS_ARN));
    expect(refused.name).toBe('AccessDeniedException');
    expect(refused.message).toMatch(/has filters.*LakeFormationAuthorizedCaller/);

    const tagged = lakeFormationClient(emulator, { credentials: assumed({ LakeFormationAuthorizedCaller: TAG_VALUE }) });
    const answer = await tableCall(tagged, CUSTOMERS_ARN);
    expect(answer.AccessKeyId).toMatch(/^ASIA/);
    expect(answer.VendedS3Path).toEqual(['s3://demo-lake/sales/customers/']);
  });

  it('refuses a session whose tag value is not listed, and one without tags', async () => {
    for (const tags of [{ LakeFormationAuthorizedCaller: 'someone-else' }, {}] as Array<Record<string, string>>) {
      const client = lakeFormationClient(emulator, { credentials: assumed(tags) });
      expect((await errorOf(() => tableCall(client, CUSTOMERS_ARN))).name).toBe('AccessDeniedException');
    }
  });

  it('serves an unfiltered table to any principal with the grant when full table access is on', async () => {
    expect((await tableCall(lakeFormationClient(emulator), ORDERS_ARN)).AccessKeyId).toMatch(/^ASIA/);
  });

  it('with full table access off, serves unfiltered tables only to authorized callers', async () => {
    const strict = await startTestEmulator({ catalog: integrationCatalog({ allowFullTableExternalDataAccess: false }) });
    try {
      const refused = await errorOf(() => tableCall(lakeFormationClient(strict), ORDERS_ARN));
      expect(refused.name).toBe('AccessDeniedException');
      expect(refused.message).toMatch(/full table access/);
    } finally {
      await strict.close();
    }
  });

  it('STS refuses a principal the role does not trust, and a wrong external id, with AccessDenied', async () => {
    const untrusted = await errorOf(() => assumed({}, { keys: noGrantsKeys() })());
    expect(untrusted.name).toBe('AccessDenied');
    expect(untrusted.message).toMatch(/not authorized to perform: sts:AssumeRole/);
    expect((await errorOf(() => assumed({}, { externalId: 'wrong-id' })())).name).toBe('AccessDenied');
    const stats = (await (await fetch(`${emulator.url}/_emulator/stats`)).json()) as { calls: Record<string, Record<string, number>> };
    expect(stats.calls['AssumeRole']?.['AccessDenied']).toBeGreaterThanOrEqual(2);
  });

  it('STS checks the signature for service sts', async () => {
    const badSecret = await errorOf(() =>
      assumed({}, { keys: { ...sidecarKeys(), secretAccessKey: 'not-the-secret-000000000000000000000000' } })(),
    );
    expect(badSecret.name).toBe('SignatureDoesNotMatch');
  });
});

describe('Glue GetTable', () => {
  async function getTable(body: Record<string, unknown>, keys: Keys = sidecarKeys(), target = 'AWSGlue.GetTable') {
    const signer = new SignatureV4({ credentials: keys, region: REGION, service: 'glue', sha256: Sha256 });
    const payload = JSON.stringify(body);
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: emulator.port,
        path: '/',
        headers: { host: `127.0.0.1:${emulator.port}`, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
        body: payload,
      }),
    );
    const response = await fetch(`${emulator.url}/`, { method: 'POST', headers: signed.headers as Record<string, string>, body: payload });
    return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), json: (await response.json()) as any };
  }

  it('answers a catalog table with IsRegisteredWithLakeFormation and its location', async () => {
    const { status, json } = await getTable({ DatabaseName: 'sales', Name: 'orders' });
    expect(status).toBe(200);
    expect(json.Table).toMatchObject({
      Name: 'orders',
      DatabaseName: 'sales',
      IsRegisteredWithLakeFormation: true,
      StorageDescriptor: { Location: 's3://demo-lake/sales/orders/' },
    });
  });

  it('answers EntityNotFoundException, AccessDeniedException without a grant, and refuses other operations', async () => {
    expect((await getTable({ DatabaseName: 'sales', Name: 'missing' })).errorType).toBe('EntityNotFoundException');
    expect((await getTable({ DatabaseName: 'sales', Name: 'orders' }, noGrantsKeys())).errorType).toBe('AccessDeniedException');
    expect((await getTable({ DatabaseName: 'sales' }, sidecarKeys(), 'AWSGlue.GetDatabases')).errorType).toBe('UnknownOperationException');
    expect(
      (await getTable({ DatabaseName: 'sales', Name: 'orders' }, { ...sidecarKeys(), secretAccessKey: 'x'.repeat(40) })).errorType,
    ).toBe('InvalidSignatureException');
  });
});

describe('lfcs with upstream.assumeRole', () => {
  it('is an authorized caller: serves the filtered table the plain identity is refused', async () => {
    const catalog = integrationCatalog({ allowFullTableExternalDataAccess: true });
    const plain = await startStack({ catalog });
    const tagged = await startStack({
      catalog,
      config: (emulatorUrl) => ({
        upstream: {
          assumeRole: {
            roleArn: ROLE,
            sessionTags: { LakeFormationAuthorizedCaller: TAG_VALUE },
            externalId: 'lfcs-external-id',
            stsEndpoint: emulatorUrl,
          },
        },
      }),
    });
    try {
      const refused = await plain.get('/v1/credentials/customers');
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { code: string }).code).toBe('AccessDeniedException');

      const served = await tagged.get('/v1/credentials/customers');
      expect(served.status).toBe(200);
      const body = (await served.json()) as { AccessKeyId: string };
      expect(body.AccessKeyId).toMatch(/^ASIA/);
      // Lake Formation saw the role session, not the sidecar's own identity.
      const requests = (await tagged.emulatorJson<Array<{ principalArn: string; operation: string }>>('/_emulator/requests')).filter(
        (r) => r.operation === 'GetTemporaryGlueTableCredentials',
      );
      expect(requests.at(-1)!.principalArn).toBe(ROLE);
      const stats = await tagged.emulatorJson<{ calls: Record<string, Record<string, number>> }>('/_emulator/stats');
      expect(stats.calls['AssumeRole']).toEqual({ success: 1 });
      expect(tagged.logs()).not.toContain('lfcsDemoSecretKey');
    } finally {
      await plain.close();
      await tagged.close();
    }
  });
});
