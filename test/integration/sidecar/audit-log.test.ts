import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDERS_ARN, PAYMENTS_ARN, startStack, type Stack } from '../../support/stack.js';

/**
 * The audit log as captured from a running sidecar: one line per Lake
 * Formation call and one per refused request, and never a secret.
 */
type LogLine = Record<string, unknown>;

const QUERY_ID = 'q-audit-4c21';
const WRONG_TOKEN = 'wrong-token-0f3b9a61c4d2e8';

let stack: Stack;
const served: Array<Record<string, string>> = [];

function logLines(): LogLine[] {
  return stack
    .logs()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogLine);
}
const auditLines = (kind: 'vend' | 'denied') => logLines().filter((l) => l['audit'] === kind);

beforeAll(async () => {
  stack = await startStack({
    config: {
      profiles: {
        audited: {
          tableArn: ORDERS_ARN,
          partition: ['2024-01-02'],
          permissions: ['SELECT'],
          auditContext: 'ticket-1234 nightly export',
        },
      },
    },
  });
  const ok = async (res: Response) => {
    expect(res.status).toBe(200);
    served.push((await res.json()) as Record<string, string>);
  };
  await ok(await stack.get('/v1/credentials/audited'));
  await ok(await stack.get('/v1/credentials/audited')); // a hit: no second audit line
  await ok(
    await stack.post('/v1/table-credentials', {
      TableArn: ORDERS_ARN,
      Permissions: ['SELECT', 'DESCRIBE'],
      SupportedPermissionTypes: ['COLUMN_PERMISSION'],
      QuerySessionContext: { QueryId: QUERY_ID },
      AuditContext: { AdditionalAuditContext: 'spark-app-42' },
    }),
  );
});
afterAll(async () => {
  await stack?.close();
});

describe('audit log', () => {
  it('writes one line per upstream call with the request, outcome and latency', async () => {
    const lines = auditLines('vend');
    expect(lines).toHaveLength(2);
    expect((await stack.emulatorJson<{ total: number }>('/_emulator/stats')).total).toBe(2);

    expect(lines[0]).toMatchObject({
      level: 'info',
      operation: 'GetTemporaryGluePartitionCredentials',
      tableArn: ORDERS_ARN,
      partition: ['2024-01-02'],
      permissions: ['SELECT'],
      additionalAuditContext: 'ticket-1234 nightly export',
      outcome: 'success',
      attempt: 1,
      background: false,
    });
    expect(lines[0]).not.toHaveProperty('queryId'); // undefined fields are left out
    expect(lines[1]).toMatchObject({
      operation: 'GetTemporaryGlueTableCredentials',
      tableArn: ORDERS_ARN,
      permissions: ['SELECT', 'DESCRIBE'],
      queryId: QUERY_ID,
      additionalAuditContext: 'spark-app-42',
      outcome: 'success',
    });
    for (const line of lines) {
      expect(Number.isInteger(line['latencyMs'])).toBe(true);
      expect(line['latencyMs']).toBeGreaterThanOrEqual(0);
    }
  });

  it('records a refused upstream call with its error code as the outcome', async () => {
    const before = auditLines('vend').length;
    const res = await stack.post('/v1/table-credentials', { TableArn: PAYMENTS_ARN, Permissions: ['SELECT'] });
    expect(res.status).toBe(403);
    await res.arrayBuffer();
    const added = auditLines('vend').slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      operation: 'GetTemporaryGlueTableCredentials',
      tableArn: PAYMENTS_ARN,
      permissions: ['SELECT'],
      outcome: 'AccessDeniedException',
    });
  });

  it('writes one line per refused request, with the reason', async () => {
    const refused: Array<[string, () => Promise<Response>, number, string, RegExp]> = [
      ['no token', () => fetch(`${stack.sidecar.credentialsUrl}/v1/credentials/orders`), 401, 'Unauthorized', /missing/],
      [
        'wrong token',
        () => fetch(`${stack.sidecar.credentialsUrl}/v1/credentials/orders`, { headers: { Authorization: WRONG_TOKEN } }),
        401,
        'Unauthorized',
        /does not match/,
      ],
      ['unknown profile', () => stack.get('/v1/credentials/nobody'), 404, 'ProfileNotFound', /nobody/],
      [
        'table outside the allow-list',
        () => stack.get(`/v1/credentials?table=${encodeURIComponent('arn:aws:glue:us-east-1:999999999999:table/x/y')}`),
        403,
        'TableNotAllowed',
        /allowedTables/,
      ],
      [
        'denied by Lake Formation',
        () => stack.post('/v1/table-credentials', { TableArn: PAYMENTS_ARN, Permissions: ['SELECT'] }),
        403,
        'AccessDeniedException',
        /refused/,
      ],
    ];
    for (const [what, send, status, code, reason] of refused) {
      const before = auditLines('denied').length;
      const res = await send();
      expect(res.status, what).toBe(status);
      await res.arrayBuffer();
      const added = auditLines('denied').slice(before);
      expect(added, what).toHaveLength(1);
      expect(added[0], what).toMatchObject({ status, code });
      expect(added[0]!['reason'], what).toMatch(reason);
    }
  });

  it('never contains a vended secret, session token or the auth token (right or wrong)', async () => {
    const logs = stack.logs();
    expect(logs.length).toBeGreaterThan(0);
    expect(served).toHaveLength(3);
    const secrets = [...served.flatMap((c) => [c['SecretAccessKey'], c['Token'] ?? c['SessionToken']]), stack.token, WRONG_TOKEN];
    for (const secret of secrets) {
      expect(secret).toBeTruthy();
      expect(logs.includes(secret!), `the logs contain ${secret!.slice(0, 8)}...`).toBe(false);
    }
  });
});
