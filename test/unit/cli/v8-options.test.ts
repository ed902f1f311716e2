import { describe, expect, it } from 'vitest';
import {
  chartMemory,
  deriveV8Options,
  MEMORY_MODEL,
  planV8Options,
  readMemoryLimit,
  userHeapFlags,
  v8Flags,
} from '../../../src/cli/v8-options.js';

const MiB = 2 ** 20;

describe('deriveV8Options', () => {
  it('gives the old space a full cache needs: the idle heap plus the per-lease budget, with a 1 MiB semi-space', () => {
    const { baseMi, perEntryKi } = MEMORY_MODEL.heap;
    for (const maxEntries of [1, 1_000, 10_000, 100_000, 1_000_000]) {
      const options = deriveV8Options({ maxEntries });
      expect(options.maxOldSpaceSizeMi).toBe(baseMi + Math.ceil((maxEntries * perEntryKi) / 1024));
      expect(options.neededOldSpaceMi).toBe(options.maxOldSpaceSizeMi);
      expect(options.maxSemiSpaceSizeMi).toBe(1);
      expect(options.memoryLimitMi).toBeUndefined();
    }
  });

  it('budgets at least the measured heap per lease with room to collect', () => {
    // 1.5x the measured heap per lease at least, so a full cache never reaches the bound.
    const measured = MEMORY_MODEL.heap.measuredPerEntryBytes;
    expect(MEMORY_MODEL.heap.perEntryKi * 1024).toBeGreaterThanOrEqual(1.5 * measured);
    const options = deriveV8Options({ maxEntries: 100_000 });
    expect(options.maxOldSpaceSizeMi * MiB).toBeGreaterThan(100_000 * measured * 1.5);
  });

  it('keeps the old space under 75 % of a memory limit, and says what a full cache would need', () => {
    const options = deriveV8Options({ maxEntries: 100_000, memoryLimitBytes: 256 * MiB });
    expect(options).toMatchObject({ maxOldSpaceSizeMi: 192, memoryLimitMi: 256 });
    expect(options.neededOldSpaceMi).toBeGreaterThan(192);
  });

  it('does not raise the bound to the limit when the cache needs less', () => {
    const options = deriveV8Options({ maxEntries: 1_000, memoryLimitBytes: 4096 * MiB });
    expect(options.maxOldSpaceSizeMi).toBe(options.neededOldSpaceMi);
    expect(options.maxOldSpaceSizeMi).toBeLessThan(100);
  });

  it('is never bounded by the limit the chart derives from the same cache size', () => {
    for (const maxEntries of [1, 1_000, 10_000, 100_000, 1_000_000]) {
      const { limitMi } = chartMemory(maxEntries);
      const options = deriveV8Options({ maxEntries, memoryLimitBytes: limitMi * MiB });
      expect(options.maxOldSpaceSizeMi, `${maxEntries} entries`).toBe(options.neededOldSpaceMi);
    }
  });

  it('renders the flags node takes', () => {
    expect(v8Flags({ maxOldSpaceSizeMi: 123, maxSemiSpaceSizeMi: 1, allocationSitePretenuring: false })).toEqual([
      '--max-old-space-size=123',
      '--max-semi-space-size=1',
      '--no-allocation-site-pretenuring',
    ]);
  });
});

describe('readMemoryLimit', () => {
  const fs = (files: Record<string, string>) => (path: string) => files[path];

  it('reads cgroup v2 memory.max of the container (cgroup namespace: 0::/)', () => {
    expect(readMemoryLimit('/cg', fs({ '/proc/self/cgroup': '0::/\n', '/cg/memory.max': '268435456\n' }))).toBe(256 * MiB);
  });

  it('treats "max" and a missing file as no limit', () => {
    expect(readMemoryLimit('/cg', fs({ '/proc/self/cgroup': '0::/\n', '/cg/memory.max': 'max\n' }))).toBeUndefined();
    expect(readMemoryLimit('/cg', fs({}))).toBeUndefined();
  });

  it('takes the smallest limit from the process cgroup up to the root (a limit set on a parent slice)', () => {
    const files = {
      '/proc/self/cgroup': '0::/kubepods/pod1/ctr\n',
      '/cg/kubepods/pod1/ctr/memory.max': 'max',
      '/cg/kubepods/pod1/memory.max': '536870912',
      '/cg/kubepods/memory.max': '8589934592',
    };
    expect(readMemoryLimit('/cg', fs(files))).toBe(512 * MiB);
  });

  it('reads cgroup v1 memory.limit_in_bytes, where the kernel writes a huge value for none', () => {
    const membership = '5:cpu,cpuacct:/\n4:memory:/docker/abc\n0::/\n';
    expect(readMemoryLimit('/cg', fs({ '/proc/self/cgroup': membership, '/cg/memory/memory.limit_in_bytes': '134217728' }))).toBe(
      128 * MiB,
    );
    expect(
      readMemoryLimit('/cg', fs({ '/proc/self/cgroup': membership, '/cg/memory/memory.limit_in_bytes': '9223372036854771712' })),
    ).toBeUndefined();
    expect(
      readMemoryLimit(
        '/cg',
        fs({
          '/proc/self/cgroup': membership,
          '/cg/memory/docker/abc/memory.limit_in_bytes': '67108864',
          '/cg/memory/memory.limit_in_bytes': '9223372036854771712',
        }),
      ),
    ).toBe(64 * MiB);
  });
});

describe('planV8Options', () => {
  const base = { maxEntries: 10_000, execArgv: [] as string[] };

  it('re-executes with both flags when the user set neither', () => {
    const plan = planV8Options({ ...base, nodeOptions: '--enable-source-maps' });
    expect(plan.flags).toEqual(v8Flags(deriveV8Options(base)));
    expect(plan.source).toBe('lfcs');
  });

  it('never re-executes twice, and still tells whose bound the process runs with', () => {
    const flags = v8Flags(deriveV8Options(base));
    expect(planV8Options({ ...base, execArgv: flags, reexecutedWith: flags })).toEqual({
      options: deriveV8Options(base),
      flags: [],
      source: 'lfcs',
    });
    const user = planV8Options({
      ...base,
      nodeOptions: '--max-old-space-size=300',
      execArgv: ['--max-semi-space-size=1'],
      reexecutedWith: ['--max-semi-space-size=1'],
    });
    expect(user).toMatchObject({ flags: [], source: 'user' });
  });

  it("honours the user's own flags from NODE_OPTIONS or node's command line, and adds only the missing one", () => {
    expect(planV8Options({ ...base, nodeOptions: '--max-old-space-size=512 --max_semi_space_size=4' })).toMatchObject({
      flags: ['--no-allocation-site-pretenuring'],
      source: 'user',
    });
    expect(planV8Options({ ...base, execArgv: ['--max-old-space-size=512'] })).toMatchObject({
      flags: ['--max-semi-space-size=1', '--no-allocation-site-pretenuring'],
      source: 'user',
    });
  });

  it("keeps a user's own pretenuring choice, which says nothing of whose heap bounds these are", () => {
    for (const given of ['--allocation-site-pretenuring', '--no-allocation-site-pretenuring', '--noallocation_site_pretenuring']) {
      const plan = planV8Options({ ...base, nodeOptions: given });
      expect(plan.flags).toEqual(v8Flags(deriveV8Options(base)).slice(0, 2));
      expect(plan.source).toBe('lfcs');
    }
  });

  it('recognises a heap flag only as a whole flag name', () => {
    expect(userHeapFlags('--max-old-space-size-foo=1', [])).toEqual([]);
    expect(userHeapFlags(undefined, ['--max-old-space-size', '64'])).toEqual(['max-old-space-size']);
  });
});
