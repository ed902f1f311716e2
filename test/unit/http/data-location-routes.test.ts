import { inject } from '../../support/http-inject.js';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/core/errors.js';
import { createCredentialsApp } from '../../../src/http/credentials-app.js';
import { matchesAllowedLocation } from '../../../src/lakeformation/data-location.js';
import type { Lease } from '../../../src/lakeformation/types.js';
import { APP_TOKEN, FAKE_LEASE, fakeCredentialsDeps } from '../../support/app-fakes.js';

/** The data-location routes in-process, with a scripted cache. */
const ORDERS = 's3://lake/sales/orders';
const RETURNS = 's3://lake/sales/returns';
const LOCATION_LEASE: Lease = Object.freeze({
  accessKeyId: FAKE_LEASE.accessKeyId,
  secretAccessKey: FAKE_LEASE.secretAccessKey,
  sessionToken: FAKE_LEASE.sessionToken,
  expiration: FAKE_LEASE.expiration,
  // Lake Formation granted only one of the two locations asked for.
  accessibleDataLocations: [ORDERS],
  credentialsScope: 'READ',
});

function app() {
  const fake = fakeCredentialsDeps({
    profiles: {
      lake: { operation: 'GetTemporaryDataLocationCredentials', dataLocations: [ORDERS, RETURNS], credentialsScope: 'READ' },
    },
    allowedLocations: (location) => matchesAllowedLocation(['s3://lake/sales/*'], location),
  });
  const handler = createCredentialsApp(fake.deps);
  const headers = { host: '127.0.0.1:9180', authorization: APP_TOKEN };
  const get = (url: string) => inject(handler, { method: 'GET', url, headers });
  const post = (url: string, payload: unknown) =>
    inject(handler, { method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
  return { ...fake, get, post };
}

describe('data-location routes (in-process)', () => {
  it('serves a location profile as container credentials, without AccountId', async () => {
    const { get, requests, answers } = app();
    answers.push({ lease: LOCATION_LEASE });
    const res = await get('/v1/credentials/lake');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      AccessKeyId: FAKE_LEASE.accessKeyId,
      SecretAccessKey: FAKE_LEASE.secretAccessKey,
      Token: FAKE_LEASE.sessionToken,
      Expiration: '2026-11-25T07:00:00Z',
    });
    expect(requests[0]).toMatchObject({ label: 'lake', request: { operation: 'GetTemporaryDataLocationCredentials' } });
  });

  it('serves location= on the dynamic route with canonical locations', async () => {
    const { get, requests } = app();
    const query = new URLSearchParams({ location: JSON.stringify([`${RETURNS}/`, ORDERS]), credentialsScope: 'READ' });
    const res = await get(`/v1/credentials?${query}`);
    expect(res.statusCode).toBe(200);
    expect(requests[0]?.request).toEqual({
      operation: 'GetTemporaryDataLocationCredentials',
      dataLocations: [ORDERS, RETURNS],
      credentialsScope: 'READ',
      durationSeconds: 3600,
    });
  });

  it('refuses a location outside dynamic.allowedLocations with 403 on both routes, without calling the cache', async () => {
    const { get, post, requests } = app();
    const outside = JSON.stringify([ORDERS, 's3://other-bucket/x']);
    const dynamic = await get(`/v1/credentials?${new URLSearchParams({ location: outside })}`);
    expect(dynamic.statusCode).toBe(403);
    expect(dynamic.json()).toMatchObject({ code: 'LocationNotAllowed' });
    expect((dynamic.json() as { message: string }).message).toContain('s3://other-bucket/x');
    // `*` stays within one segment: a deeper prefix is outside the pattern.
    const native = await post('/v1/data-location-credentials', { DataLocations: [`${ORDERS}/dt=2024-01-01`] });
    expect(native.statusCode).toBe(403);
    expect(native.json()).toMatchObject({ code: 'LocationNotAllowed' });
    expect(requests).toHaveLength(0);
  });

  it('answers the native route in the API shape, with AccessibleDataLocations as granted, never as asked', async () => {
    const { post, answers } = app();
    answers.push({ lease: LOCATION_LEASE });
    const res = await post('/v1/data-location-credentials', { DataLocations: [ORDERS, RETURNS] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      Credentials: {
        AccessKeyId: FAKE_LEASE.accessKeyId,
        SecretAccessKey: FAKE_LEASE.secretAccessKey,
        SessionToken: FAKE_LEASE.sessionToken,
        Expiration: '2026-11-25T07:00:00Z',
      },
      AccessibleDataLocations: [ORDERS],
      CredentialsScope: 'READ',
    });
  });

  it('claims no location when the lease names none', async () => {
    const { post, answers } = app();
    const { accessibleDataLocations: _dropped, ...bare } = LOCATION_LEASE;
    answers.push({ lease: bare });
    const res = await post('/v1/data-location-credentials', { DataLocations: [ORDERS] });
    expect((res.json() as { AccessibleDataLocations: string[] }).AccessibleDataLocations).toEqual([]);
  });

  it('turns a Lake Formation refusal into a 4xx JSON error and keeps serving', async () => {
    const { post, answers } = app();
    answers.push({
      error: new UpstreamError('EntityNotFoundException', 'Lake Formation refused the request (EntityNotFoundException)', {
        upstreamName: 'EntityNotFoundException',
        upstreamStatus: 400,
        retryable: false,
      }),
    });
    const refused = await post('/v1/data-location-credentials', { DataLocations: [ORDERS] });
    expect(refused.statusCode).toBe(404);
    expect(refused.headers['content-type']).toBe('application/json');
    expect(refused.json()).toMatchObject({ code: 'EntityNotFoundException' });
    answers.push({ lease: LOCATION_LEASE });
    expect((await post('/v1/data-location-credentials', { DataLocations: [ORDERS] })).statusCode).toBe(200);
  });

  it('refuses location requests while dynamic requests are disabled', async () => {
    const fake = fakeCredentialsDeps({});
    const handler = createCredentialsApp(fake.deps);
    const res = await inject(handler, {
      method: 'GET',
      url: `/v1/credentials?${new URLSearchParams({ location: JSON.stringify([ORDERS]) })}`,
      headers: { host: '127.0.0.1:9180', authorization: APP_TOKEN },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'DynamicRequestsDisabled' });
  });
});
