import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedCall } from '../../support/iceberg-emulator.js';
import { ORDERS, RETURNS, startGatewayStack, type GatewayStack } from './support.js';

/** Clients loading at once, and loads each client makes of each table. */
const N = 8;
const M = 5;
const TABLES = [ORDERS, RETURNS];

const vendCalls = (calls: Record<string, Record<string, number>>) => calls.GetTemporaryGlueTableCredentials?.success ?? 0;
const loadCalls = (calls: Record<string, Record<string, number>>) => calls['iceberg:loadTable']?.success ?? 0;

describe('what N clients x M loads cost at Lake Formation', () => {
  let stack: GatewayStack;
  beforeAll(async () => {
    stack = await startGatewayStack();
  });
  afterAll(() => stack?.close());

  it(`through the gateway: one call per table per lease (N=${N}, M=${M}, 2 tables)`, async () => {
    const before = await stack.stats();
    const keys = new Set<string>();
    await Promise.all(
      Array.from({ length: N }, async () => {
        for (let load = 0; load < M; load++) {
          for (const table of TABLES) {
            const answer = await stack.gateway(table, { headers: { 'x-iceberg-access-delegation': 'vended-credentials' } });
            expect(answer.status).toBe(200);
            keys.add(answer.json['storage-credentials'][0].config['s3.access-key-id']);
          }
        }
      }),
    );
    const after = await stack.stats();
    expect(loadCalls(after) - loadCalls(before)).toBe(N * M * TABLES.length);
    expect(vendCalls(after) - vendCalls(before)).toBe(TABLES.length);
    expect(keys.size).toBe(TABLES.length);
  });

  it(`directly at the catalog: one Lake Formation call per loadTable (N=${N}, M=${M}, 1 table)`, async () => {
    const before = await stack.stats();
    await Promise.all(
      Array.from({ length: N }, async () => {
        for (let load = 0; load < M; load++) {
          const answer = await signedCall(stack.emulator, {
            path: `/iceberg${ORDERS}`,
            headers: { 'x-iceberg-access-delegation': 'vended-credentials' },
          });
          expect(answer.status).toBe(200);
        }
      }),
    );
    expect(vendCalls(await stack.stats()) - vendCalls(before)).toBe(N * M);
  });
});
