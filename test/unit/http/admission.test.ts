import { describe, expect, it } from 'vitest';
import { LfcsError } from '../../../src/core/errors.js';
import { runChecks, type Admission, type Check } from '../../../src/http/admission.js';
import { routeMatcher } from '../../../src/http/routes.js';

const admission = {} as Admission;
const refuse =
  (message: string): Check =>
  () =>
    new LfcsError('ForbiddenHost', message);

describe('runChecks', () => {
  it('runs the checks in order, synchronously, and stops at the first refusal', () => {
    const ran: string[] = [];
    const pass =
      (name: string): Check =>
      () =>
        void ran.push(name);
    const result = runChecks([pass('a'), pass('b'), refuse('c'), pass('d')], admission);
    expect(result).toBeInstanceOf(LfcsError);
    expect((result as LfcsError).message).toBe('c');
    expect(ran).toEqual(['a', 'b']);
    expect(runChecks([pass('e')], admission)).toBeUndefined();
  });

  it('runs the checks after one that waits once it has answered, and only then', async () => {
    const ran: string[] = [];
    let release: () => void = () => undefined;
    const waits: Check = () => new Promise((resolve) => (release = () => resolve(undefined)));
    const pending = runChecks([() => void ran.push('first'), waits, () => void ran.push('after')], admission);
    expect(pending).toBeInstanceOf(Promise);
    expect(ran).toEqual(['first']);
    release();
    expect(await pending).toBeUndefined();
    expect(ran).toEqual(['first', 'after']);
  });

  it('answers the refusal of a check that waited, without running the rest', async () => {
    const ran: string[] = [];
    const result = await runChecks([async () => new LfcsError('Unauthorized', 'no'), () => void ran.push('after')], admission);
    expect((result as LfcsError).code).toBe('Unauthorized');
    expect(ran).toEqual([]);
  });
});

describe('routeMatcher', () => {
  it('matches paths as Express does: case-sensitive, strict, one segment per parameter, query ignored', () => {
    const match = routeMatcher('credentials');
    expect(match('/v1/credentials/orders')?.label).toBe('profile');
    expect(match('/v1/credentials/orders?x=1')?.label).toBe('profile');
    expect(match('/v1/credentials?table=x')?.label).toBe('dynamic');
    expect(match('/v1/data-location-credentials')?.label).toBe('data-location');
    for (const path of ['/v1/credentials/', '/v1/credentials/a/b', '/V1/credentials', '/v1/cache/', '/'])
      expect(match(path), path).toBeUndefined();
    expect(match('http://evil/v1/cache')?.label).toBe('cache');
  });

  it('matches the Lake Formation operations under any path prefix', () => {
    const match = routeMatcher('lakeformation-api');
    expect(match('/GetTemporaryGlueTableCredentials')?.label).toBe('lakeformation-table');
    expect(match('/a/b/GetTemporaryDataLocationCredentials')?.label).toBe('lakeformation-data-location');
    expect(match('/GetTemporaryGlueTableCredentialsX')).toBeUndefined();
  });
});
