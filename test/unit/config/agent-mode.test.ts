import { describe, expect, it } from 'vitest';
import { configWarnings, envToOverrides, loadConfig, parseConfig, requireAuthSource } from '../../../src/config/index.js';
import { configError, problemAt } from './helpers.js';

const ORDERS = 'arn:aws:glue:us-east-1:123456789012:table/sales/orders';

const agent = (extra: Record<string, unknown> = {}, agentExtra: Record<string, unknown> = {}) => ({
  region: 'us-east-1',
  mode: 'agent',
  agent: {
    nodeName: 'ip-10-0-1-23.ec2.internal',
    bindings: [{ namespace: 'spark', serviceAccount: 'executor', profiles: ['orders'] }],
    ...agentExtra,
  },
  profiles: { orders: { tableArn: ORDERS } },
  ...extra,
});

describe('agent mode configuration', () => {
  it('defaults to the ECS link-local address on port 80 and the audience lfcs', () => {
    const config = parseConfig(agent());
    expect(config.agent).toMatchObject({ host: '169.254.170.2', port: 80, audience: 'lfcs', issuerUrl: 'https://kubernetes.default.svc' });
    expect(config.agent.bindings[0]).toEqual({
      namespace: 'spark',
      serviceAccount: 'executor',
      profiles: ['orders'],
      tables: [],
      locations: [],
    });
    expect(configWarnings(config)).toEqual([]);
  });

  it('needs no shared token', () => {
    expect(() => requireAuthSource(parseConfig(agent()))).not.toThrow();
  });

  it('requires the node name', async () => {
    const error = await configError(() => parseConfig(agent({}, { nodeName: undefined })));
    expect(problemAt(error, 'agent.nodeName').expected).toContain('LFCS_AGENT_NODE_NAME');
  });

  it('takes the mode and node name from the environment', async () => {
    expect(envToOverrides({ LFCS_MODE: 'agent', LFCS_AGENT_NODE_NAME: 'node-a', LFCS_AGENT_PORT: '8080' })).toEqual({
      mode: 'agent',
      agent: { nodeName: 'node-a', port: 8080 },
    });
    const config = await loadConfig({ env: { LFCS_REGION: 'us-east-1', LFCS_MODE: 'agent', LFCS_AGENT_NODE_NAME: 'node-a' } });
    expect(config.mode).toBe('agent');
  });

  it.each([
    ['169.254.169.254', 'the instance metadata address'],
    ['10.0.0.7', 'a node address'],
    ['0.0.0.0', 'every address'],
  ])('refuses agent.host %s (%s): the SDKs accept only the link-local ones over plain HTTP', async (host) => {
    const error = await configError(() => parseConfig(agent({}, { host })));
    expect(problemAt(error, 'agent.host').expected).toContain('169.254.170.2, 169.254.170.23, fd00:ec2::23');
  });

  it.each(['http://issuer.example', 'ftp://127.0.0.1', 'https://kubernetes.default.svc?x=1', 'not a url'])(
    'refuses issuerUrl %s',
    async (issuerUrl) => {
      const error = await configError(() => parseConfig(agent({}, { issuerUrl })));
      expect(problemAt(error, 'agent.issuerUrl').expected).toContain('https://');
    },
  );

  it('accepts an http issuer on loopback (tests, a local proxy)', () => {
    expect(parseConfig(agent({}, { issuerUrl: 'http://127.0.0.1:8001' })).agent.issuerUrl).toBe('http://127.0.0.1:8001');
  });

  it('refuses the token-less Lake Formation API listener', async () => {
    const error = await configError(() => parseConfig(agent({ lakeformationApi: { enabled: true }, dynamic: { enabled: true } })));
    expect(problemAt(error, 'lakeformationApi.enabled').expected).toContain('false in agent mode');
  });

  it('refuses node-wide dynamic allow-lists: the bindings are the allow-lists', async () => {
    const error = await configError(() =>
      parseConfig(agent({ dynamic: { enabled: true, allowedTables: [ORDERS], allowedLocations: ['s3://lake/*'] } })),
    );
    expect(problemAt(error, 'dynamic.allowedTables').expected).toContain('agent.bindings[].tables');
    expect(problemAt(error, 'dynamic.allowedLocations').expected).toContain('agent.bindings[].locations');
  });

  it('does not need dynamic.allowedTables when dynamic is enabled', () => {
    const config = parseConfig(
      agent({ dynamic: { enabled: true } }, { bindings: [{ namespace: 'spark', serviceAccount: 'executor', tables: [ORDERS] }] }),
    );
    expect(config.agent.bindings[0]?.tables).toEqual([ORDERS]);
  });

  it('needs dynamic.enabled for a binding with tables or locations, said once', async () => {
    const error = await configError(() =>
      parseConfig(
        agent(
          {},
          {
            bindings: [
              { namespace: 'spark', serviceAccount: 'a', tables: [ORDERS] },
              { namespace: 'spark', serviceAccount: 'b', locations: ['s3://lake/sales/*'] },
            ],
          },
        ),
      ),
    );
    expect(problemAt(error, 'dynamic.enabled').expected).toContain('agent.bindings[0]');
  });

  it('refuses a binding to an unknown profile, suggesting the closest', async () => {
    const error = await configError(() =>
      parseConfig(agent({}, { bindings: [{ namespace: 'spark', serviceAccount: 'executor', profiles: ['ordres'] }] })),
    );
    expect(problemAt(error, 'agent.bindings[0].profiles[0]').expected).toContain('did you mean "orders"?');
  });

  it('refuses two bindings for one identity', async () => {
    const twice = { namespace: 'spark', serviceAccount: 'executor', profiles: ['orders'] };
    const error = await configError(() => parseConfig(agent({}, { bindings: [twice, twice] })));
    expect(problemAt(error, 'agent.bindings[1]').expected).toContain('agent.bindings[0]');
  });

  it.each([
    [{ namespace: 'Spark', serviceAccount: 'executor' }, 'agent.bindings[0].namespace'],
    [{ namespace: 'spark', serviceAccount: 'Executor_1' }, 'agent.bindings[0].serviceAccount'],
    [
      { namespace: 'spark', serviceAccount: 'executor', tables: ['arn:aws:glue:us-east-1:123456789012:table/**'] },
      'agent.bindings[0].tables[0]',
    ],
    [{ namespace: 'spark', serviceAccount: 'executor', role: 'x' }, 'agent.bindings[0].role'],
  ])('refuses a malformed binding %j', async (binding, path) => {
    const error = await configError(() => parseConfig(agent({ dynamic: { enabled: true } }, { bindings: [binding] })));
    expect(problemAt(error, path)).toBeDefined();
  });

  it('uses agent.port, not listen.port, for the port clash check', async () => {
    const error = await configError(() => parseConfig(agent({ admin: { port: 80 } })));
    expect(problemAt(error, 'admin.port').expected).toContain('agent.port');
    // listen.* is not used in agent mode, so it cannot clash.
    expect(parseConfig(agent({ listen: { port: 9181 }, admin: { port: 9181 } })).admin.port).toBe(9181);
    expect(parseConfig(agent({ admin: { port: 9180 } })).admin.port).toBe(9180);
  });

  it('warns about no bindings, the Pod Identity Agent address, unused auth and unbound profiles', () => {
    const config = parseConfig({
      ...agent({ auth: { tokenFile: '/run/token' } }, { host: '169.254.170.23', bindings: [] }),
    });
    const warnings = configWarnings(config);
    expect(warnings).toEqual([
      expect.stringContaining('every pod is refused'),
      expect.stringContaining("EKS Pod Identity Agent's address"),
      expect.stringContaining('auth.* is not used in agent mode'),
      expect.stringContaining('served to no pod: orders'),
    ]);
  });

  it('warns about a binding narrower than defaults.*, whose requests that leave a field out are refused', () => {
    const config = parseConfig(
      agent(
        { dynamic: { enabled: true } },
        {
          bindings: [{ namespace: 'spark', serviceAccount: 'executor', profiles: ['orders'], tables: [ORDERS], maxDurationSeconds: 900 }],
        },
      ),
    );
    expect(configWarnings(config)).toEqual([
      expect.stringContaining('agent.bindings[0] allows less than defaults.* in maxDurationSeconds'),
    ]);
  });

  it('refuses a binding with an empty permissions list', async () => {
    const error = await configError(() =>
      parseConfig(
        agent(
          { dynamic: { enabled: true } },
          { bindings: [{ namespace: 'spark', serviceAccount: 'executor', tables: [ORDERS], permissions: [] }] },
        ),
      ),
    );
    expect(problemAt(error, 'agent.bindings[0].permissions').expected).toContain('non-empty');
  });

  it('keeps sidecar mode as it was: no agent rules apply', () => {
    const config = parseConfig({ region: 'us-east-1', agent: { host: '169.254.170.2' } });
    expect(config.mode).toBe('sidecar');
    expect(configWarnings(config)).toEqual([]);
  });
});
