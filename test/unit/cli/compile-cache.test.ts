/**
 * Node's compile cache is used where it can be, and its absence never stops
 * lfcs: not in this Node, turned off, or a directory that cannot be written
 * or is not this user's own. The real filesystem, with `node:module`'s
 * compile-cache functions recorded in place of the process-wide ones.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { enableCompileCache } from '../../../src/cli/compile-cache.js';

const root = mkdtempSync(join(tmpdir(), 'lfcs-compile-cache-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const uid = process.getuid?.() ?? 0;
const statuses = { FAILED: 0, ENABLED: 1, ALREADY_ENABLED: 2, DISABLED: 3 };

/** A stand-in for node:module's compile-cache API that records the directories it was given. */
function recordingApi(status = statuses.ENABLED) {
  const given: (string | undefined)[] = [];
  return {
    given,
    api: {
      enableCompileCache: (directory?: string) => {
        given.push(directory);
        return { status, directory };
      },
      constants: { compileCacheStatus: statuses },
    },
  };
}

function freshDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  return dir;
}

describe('enableCompileCache', () => {
  it('uses a private directory of its own under the temporary directory', () => {
    const temporary = freshDir('fresh');
    const { api, given } = recordingApi();
    const directory = join(temporary, `lfcs-compile-cache-${uid}`);
    expect(enableCompileCache({}, temporary, api)).toEqual({ enabled: true, directory });
    expect(given).toEqual([directory]);
    expect(statSync(directory).mode & 0o777).toBe(0o700);
    // A second start finds it and uses it again.
    expect(enableCompileCache({}, temporary, api)).toEqual({ enabled: true, directory });
  });

  it("uses Node's own NODE_COMPILE_CACHE directory as it is", () => {
    const { api, given } = recordingApi(statuses.ALREADY_ENABLED);
    expect(enableCompileCache({ NODE_COMPILE_CACHE: '/somewhere/node' }, freshDir('env'), api)).toEqual({
      enabled: true,
      directory: '/somewhere/node',
    });
    expect(given).toEqual(['/somewhere/node']);
  });

  it('stays off, and starts, where the directory cannot be created or written', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const { api, given } = recordingApi();
    // A temporary directory that is not one (a read-only root filesystem fails the same way, EROFS).
    expect(enableCompileCache({}, file, api)).toMatchObject({ enabled: false, reason: expect.stringContaining('ENOTDIR') });
    // A file where the cache directory should be.
    const temporary = freshDir('taken');
    writeFileSync(join(temporary, `lfcs-compile-cache-${uid}`), '');
    expect(enableCompileCache({}, temporary, api)).toMatchObject({ enabled: false, reason: expect.stringContaining('not a directory') });
    expect(given).toEqual([]);
  });

  it('stays off where others could write code into the directory', () => {
    const temporary = freshDir('shared');
    const directory = join(temporary, `lfcs-compile-cache-${uid}`);
    mkdirSync(directory);
    chmodSync(directory, 0o777);
    const { api, given } = recordingApi();
    expect(enableCompileCache({}, temporary, api)).toMatchObject({ enabled: false, reason: expect.stringContaining('not this user') });
    expect(given).toEqual([]);
  });

  it("stays off when turned off with Node's NODE_DISABLE_COMPILE_CACHE, in a Node without it, or when Node fails", () => {
    const { api, given } = recordingApi();
    expect(enableCompileCache({ NODE_DISABLE_COMPILE_CACHE: '1' }, freshDir('disabled'), api)).toMatchObject({ enabled: false });
    expect(enableCompileCache({}, freshDir('old-node'), {})).toEqual({ enabled: false, reason: 'not in this Node' });
    expect(given).toEqual([]);
    const failing = recordingApi(statuses.FAILED);
    expect(enableCompileCache({}, freshDir('failing'), failing.api)).toMatchObject({ enabled: false });
  });

  it("matches this Node's own API: there where Node has it (>= 22.1), absent on Node 20", () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const has = typeof (module as unknown as { enableCompileCache?: unknown }).enableCompileCache === 'function';
    expect(has).toBe(major > 22 || (major === 22 && minor >= 1));
  });
});
