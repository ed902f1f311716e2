/**
 * The upstream the cache is handed: the real Lake Formation client (or an
 * injected `vend`) behind the retry loop and the limiter, tuned by `upstream.*`.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Clock } from '../core/clock.js';
import type { Config } from '../config/index.js';
import type { VendFunction } from '../lakeformation/types.js';
import { UpstreamCaller, type UpstreamCallEvent } from '../upstream/caller.js';
import { createLakeFormationVending } from '../upstream/lakeformation-client.js';

export interface BuiltUpstream {
  upstream: UpstreamCaller;
  /** Closes the client's sockets (nothing when `vend` was injected). */
  destroy(): void;
  /** The identity the Lake Formation client signs with (undefined when `vend` was injected), for the other AWS calls lfcs makes as itself. */
  credentials: AwsCredentialIdentityProvider | undefined;
}

export function upstreamFromConfig(
  config: Config,
  deps: {
    clock: Clock;
    onAttempt: (event: UpstreamCallEvent) => void;
    onThrottlePause: () => void;
    vend: VendFunction | undefined;
    credentials: AwsCredentialIdentity | undefined;
  },
): BuiltUpstream {
  const { endpoint, timeoutMs, assumeRole, ...tuning } = config.upstream;
  const vending = deps.vend
    ? undefined
    : createLakeFormationVending({
        region: config.region,
        timeoutMs,
        ...(endpoint !== undefined && { endpoint }),
        ...(deps.credentials !== undefined && { credentials: deps.credentials }),
        ...(assumeRole !== undefined && { assumeRole }),
      });
  const vend = deps.vend ?? vending!.vend;
  const { clock, onAttempt, onThrottlePause } = deps;
  const upstream = new UpstreamCaller({ vend, settings: tuning, clock, onAttempt, onThrottlePause });
  return { upstream, destroy: () => vending?.destroy(), credentials: vending?.credentials };
}
