import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRINCIPAL } from '../../../src/emulator/index.js';
import { PERMISSIONS, PERMISSION_TYPES } from '../../../src/lakeformation/types.js';
import { ACCOUNT, CUSTOMERS_ARN, ORDERS_ARN, PAYMENTS_ARN, startStack, type Stack } from '../../support/stack.js';

/**
 * Property: whatever a client sends to the dynamic query route or the native
 * JSON API, the answer is a 2xx or 4xx with `Content-Type` exactly
 * `application/json` and a JSON body; never a 5xx, never a crash, and no
 * secret (the token, the sidecar's own key, any vended secret) in an error.
 *
 * Inputs mix valid values (so many requests reach the emulator) with
 * arbitrary ones. numRuns is bounded so the file runs in a few seconds.
 */
let stack: Stack;
/** Every secret that must never appear in an error body. Vended ones are added as seen. */
const secrets = new Set<string>();
let served = 0;

beforeAll(async () => {
  stack = await startStack({
    config: {
      // The fuzzer sends hundreds of requests a second; the listener's own limit is not under test.
      rateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 },
      upstream: { ratePerSecond: 1000, burst: 10_000, maxConcurrency: 64 },
      log: { level: 'info' },
    },
  });
  secrets.add(stack.token);
  secrets.add(DEMO_PRINCIPAL.secretAccessKey);
});
afterAll(async () => stack.close());

const SECRET_FIELDS = ['SecretAccessKey', 'Token', 'SessionToken'];

async function checkAnswer(res: Response): Promise<void> {
  const text = await res.text();
  expect(res.status, text).toBeGreaterThanOrEqual(200);
  expect(res.status, text).toBeLessThan(500);
  expect(res.headers.get('content-type')).toBe('application/json');
  const body = JSON.parse(text) as Record<string, unknown>;
  if (res.status < 300) {
    served += 1;
    for (const field of SECRET_FIELDS) if (typeof body[field] === 'string') secrets.add(body[field]);
    return;
  }
  expect(typeof body['code']).toBe('string');
  expect(typeof body['message']).toBe('string');
  for (const secret of secrets) expect(text).not.toContain(secret);
}

// ---- building blocks: near-valid values mixed with arbitrary ones ----

const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', ',', '[]', '{}', 'null', '%', '%00', '\u0000', 'é', '\ud800', '../..', '*'),
);
const tableArn = fc.oneof(
  { arbitrary: fc.constantFrom(ORDERS_ARN, CUSTOMERS_ARN, PAYMENTS_ARN), weight: 6 },
  fc.constantFrom('sales', 'other', '*').map((db) => `arn:aws:glue:us-east-1:${ACCOUNT}:table/${db}/missing`),
  fc.constantFrom(`arn:aws:glue:eu-west-1:${ACCOUNT}:table/sales/orders`, 'arn:aws:glue:us-east-1:1:table/a/b'),
  anyText,
);
const permissionList = fc.uniqueArray(fc.constantFrom(...PERMISSIONS), { minLength: 1, maxLength: 4 });
const permissionTypeList = fc.uniqueArray(fc.constantFrom(...PERMISSION_TYPES), { minLength: 1, maxLength: 3 });
const validDuration = fc.constantFrom(900, 3600, 43200);
const duration = fc.oneof(
  { arbitrary: validDuration, weight: 3 },
  { arbitrary: fc.oneof(fc.constantFrom(899, 43201, 0, -1), fc.integer(), fc.double()), weight: 1 },
);
const partitionValues = fc.oneof(
  { arbitrary: fc.constant(['2024-01-01']), weight: 3 },
  fc.array(fc.oneof(fc.constantFrom('2024-01-02', '2099-01-01'), anyText), { minLength: 0, maxLength: 3 }),
);
const s3Path = fc.oneof(fc.constantFrom('s3://demo-lake/sales/orders/', 's3://other/x', 's3://'), anyText);

function optionalField<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined, freq: 2 });
}

// ---- GET /v1/credentials?... ----

/** Mostly `valid`, sometimes arbitrary, so that a good share of requests reach the emulator. */
function mostly<T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: other, weight: 1 });
}

/** Query parameters: each present or not, each mostly well-formed text. */
const queryParams = fc
  .record(
    {
      table: tableArn,
      permissions: mostly(
        permissionList.map((p) => p.join(',')),
        anyText,
      ),
      partition: mostly(
        partitionValues.map((v) => JSON.stringify(v)),
        anyText,
      ),
      supportedPermissionTypes: mostly(
        permissionTypeList.map((p) => p.join(',')),
        anyText,
      ),
      durationSeconds: mostly(duration.map(String), anyText),
      s3Path,
      queryId: mostly(fc.stringMatching(/^[a-z0-9-]{1,20}$/), anyText),
      clusterId: anyText,
      queryAuthorizationId: anyText,
      queryStartTime: mostly(fc.constantFrom('2026-11-25T06:00:00Z', '2026-11-25T06:00:00+01:00'), anyText),
    },
    { requiredKeys: [] },
  )
  .map((params) => ({ table: ORDERS_ARN, ...params }));

/** Well-formed queries, so that the success path is fuzzed too (these reach the emulator). */
const wellFormedQuery = fc.record(
  {
    table: fc.constantFrom(ORDERS_ARN, CUSTOMERS_ARN, PAYMENTS_ARN),
    permissions: permissionList.map((p) => p.join(',')),
    supportedPermissionTypes: permissionTypeList.map((p) => p.join(',')),
    durationSeconds: validDuration.map(String),
    queryId: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
  },
  { requiredKeys: ['table'] },
);

/** Raw query strings: arbitrary bytes percent-encoded (invalid UTF-8 included), odd keys, repeats. */
const rawQuery = fc.oneof(
  fc.uint8Array({ maxLength: 30 }).map((bytes) => `table=${[...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')}`),
  fc
    .array(fc.tuple(fc.constantFrom('table', 'table[]', 'permissions', 'x', '__proto__', 'constructor', ''), anyText), { maxLength: 5 })
    .map((pairs) => new URLSearchParams(pairs).toString()),
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[#\s]/g, '')),
);

describe('fuzz: GET /v1/credentials?...', () => {
  it('answers 2xx/4xx JSON for structured queries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(queryParams, wellFormedQuery), fc.boolean(), async (params, repeatOne) => {
        const search = new URLSearchParams();
        for (const [key, value] of Object.entries(params)) if (value !== undefined) search.append(key, value);
        if (repeatOne && params.table !== undefined) search.append('table', params.table);
        await checkAnswer(await stack.get(`/v1/credentials?${search.toString()}`));
      }),
      { numRuns: 250 },
    );
  });

  it('answers 2xx/4xx JSON for raw query strings', async () => {
    await fc.assert(
      fc.asyncProperty(rawQuery, async (query) => {
        await checkAnswer(await stack.get(`/v1/credentials?${query}`));
      }),
      { numRuns: 150 },
    );
  });
});

// ---- POST /v1/table-credentials and /v1/partition-credentials ----

const auditContext = mostly<unknown>(
  fc.record({ AdditionalAuditContext: optionalField(anyText) }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 2 }),
);
const commonBody = {
  TableArn: tableArn,
  Permissions: mostly(permissionList, fc.oneof(fc.array(anyText, { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 }))),
  DurationSeconds: mostly<unknown>(duration, anyText),
  AuditContext: auditContext,
  SupportedPermissionTypes: mostly(permissionTypeList, fc.jsonValue({ maxDepth: 1 })),
};
const tableBody = fc.record(
  {
    ...commonBody,
    S3Path: s3Path,
    QuerySessionContext: mostly<unknown>(
      fc.record(
        {
          QueryId: anyText,
          QueryStartTime: fc.oneof(fc.constantFrom('2026-11-25T06:00:00Z', 1_700_000_000, -1, 1e20), anyText),
          ClusterId: anyText,
          QueryAuthorizationId: anyText,
          AdditionalContext: fc.dictionary(anyText, fc.oneof(anyText, fc.integer()), { maxKeys: 3 }),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 1 }),
    ),
  },
  { requiredKeys: ['TableArn'] },
);
const partitionBody = fc.record(
  {
    ...commonBody,
    Partition: mostly<unknown>(
      fc.record({ Values: mostly<unknown>(partitionValues, fc.jsonValue({ maxDepth: 1 })) }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  },
  { requiredKeys: ['TableArn'] },
);

/** Well-formed bodies (both operations share these fields). */
const wellFormedBody = fc.record(
  {
    TableArn: fc.constantFrom(ORDERS_ARN, CUSTOMERS_ARN, PAYMENTS_ARN),
    Permissions: permissionList,
    DurationSeconds: validDuration,
    SupportedPermissionTypes: permissionTypeList,
    AuditContext: fc.record({ AdditionalAuditContext: fc.string({ maxLength: 30 }) }),
  },
  { requiredKeys: ['TableArn'] },
);

/** Bodies that are not the expected object: any JSON, broken JSON, odd content types. */
const rawBody = fc.record({
  body: fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.constantFrom('', '{', '{"TableArn":', '[]', 'null', '{"__proto__":{"TableArn":"x"}}', '\uFEFF{}'),
  ),
  contentType: fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'application/json; charset=latin1',
    'application/x-amz-json-1.1',
    'text/plain',
    'application/json;;',
    '*/*',
  ),
  contentEncoding: fc.constantFrom(undefined, 'gzip', 'identity', 'br', 'x-unknown'),
});

describe('fuzz: POST native JSON API', () => {
  it.each([
    ['/v1/table-credentials', fc.oneof(tableBody, wellFormedBody)],
    [
      '/v1/partition-credentials',
      fc.oneof(
        partitionBody,
        fc.tuple(wellFormedBody, fc.constantFrom(['2024-01-01'], ['2024-01-02'], ['1999-12-31'])).map(([b, v]) => ({
          ...b,
          Partition: { Values: v },
        })),
      ),
    ],
  ] as const)('answers 2xx/4xx JSON for structured bodies to %s', async (path, arbitrary) => {
    await fc.assert(
      fc.asyncProperty(arbitrary as fc.Arbitrary<Record<string, unknown>>, async (body) => {
        await checkAnswer(await stack.post(path, body));
      }),
      { numRuns: 200 },
    );
  });

  it('answers 2xx/4xx JSON for raw bodies, content types and encodings', async () => {
    await fc.assert(
      fc.asyncProperty(
        rawBody,
        fc.constantFrom('/v1/table-credentials', '/v1/partition-credentials'),
        async ({ body, contentType, contentEncoding }, path) => {
          const headers: Record<string, string> = { 'Content-Type': contentType };
          if (contentEncoding !== undefined) headers['Content-Encoding'] = contentEncoding;
          await checkAnswer(await stack.post(path, body, { headers }));
        },
      ),
      {
        numRuns: 200,
        // Found by this fuzzer: a body that fails to decompress was a 500 (body-parser's zlib errors carry no `type`).
        examples: [
          [{ body: '', contentType: 'application/json', contentEncoding: 'gzip' }, '/v1/table-credentials'],
          [{ body: '{}', contentType: 'application/json', contentEncoding: 'br' }, '/v1/partition-credentials'],
        ],
      },
    );
  });
});

describe('after fuzzing', () => {
  it('still serves credentials, reached the emulator, and logged no secret', async () => {
    const res = await stack.get('/v1/credentials/orders');
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    // Some fuzzed requests were valid enough to be served.
    expect(served).toBeGreaterThan(0);
    const logs = stack.logs();
    for (const secret of secrets) expect(logs).not.toContain(secret);
    expect(logs).not.toContain('unexpected error while serving');
  });
});
