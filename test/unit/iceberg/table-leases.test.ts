import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../../src/cache/cache-key.js';
import { parseDynamicQuery } from '../../../src/http/request-parsing.js';
import { createTableLeases, tableCredentialRequest } from '../../../src/iceberg/table-leases.js';
import type { CredentialRequest } from '../../../src/lakeformation/types.js';
import { lease, TABLE_ARN } from './support.js';

const defaults = { permissions: ['SELECT'] as const, supportedPermissionTypes: ['COLUMN_PERMISSION'] as const, durationSeconds: 3600 };

describe('table leases', () => {
  it("asks for the same request, so the same cache key, as the dynamic route's table request", () => {
    const request = tableCredentialRequest(TABLE_ARN, defaults);
    expect(request).toEqual({
      operation: 'GetTemporaryGlueTableCredentials',
      tableArn: TABLE_ARN,
      permissions: ['SELECT'],
      supportedPermissionTypes: ['COLUMN_PERMISSION'],
      durationSeconds: 3600,
    });
    expect(cacheKey(request)).toBe(cacheKey(parseDynamicQuery({ table: TABLE_ARN }, defaults)));
  });

  it("returns the cache's lease and passes the caller's abort signal", async () => {
    const asked: { request: CredentialRequest; signal: AbortSignal | undefined }[] = [];
    const cache = {
      get: async (request: CredentialRequest, options?: { signal?: AbortSignal }) => {
        asked.push({ request, signal: options?.signal });
        return { lease: lease() };
      },
    };
    const signal = new AbortController().signal;
    await expect(createTableLeases(cache, defaults)(TABLE_ARN, signal)).resolves.toEqual(lease());
    expect(asked).toEqual([{ request: tableCredentialRequest(TABLE_ARN, defaults), signal }]);
  });

  it("rejects with the cache's error", async () => {
    const failure = new Error('denied');
    const cache = { get: () => Promise.reject(failure) };
    await expect(createTableLeases(cache, defaults)(TABLE_ARN)).rejects.toBe(failure);
  });
});
