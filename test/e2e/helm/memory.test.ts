// The sidecar's memory request, limit and V8 heap bound follow
// config.cache.maxEntries (lfcs.memory in _helpers.tpl), and the limit must
// cover what the benchmark measured: lfcs serve's idle RSS plus every entry at
// the measured RSS per entry, and the RSS measured at 10k and 100k entries
// (bench/memory.json, written by `npm run bench`). The chart sets no V8
// option: lfcs derives its heap bound from the limit it finds in its cgroup
// (src/cli/v8-options.ts), and the chart's figures are generated from the
// same memory model, so the two must agree.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { chartMemory, deriveV8Options, MEMORY_MODEL } from '../../../src/cli/v8-options.js';
import { chartDir, containerNamed, findManifest, podSpecOf, renderOk, repoRoot, type Container } from './helpers.js';

const MEASURED = JSON.parse(readFileSync(join(repoRoot, 'bench/memory.json'), 'utf8')) as {
  idleRssMiB: number;
  rssBytesPerEntry: number;
  rssAt10kMiB: number;
  rssAt100kMiB: number;
};
const NATIVE = join(chartDir, 'ci/native-values.yaml');
const AGENT = join(chartDir, 'ci/agent-values.yaml');
const Mi = (quantity: string) => {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!match) throw new Error(`unexpected quantity ${quantity}`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
};

/** The lfcs container of one mode: the native sidecar (sidecar.resources), or the agent DaemonSet's (agent.resources). */
type Mode = 'sidecar' | 'agent';
function lfcsContainer(mode: Mode, values: Record<string, any>): Container {
  if (mode === 'sidecar') {
    const spec = podSpecOf(findManifest(renderOk({ valuesFiles: [NATIVE], values: [values] }), 'Deployment'));
    return containerNamed(spec.initContainers, 'lfcs');
  }
  const spec = podSpecOf(findManifest(renderOk({ valuesFiles: [AGENT], values: [values], kubeVersion: '1.30.0' }), 'DaemonSet'));
  return containerNamed(spec.containers, 'lfcs');
}

function memoryOf(container: Container) {
  const resources = container['resources'] as { requests: Record<string, string>; limits: Record<string, string> };
  const env = (container['env'] ?? []) as Array<{ name: string; value?: string }>;
  const nodeOptions = env.find((e) => e.name === 'NODE_OPTIONS')?.value;
  return {
    requestMi: Mi(resources.requests['memory']!),
    limitMi: Mi(resources.limits['memory']!),
    nodeOptions,
  };
}

describe.each<Mode>(['sidecar', 'agent'])('%s memory from cache.maxEntries', (mode) => {
  const sidecar = (values: Record<string, any>): Container => lfcsContainer(mode, values);
  // The mode's own values section: sidecar.* or agent.*.
  const own = (settings: Record<string, unknown>): Record<string, unknown> => ({ [mode]: settings });
  it.each([1_000, 10_000, 50_000, 100_000, 1_000_000])(
    'covers idle RSS plus %i entries at the measured bytes per entry, with the V8 bound lfcs derives below the limit',
    (maxEntries) => {
      const m = memoryOf(sidecar({ config: { cache: { maxEntries } } }));
      const needed = MEASURED.idleRssMiB + (maxEntries * MEASURED.rssBytesPerEntry) / 2 ** 20;
      expect(m.limitMi).toBeGreaterThanOrEqual(Math.ceil(needed));
      expect(m.requestMi).toBeLessThanOrEqual(m.limitMi);
      // What lfcs derives in this container from the limit in its cgroup: the
      // full cache's old space, never cut short by the chart's limit.
      const v8 = deriveV8Options({ maxEntries, memoryLimitBytes: m.limitMi * 2 ** 20 });
      expect(v8.maxOldSpaceSizeMi).toBe(v8.neededOldSpaceMi);
      expect(v8.maxOldSpaceSizeMi).toBeGreaterThan(0);
      expect(v8.maxOldSpaceSizeMi).toBeLessThan(m.limitMi);
      expect(v8.maxSemiSpaceSizeMi).toBe(1);
      // The chart leaves the V8 options to lfcs.
      expect(m.nodeOptions).toBeUndefined();
    },
  );

  it.each([1, 1_000, 10_000, 123_457, 1_000_000])("sets the request and limit lfcs's memory model gives %i entries", (maxEntries) => {
    const m = memoryOf(sidecar({ config: { cache: { maxEntries } } }));
    expect({ requestMi: m.requestMi, limitMi: m.limitMi }).toEqual(chartMemory(maxEntries));
  });

  it('covers the RSS measured by lfcs serve at 10k and 100k entries', () => {
    expect(memoryOf(sidecar({ config: { cache: { maxEntries: 10_000 } } })).limitMi).toBeGreaterThanOrEqual(MEASURED.rssAt10kMiB);
    expect(memoryOf(sidecar({ config: { cache: { maxEntries: 100_000 } } })).limitMi).toBeGreaterThanOrEqual(MEASURED.rssAt100kMiB);
  });

  it('uses the default maxEntries (10000) when config.cache does not set it', () => {
    expect(memoryOf(sidecar({}))).toEqual(memoryOf(sidecar({ config: { cache: { maxEntries: 10_000 } } })));
  });

  it(`lets explicit ${mode}.resources win, and leaves NODE_OPTIONS to ${mode}.env then`, () => {
    const explicit = memoryOf(sidecar(own({ resources: { requests: { memory: '300Mi' }, limits: { memory: '1Gi' } } })));
    expect(explicit).toMatchObject({ requestMi: 300, limitMi: 1024, nodeOptions: undefined });
    // lfcs still bounds its heap, below the hand-set limit it finds in its cgroup.
    expect(deriveV8Options({ maxEntries: 1_000_000, memoryLimitBytes: 1024 * 2 ** 20 }).maxOldSpaceSizeMi).toBe(768);
    const withEnv = sidecar(own({ env: [{ name: 'NODE_OPTIONS', value: '--max-old-space-size=100' }] }));
    const env = withEnv['env'] as Array<{ name: string; value?: string }>;
    expect(env.filter((e) => e.name === 'NODE_OPTIONS')).toEqual([{ name: 'NODE_OPTIONS', value: '--max-old-space-size=100' }]);
  });
});

describe("the chart's memory figures", () => {
  it("are the ones npm run generate writes from lfcs's memory model", () => {
    const values = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as { sidecar: { memory: Record<string, number> } };
    expect(values.sidecar.memory).toEqual(MEMORY_MODEL.chart);
  });
});

describe('the agent and the sidecar', () => {
  it('derive the same memory from the same cache size (one lfcs process either way)', () => {
    for (const maxEntries of [10_000, 200_000]) {
      const values = { config: { cache: { maxEntries } } };
      expect(memoryOf(lfcsContainer('agent', values))).toEqual(memoryOf(lfcsContainer('sidecar', values)));
    }
  });
});
