import { connect } from 'node:net';
import {
  AccessDeniedException,
  EntityNotFoundException,
  GetDataLakeSettingsCommand,
  GetTemporaryDataLocationCredentialsCommand,
  GetTemporaryGluePartitionCredentialsCommand,
  GetTemporaryGlueTableCredentialsCommand,
  InternalServiceException,
  InvalidInputException,
  LakeFormationClient,
  OperationTimeoutException,
  PermissionTypeMismatchException,
} from '@aws-sdk/client-lakeformation';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorOf } from '../../support/emulator.js';
import { ORDERS_LOCATION, RETURNS_LOCATION } from '../../support/demo.js';
import { ACCOUNT, CUSTOMERS_ARN, findMinted, ORDERS_ARN, PAYMENTS_ARN, sha256, startStack, type Stack } from '../../support/stack.js';

/**
 * The Lake Formation API listener on a real socket, called by the real
 * `@aws-sdk/client-lakeformation` with the caller's own (arbitrary) keys, in
 * front of the emulator. Each modeled error must reach the SDK as its typed
 * exception, and the emulator must see one call per distinct request.
 */
let stack: Stack;
let client: LakeFormationClient;
const CALLER_KEYS = { accessKeyId: 'ASIACALLEROWNKEY0001', secretAccessKey: 'caller-secret-never-seen-by-lfcs-000000' };

beforeAll(async () => {
  stack = await startStack({
    config: {
      lakeformationApi: { enabled: true, port: 0 },
      // One attempt, so injected upstream failures reach the caller at once.
      upstream: { maxAttempts: 1 },
      dynamic: {
        allowedTables: [`arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/*`],
        allowedLocations: ['s3://demo-lake/sales/*'],
      },
    },
  });
  client = new LakeFormationClient({
    endpoint: stack.sidecar.lakeformationApiUrl!,
    region: 'us-east-1',
    credentials: CALLER_KEYS,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client?.destroy();
  await stack?.close();
});
beforeEach(async () => {
  await fetch(`${stack.emulator.url}/_emulator/faults`, { method: 'DELETE' });
});

const tableCalls = async () =>
  (await stack.emulatorJson<{ calls: Record<string, Record<string, number>> }>('/_emulator/stats')).calls[
    'GetTemporaryGlueTableCredentials'
  ] ?? {};

describe('Lake Formation API listener', () => {
  it("serves Iceberg's request (TableArn + COLUMN_PERMISSION) twice with one call at the emulator", async () => {
    const before = (await tableCalls())['success'] ?? 0;
    const input = { TableArn: ORDERS_ARN, SupportedPermissionTypes: ['COLUMN_PERMISSION' as const] };
    const first = await client.send(new GetTemporaryGlueTableCredentialsCommand(input));
    const second = await client.send(new GetTemporaryGlueTableCredentialsCommand(input));
    expect(first.Expiration).toBeInstanceOf(Date);
    expect(first.Expiration!.getTime()).toBeGreaterThan(Date.now() + 15 * 60_000);
    expect(first.VendedS3Path).toEqual(['s3://demo-lake/sales/orders/']);
    expect(second.AccessKeyId).toBe(first.AccessKeyId);
    expect(
      await findMinted(stack, {
        accessKeyId: first.AccessKeyId!,
        secretAccessKey: first.SecretAccessKey!,
        sessionToken: first.SessionToken!,
      }),
    ).toBeDefined();
    expect((await tableCalls())['success']).toBe(before + 1);
    // Taken as sent: the emulator received exactly the two members, no defaults added.
    const requests = await stack.emulatorJson<{ requests: Array<{ body: unknown }> } | Array<{ body: unknown }>>('/_emulator/requests');
    const list = Array.isArray(requests) ? requests : requests.requests;
    expect(list.at(-1)!.body).toEqual(input);
  });

  it('shares one cache entry with the container and native routes for the same request', async () => {
    const before = (await tableCalls())['success'] ?? 0;
    // The dynamic route applies defaults (SELECT, COLUMN_PERMISSION, 3600 s): the same request, sent explicitly here.
    const viaApi = await client.send(
      new GetTemporaryGlueTableCredentialsCommand({
        TableArn: CUSTOMERS_ARN,
        Permissions: ['SELECT'],
        SupportedPermissionTypes: ['COLUMN_PERMISSION'],
        DurationSeconds: 3600,
      }),
    );
    const viaContainer = (await (await stack.get(`/v1/credentials?table=${encodeURIComponent(CUSTOMERS_ARN)}`)).json()) as {
      AccessKeyId: string;
    };
    expect(viaContainer.AccessKeyId).toBe(viaApi.AccessKeyId);
    expect((await tableCalls())['success']).toBe(before + 1);
  });

  it('serves the partition operation', async () => {
    const answer = await client.send(
      new GetTemporaryGluePartitionCredentialsCommand({ TableArn: ORDERS_ARN, Partition: { Values: ['2024-01-02'] } }),
    );
    expect(answer.AccessKeyId).toMatch(/^ASIA/);
    expect(answer.Expiration).toBeInstanceOf(Date);
  });

  it('serves the data-location operation in its own shape, through the cache, and refuses locations outside the allow-list', async () => {
    const calls = async () =>
      (await stack.emulatorJson<{ calls: Record<string, Record<string, number>> }>('/_emulator/stats')).calls[
        'GetTemporaryDataLocationCredentials'
      ]?.['success'] ?? 0;
    const before = await calls();
    const input = { DataLocations: [RETURNS_LOCATION, ORDERS_LOCATION] };
    const first = await client.send(new GetTemporaryDataLocationCredentialsCommand(input));
    const second = await client.send(new GetTemporaryDataLocationCredentialsCommand(input));
    expect(first.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(first.Credentials?.Expiration).toBeInstanceOf(Date);
    expect(first.AccessibleDataLocations).toEqual([ORDERS_LOCATION, RETURNS_LOCATION]);
    expect(second.Credentials?.AccessKeyId).toBe(first.Credentials?.AccessKeyId);
    expect((await calls()) - before).toBe(1);
    const refused = await errorOf(() =>
      client.send(new GetTemporaryDataLocationCredentialsCommand({ DataLocations: ['s3://other-bucket/x'] })),
    );
    expect(refused).toBeInstanceOf(AccessDeniedException);
    expect(refused.message).toMatch(/allowedLocations/);
  });

  it("raises each modeled error as the SDK's typed exception", async () => {
    const send = (input: ConstructorParameters<typeof GetTemporaryGlueTableCredentialsCommand>[0]) =>
      errorOf(() => client.send(new GetTemporaryGlueTableCredentialsCommand(input)));

    // lfcs's own refusal (outside dynamic.allowedTables) and Lake Formation's (no SELECT grant).
    const notAllowed = await send({ TableArn: `arn:aws:glue:us-east-1:${ACCOUNT}:table/hr/salaries` });
    expect(notAllowed).toBeInstanceOf(AccessDeniedException);
    expect(notAllowed.message).toMatch(/dynamic.allowedTables/);
    expect(notAllowed.$metadata?.httpStatusCode).toBe(403);
    expect(await send({ TableArn: PAYMENTS_ARN })).toBeInstanceOf(AccessDeniedException);
    expect(await send({ TableArn: `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/missing` })).toBeInstanceOf(EntityNotFoundException);
    expect(await send({ TableArn: ORDERS_ARN, DurationSeconds: 60 })).toBeInstanceOf(InvalidInputException);
    expect(await send({ TableArn: CUSTOMERS_ARN, SupportedPermissionTypes: ['CELL_FILTER_PERMISSION'] })).toBeInstanceOf(
      PermissionTypeMismatchException,
    );

    for (const [errorCode, type] of [
      ['InternalServiceException', InternalServiceException],
      ['OperationTimeoutException', OperationTimeoutException],
    ] as const) {
      await fetch(`${stack.emulator.url}/_emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ errorRate: 1, errorCode }),
      });
      // A fresh request each time: a distinct cache key, so no lease or negative entry answers it.
      expect(await send({ TableArn: ORDERS_ARN, DurationSeconds: errorCode === 'InternalServiceException' ? 1000 : 1001 })).toBeInstanceOf(
        type,
      );
    }
    await fetch(`${stack.emulator.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // Every call (not throttleNext: a retry of an earlier failed lease could consume it).
      body: JSON.stringify({ errorRate: 1, errorCode: 'ThrottlingException' }),
    });
    const throttled = await send({ TableArn: ORDERS_ARN, DurationSeconds: 1002 });
    expect(throttled.name).toBe('ThrottlingException');
    expect(throttled.message).toMatch(/^Rate exceeded/);
  });

  it('answers other operations with UnknownOperationException saying it serves only credential vending', async () => {
    const err = await errorOf(() => client.send(new GetDataLakeSettingsCommand({})));
    expect(err.name).toBe('UnknownOperationException');
    expect(err.message).toMatch(/serves only credential vending/);
  });

  it('keeps serving after hostile requests, and nothing secret reaches an answer or the log', async () => {
    const port = new URL(stack.sidecar.lakeformationApiUrl!).port;
    const raw = (text: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        const chunks: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        socket.on('error', reject);
        socket.end(text);
      });
    const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1.1 400/);
    expect(garbage).toContain('"__type"');
    const hugeHead = await raw(
      `POST /GetTemporaryGlueTableCredentials HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(10_000)}\r\n\r\n`,
    );
    expect(hugeHead).toMatch(/^HTTP\/1.1 431/);
    expect(hugeHead).toContain('x-amzn-errortype: RequestHeaderFieldsTooLargeException');
    const unsigned = await fetch(`${stack.sidecar.lakeformationApiUrl}/GetTemporaryGlueTableCredentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ TableArn: ORDERS_ARN }),
    });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');

    const answer = await client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
    expect(answer.SecretAccessKey).toBeDefined();
    const logs = stack.logs();
    expect(logs).not.toContain(answer.SecretAccessKey!);
    expect(logs).not.toContain(answer.SessionToken!);
    expect(logs).not.toContain(CALLER_KEYS.secretAccessKey);
    expect(logs).not.toContain(sha256(answer.SecretAccessKey!));
    expect(logs).toContain(`"callerAccessKeyId":"${CALLER_KEYS.accessKeyId}"`);
  });
});
