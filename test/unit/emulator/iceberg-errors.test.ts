import { describe, expect, it } from 'vitest';
import { IcebergError } from '../../../src/emulator/iceberg-errors.js';

describe('IcebergError', () => {
  it("pairs each type with the spec's status, which clients map to their exceptions", () => {
    const pairs = (
      [
        'BadRequestException',
        'NotAuthorizedException',
        'ForbiddenException',
        'NoSuchNamespaceException',
        'NoSuchTableException',
        'UnsupportedOperationException',
      ] as const
    ).map((type) => [type, new IcebergError(type, 'm').status]);
    expect(pairs).toEqual([
      ['BadRequestException', 400],
      ['NotAuthorizedException', 401],
      ['ForbiddenException', 403],
      ['NoSuchNamespaceException', 404],
      ['NoSuchTableException', 404],
      ['UnsupportedOperationException', 406],
    ]);
  });
});
