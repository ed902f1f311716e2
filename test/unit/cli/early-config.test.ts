/**
 * The early read of cache.maxEntries (src/cli/early-config.ts), which sizes
 * the V8 heap before zod and the schema load, gives what the full loader
 * gives, or undefined wherever the full loader reports a problem, so that the
 * heap options never come from a configuration lfcs then rejects.
 */
import { describe, expect, it } from 'vitest';
import { demoCacheMaxEntries } from '../../../src/cli/demo-config.js';
import { configFileArgument, earlyCacheMaxEntries, readCacheMaxEntries } from '../../../src/cli/early-config.js';
import { ENV_VARIABLES, loadConfig } from '../../../src/config/index.js';
import { configError, yamlFile } from '../config/helpers.js';

type Env = Record<string, string | undefined>;

async function fullLoad(file: string | undefined, env: Env): Promise<number> {
  return (await loadConfig({ ...(file !== undefined && { file }), env })).cache.maxEntries;
}

describe('readCacheMaxEntries', () => {
  it('agrees with the full loader: file, LFCS_CACHE_MAX_ENTRIES over it, LFCS_CONFIG, defaults', async () => {
    const withCache = await yamlFile('region: us-east-1\ncache:\n  maxEntries: 2500\n');
    const withoutCache = await yamlFile('region: us-east-1\n');
    const nullCache = await yamlFile('region: us-east-1\ncache:\n  maxEntries: null\n');
    const anchored = await yamlFile('region: us-east-1\nlisten:\n  port: &port 9999\ncache:\n  maxEntries: *port\n');
    const cases: { file?: string; env: Env }[] = [
      { env: { AWS_REGION: 'us-east-1' } },
      { file: withCache, env: {} },
      { file: withoutCache, env: {} },
      { file: nullCache, env: {} },
      { file: anchored, env: {} },
      { file: withCache, env: { LFCS_CACHE_MAX_ENTRIES: '40000' } },
      { file: withCache, env: { LFCS_CACHE_MAX_ENTRIES: ' 12 ' } },
      // Empty counts as unset: Helm renders an unset variable as `VAR=`.
      { file: withCache, env: { LFCS_CACHE_MAX_ENTRIES: '' } },
      { env: { LFCS_CONFIG: withCache } },
      { file: withoutCache, env: { LFCS_CONFIG: withCache } },
      { env: { AWS_REGION: 'us-east-1', LFCS_CACHE_MAX_ENTRIES: '1' } },
      { env: { AWS_REGION: 'us-east-1', LFCS_CACHE_MAX_ENTRIES: '1000000' } },
    ];
    for (const { file, env } of cases) {
      expect(await readCacheMaxEntries({ file, env }), JSON.stringify({ file, env })).toBe(await fullLoad(file, env));
    }
  });

  it('is undefined wherever the full loader reports a problem with it', async () => {
    const files = {
      zero: await yamlFile('region: us-east-1\ncache:\n  maxEntries: 0\n'),
      tooMany: await yamlFile('region: us-east-1\ncache:\n  maxEntries: 1000001\n'),
      text: await yamlFile('region: us-east-1\ncache:\n  maxEntries: "500"\n'),
      fraction: await yamlFile('region: us-east-1\ncache:\n  maxEntries: 10.5\n'),
      cacheNotMapping: await yamlFile('region: us-east-1\ncache: 5\n'),
      notMapping: await yamlFile('- a\n- b\n'),
      badYaml: await yamlFile('region: [us-east-1\n'),
      duplicateKey: await yamlFile('region: us-east-1\ncache:\n  maxEntries: 5\ncache:\n  maxEntries: 6\n'),
    };
    const cases: { file?: string; env: Env }[] = [
      ...Object.values(files).map((file) => ({ file, env: {} })),
      { file: '/nonexistent/lfcs.yaml', env: {} },
      { env: { AWS_REGION: 'us-east-1', LFCS_CACHE_MAX_ENTRIES: 'abc' } },
      { env: { AWS_REGION: 'us-east-1', LFCS_CACHE_MAX_ENTRIES: '0x10' } },
      { env: { AWS_REGION: 'us-east-1', LFCS_CACHE_MAX_ENTRIES: '1e3' } },
      { env: { AWS_REGION: 'us-east-1', LFCS_CACHE_MAX_ENTRIES: '0' } },
    ];
    for (const { file, env } of cases) {
      expect(await readCacheMaxEntries({ file, env }), JSON.stringify({ file, env })).toBeUndefined();
      await configError(() => fullLoad(file, env));
    }
  });

  it('reads the variable the configuration defines for cache.maxEntries, parsed as an integer', () => {
    const variable = ENV_VARIABLES.find((v) => v.path.join('.') === 'cache.maxEntries');
    expect(variable).toEqual({ name: 'LFCS_CACHE_MAX_ENTRIES', path: ['cache', 'maxEntries'], kind: 'integer' });
  });
});

describe('configFileArgument', () => {
  it('finds --config in each form commander takes, the last one winning', () => {
    expect(configFileArgument([])).toEqual({ file: undefined });
    expect(configFileArgument(['--port', '9', '--config', 'a.yaml'])).toEqual({ file: 'a.yaml' });
    expect(configFileArgument(['--config=a.yaml'])).toEqual({ file: 'a.yaml' });
    expect(configFileArgument(['-c', 'a.yaml'])).toEqual({ file: 'a.yaml' });
    expect(configFileArgument(['-ca.yaml'])).toEqual({ file: 'a.yaml' });
    expect(configFileArgument(['-c', 'a.yaml', '--config', 'b.yaml'])).toEqual({ file: 'b.yaml' });
  });

  it('decides nothing for help, the end of options, or a --config without its value', () => {
    expect(configFileArgument(['--help'])).toBeUndefined();
    expect(configFileArgument(['-c', 'a.yaml', '-h'])).toBeUndefined();
    expect(configFileArgument(['--', '--config', 'a.yaml'])).toBeUndefined();
    expect(configFileArgument(['--config'])).toBeUndefined();
  });
});

describe('earlyCacheMaxEntries', () => {
  it('reads early for serve and demo only', async () => {
    const file = await yamlFile('region: us-east-1\ncache:\n  maxEntries: 2500\n');
    expect(await earlyCacheMaxEntries(['serve', '--config', file], {})).toBe(2500);
    expect(await earlyCacheMaxEntries(['serve', '--config', file, '--help'], {})).toBeUndefined();
    expect(await earlyCacheMaxEntries(['status', '--config', file], {})).toBeUndefined();
    expect(await earlyCacheMaxEntries([], {})).toBeUndefined();
  });

  it("reads the demo's own file without LFCS_* variables, as the demo does", async () => {
    expect(await earlyCacheMaxEntries(['demo'], { LFCS_CACHE_MAX_ENTRIES: '7' })).toBe(await demoCacheMaxEntries());
  });
});
