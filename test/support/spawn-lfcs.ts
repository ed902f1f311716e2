/**
 * The one helper that starts a child process for a test: output captured,
 * waits on a stdout line or a JSON log line, and stopped by its own PID.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { DEMO_PRINCIPAL } from '../../src/emulator/index.js';
import { deepMerge } from './deep-merge.js';

export const LFCS_BIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

const execFileAsync = promisify(execFile);

export interface Spawned {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr, labelled, for assertion messages. */
  output(): string;
  /** Resolves with the first stdout line matching `pattern`; rejects if the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the first parsed JSON log line for which `match` is true. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** Kills the process by its PID if it is still running (SIGKILL) and waits for it to exit. */
  kill(): Promise<void>;
}

/** Starts `bin` with `args`; the environment is only `env` (plus PATH unless `env` sets it). */
export function spawnProcess(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(bin, args, { env: { PATH: process.env['PATH'], ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const running = () => child.exitCode === null && child.signalCode === null;
  const output = () => `stdout:\n${out.slice(-4000)}\nstderr:\n${err.slice(-4000)}`;

  function waitFor<T>(find: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        cleanup();
        resolve(found);
      };
      const onExit = () => {
        // The last chunk may arrive with the exit: look once more first.
        check();
        if (!settled) {
          cleanup();
          reject(new Error(`${bin} exited (${child.exitCode ?? child.signalCode}) before ${what}\n${output()}`));
        }
      };
      let settled = false;
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${what} within ${timeoutMs} ms\n${output()}`));
      }, timeoutMs);
      const cleanup = () => {
        settled = true;
        clearTimeout(timer);
        listeners.delete(check);
        child.off('exit', onExit);
      };
      listeners.add(check);
      child.once('exit', onExit);
      check();
    });
  }

  return {
    child,
    stdout: () => out,
    stderr: () => err,
    output,
    exited,
    waitForLine: (pattern, timeoutMs = 15_000) =>
      waitFor(() => out.split('\n').find((line) => pattern.test(line)), `a line matching ${pattern}`, timeoutMs),
    waitForLog: (match, timeoutMs = 10_000) =>
      waitFor(
        () => {
          for (const line of out.split('\n')) {
            if (!line.startsWith('{')) continue;
            try {
              const parsed = JSON.parse(line) as Record<string, unknown>;
              if (match(parsed)) return parsed;
            } catch {
              // a partial line; wait for more output
            }
          }
          return undefined;
        },
        'a matching log line',
        timeoutMs,
      ),
    async kill() {
      if (running() && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      await exited;
    },
  };
}

/** Starts the built CLI (`dist/cli/main.js`) as a child process. */
export function spawnLfcs(args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  return spawnProcess(process.execPath, [LFCS_BIN, ...args], env);
}

/** A running `lfcs serve` child with its scratch directory (config and token file). */
export interface ServedLfcs extends Spawned {
  /** The scratch directory holding `config.yaml` and `token`. */
  dir: string;
  /** The `lfcs listening` log line: credentials, admin and Lake Formation API URLs. */
  listening: Record<string, unknown>;
  /** The token clients send (read from the token file lfcs wrote). */
  token(): string;
  /** Kills the process by its PID and removes the scratch directory. */
  close(): Promise<void>;
}

/**
 * Starts the built `lfcs serve` with `config` deep-merged over the test
 * base (region us-east-1, listeners on 127.0.0.1 port 0, a token file in a
 * fresh scratch directory), signing as the emulator's demo principal, and
 * resolves once it logs `lfcs listening`.
 */
export async function serveLfcs(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<ServedLfcs> {
  const dir = mkdtempSync(join(tmpdir(), 'lfcs-serve-'));
  const base = {
    region: 'us-east-1',
    listen: { port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    auth: { tokenFile: join(dir, 'token') },
  };
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, stringify(deepMerge(base, config)));
  const child = spawnLfcs(['serve', '--config', configFile], {
    AWS_ACCESS_KEY_ID: DEMO_PRINCIPAL.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DEMO_PRINCIPAL.secretAccessKey,
    ...env,
  });
  const close = async () => {
    await child.kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const listening = await child.waitForLog((line) => line['msg'] === 'lfcs listening');
    return Object.assign(child, { dir, listening, token: () => readFileSync(join(dir, 'token'), 'utf8'), close });
  } catch (err) {
    await close();
    throw err;
  }
}

/** Runs the built CLI to its end (killed after 15 s) and returns its exit code and output. */
export async function runLfcs(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [LFCS_BIN, ...args], {
      env: { PATH: process.env['PATH'], ...env },
      timeout: 15_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
