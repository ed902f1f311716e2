import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { configSchema, configWarnings, loadConfig, profileToRequest } from '../../../src/config/index.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/config.yaml', import.meta.url));

/** Every key of every fixed-key mapping in the schema (profile fields included). */
function schemaKeys(node: z.ZodType = configSchema): string[] {
  let current: unknown = node;
  while (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional) {
    current = current.unwrap();
  }
  if (current instanceof z.ZodRecord) return schemaKeys(current.valueType as z.ZodType);
  if (!(current instanceof z.ZodObject)) return [];
  return Object.entries(current.shape as Record<string, z.ZodType>).flatMap(([key, child]) => [key, ...schemaKeys(child)]);
}

describe('examples/config.yaml', () => {
  it('loads cleanly, with no warnings', async () => {
    const config = await loadConfig({ file: EXAMPLE, env: {} });
    expect(config.region).toBe('us-east-1');
    expect(config.upstream.endpoint).toBe('http://127.0.0.1:4599');
    expect(config.dynamic).toEqual({
      enabled: true,
      allowedTables: ['arn:aws:glue:us-east-1:123456789012:table/*/*'],
      allowedLocations: ['s3://demo-lake/sales/*'],
    });
    expect(configWarnings(config)).toEqual([]);
  });

  it('defines the demo profiles', async () => {
    const config = await loadConfig({ file: EXAMPLE, env: {} });
    expect(Object.keys(config.profiles)).toEqual(['orders', 'orders-2024-01-01', 'customers', 'sales-lake']);
    expect(profileToRequest(config, 'sales-lake')).toEqual({
      operation: 'GetTemporaryDataLocationCredentials',
      dataLocations: ['s3://demo-lake/sales/orders', 's3://demo-lake/sales/returns'],
      credentialsScope: 'READ',
      durationSeconds: 3600,
    });
    expect(profileToRequest(config, 'orders')).toMatchObject({
      operation: 'GetTemporaryGlueTableCredentials',
      tableArn: 'arn:aws:glue:us-east-1:123456789012:table/sales/orders',
      permissions: ['SELECT'],
    });
    expect(profileToRequest(config, 'orders-2024-01-01')).toMatchObject({
      operation: 'GetTemporaryGluePartitionCredentials',
      partitionValues: ['2024-01-01'],
    });
    expect(profileToRequest(config, 'customers')).toMatchObject({
      operation: 'GetTemporaryGlueTableCredentials',
      tableArn: 'arn:aws:glue:us-east-1:123456789012:table/sales/customers',
      permissions: ['SELECT'],
      supportedPermissionTypes: ['COLUMN_PERMISSION'],
    });
  });

  it('mentions every configuration key', async () => {
    const text = await readFile(EXAMPLE, 'utf8');
    const missing = schemaKeys().filter((key) => !new RegExp(`^\\s*#?\\s*${key}:`, 'm').test(text));
    // The token is environment-only; the file explains that instead of showing a key.
    expect(missing).toEqual(['token']);
    expect(text).toContain('LFCS_AUTH_TOKEN');
  });
});
