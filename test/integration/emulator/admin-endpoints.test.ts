import { GetTemporaryGlueTableCredentialsCommand } from '@aws-sdk/client-lakeformation';
import { describe, expect, it } from 'vitest';
import { BoundedLog } from '../../../src/emulator/bounded-log.js';
import { ORDERS_ARN, admin, rawRequest, signedRequest, useEmulator } from '../../support/emulator.js';

describe('admin endpoints and routing', () => {
  const lf = useEmulator({ reset: false });

  it('reset clears stats, faults and both logs', async () => {
    await lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }));
    await admin(lf.emulator).setFaults({ latencyMs: 10 });
    const reset = await admin(lf.emulator).reset();
    expect(reset.status).toBe(200);
    expect(await admin(lf.emulator).get('stats')).toEqual({ calls: {}, total: 0 });
    expect(await admin(lf.emulator).get('requests')).toEqual([]);
    expect(await admin(lf.emulator).get('vended')).toEqual([]);
    expect((await admin(lf.emulator).get('faults')).latencyMs).toBe(0);
  });

  it('answers unknown paths with JSON 404 and wrong methods with JSON 405', async () => {
    const unknown = await rawRequest(lf.emulator, { method: 'POST', path: '/GetDataLakeSettings', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.__type).toBe('UnknownOperationException');

    const unknownAdmin = await admin(lf.emulator).call('GET', 'nothing-here');
    expect(unknownAdmin.status).toBe(404);

    const getCredentials = await rawRequest(lf.emulator, { method: 'GET', path: '/GetTemporaryGlueTableCredentials' });
    expect(getCredentials.status).toBe(405);
    expect(getCredentials.headers['allow']).toBe('POST');
    expect(getCredentials.json.__type).toBe('MethodNotAllowedException');

    const putStats = await admin(lf.emulator).call('PUT', 'stats');
    expect(putStats.status).toBe(405);
    expect(putStats.headers.get('allow')).toBe('GET');
  });

  it('stamps every answer with x-amzn-requestid', async () => {
    const answers = [
      await rawRequest(lf.emulator, { method: 'GET', path: '/_emulator/stats' }),
      await rawRequest(lf.emulator, { method: 'GET', path: '/nowhere' }),
      await rawRequest(lf.emulator, { path: '/GetTemporaryGlueTableCredentials', body: '{}' }),
      await signedRequest(lf.emulator, '/GetTemporaryGlueTableCredentials', JSON.stringify({ TableArn: ORDERS_ARN })),
    ];
    const ids = answers.map((a) => a.headers['x-amzn-requestid']);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses bodies over 1 MiB with 413', async () => {
    const huge = JSON.stringify({ TableArn: ORDERS_ARN, S3Path: `s3://demo-lake/sales/orders/${'x'.repeat(1024 * 1024)}` });
    const credentials = await signedRequest(lf.emulator, '/GetTemporaryGlueTableCredentials', huge);
    expect(credentials.status).toBe(413);
    expect(credentials.json.__type).toBe('RequestEntityTooLargeException');

    const faults = await rawRequest(lf.emulator, { path: '/_emulator/faults', body: huge });
    expect(faults.status).toBe(413);
    // Still serving.
    expect((await lf.client.send(new GetTemporaryGlueTableCredentialsCommand({ TableArn: ORDERS_ARN }))).AccessKeyId).toMatch(/^ASIA/);
  });

  it('answers SerializationException for an admin body that is not JSON', async () => {
    const response = await rawRequest(lf.emulator, { path: '/_emulator/faults', body: '{oops' });
    expect(response.status).toBe(400);
    expect(response.json.__type).toBe('SerializationException');
  });
});

describe('BoundedLog (the request and vended logs)', () => {
  it('keeps the newest entries up to its capacity, oldest first', () => {
    const log = new BoundedLog<number>(100);
    for (let i = 1; i <= 150; i++) log.push(i);
    const entries = log.entries();
    expect(entries).toHaveLength(100);
    expect(entries[0]).toBe(51);
    expect(entries[99]).toBe(150);
  });
});
