/** Fakes and fixtures shared by the gateway's unit tests. */
import type { Lease } from '../../../src/lakeformation/types.js';
import type { GatewayAnswer } from '../../../src/iceberg/answer.js';

export const REGION = 'us-east-1';
export const CATALOG = '123456789012';
export const TABLE_ARN = `arn:aws:glue:${REGION}:${CATALOG}:table/sales/orders`;
export const LOCATION = 's3://demo-lake/warehouse/sales/orders';
export const SECRET = 'SECRET/never+in+a+body/0123456789abcdef';

/** A lease as the cache serves one, for `sales.orders`. */
export function lease(overrides: Partial<Lease> = {}): Lease {
  return {
    accessKeyId: 'ASIAEXAMPLELEASE0001',
    secretAccessKey: SECRET,
    sessionToken: 'session-token-of-the-lease',
    expiration: new Date(Date.UTC(2026, 10, 25, 7, 0, 0)),
    vendedS3Path: [LOCATION],
    ...overrides,
  };
}

/**
 * A LoadTableResult as Glue answers one: metadata with numbers JSON.parse
 * would round (snapshot ids beyond 2^53), odd spacing, escapes, and
 * credentials the upstream put in.
 */
export const UPSTREAM_METADATA =
  '{ "format-version" : 2, "table-uuid":"7f1c5f7e-0000-4000-8000-000000000001",\n' +
  `  "location":"${LOCATION}", "current-snapshot-id": 9007199254740993,` +
  ' "properties": {"comment":"quote \\" and \\u00e9 and \\\\ and , : { } [ ]"}, "snapshots":[{"snapshot-id":9007199254740993,"timestamp-ms":1.50e3}] }';

export function upstreamLoadTable(extra: Record<string, unknown> = {}): Buffer {
  const rest = JSON.stringify({
    config: {
      'client.region': REGION,
      'write.format.default': 'parquet',
      's3.access-key-id': 'UPSTREAM-KEY',
      's3.secret-access-key': 'UPSTREAM-SECRET',
      's3.session-token': 'UPSTREAM-TOKEN',
      token: 'upstream-bearer',
      'scan-planning-mode': 'server',
    },
    'storage-credentials': [{ prefix: LOCATION, config: { 's3.secret-access-key': 'UPSTREAM-SECRET' } }],
    ...extra,
  });
  return Buffer.from(`{"metadata-location":"${LOCATION}/metadata/00001.metadata.json",  "metadata" :${UPSTREAM_METADATA},${rest.slice(1)}`);
}

/** The parsed body of an answer. */
export function bodyOf(answer: GatewayAnswer): Record<string, any> {
  return JSON.parse(answer.body?.toString('utf8') ?? 'null');
}

/** A clock that stands still, for signing dates. */
export const fixedClock = {
  now: () => Date.UTC(2026, 10, 25, 6, 0, 0),
  setTimeout: () => ({ id: 0 }),
  clearTimeout: () => {},
};
