/**
 * `lfcs serve` keeps Node's compile cache in its own directory under the
 * temporary directory where this Node has one (>= 22.1), and starts all the
 * same where that directory cannot be written (a read-only root filesystem).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ORDERS_ARN } from '../../support/demo.js';
import { serveLfcs } from '../../support/spawn-lfcs.js';

const dir = mkdtempSync(join(tmpdir(), 'lfcs-compile-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const config = {
  upstream: { endpoint: 'http://127.0.0.1:9' },
  prewarm: { enabled: false },
  profiles: { orders: { tableArn: ORDERS_ARN } },
};
const nodeHasIt = typeof (module as unknown as { enableCompileCache?: unknown }).enableCompileCache === 'function';

describe("Node's compile cache", () => {
  it('is written to a directory of its own once lfcs is ready, where this Node has one', async () => {
    const temporary = join(dir, 'tmp');
    rmSync(temporary, { recursive: true, force: true });
    mkdirSync(temporary);
    const lfcs = await serveLfcs(config, { TMPDIR: temporary });
    const cache = join(temporary, `lfcs-compile-cache-${process.getuid?.() ?? 0}`);
    try {
      if (nodeHasIt) {
        // Flushed once ready: what the next start reads, even if this one is killed.
        expect(readdirSync(cache, { recursive: true }).length).toBeGreaterThan(0);
      } else {
        expect(existsSync(cache)).toBe(false);
      }
    } finally {
      await lfcs.close();
    }
  });

  it('stays off, and lfcs serves, where its directory cannot be created', async () => {
    const notADirectory = join(dir, 'a-file');
    writeFileSync(notADirectory, '');
    const lfcs = await serveLfcs(config, { TMPDIR: notADirectory });
    try {
      const res = await fetch(`${lfcs.listening['admin']}/readyz`);
      expect(res.status).toBe(200);
    } finally {
      await lfcs.close();
    }
  });
});
