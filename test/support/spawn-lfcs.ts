import { spawn, type ChildProcess } from 'node:child_process';

export const LFCS_BIN = new URL('../../dist/cli/main.js', import.meta.url).pathname;

export interface SpawnedLfcs {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first parsed JSON log line for which `match` is true. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** Kills the process by its PID if it is still running. */
  kill(): void;
}

/** Starts the built CLI (`dist/cli/main.js`) as a child process. */
export function spawnLfcs(args: string[], env: NodeJS.ProcessEnv = {}): SpawnedLfcs {
  const child = spawn(process.execPath, [LFCS_BIN, ...args], {
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const w of waiters) w();
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
    },
    waitForLog(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (const line of out.split('\n')) {
            if (!line.startsWith('{')) continue;
            try {
              const parsed = JSON.parse(line) as Record<string, unknown>;
              if (match(parsed)) {
                clearTimeout(timer);
                return resolve(parsed);
              }
            } catch {
              // a partial line; wait for more output
            }
          }
        };
        const timer = setTimeout(
          () => reject(new Error(`no matching log line within ${timeoutMs} ms; stdout: ${out.slice(-2000)} stderr: ${err.slice(-2000)}`)),
          timeoutMs,
        );
        waiters.push(check);
        void exited.then(() => setTimeout(check, 0));
        check();
      });
    },
  };
}
