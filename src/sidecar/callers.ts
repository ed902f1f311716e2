/**
 * Who may ask for credentials: the bearer token in sidecar mode, verified
 * service-account tokens bound to their pod in agent mode. Built once at start
 * from the configuration.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { LfcsError } from '../core/errors.js';
import type { Config } from '../config/index.js';
import { agentAuth, tokenAuth, type CallerAuth } from '../identity/caller-auth.js';
import { createTokenSource, type TokenSource } from '../identity/token-source.js';
import { Bindings } from '../identity/bindings.js';
// Agent mode only: the verifier and jose load when a configuration uses them (verifierFromConfig).
import type { ServiceAccountVerifier } from '../identity/service-account-verifier.js';
import type { SidecarMetrics } from '../observability/metrics.js';

export interface Callers {
  auth: CallerAuth;
  /** Sidecar mode: the token clients present. */
  token: TokenSource | undefined;
  /** Agent mode: the verifier of service-account tokens (started and stopped with the sidecar). */
  verifier: ServiceAccountVerifier | undefined;
}

export async function callersFromConfig(
  config: Config,
  deps: { clock: Clock; logger: Logger; metrics: SidecarMetrics; tokenSource: TokenSource | undefined },
): Promise<Callers> {
  const { clock, logger, metrics } = deps;
  if (config.mode !== 'agent') {
    const token = deps.tokenSource ?? tokenSourceFromConfig(config, clock, logger);
    return { auth: tokenAuth(token), token, verifier: undefined };
  }
  const verifier = await verifierFromConfig(config, clock, logger);
  const auth = agentAuth({
    verifier,
    bindings: new Bindings(config.agent.bindings, config.defaults),
    host: config.agent.host,
    logger,
    metrics,
    clock,
    podRequestsPerSecond: config.agent.podRequestsPerSecond,
    podBurst: config.agent.podBurst,
  });
  return { auth, token: undefined, verifier };
}

function tokenSourceFromConfig(config: Config, clock: Clock, logger: Logger): TokenSource {
  if (config.auth.tokenFile !== undefined) {
    return createTokenSource({
      kind: 'file',
      path: config.auth.tokenFile,
      clock,
      onRejectedRotation: (reason) => logger.warn({ reason }, 'rotated token refused; the previous token stays in use'),
      onMissing: () =>
        logger.warn(
          { tokenFile: config.auth.tokenFile },
          'token file is missing; the previous token stays in use until a new file appears',
        ),
    });
  }
  if (config.auth.token !== undefined) return createTokenSource({ kind: 'value', token: config.auth.token });
  throw new LfcsError('InvalidConfiguration', 'set auth.tokenFile (or --token-file) or LFCS_AUTH_TOKEN');
}

async function verifierFromConfig(config: Config, clock: Clock, logger: Logger): Promise<ServiceAccountVerifier> {
  const { agent } = config;
  const { ServiceAccountVerifier } = await import('../identity/service-account-verifier.js');
  return new ServiceAccountVerifier({
    ...agent,
    // Validation requires it in agent mode (rules.ts).
    nodeName: agent.nodeName as string,
    clock,
    onIssuerError: (reason) => logger.warn({ reason }, 'cannot verify service-account tokens'),
    onKeyStoreError: (reason) => logger.warn({ reason }, "cannot keep the issuer's keys on disk"),
  });
}
