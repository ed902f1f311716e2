import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRINCIPAL } from '../../../src/emulator/index.js';
import { PERMISSIONS, PERMISSION_TYPES } from '../../../src/lakeformation/types.js';
import { ACCOUNT, CUSTOMERS_ARN, ORDERS_ARN, PAYMENTS_ARN, startStack, type Stack } from '../../support/stack.js';

/**
 * Property: whatever reaches the Lake Formation API listener (any method,
 * path, content type, Authorization, X-Amz-Date and body), the answer is a 200
 * or a Lake Formation-style 4xx: `x-amzn-errortype` equal to the body's
 * `__type`, a body of exactly `{__type, message}`, `Content-Type:
 * application/json`; never a 5xx, and no secret in an error. Afterwards the
 * listener still serves. numRuns is bounded so the file runs in a few seconds.
 */
let stack: Stack;
let url: string;
const secrets = new Set<string>([DEMO_PRINCIPAL.secretAccessKey]);
let served = 0;

beforeAll(async () => {
  stack = await startStack({
    config: {
      lakeformationApi: { enabled: true, port: 0 },
      rateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 },
      upstream: { ratePerSecond: 1000, burst: 10_000, maxConcurrency: 64 },
    },
  });
  url = stack.sidecar.lakeformationApiUrl!;
  secrets.add(stack.token);
});
afterAll(async () => stack.close());

const amzDate = (offsetMs: number) =>
  new Date(Date.now() + offsetMs)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');

const goodAuthorization = () =>
  `AWS4-HMAC-SHA256 Credential=ASIAFUZZCALLER000001/${amzDate(0).slice(0, 8)}/us-east-1/lakeformation/aws4_request, ` +
  `SignedHeaders=content-type;host;x-amz-date, Signature=${'c'.repeat(64)}`;

const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('', ' ', ',', '=', '/', '%00', '\u0000', 'é', '../..', 'AWS4-HMAC-SHA256'),
);
const dateHeader = fc.oneof(
  { arbitrary: fc.constant(0).map(amzDate), weight: 4 },
  fc.constantFrom(-20 * 60_000, 20 * 60_000, 24 * 3600_000).map(amzDate),
  anyText,
  fc.constant(undefined),
);
/** A well-formed SigV4 header most of the time, with parts broken or replaced otherwise. */
const authorization = fc
  .record({
    key: fc.oneof({ arbitrary: fc.constant('ASIAFUZZCALLER000001'), weight: 4 }, anyText),
    service: fc.oneof({ arbitrary: fc.constant('lakeformation'), weight: 4 }, fc.constantFrom('s3', 'glue', '')),
    signed: fc.oneof({ arbitrary: fc.constant('content-type;host;x-amz-date'), weight: 4 }, fc.constantFrom('host', '', 'x-amz-date')),
    signature: fc.oneof({ arbitrary: fc.constant('b'.repeat(64)), weight: 4 }, anyText),
    scopeToday: fc.boolean(),
  })
  .map(({ key, service, signed, signature, scopeToday }) => {
    const day = scopeToday ? amzDate(0).slice(0, 8) : '20000101';
    return `AWS4-HMAC-SHA256 Credential=${key}/${day}/us-east-1/${service}/aws4_request, SignedHeaders=${signed}, Signature=${signature}`;
  });
const authHeader = fc.oneof({ arbitrary: authorization, weight: 6 }, anyText, fc.constant(undefined));
const contentType = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 6 },
  fc.constantFrom('application/x-amz-json-1.1', 'application/json; charset=utf-8', 'text/plain', 'application/xml'),
  fc.constant(undefined),
);
const path = fc.oneof(
  { arbitrary: fc.constantFrom('/GetTemporaryGlueTableCredentials', '/GetTemporaryGluePartitionCredentials'), weight: 6 },
  fc.constantFrom('/prefix/GetTemporaryGlueTableCredentials', '/GetDataLakeSettings', '/', '//', '/GetTemporaryGlueTableCredentials/x'),
  anyText.map((t) => `/${encodeURIComponent(t)}`),
);
const tableArn = fc.oneof(
  { arbitrary: fc.constantFrom(ORDERS_ARN, CUSTOMERS_ARN, PAYMENTS_ARN), weight: 6 },
  fc.constantFrom(`arn:aws:glue:us-east-1:${ACCOUNT}:table/hr/salaries`, `arn:aws:glue:us-east-1:${ACCOUNT}:table/sales/missing`),
  anyText,
);
const wireBody = fc.record(
  {
    TableArn: tableArn,
    Permissions: fc.uniqueArray(fc.constantFrom(...PERMISSIONS), { maxLength: 3 }),
    SupportedPermissionTypes: fc.oneof(
      fc.uniqueArray(fc.constantFrom(...PERMISSION_TYPES), { minLength: 1, maxLength: 2 }),
      fc.constant([]),
    ),
    DurationSeconds: fc.oneof(fc.constantFrom(900, 3600, 43200), fc.integer(), fc.double()),
    Partition: fc.record({ Values: fc.array(fc.oneof(fc.constant('2024-01-01'), anyText), { maxLength: 2 }) }),
    S3Path: fc.oneof(fc.constant('s3://demo-lake/sales/orders/'), anyText),
    Unknown: fc.jsonValue(),
  },
  { requiredKeys: ['TableArn'] },
);
const validBody = fc
  .record(
    {
      TableArn: fc.constantFrom(ORDERS_ARN, CUSTOMERS_ARN, PAYMENTS_ARN),
      SupportedPermissionTypes: fc.constantFrom(['COLUMN_PERMISSION'], ['CELL_FILTER_PERMISSION']),
      DurationSeconds: fc.constantFrom(900, 3600),
    },
    { requiredKeys: ['TableArn'] },
  )
  .map((b) => JSON.stringify(b));
const body = fc.oneof(
  { arbitrary: validBody, weight: 4 },
  { arbitrary: wireBody.map((b) => JSON.stringify(b)), weight: 4 },
  fc.jsonValue().map((v) => JSON.stringify(v)),
  anyText,
);

describe('Lake Formation API listener under arbitrary requests', () => {
  it('answers 200 or a Lake Formation-style 4xx, never a 5xx, and no secret in an error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          // A request an SDK would send, with a body that varies: these reach the cache and the emulator.
          fc.record({
            method: fc.constant('POST'),
            path: fc.constant('/GetTemporaryGlueTableCredentials'),
            authorization: fc.constant(undefined).map(() => goodAuthorization()),
            date: fc.constant(undefined).map(() => amzDate(0)),
            contentType: fc.constant('application/json'),
            body,
          }),
          fc.record({
            method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE'),
            path,
            authorization: authHeader,
            date: dateHeader,
            contentType,
            body,
          }),
        ),
        async (input) => {
          const headers: Record<string, string> = {};
          if (input.authorization !== undefined)
            headers['authorization'] = input.authorization.replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, '?');
          if (input.date !== undefined) headers['x-amz-date'] = input.date.replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, '?');
          if (input.contentType !== undefined) headers['content-type'] = input.contentType;
          const res = await fetch(url + input.path, {
            method: input.method,
            headers,
            ...(input.method === 'GET' ? {} : { body: input.body }),
          });
          const text = await res.text();
          expect(res.status, text).toBeLessThan(500);
          expect(res.headers.get('content-type')).toBe('application/json');
          const json = JSON.parse(text) as Record<string, unknown>;
          if (res.status === 200) {
            served += 1;
            for (const field of ['SecretAccessKey', 'SessionToken']) if (typeof json[field] === 'string') secrets.add(json[field]);
            return;
          }
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(Object.keys(json).sort()).toEqual(['__type', 'message']);
          expect(res.headers.get('x-amzn-errortype')).toBe(json['__type']);
          for (const secret of secrets) expect(text).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
    // The generators reach the cache, not only the guards.
    expect(served).toBeGreaterThan(0);
  }, 60_000);

  it('still serves afterwards, and logged no secret', async () => {
    const res = await fetch(`${url}/GetTemporaryGlueTableCredentials`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-amz-date': amzDate(0),
        authorization: goodAuthorization(),
      },
      body: JSON.stringify({ TableArn: ORDERS_ARN }),
    });
    expect(res.status).toBe(200);
    const logs = stack.logs();
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });
});
