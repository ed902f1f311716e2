import { GetTemporaryGlueTableCredentialsCommand } from '@aws-sdk/client-lakeformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock.mjs';
import { parseCatalog, type RunningEmulator } from '../../../src/emulator/index.js';
import {
  DEMO_CATALOG_YAML,
  ORDERS_ARN,
  admin,
  errorOf,
  lakeFormationClient,
  rawRequest,
  signedRequest,
  startTestEmulator,
  useEmulator,
} from '../../support/emulator.js';

const TABLE_PATH = '/GetTemporaryGlueTableCredentials';
const ORDERS_BODY = JSON.stringify({ TableArn: ORDERS_ARN });

describe('SigV4 verification', () => {
  const lf = useEmulator({ client: { maxAttempts: 1 } });

  async function sendWith(overrides: Parameters<typeof lakeFormationClient>[1]) {
    const other = lakeFormationClient(lf.emulator, { maxAttempts: 1, ...overrides });
    try {
      return await errorOf(() => other.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN })));
    } finally {
      other.destroy();
    }
  }

  it('rejects an unknown access key id with UnrecognizedClientException (403)', async () => {
    const err = await sendWith({
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'lfcsDemoSecretKey/DoNotUseInProduction00' },
    });
    expect(err.name).toBe('UnrecognizedClientException');
    expect(err.message).toBe('The security token included in the request is invalid.');
    expect(err.$metadata?.httpStatusCode).toBe(403);
  });

  it('rejects a wrong secret with InvalidSignatureException (403)', async () => {
    const err = await sendWith({
      credentials: { accessKeyId: 'AKIALFCSDEMO00000001', secretAccessKey: 'wrongSecretKey/wrongSecretKey/wrongSecret' },
    });
    expect(err.name).toBe('InvalidSignatureException');
    expect(err.message).toMatch(/signature we calculated does not match/);
    expect(err.$metadata?.httpStatusCode).toBe(403);
  });

  it('rejects a body changed after the SDK signed it', async () => {
    const tampering = lakeFormationClient(lf.emulator, { maxAttempts: 1 });
    tampering.middlewareStack.addRelativeTo(
      (next: any) => async (args: any) => {
        // Same length, so content-length (also signed) still matches what is sent.
        args.request.body = String(args.request.body).replace('sales/orders', 'sales/ORDERS');
        return next(args);
      },
      { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamperAfterSigning' },
    );
    try {
      const err = await errorOf(() => tampering.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN })));
      expect(err.name).toBe('InvalidSignatureException');
      expect(err.$metadata?.httpStatusCode).toBe(403);
    } finally {
      tampering.destroy();
    }
  });

  it('rejects a tampered body whether or not x-amz-content-sha256 was sent', async () => {
    const tampered = JSON.stringify({ TableArn: ORDERS_ARN, DurationSeconds: 43200 });
    for (const contentSha256 of [true, false]) {
      const response = await signedRequest(lf.emulator, TABLE_PATH, ORDERS_BODY, { contentSha256, sendBody: tampered });
      expect(response.status).toBe(403);
      expect(response.json.__type).toBe('InvalidSignatureException');
    }
    // The same hand-signed request, untouched, verifies.
    for (const contentSha256 of [true, false]) {
      const response = await signedRequest(lf.emulator, TABLE_PATH, ORDERS_BODY, { contentSha256 });
      expect(response.status).toBe(200);
    }
  });

  it('answers MissingAuthenticationTokenException (403) without an Authorization header', async () => {
    const response = await rawRequest(lf.emulator, {
      path: TABLE_PATH,
      headers: { 'content-type': 'application/json' },
      body: ORDERS_BODY,
    });
    expect(response.status).toBe(403);
    expect(response.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    expect(response.json.__type).toBe('MissingAuthenticationTokenException');
  });

  it('rejects a malformed Authorization header with InvalidSignatureException', async () => {
    for (const authorization of [
      'AWS4-HMAC-SHA256 Credential=AKIALFCSDEMO00000001/20240101/us-east-1/lakeformation/aws4_request',
      'Basic dXNlcjpwYXNz',
      'AWS4-HMAC-SHA256 Credential=AKIALFCSDEMO00000001/us-east-1, SignedHeaders=host, Signature=00',
    ]) {
      const response = await rawRequest(lf.emulator, {
        path: TABLE_PATH,
        headers: { authorization, 'x-amz-date': '20240101T000000Z' },
        body: ORDERS_BODY,
      });
      expect(response.status).toBe(403);
      expect(response.json.__type).toBe('InvalidSignatureException');
    }
  });

  it('rejects a signature scoped to another service or region', async () => {
    const wrongService = await signedRequest(lf.emulator, TABLE_PATH, ORDERS_BODY, { service: 'glue' });
    expect(wrongService.status).toBe(403);
    expect(wrongService.json).toEqual({ __type: 'InvalidSignatureException', message: expect.stringContaining('lakeformation') });

    const err = await sendWith({ region: 'eu-west-1' });
    expect(err.name).toBe('InvalidSignatureException');
    expect(err.message).toContain('region');
  });

  it('verifies requests sent to an endpoint with a path prefix', async () => {
    const prefixed = lakeFormationClient(lf.emulator, { endpoint: `${lf.emulator.url}/lakeformation-proxy` });
    try {
      const out = await prefixed.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
      expect(out.AccessKeyId).toMatch(/^ASIA/);
    } finally {
      prefixed.destroy();
    }
  });

  it('counts authentication failures in the stats, under their error names', async () => {
    await sendWith({ credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x'.repeat(40) } });
    await sendWith({ credentials: { accessKeyId: 'AKIALFCSDEMO00000001', secretAccessKey: 'y'.repeat(40) } });
    expect(await admin(lf.emulator).get('stats')).toEqual({
      calls: { GetTemporaryGlueTableCredentials: { UnrecognizedClientException: 1, InvalidSignatureException: 1 } },
      total: 2,
    });
  });
});

describe('SigV4 request time', () => {
  const SKEW_MS = 60 * 60 * 1000;
  let emulator: RunningEmulator;

  beforeAll(async () => {
    // The emulator's clock runs an hour ahead of the SDK's.
    emulator = await startTestEmulator({ clock: new FakeClock(Date.now() + SKEW_MS) });
  });
  afterAll(() => emulator.close());

  it('rejects a request signed more than 15 minutes off the clock ("Signature expired")', async () => {
    const client = lakeFormationClient(emulator, { maxAttempts: 1 });
    try {
      const err = await errorOf(() => client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN })));
      expect(err.name).toBe('InvalidSignatureException');
      expect(err.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
      expect(err.$metadata?.httpStatusCode).toBe(403);
    } finally {
      client.destroy();
    }
  });

  it('rejects a request signed more than 15 minutes in the future ("Signature not yet current")', async () => {
    const response = await signedRequest(emulator, TABLE_PATH, ORDERS_BODY, {
      signingDate: new Date(Date.now() + 2 * SKEW_MS),
    });
    expect(response.status).toBe(403);
    expect(response.json.message).toMatch(/^Signature not yet current/);
  });

  it('sends its own time in Date, so a retrying SDK corrects its clock and succeeds', async () => {
    const client = lakeFormationClient(emulator);
    try {
      const out = await client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
      expect(out.$metadata.attempts).toBe(2);
      expect(out.AccessKeyId).toMatch(/^ASIA/);
    } finally {
      client.destroy();
    }
  });
});

describe('SigV4 with temporary credentials', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    const yaml = DEMO_CATALOG_YAML.replace(
      '    principalArn: arn:aws:iam::123456789012:role/lfcs-demo-sidecar\n',
      '    principalArn: arn:aws:iam::123456789012:role/lfcs-demo-sidecar\n    sessionToken: demo-session-token\n',
    );
    emulator = await startTestEmulator({ catalog: parseCatalog(yaml) });
  });
  afterAll(() => emulator.close());

  it('requires the session token a principal is configured with', async () => {
    const keys = { accessKeyId: 'AKIALFCSDEMO00000001', secretAccessKey: 'lfcsDemoSecretKey/DoNotUseInProduction00' };
    for (const [sessionToken, expected] of [
      ['demo-session-token', 'success'],
      ['another-token', 'UnrecognizedClientException'],
      [undefined, 'UnrecognizedClientException'],
    ] as const) {
      const client = lakeFormationClient(emulator, {
        maxAttempts: 1,
        credentials: { ...keys, ...(sessionToken ? { sessionToken } : {}) },
      });
      try {
        const outcome = await client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN })).then(
          () => 'success',
          (err: Error) => err.name,
        );
        expect(outcome).toBe(expected);
      } finally {
        client.destroy();
      }
    }
  });
});
