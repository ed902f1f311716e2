/**
 * Restart-safe verification: an agent keeps the issuer's last good keys on
 * disk, and one started while the issuer is down verifies pods with them,
 * as long as they are younger than agent.keyStoreMaxAgeSeconds.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PODS, startAgentStack, type AgentStack } from '../../support/agent.js';
import { ORDERS_ARN } from '../../support/demo.js';
import { TestIssuer } from '../../support/oidc-issuer.js';
import { until } from '../../support/settle.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const dynamicOrders = `/v1/credentials?table=${encodeURIComponent(ORDERS_ARN)}`;
const MAX_AGE_SECONDS = 3600;

async function setUp() {
  const issuer = await new TestIssuer().serve();
  await issuer.addKey();
  cleanups.push(() => issuer.close());
  const dir = mkdtempSync(join(tmpdir(), 'lfcs-key-store-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const keyStoreFile = join(dir, 'issuer-keys.json');
  const start = async () => {
    const stack = await startAgentStack({ issuer, config: { agent: { keyStoreFile, keyStoreMaxAgeSeconds: MAX_AGE_SECONDS } } });
    cleanups.push(() => stack.close());
    return stack;
  };
  return { issuer, keyStoreFile, start };
}

async function readiness(stack: AgentStack) {
  const response = await fetch(`${stack.sidecar.adminUrl}/readyz`);
  return { httpStatus: response.status, ...((await response.json()) as { reasons: string[]; notes?: string[] }) };
}

/** The first agent reads the keys from the issuer, saves them, and stops. */
async function runOnce(setup: Awaited<ReturnType<typeof setUp>>) {
  const first = await setup.start();
  await until(() => existsSync(setup.keyStoreFile), 200_000);
  await first.close();
}

describe('the issuer key store', () => {
  it('is written with mode 0600 and holds the public keys only', async () => {
    const setup = await setUp();
    await runOnce(setup);
    expect(statSync(setup.keyStoreFile).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(setup.keyStoreFile, 'utf8')) as {
      issuer: string;
      jwks: { keys: Array<Record<string, unknown>> };
    };
    expect(saved.issuer).toBe(setup.issuer.issuer);
    expect(saved.jwks.keys).toEqual(setup.issuer.jwks().keys);
    // No private or symmetric key member (RFC 7518 6.2.2, 6.3.2, 6.4.1).
    for (const key of saved.jwks.keys)
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) expect(key).not.toHaveProperty(member);
  });

  it('lets an agent started while the issuer is down serve a pod with a valid token, and says so in readiness', async () => {
    const setup = await setUp();
    await runOnce(setup);
    setup.issuer.failing = true;
    const second = await setup.start();
    const response = await second.as(await setup.issuer.mint(PODS.executor), dynamicOrders);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { AccessKeyId: string }).AccessKeyId).toMatch(/^ASIA/);
    // Ready (it serves; the start-up probe must not restart it), with a note saying how.
    const report = await readiness(second);
    expect(report.reasons.join('\n')).not.toContain('issuer');
    expect(report.reasons.length === 0).toBe(report.httpStatus === 200);
    expect(report.notes).toHaveLength(1);
    expect(report.notes![0]).toContain('verifying with its keys saved');
    expect(report.notes![0]).toContain(setup.keyStoreFile);
    // A token the saved keys did not sign is still refused.
    const forged = await setup.issuer.mint(PODS.executor, { kid: await setup.issuer.addKey({ published: false }) });
    expect((await second.as(forged, dynamicOrders)).status).toBe(401);
  });

  it('does not use keys saved longer ago than agent.keyStoreMaxAgeSeconds', async () => {
    const setup = await setUp();
    await runOnce(setup);
    const saved = JSON.parse(readFileSync(setup.keyStoreFile, 'utf8')) as { savedAt: number };
    writeFileSync(setup.keyStoreFile, JSON.stringify({ ...saved, savedAt: Date.now() - (MAX_AGE_SECONDS + 60) * 1000 }), { mode: 0o600 });
    setup.issuer.failing = true;
    const second = await setup.start();
    const response = await second.as(await setup.issuer.mint(PODS.executor), dynamicOrders);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { code: string }).code).toBe('IssuerUnavailable');
    const report = await readiness(second);
    expect(report.httpStatus).toBe(503);
    expect(report.reasons.join('\n')).toContain('service-account token issuer not read yet');
    expect(report.notes).toBeUndefined();
  });
});
