/**
 * A network namespace made by the test, as root, with the agent's link-local address in it:
 * `ip netns add`, loopback up, and 169.254.170.2/32 on an interface of its own, the way the
 * chart's init container sets it up on a node (a dummy interface). Processes run inside it with
 * `ip netns exec`, which execs the command, so the PID a test holds is the process's own.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { spawnProcess, type Spawned } from '../../support/spawn-lfcs.js';

const run = promisify(execFile);

/** The interface holding the address: `dummy` as on a node, or the `veth` fallback (see {@link NetNamespace.create}). */
export type AddressInterface = 'dummy' | 'veth';

async function ip(args: string[]): Promise<void> {
  try {
    await run('ip', args, { timeout: 10_000 });
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new Error('`ip` (iproute2) is not on PATH: the agent network tests need it (bash .ci/run installs it)');
    throw new Error(`ip ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

export class NetNamespace {
  private constructor(
    readonly name: string,
    readonly address: string,
    readonly addressInterface: AddressInterface,
  ) {}

  /**
   * Creates `name` with lo up and `address`/32 on `lfcs0`. Needs root (CAP_NET_ADMIN and
   * CAP_SYS_ADMIN for `ip netns`): as another user it fails here, with a message saying so.
   *
   * The address goes on a dummy interface, as on a node. Where the kernel has no dummy driver
   * (this project's CI machines run a Firecracker kernel built without it, `# CONFIG_DUMMY is not
   * set` in /proc/config.gz but CONFIG_VETH=y, so `ip link add ... type dummy` answers "Unknown
   * device type"), a veth pair made inside the namespace, both ends in it and up, holds it
   * instead. For what the tests check that is the same: a local address on an interface of its
   * own, reached through the kernel's local routing table, never over the wire.
   * Only that one error falls back; any other failure of the dummy interface fails the test.
   */
  static async create(name: string, address: string): Promise<NetNamespace> {
    if (process.getuid?.() !== 0) {
      throw new Error(
        `test/e2e/agent needs root: it makes a network namespace (ip netns add ${name}) and puts ${address} in it, ` +
          `like the agent's init container on a node (uid is ${process.getuid?.()}). CI runs as root; run it as root.`,
      );
    }
    await ip(['netns', 'add', name]);
    const ns = ['-n', name];
    try {
      await ip([...ns, 'link', 'set', 'lo', 'up']);
      let kind: AddressInterface = 'dummy';
      try {
        await ip([...ns, 'link', 'add', 'lfcs0', 'type', 'dummy']);
      } catch (err) {
        if (!/Unknown device type/.test((err as Error).message)) throw err;
        kind = 'veth';
        await ip([...ns, 'link', 'add', 'lfcs0', 'type', 'veth', 'peer', 'name', 'lfcs1']);
        await ip([...ns, 'link', 'set', 'lfcs1', 'up']);
      }
      await ip([...ns, 'addr', 'add', `${address}/32`, 'dev', 'lfcs0']);
      await ip([...ns, 'link', 'set', 'lfcs0', 'up']);
      console.log(
        `[agent-netns] namespace ${name}: ${address}/32 on lfcs0, ` +
          (kind === 'dummy' ? 'a dummy interface' : 'one end of a veth pair (this kernel has no dummy driver)'),
      );
      return new NetNamespace(name, address, kind);
    } catch (err) {
      await ip(['netns', 'delete', name]).catch(() => undefined);
      throw err;
    }
  }

  /** `ip netns exec <name> command ...args` as a long-running child, environment exactly `env` (+ PATH). */
  spawn(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
    return spawnProcess('ip', ['netns', 'exec', this.name, command, ...args], env);
  }

  /** The command and arguments that run `command` inside the namespace (for one-shot clients). */
  wrap(command: string, args: string[]): { command: string; args: string[] } {
    return { command: 'ip', args: ['netns', 'exec', this.name, command, ...args] };
  }

  /** The addresses in the namespace, as `ip -n <name> -brief addr` shows them. */
  async addresses(): Promise<string> {
    return (await run('ip', ['-n', this.name, '-brief', 'addr'], { timeout: 10_000 })).stdout;
  }

  /** PIDs of the processes still in the namespace (`ip netns pids`). */
  async pids(): Promise<number[]> {
    const { stdout } = await run('ip', ['netns', 'pids', this.name], { timeout: 10_000 });
    return stdout.split('\n').filter(Boolean).map(Number);
  }

  /** Deletes the namespace (its interfaces go with it). Stop the processes in it first. */
  async delete(): Promise<void> {
    await ip(['netns', 'delete', this.name]);
  }
}
