import {
  GetTemporaryDataLocationCredentialsCommand,
  type GetTemporaryDataLocationCredentialsCommandInput,
} from '@aws-sdk/client-lakeformation';
import { describe, expect, it } from 'vitest';
import { parseCatalog } from '../../../src/emulator/index.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { ORDERS_LOCATION, RETURNS_LOCATION } from '../../support/demo.js';
import { DEMO_CATALOG_YAML, admin, errorOf, lakeFormationClient, noGrantsKeys, useEmulator } from '../../support/emulator.js';
import { CatalogIndex } from '../../../src/emulator/catalog-index.js';

/**
 * GetTemporaryDataLocationCredentials with the real SDK client against the
 * emulator: one test per failure the API reference documents, each with the
 * exception the emulator models for it (the choice per case is explained in
 * src/emulator/authorize-location.ts and the README).
 */
const START_MS = Math.floor(Date.now() / 1000) * 1000;
const send = (lf: ReturnType<typeof useEmulator>, input: GetTemporaryDataLocationCredentialsCommandInput) =>
  lf.client.send(new GetTemporaryDataLocationCredentialsCommand(input));

describe('GetTemporaryDataLocationCredentials', () => {
  const clock = new FakeClock(START_MS);
  const lf = useEmulator({ clock });

  it('vends one set of credentials for two tables in one bucket, naming both as accessible', async () => {
    const out = await send(lf, { DataLocations: [ORDERS_LOCATION, RETURNS_LOCATION], CredentialsScope: 'READ', DurationSeconds: 900 });
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(out.Credentials?.SessionToken?.length).toBeGreaterThanOrEqual(300);
    expect(out.Credentials?.Expiration?.getTime()).toBe(START_MS + 900 * 1000);
    expect(out.AccessibleDataLocations).toEqual([ORDERS_LOCATION, RETURNS_LOCATION]);
    expect(out.CredentialsScope).toBe('READ');
    const vended = await admin(lf.emulator).get('vended');
    const list = Array.isArray(vended) ? vended : vended.vended;
    expect(list.at(-1)).toMatchObject({
      operation: 'GetTemporaryDataLocationCredentials',
      vendedPaths: [ORDERS_LOCATION, RETURNS_LOCATION],
    });
  });

  it('accepts a location below a table location and one with a trailing /, and defaults to READ', async () => {
    const out = await send(lf, { DataLocations: [`${ORDERS_LOCATION}/dt=2024-01-01`, `${RETURNS_LOCATION}/`] });
    expect(out.AccessibleDataLocations).toEqual([`${ORDERS_LOCATION}/dt=2024-01-01`, `${RETURNS_LOCATION}/`]);
    expect(out.CredentialsScope).toBe('READ');
  });

  it('answers several locations with the subset the caller may access', async () => {
    const out = await send(lf, {
      DataLocations: [ORDERS_LOCATION, 's3://demo-lake/sales/payments', 's3://demo-lake/raw/clicks', RETURNS_LOCATION],
    });
    expect(out.AccessibleDataLocations).toEqual([ORDERS_LOCATION, RETURNS_LOCATION]);
  });

  it('refuses a location not registered with Lake Formation: EntityNotFoundException', async () => {
    const err = await errorOf(() => send(lf, { DataLocations: ['s3://demo-lake/raw/clicks'] }));
    expect(err.name).toBe('EntityNotFoundException');
    expect(err.message).toMatch(/not registered with Lake Formation/);
    expect(err.$metadata?.httpStatusCode).toBe(400);
  });

  it('refuses a registered location with no Glue table: EntityNotFoundException', async () => {
    const err = await errorOf(() => send(lf, { DataLocations: ['s3://demo-lake/sales/archive'] }));
    expect(err.name).toBe('EntityNotFoundException');
    expect(err.message).toMatch(/No Glue table is associated/);
  });

  it('refuses a caller without SELECT or SUPER on the table: AccessDeniedException', async () => {
    const err = await errorOf(() => send(lf, { DataLocations: ['s3://demo-lake/sales/payments'] }));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toMatch(/SELECT or SUPER/);
    expect(err.$metadata?.httpStatusCode).toBe(403);
  });

  it('refuses a table with a column policy (no full table access): AccessDeniedException', async () => {
    const err = await errorOf(() => send(lf, { DataLocations: ['s3://demo-lake/sales/customers'] }));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toMatch(/full table access/);
  });

  it('refuses a location registered in another region: InvalidInputException', async () => {
    const err = await errorOf(() => send(lf, { DataLocations: ['s3://demo-lake-eu/sales/orders'] }));
    expect(err.name).toBe('InvalidInputException');
    expect(err.message).toMatch(/registered in eu-west-1/);
  });

  it('needs INSERT for READWRITE: refused on orders (SELECT only), granted on returns', async () => {
    const err = await errorOf(() => send(lf, { DataLocations: [ORDERS_LOCATION], CredentialsScope: 'READWRITE' }));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toMatch(/READWRITE needs INSERT/);
    const out = await send(lf, { DataLocations: [RETURNS_LOCATION], CredentialsScope: 'READWRITE' });
    expect(out.CredentialsScope).toBe('READWRITE');
    expect(out.AccessibleDataLocations).toEqual([RETURNS_LOCATION]);
  });

  it('refuses a call without DataLocations, and a bad scope: InvalidInputException', async () => {
    expect((await errorOf(() => send(lf, {}))).name).toBe('InvalidInputException');
    expect((await errorOf(() => send(lf, { DataLocations: [ORDERS_LOCATION], DurationSeconds: 60 }))).name).toBe('InvalidInputException');
  });

  it('refuses a caller without any grant: AccessDeniedException', async () => {
    const client = lakeFormationClient(lf.emulator, { credentials: noGrantsKeys() });
    try {
      const err = await errorOf(() => client.send(new GetTemporaryDataLocationCredentialsCommand({ DataLocations: [ORDERS_LOCATION] })));
      expect(err.name).toBe('AccessDeniedException');
    } finally {
      client.destroy();
    }
  });
});

describe('GetTemporaryDataLocationCredentials with full-table access vending off', () => {
  const lf = useEmulator({
    catalog: parseCatalog(DEMO_CATALOG_YAML.replace('allowFullTableExternalDataAccess: true', 'allowFullTableExternalDataAccess: false')),
  });

  it('refuses every location: AccessDeniedException naming the setting', async () => {
    const err = await errorOf(() => send(lf, { DataLocations: [ORDERS_LOCATION] }));
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toMatch(/AllowFullTableExternalDataAccess/);
  });

  it('is off in a catalog that predates the setting', () => {
    const legacy = DEMO_CATALOG_YAML.replace(/\ndataLakeSettings:[\s\S]*$/, '\n');
    expect(new CatalogIndex(parseCatalog(legacy)).allowFullTableExternalDataAccess).toBe(false);
  });
});

describe('GetTemporaryDataLocationCredentials with two tables at one location', () => {
  const lf = useEmulator({
    catalog: parseCatalog(
      DEMO_CATALOG_YAML.replace(
        '\ndatabases:\n',
        '\ndatabases:\n  - name: copies\n    tables:\n      - name: orders_copy\n        location: s3://demo-lake/sales/orders/\n',
      ),
    ),
  });

  it('refuses the location: ConflictException', async () => {
    const err = await errorOf(() => send(lf, { DataLocations: [ORDERS_LOCATION] }));
    expect(err.name).toBe('ConflictException');
    expect(err.message).toMatch(/Multiple resources exist with the same Amazon S3 location/);
  });
});
