/**
 * The service-account token verifier against a real issuer on loopback:
 * discovery, where lfcs's own token goes, the verified-token memory on a
 * fake clock, and an issuer that is down.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LfcsError } from '../../../src/core/errors.js';
import { isApiServer, ServiceAccountVerifier, type VerifierOptions } from '../../../src/identity/service-account-verifier.js';
import { FakeClock } from '../../support/fake-clock.mjs';
import { TestIssuer } from '../../support/oidc-issuer.js';
import { realTick, until } from '../../support/settle.js';

const POD = { namespace: 'spark', serviceAccount: 'executor', pod: 'exec-1', node: 'node-a' };
const OWN_TOKEN = 'own-token-of-the-agent';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function issuer(): Promise<TestIssuer> {
  const started = await new TestIssuer().serve();
  await started.addKey();
  cleanups.push(() => started.close());
  return started;
}

function verifier(issuerUrl: string, options: Partial<VerifierOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lfcs-verifier-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const discoveryTokenFile = join(dir, 'token');
  writeFileSync(discoveryTokenFile, OWN_TOKEN);
  const clock = new FakeClock(Date.now());
  const problems: string[] = [];
  const v = new ServiceAccountVerifier({
    issuerUrl,
    audience: 'lfcs',
    discoveryTokenFile,
    keyStoreFile: join(dir, 'issuer-keys.json'),
    keyStoreMaxAgeSeconds: 86_400,
    verifiedTokenSeconds: 60,
    jwksCacheSeconds: 600,
    jwksCooldownSeconds: 0,
    nodeName: 'node-a',
    clock,
    onIssuerError: (reason) => problems.push(reason),
    ...options,
  });
  cleanups.push(() => v.stop());
  return { v, clock, problems, discoveryTokenFile };
}

async function rejection(promise: Promise<unknown>): Promise<LfcsError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LfcsError);
  return err as LfcsError;
}

describe('ServiceAccountVerifier', () => {
  it('reads the pod identity from a verified token', async () => {
    const iss = await issuer();
    const { v } = verifier(iss.url);
    expect(await v.verify(await iss.mint(POD))).toMatchObject({
      namespace: 'spark',
      serviceAccount: 'executor',
      pod: 'exec-1',
      node: 'node-a',
    });
  });

  it('remembers a verified token for verifiedTokenSeconds, never past its exp', async () => {
    const iss = await issuer();
    const { v, clock } = verifier(iss.url);
    const long = await iss.mint(POD, { now: clock.now(), expiresIn: 3600 });
    const short = await iss.mint(POD, { now: clock.now(), expiresIn: 30 });
    expect(v.known(long)).toBeUndefined();
    await v.verify(long);
    await v.verify(short);
    expect(v.known(long)?.pod).toBe('exec-1');
    expect(v.known(short)?.pod).toBe('exec-1');
    await clock.advance(31_000);
    expect(v.known(short)).toBeUndefined();
    expect(v.known(long)?.pod).toBe('exec-1');
    await clock.advance(30_000);
    expect(v.known(long)).toBeUndefined();
  });

  it('remembers nothing with verifiedTokenSeconds 0', async () => {
    const iss = await issuer();
    const { v } = verifier(iss.url, { verifiedTokenSeconds: 0 });
    const token = await iss.mint(POD);
    await v.verify(token);
    expect(v.known(token)).toBeUndefined();
  });

  it("sends lfcs's own token to the issuer's origin only, never to a JWKS elsewhere", async () => {
    const discovery = await issuer();
    const keysHost = await issuer();
    discovery.jwksUri = `${keysHost.url}/keys`;
    const { v } = verifier(discovery.url, { issuer: discovery.issuer });
    // Signed by the key the other origin publishes.
    const token = await keysHost.mint(POD, { issuer: discovery.issuer });
    expect((await v.verify(token)).pod).toBe('exec-1');
    expect(discovery.authorizations).toEqual([`Bearer ${OWN_TOKEN}`]);
    expect(keysHost.authorizations).toEqual([undefined]);
  });

  it("reads an API server's own key set through issuerUrl when discovery advertises it at another address", async () => {
    const apiServer = await issuer();
    const elsewhere = await issuer();
    // A stock API server names its keys at its advertised address, not at kubernetes.default.svc.
    apiServer.jwksUri = `${elsewhere.url}/openid/v1/jwks`;
    const { v } = verifier(apiServer.url);
    expect((await v.verify(await apiServer.mint(POD))).pod).toBe('exec-1');
    expect(apiServer.authorizations).toEqual([`Bearer ${OWN_TOKEN}`, `Bearer ${OWN_TOKEN}`]);
    expect(elsewhere.authorizations).toEqual([]);
  });

  it('reads the keys at agent.jwksUrl when set, with no token for another origin', async () => {
    const discovery = await issuer();
    const keysHost = await issuer();
    const { v } = verifier(discovery.url, { jwksUrl: `${keysHost.url}/openid/v1/jwks` });
    expect((await v.verify(await keysHost.mint(POD, { issuer: discovery.issuer }))).pod).toBe('exec-1');
    expect(keysHost.authorizations).toEqual([undefined]);
    expect(discovery.jwksFetches).toBe(0);
  });

  it('checks the configured issuer instead of the discovery document’s when agent.issuer is set', async () => {
    const iss = await issuer();
    const { v } = verifier(iss.url, { issuer: 'https://oidc.example/id/ABC' });
    const refused = await rejection(v.verify(await iss.mint(POD)));
    expect(refused.code).toBe('Unauthorized');
    expect(refused.message).toContain('https://oidc.example/id/ABC');
    expect((await v.verify(await iss.mint(POD, { issuer: 'https://oidc.example/id/ABC' }))).pod).toBe('exec-1');
  });

  it('answers 503 IssuerUnavailable while the issuer is down, is not ready, then recovers', async () => {
    const iss = await issuer();
    iss.failing = true;
    const { v, clock, problems } = verifier(iss.url);
    v.start();
    await until(() => problems.length > 0);
    expect(v.notReadyReason).toContain('OIDC discovery');
    expect(problems[0]).toContain('HTTP 503');
    const token = await iss.mint(POD);
    const refused = await rejection(v.verify(token));
    expect(refused).toMatchObject({ code: 'IssuerUnavailable', retryable: true });
    expect(refused.message).not.toContain(iss.url);
    iss.failing = false;
    await clock.advance(5_000);
    await until(() => v.notReadyReason === undefined);
    expect((await v.verify(token)).pod).toBe('exec-1');
  });

  it("re-reads lfcs's own token for every key fetch (the kubelet rotates it)", async () => {
    const iss = await issuer();
    const { v, discoveryTokenFile } = verifier(iss.url);
    await v.verify(await iss.mint(POD));
    writeFileSync(discoveryTokenFile, 'rotated-own-token');
    const rotated = await iss.addKey();
    await v.verify(await iss.mint(POD, { kid: rotated }));
    expect(iss.authorizations).toEqual([`Bearer ${OWN_TOKEN}`, `Bearer ${OWN_TOKEN}`, 'Bearer rotated-own-token']);
  });

  it('re-reads the keys every jwksCacheSeconds: a dropped key stops verifying', async () => {
    const iss = await issuer();
    const { v, clock } = verifier(iss.url, { verifiedTokenSeconds: 0, jwksCooldownSeconds: 3600 });
    v.start();
    await until(() => v.notReadyReason === undefined);
    const oldKid = iss.jwks().keys[0]!.kid!;
    const old = await iss.mint(POD, { now: clock.now(), expiresIn: 3600 });
    expect((await v.verify(old)).pod).toBe('exec-1');
    await iss.addKey();
    iss.unpublish(oldKid);
    const fetches = iss.jwksFetches;
    await clock.advance(600_000);
    await until(() => iss.jwksFetches > fetches);
    // The new set is applied once its body is parsed: a few real turns at most.
    let refused: unknown;
    for (let i = 0; i < 100 && refused === undefined; i++) {
      refused = await v.verify(old).then(
        () => undefined,
        (err: unknown) => err,
      );
      if (refused === undefined) await realTick();
    }
    expect(refused).toMatchObject({ code: 'Unauthorized', message: expect.stringContaining('does not publish') });
  });

  it('keeps the keys it read while the issuer is down, and asks it at most once per 4 s', async () => {
    const iss = await issuer();
    const { v, clock, problems } = verifier(iss.url, { verifiedTokenSeconds: 0 });
    expect((await v.verify(await iss.mint(POD))).pod).toBe('exec-1');
    iss.failing = true;
    const fetches = iss.jwksFetches;
    // Known key: still verified with the keys read before.
    expect((await v.verify(await iss.mint(POD))).pod).toBe('exec-1');
    // Unknown key ids: one fetch fails, the rest are not sent, and the failure is reported once.
    const hidden = await iss.addKey({ published: false });
    const reported = problems.length;
    for (let i = 0; i < 10; i++) {
      expect((await rejection(v.verify(await iss.mint(POD, { kid: hidden })))).code).toBe('IssuerUnavailable');
    }
    expect(iss.jwksFetches).toBe(fetches);
    expect(iss.authorizations.length).toBe(3);
    expect(problems.slice(reported)).toEqual([expect.stringContaining('HTTP 503')]);
    await clock.advance(5_000);
    await rejection(v.verify(await iss.mint(POD, { kid: hidden })));
    expect(iss.authorizations.length).toBe(4);
  });

  it('refuses a discovery document whose jwks_uri is plain http off loopback', async () => {
    const iss = await issuer();
    iss.jwksUri = 'http://keys.example/keys';
    const { v, problems } = verifier(iss.url);
    expect((await rejection(v.verify(await iss.mint(POD)))).code).toBe('IssuerUnavailable');
    expect(problems[0]).toContain('not https://');
  });

  it('ignores the advertised jwks_uri when agent.jwksUrl is set', async () => {
    const iss = await issuer();
    iss.jwksUri = 'not a url';
    const { v } = verifier(iss.url, { jwksUrl: `${iss.url}/keys` });
    expect((await v.verify(await iss.mint(POD))).pod).toBe('exec-1');
  });

  it.each([
    ['https://kubernetes.default.svc', true],
    ['https://kubernetes.default.svc.cluster.local:443', true],
    ['http://127.0.0.1:8001', true],
    ['https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE', false],
    ['https://kubernetes.default.svc.evil.example', false],
    ['https://10.100.0.1', false],
  ])("sends lfcs's own token to %s: %s", (url, sent) => {
    expect(isApiServer(new URL(url))).toBe(sent);
  });

  it('never puts the token in an error message', async () => {
    const iss = await issuer();
    const { v } = verifier(iss.url);
    const tokens = [
      await iss.mint(POD, { audience: 'other' }),
      await iss.mint(POD, { expiresIn: -10 }),
      await iss.mint({ ...POD, node: 'node-b' }),
      iss.unsigned(POD),
      'not-a-jwt-at-all-but-long-enough',
    ];
    for (const token of tokens) {
      const err = await rejection(v.verify(token));
      for (const part of token.split('.').filter((p) => p.length > 8)) expect(err.message).not.toContain(part);
    }
  });
});
