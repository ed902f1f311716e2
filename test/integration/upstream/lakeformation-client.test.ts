import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRINCIPAL, type RunningEmulator } from '../../../src/emulator/index.js';
import { LfcsError, UpstreamError } from '../../../src/core/errors.js';
import { createLakeFormationVending } from '../../../src/upstream/lakeformation-client.js';
import { ORDERS_ARN, PAYMENTS_ARN } from '../../support/demo.js';
import { startTestEmulator } from '../../support/emulator.js';

/** The vending client with the real SDK over HTTP against the emulator. */
let emulator: RunningEmulator;
let vending: ReturnType<typeof createLakeFormationVending>;
const credentials = { accessKeyId: DEMO_PRINCIPAL.accessKeyId, secretAccessKey: DEMO_PRINCIPAL.secretAccessKey };

beforeAll(async () => {
  emulator = await startTestEmulator();
  vending = createLakeFormationVending({ region: 'us-east-1', endpoint: emulator.url, credentials, timeoutMs: 2000 });
});
afterAll(async () => {
  vending.destroy();
  await emulator.close();
});

async function lastRequestBody(): Promise<Record<string, unknown>> {
  const entries = (await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as Array<{ body: Record<string, unknown> }>;
  return entries.at(-1)!.body;
}

async function setFaults(faults: Record<string, unknown> | null): Promise<void> {
  await fetch(`${emulator.url}/_emulator/faults`, {
    method: faults ? 'POST' : 'DELETE',
    headers: { 'Content-Type': 'application/json' },
    ...(faults && { body: JSON.stringify(faults) }),
  });
}

describe('createLakeFormationVending', () => {
  it('sends every table request field and returns the lease with the granted expiration', async () => {
    const lease = await vending.vend({
      operation: 'GetTemporaryGlueTableCredentials',
      tableArn: ORDERS_ARN,
      permissions: ['SELECT'],
      supportedPermissionTypes: ['COLUMN_PERMISSION'],
      durationSeconds: 900,
      s3Path: 's3://demo-lake/sales/orders/dt=2024-01-01/',
      auditContext: { additionalAuditContext: 'job=nightly' },
      querySessionContext: {
        queryId: 'q-1',
        queryStartTime: new Date('2026-11-25T06:00:00.500Z'),
        clusterId: 'cluster-1',
        queryAuthorizationId: 'auth-1',
        additionalContext: { engine: 'spark', user: 'etl' },
      },
    });
    expect(lease.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(lease.vendedS3Path).toEqual(['s3://demo-lake/sales/orders/dt=2024-01-01/']);
    const remaining = (lease.expiration.getTime() - Date.now()) / 1000;
    expect(remaining).toBeGreaterThan(800);
    expect(remaining).toBeLessThanOrEqual(900);
    expect(await lastRequestBody()).toEqual({
      TableArn: ORDERS_ARN,
      Permissions: ['SELECT'],
      SupportedPermissionTypes: ['COLUMN_PERMISSION'],
      DurationSeconds: 900,
      S3Path: 's3://demo-lake/sales/orders/dt=2024-01-01/',
      AuditContext: { AdditionalAuditContext: 'job=nightly' },
      QuerySessionContext: {
        QueryId: 'q-1',
        QueryStartTime: 1_795_586_400.5,
        ClusterId: 'cluster-1',
        QueryAuthorizationId: 'auth-1',
        AdditionalContext: { engine: 'spark', user: 'etl' },
      },
    });
  });

  it('sends the partition request fields', async () => {
    const lease = await vending.vend({
      operation: 'GetTemporaryGluePartitionCredentials',
      tableArn: ORDERS_ARN,
      partitionValues: ['2024-01-02'],
      permissions: ['SELECT'],
      durationSeconds: 1800,
      supportedPermissionTypes: ['COLUMN_PERMISSION'],
      auditContext: { additionalAuditContext: 'p' },
    });
    expect(lease.sessionToken.length).toBeGreaterThan(100);
    expect(await lastRequestBody()).toEqual({
      TableArn: ORDERS_ARN,
      Partition: { Values: ['2024-01-02'] },
      Permissions: ['SELECT'],
      DurationSeconds: 1800,
      SupportedPermissionTypes: ['COLUMN_PERMISSION'],
      AuditContext: { AdditionalAuditContext: 'p' },
    });
  });

  it('classifies AccessDenied as permanent, keeping the upstream code', async () => {
    const error = await vending
      .vend({ operation: 'GetTemporaryGlueTableCredentials', tableArn: PAYMENTS_ARN, permissions: ['SELECT'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'AccessDeniedException', retryable: false, upstreamStatus: 403 });
  });

  it('makes one attempt only, so throttling reaches the cache (which retries behind its rate limit)', async () => {
    await setFaults({ throttleNext: 1 });
    try {
      const error = await vending.vend({ operation: 'GetTemporaryGlueTableCredentials', tableArn: ORDERS_ARN }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ThrottlingException', retryable: true });
    } finally {
      await setFaults(null);
    }
  });

  it('reports an outage as UpstreamUnavailable and a slow answer as UpstreamTimeout', async () => {
    const fast = createLakeFormationVending({ region: 'us-east-1', endpoint: emulator.url, credentials, timeoutMs: 200 });
    try {
      await setFaults({ outage: true });
      await expect(fast.vend({ operation: 'GetTemporaryGlueTableCredentials', tableArn: ORDERS_ARN })).rejects.toMatchObject({
        code: 'UpstreamUnavailable',
        retryable: true,
      });
      await setFaults(null);
      await setFaults({ latencyMs: 1000 });
      await expect(fast.vend({ operation: 'GetTemporaryGlueTableCredentials', tableArn: ORDERS_ARN })).rejects.toMatchObject({
        code: 'UpstreamTimeout',
        retryable: true,
      });
    } finally {
      await setFaults(null);
      fast.destroy();
    }
  });
});

describe('a 200 answer without key material', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // A stand-in upstream that answers 200 with an incomplete body, over real HTTP.
    server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (req.url?.includes('Partition')) {
        // Not JSON: Node 22's JSON.parse message quotes the text around the error.
        res.end('{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"LEAKED/secret/value/0123456789"x}');
        return;
      }
      res.end(JSON.stringify({ AccessKeyId: 'ASIAEXAMPLE', SessionToken: 'x' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is an InvalidUpstreamResponse naming the missing fields', async () => {
    const broken = createLakeFormationVending({ region: 'us-east-1', endpoint: url, credentials });
    try {
      const error = await broken.vend({ operation: 'GetTemporaryGlueTableCredentials', tableArn: ORDERS_ARN }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LfcsError);
      expect(error).toMatchObject({ code: 'InvalidUpstreamResponse' });
      expect((error as Error).message).toContain('SecretAccessKey, Expiration');
    } finally {
      broken.destroy();
    }
  });

  it('an unparseable 200 answer never quotes the body in the error', async () => {
    const broken = createLakeFormationVending({ region: 'us-east-1', endpoint: url, credentials });
    try {
      const error = await broken
        .vend({ operation: 'GetTemporaryGluePartitionCredentials', tableArn: ORDERS_ARN, partitionValues: ['x'] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LfcsError);
      expect(JSON.stringify({ message: (error as Error).message, ...(error as object) })).not.toContain('LEAKED');
    } finally {
      broken.destroy();
    }
  });
});

describe('createLakeFormationVending for data locations', () => {
  it('sends every data-location field and keeps AccessibleDataLocations and CredentialsScope with the lease', async () => {
    const lease = await vending.vend({
      operation: 'GetTemporaryDataLocationCredentials',
      dataLocations: ['s3://demo-lake/sales/orders', 's3://demo-lake/sales/returns'],
      credentialsScope: 'READ',
      durationSeconds: 900,
      auditContext: { additionalAuditContext: 'job=nightly' },
    });
    expect(lease.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(lease.accessibleDataLocations).toEqual(['s3://demo-lake/sales/orders', 's3://demo-lake/sales/returns']);
    expect(lease.credentialsScope).toBe('READ');
    expect((lease.expiration.getTime() - Date.now()) / 1000).toBeLessThanOrEqual(900);
    expect(await lastRequestBody()).toEqual({
      DataLocations: ['s3://demo-lake/sales/orders', 's3://demo-lake/sales/returns'],
      CredentialsScope: 'READ',
      DurationSeconds: 900,
      AuditContext: { AdditionalAuditContext: 'job=nightly' },
    });
  });

  it('classifies a refusal by name, as permanent', async () => {
    const error = await vending
      .vend({ operation: 'GetTemporaryDataLocationCredentials', dataLocations: ['s3://demo-lake/raw/x'], credentialsScope: 'READ' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ code: 'EntityNotFoundException', retryable: false });
  });

  describe('against a server that leaves out AccessibleDataLocations or the key material', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const credentials = { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: 4_102_444_800 };
        // Both cases share one path; the audit context in the body tells them apart.
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          const broken = body.includes('no-keys');
          res.end(JSON.stringify(broken ? { AccessibleDataLocations: ['s3://x/y'] } : { Credentials: credentials }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('claims no location when AccessibleDataLocations is absent, and fails without key material', async () => {
      const client = createLakeFormationVending({ region: 'us-east-1', endpoint: url, credentials });
      try {
        const lease = await client.vend({ operation: 'GetTemporaryDataLocationCredentials', dataLocations: ['s3://x/y'] });
        expect(lease.accessibleDataLocations).toEqual([]);
        const error = await client
          .vend({
            operation: 'GetTemporaryDataLocationCredentials',
            dataLocations: ['s3://x/y'],
            auditContext: { additionalAuditContext: 'no-keys' },
          })
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'InvalidUpstreamResponse' });
        expect((error as Error).message).toContain('AccessKeyId, SecretAccessKey, SessionToken, Expiration');
      } finally {
        client.destroy();
      }
    });
  });
});
