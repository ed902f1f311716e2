/**
 * Load from wrk (Debian's package), a C load generator, so the client does
 * not compete with the server on the Node event loop. Installs wrk with
 * apt-get when it is missing and we are root. Targets 127.0.0.1 only.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The wrk binary, installed on first use if possible. */
export function ensureWrk() {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    // `wrk --version` exits 1 after printing its version; only a missing binary throws ENOENT.
    if (err.code !== 'ENOENT') return 'wrk';
    if (process.getuid?.() !== 0) throw new Error('wrk is not installed: apt-get install wrk');
    execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit' });
  }
  return 'wrk';
}

const UNIT = { us: 1e-3, ms: 1, s: 1000 };
const toMs = (text) => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text);
  return m ? Number(m[1]) * UNIT[m[2]] : Number.NaN;
};

/**
 * One wrk run against `url` (must be on 127.0.0.1): requests/s, p50 and p99
 * latency in ms, and non-2xx count. Bounded by `seconds`.
 */
export async function wrk(url, { token, seconds = 5, connections = 16, threads = 1, script, env = {} }) {
  if (!new URL(url).hostname.startsWith('127.')) throw new Error(`wrk targets loopback only, not ${url}`);
  const args = ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--latency', '-H', `Authorization: ${token}`];
  // A Lua script (wrk -s) may vary each request's path; `env` reaches it through os.getenv.
  if (script) args.push('-s', script);
  args.push(url);
  const { stdout } = await run(ensureWrk(), args, { timeout: (seconds + 30) * 1000, env: { ...process.env, ...env } });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  const p50 = toMs(/\s50%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const p99 = toMs(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  return { reqPerSec: rps, p50Ms: p50, p99Ms: p99, non2xx };
}
