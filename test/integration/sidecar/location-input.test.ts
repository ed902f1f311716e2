import { GetTemporaryDataLocationCredentialsCommand, LakeFormationClient } from '@aws-sdk/client-lakeformation';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ORDERS_LOCATION } from '../../support/demo.js';
import { errorOf, lakeFormationClient } from '../../support/emulator.js';
import { startStack, type Stack } from '../../support/stack.js';

/**
 * Locations with a control character or a dot segment, on every route that
 * takes one: refused with a 400 JSON answer (or the SDK's modeled 400) before
 * any Lake Formation call, even where a `*` of dynamic.allowedLocations would
 * match the segment; and the emulator, which shares the field rules, refuses
 * them too.
 */
const OP = 'GetTemporaryDataLocationCredentials';
const BAD_LOCATIONS = {
  NUL: `${ORDERS_LOCATION}\x00`,
  ESC: `${ORDERS_LOCATION}\x1b[2J`,
  BEL: `${ORDERS_LOCATION}/\x07`,
  DEL: `${ORDERS_LOCATION}\x7f`,
  'a .. segment': 's3://demo-lake/sales/..',
  'a . segment': 's3://demo-lake/sales/./orders',
};

let stack: Stack;
let client: LakeFormationClient;

beforeAll(async () => {
  stack = await startStack({
    config: {
      lakeformationApi: { enabled: true, port: 0 },
      upstream: { maxAttempts: 1 },
      // `*` matches any one segment, `..` and control characters included until refused.
      dynamic: { allowedLocations: ['s3://demo-lake/*', 's3://demo-lake/*/*', 's3://demo-lake/*/*/*'] },
    },
  });
  client = new LakeFormationClient({
    endpoint: stack.sidecar.lakeformationApiUrl!,
    region: 'us-east-1',
    credentials: { accessKeyId: 'ASIACALLEROWNKEY0001', secretAccessKey: 'caller-secret-never-seen-by-lfcs-000000' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client?.destroy();
  await stack?.close();
});
beforeEach(async () => {
  await fetch(`${stack.emulator.url}/_emulator/reset`, { method: 'POST' });
});

const locationCalls = async () =>
  (await stack.emulatorJson<{ calls: Record<string, Record<string, number>> }>('/_emulator/stats')).calls[OP] ?? {};

async function badRequest(response: Response) {
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toBe('application/json');
  const body = (await response.json()) as { code: string; message: string };
  expect(typeof body.code).toBe('string');
  // The refusal never echoes the control character back.
  expect(body.message).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  return body;
}

describe.each(Object.entries(BAD_LOCATIONS))('a location with %s', (_name, location) => {
  it('is refused on GET /v1/credentials?location=, with no Lake Formation call', async () => {
    await badRequest(await stack.get(`/v1/credentials?location=${encodeURIComponent(JSON.stringify([location]))}`));
    expect(await locationCalls()).toEqual({});
  });

  it('is refused on POST /v1/data-location-credentials, with no Lake Formation call', async () => {
    await badRequest(await stack.post('/v1/data-location-credentials', { DataLocations: [location] }));
    expect(await locationCalls()).toEqual({});
  });

  it('is refused by the Lake Formation API listener, with no Lake Formation call', async () => {
    const err = await errorOf(() => client.send(new GetTemporaryDataLocationCredentialsCommand({ DataLocations: [location] })));
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(await locationCalls()).toEqual({});
  });

  it('is refused by the emulator itself', async () => {
    const emulator = lakeFormationClient(stack.emulator, { maxAttempts: 1 });
    try {
      const err = await errorOf(() => emulator.send(new GetTemporaryDataLocationCredentialsCommand({ DataLocations: [location] })));
      expect(err.$metadata?.httpStatusCode).toBe(400);
    } finally {
      emulator.destroy();
    }
  });
});

it('keeps serving a valid location after every refusal', async () => {
  const response = await stack.post('/v1/data-location-credentials', { DataLocations: [ORDERS_LOCATION] });
  expect(response.status).toBe(200);
  expect(await locationCalls()).toEqual({ success: 1 });
});
