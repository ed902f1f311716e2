// The agent's init container script, exactly as the chart renders it, run
// with a real `ip` (iproute2) in a network namespace of the test's own
// (`unshare --user --map-root-user --net`: nothing on the machine is touched).
// It must put config.agent.host on the interface, be a no-op when run again
// (a pod restart), and fail loudly when the link cannot be created, never
// carry on without the address. The image's busybox `ip` takes the same
// commands; that was checked by hand, not here (see the README).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartDir, containerNamed, findManifest, podSpecOf, renderOk } from './helpers.js';

const AGENT = join(chartDir, 'ci/agent-values.yaml');
const IP = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p));

/** The init container's `sh -ec` script for these values. */
function setupScript(values: Record<string, unknown> = {}): string {
  const manifests = renderOk({ valuesFiles: [AGENT], values: [values], kubeVersion: '1.30.0' });
  const init = containerNamed(podSpecOf(findManifest(manifests, 'DaemonSet', 'lfcs-agent')).initContainers, 'address');
  expect(init['command'].slice(0, 2)).toEqual(['/bin/sh', '-ec']);
  return init['command'][2] as string;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * In one fresh network namespace: runs `prepare`, then the script `times`
 * times (each as `sh -ec`, like the container; stops after a failure), then
 * `inspect`. Returns each run's status and output, and what `inspect` printed.
 */
function inNetns(prepare: string, script: string, times: number, inspect: string): { runs: Run[]; inspected: string } {
  if (!IP) throw new Error('no `ip` (iproute2) on this machine: bash .ci/run installs it');
  const dir = mkdtempSync(join(tmpdir(), 'lfcs-netns-'));
  try {
    const driver = [
      'set -u',
      `${prepare} || exit 90`,
      `i=0; while [ "$i" -lt ${times} ]; do`,
      '  sh -ec "$SCRIPT" >"$OUT/out$i" 2>"$OUT/err$i"; rc=$?; echo "$rc" >"$OUT/rc$i"',
      '  [ "$rc" = 0 ] || break; i=$((i + 1))',
      'done',
      `{ ${inspect}; } >"$OUT/inspect" 2>&1`,
    ].join('\n');
    const result = spawnSync('unshare', ['--user', '--map-root-user', '--net', 'sh', '-c', driver], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: `${IP.slice(0, IP.lastIndexOf('/'))}:/usr/bin:/bin`, SCRIPT: script, OUT: dir },
    });
    if (result.status !== 0)
      throw new Error(`the namespace set-up failed (${result.status}): ${result.stderr}${result.error?.message ?? ''}`);
    const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
    const runs: Run[] = [];
    for (let i = 0; i < times && existsSync(join(dir, `rc${i}`)); i++) {
      runs.push({ status: Number(read(`rc${i}`)), stdout: read(`out${i}`), stderr: read(`err${i}`) });
    }
    return { runs, inspected: read('inspect') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the agent address set-up script, in a network namespace of its own', () => {
  // This kernel may have no dummy driver; a bridge stands in for the link a
  // previous run of the init container (or a dummy-capable kernel) left behind.
  const existingLink = 'ip link add lfcs0 type bridge';

  it('puts config.agent.host/32 on the interface and brings it up, and a second run changes nothing', () => {
    const { runs, inspected } = inNetns(existingLink, setupScript(), 2, 'ip -o -4 addr show dev lfcs0; ip -o link show lfcs0');
    expect(runs.map((r) => r.status)).toEqual([0, 0]);
    expect(runs.map((r) => r.stdout.trim())).toEqual(['169.254.170.2/32 on lfcs0', '169.254.170.2/32 on lfcs0']);
    const addresses = inspected.match(/inet \S+/g);
    expect(addresses).toEqual(['inet 169.254.170.2/32']);
    expect(inspected).toMatch(/lfcs0: <[^>]*\bUP\b/);
  });

  it('uses /128 for an IPv6 host and the configured interface name', () => {
    const script = setupScript({ config: { agent: { host: 'fd00:ec2::23' } }, agent: { addressSetup: { interface: 'lfcs-test' } } });
    const { runs, inspected } = inNetns('ip link add lfcs-test type bridge', script, 2, 'ip -o -6 addr show dev lfcs-test scope global');
    expect(runs.map((r) => r.status)).toEqual([0, 0]);
    expect(inspected.match(/inet6 \S+/g)).toEqual(['inet6 fd00:ec2::23/128']);
  });

  it('creates a dummy link when none exists, or fails with the kernel error and sets no address', () => {
    const { runs, inspected } = inNetns('true', setupScript(), 1, 'ip -d -o link show lfcs0 2>&1 || true; ip -o -4 addr show 2>&1');
    expect(runs).toHaveLength(1);
    const [run] = runs;
    if (run!.status === 0) {
      // A kernel with the dummy driver: the link the init container creates on a node.
      expect(inspected).toMatch(/lfcs0:.*\bdummy\b/);
      expect(inspected).toContain('inet 169.254.170.2/32');
    } else {
      // No dummy driver: `ip link add` fails, and set -e stops the script there.
      expect(run!.stderr).toMatch(/Unknown device type|Operation not supported|RTNETLINK/);
      expect(run!.stdout).toBe('');
      expect(inspected).not.toContain('169.254.170.2');
    }
  });
});
