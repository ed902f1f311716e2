import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { DEMO_PRINCIPAL } from '../../../src/emulator/index.js';
import { ORDERS_ARN } from '../../support/demo.js';
import { cleanEnv } from '../../support/npm-env.js';
import { spawnProcess, type Spawned } from '../../support/spawn-lfcs.js';

/**
 * The package as a user gets it: `npm pack`, then `npm install --omit=dev`
 * of the tarball into an empty project, then the installed `lfcs` runs the
 * emulator and the sidecar. A runtime import that is only a devDependency
 * (or a file missing from `files`) fails here and nowhere else.
 *
 * `npm pack --ignore-scripts`: `prepare` would rebuild dist/ while other test
 * files run the built CLI; the suite builds before it runs.
 */
const execFileAsync = promisify(execFile);
const REPO = new URL('../../../', import.meta.url).pathname;
const PACKAGE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };

async function npm(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync('npm', args, { cwd, env: cleanEnv(), timeout: 100_000, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { message: string; stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

const children: Spawned[] = [];

function start(bin: string, args: string[], env: NodeJS.ProcessEnv): Spawned {
  const child = spawnProcess(bin, args, cleanEnv(env));
  children.push(child);
  return child;
}

let dir: string;
let appDir: string;
let installedBin: string;

beforeAll(async () => {
  expect(existsSync(join(REPO, 'dist/cli/main.js')), 'run `npm run build` before the tests').toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'lfcs-pack-'));
  const packDir = join(dir, 'pack');
  mkdirSync(packDir);
  const packed = JSON.parse(await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], REPO)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const tarball = join(packDir, packed[0]!.filename);
  expect(readdirSync(packDir)).toEqual([packed[0]!.filename]);
  const files = packed[0]!.files.map((f) => f.path);
  expect(files).toContain('dist/cli/main.js');
  expect(files).toContain('examples/demo-catalog.yaml');

  appDir = join(dir, 'app');
  mkdirSync(appDir);
  await npm(['init', '-y'], appDir);
  await npm(['install', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', tarball], appDir);
  installedBin = join(appDir, 'node_modules/.bin/lfcs');
}, 120_000);

afterAll(async () => {
  for (const child of children) await child.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package, installed without devDependencies', () => {
  it('installs no devDependency', () => {
    const installed = join(appDir, 'node_modules');
    for (const dev of ['vitest', 'typescript', 'light-my-request', 'fast-check']) {
      expect(existsSync(join(installed, dev)), dev).toBe(false);
    }
    // A runtime dependency since upstream.assumeRole (fromTemporaryCredentials).
    expect(existsSync(join(installed, '@aws-sdk/credential-providers'))).toBe(true);
  });

  it('lfcs --version prints the package version', async () => {
    const { stdout } = await execFileAsync(installedBin, ['--version'], { env: cleanEnv(), timeout: 15_000 });
    expect(stdout.trim()).toBe(PACKAGE.version);
  });

  it('lfcs emulator and lfcs serve from the install vend credentials end to end', async () => {
    const installedPackage = join(appDir, 'node_modules', PACKAGE.name);
    const emulator = start(
      installedBin,
      ['emulator', '--catalog', join(installedPackage, 'examples/demo-catalog.yaml'), '--port', '0'],
      {},
    );
    const emulatorLine = await emulator.waitForLine(/^lfcs emulator listening at /);
    const emulatorUrl = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(emulatorLine)![1]!;

    const tokenFile = join(dir, 'token');
    const configFile = join(dir, 'tmp.yaml');
    writeFileSync(
      configFile,
      stringify({
        region: 'us-east-1',
        upstream: { endpoint: emulatorUrl },
        listen: { host: '127.0.0.1', port: 0 },
        admin: { host: '127.0.0.1', port: 0 },
        auth: { tokenFile },
        profiles: { orders: { tableArn: ORDERS_ARN } },
        shutdown: { drainSeconds: 0 },
      }),
    );
    const sidecar = start(installedBin, ['serve', '--config', configFile], {
      AWS_ACCESS_KEY_ID: DEMO_PRINCIPAL.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DEMO_PRINCIPAL.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    const listening = JSON.parse(await sidecar.waitForLine(/"msg":"lfcs listening"/)) as Record<string, string>;
    const adminUrl = listening['admin']!;
    const credentialsUrl = listening['credentials']!;
    expect(adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    await vi.waitFor(
      async () => {
        const res = await fetch(`${adminUrl}/readyz`);
        expect(res.status, sidecar.output()).toBe(200);
      },
      { timeout: 15_000, interval: 100 },
    );

    const token = readFileSync(tokenFile, 'utf8');
    const res = await fetch(`${credentialsUrl}/v1/credentials/orders`, { headers: { Authorization: token } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(body['AccessKeyId']).toMatch(/^ASIA/);
    expect(body['SecretAccessKey']).toBeTruthy();
    expect(body['Token']).toBeTruthy();
    expect(Date.parse(body['Expiration']!)).toBeGreaterThan(Date.now());

    const unauthorized = await fetch(`${credentialsUrl}/v1/credentials/orders`);
    expect(unauthorized.status).toBe(401);
    await unauthorized.arrayBuffer();

    await sidecar.kill();
    await emulator.kill();
    expect(sidecar.output()).not.toContain(body['SecretAccessKey']!);
  }, 60_000);
});
