import {
  GetTemporaryDataLocationCredentialsCommand,
  GetTemporaryGluePartitionCredentialsCommand,
  GetTemporaryGlueTableCredentialsCommand,
  LakeFormationClient,
  type GetTemporaryDataLocationCredentialsRequest,
  type GetTemporaryDataLocationCredentialsResponse,
  type GetTemporaryGluePartitionCredentialsRequest,
  type GetTemporaryGlueTableCredentialsRequest,
} from '@aws-sdk/client-lakeformation';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { LfcsError, shuttingDownError } from '../core/errors.js';
import type { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { classifyUpstreamError } from './classify-error.js';

type FromTemporaryCredentialsOptions = Parameters<typeof fromTemporaryCredentials>[0];
import type { AssumeRoleSettings } from './settings.js';
import type {
  CredentialRequest,
  DataLocationCredentialRequest,
  Lease,
  TableCredentialRequest,
  VendFunction,
} from '../lakeformation/types.js';
import { sessionToWire } from '../lakeformation/wire.js';

/** Options of {@link createLakeFormationVending}. */
export interface LakeFormationVendingInit {
  /** AWS region of the Lake Formation endpoint. Required. */
  region: string;
  /** Endpoint override (emulator, VPC endpoint). Default: the SDK's regional endpoint. */
  endpoint?: string;
  /** Credentials of the sidecar's own identity. Default: the SDK's default chain (IRSA, Pod Identity, env, ...). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Time allowed for one upstream attempt, in ms. Default 3000. */
  timeoutMs?: number;
  /** Call Lake Formation as this role, assumed with `credentials` (config `upstream.assumeRole`). */
  assumeRole?: AssumeRoleSettings;
}

export interface LakeFormationVending {
  /** Calls Lake Formation once (no SDK-level retries) and returns the lease. */
  vend: VendFunction;
  /** Closes the client's sockets. */
  destroy(): void;
  /** The identity the client signs with (resolved: the default chain, or the assumed role), for other AWS calls lfcs makes as itself. */
  readonly credentials: AwsCredentialIdentityProvider;
}

/**
 * Builds the function that turns a {@link CredentialRequest} into a {@link Lease}
 * with the real `@aws-sdk/client-lakeformation`.
 *
 * - The SDK is set to one attempt: retries happen in the cache, where every
 *   attempt passes the rate limiter that protects Lake Formation's quota.
 * - No logger is passed: the SDK does not mark these outputs as sensitive, so
 *   a logger that prints outputs would print the vended secrets.
 * - The lease's `expiration` is the one Lake Formation returned, never
 *   now + DurationSeconds: the service may grant less than was asked for.
 */
export function createLakeFormationVending(init: LakeFormationVendingInit): LakeFormationVending {
  const timeoutMs = init.timeoutMs ?? 3000;
  const credentials = init.assumeRole ? assumedRoleCredentials(init) : init.credentials;
  const client = new LakeFormationClient({
    region: init.region,
    ...(init.endpoint ? { endpoint: init.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
  });

  async function vend(request: CredentialRequest, signal?: AbortSignal): Promise<Lease> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      if (request.operation === 'GetTemporaryDataLocationCredentials') {
        const output = await client.send(new GetTemporaryDataLocationCredentialsCommand(toDataLocationInput(request)), { abortSignal });
        return toDataLocationLease(output, request);
      }
      if (request.operation === 'GetTemporaryGluePartitionCredentials') {
        const output = await client.send(new GetTemporaryGluePartitionCredentialsCommand(toPartitionInput(request)), { abortSignal });
        return toLease(output, request);
      }
      const output = await client.send(new GetTemporaryGlueTableCredentialsCommand(toTableInput(request)), {
        abortSignal,
      });
      return toLease(output, request);
    } catch (err) {
      if (err instanceof LfcsError) throw err;
      // Aborted by the cache (shutdown or eviction); it reports its own reason.
      if (signal?.aborted) throw shuttingDownError();
      throw classifyUpstreamError(err, { timedOut: timeout.aborted, timeoutMs });
    }
  }

  return { vend, destroy: () => client.destroy(), credentials: client.config.credentials };
}

/**
 * The assumed role's credentials, from the SDK's own `fromTemporaryCredentials`:
 * STS AssumeRole signed with lfcs's identity, session tags included, and the
 * role assumed again before the session ends (the client memoizes it by
 * expiry). No logger, as for the Lake Formation client.
 */
function assumedRoleCredentials(init: LakeFormationVendingInit): AwsCredentialIdentityProvider {
  // The providers package loads only for a configuration with upstream.assumeRole, on the first call.
  let provider: Promise<AwsCredentialIdentityProvider> | undefined;
  return async (options) => {
    provider ??= import('@aws-sdk/credential-providers').then(({ fromTemporaryCredentials }) =>
      fromTemporaryCredentials(temporaryCredentialsInit(init)),
    );
    return (await provider)(options);
  };
}

function temporaryCredentialsInit(init: LakeFormationVendingInit): FromTemporaryCredentialsOptions {
  const role = init.assumeRole!;
  const tags = Object.entries(role.sessionTags).map(([Key, Value]) => ({ Key, Value }));
  return {
    params: {
      RoleArn: role.roleArn,
      RoleSessionName: 'lfcs',
      DurationSeconds: role.durationSeconds,
      ...(role.externalId !== undefined && { ExternalId: role.externalId }),
      ...(tags.length > 0 && { Tags: tags }),
    },
    ...(init.credentials !== undefined && { masterCredentials: init.credentials }),
    clientConfig: {
      region: init.region,
      ...(role.stsEndpoint !== undefined && { endpoint: role.stsEndpoint }),
      maxAttempts: 1,
      requestHandler: { connectionTimeout: init.timeoutMs ?? 3000, requestTimeout: init.timeoutMs ?? 3000 },
    },
  };
}

/** Maps a request to `GetTemporaryGlueTableCredentials` input, sending only the fields that are set. */
export function toTableInput(request: TableCredentialRequest): GetTemporaryGlueTableCredentialsRequest {
  const input: GetTemporaryGlueTableCredentialsRequest = { TableArn: request.tableArn };
  addCommonFields(input, request);
  if (request.s3Path !== undefined) input.S3Path = request.s3Path;
  if (request.querySessionContext) input.QuerySessionContext = sessionToWire(request.querySessionContext);
  return input;
}

/** Maps a request to `GetTemporaryGluePartitionCredentials` input. */
export function toPartitionInput(request: TableCredentialRequest): GetTemporaryGluePartitionCredentialsRequest {
  const input: GetTemporaryGluePartitionCredentialsRequest = {
    TableArn: request.tableArn,
    Partition: { Values: [...(request.partitionValues ?? [])] },
  };
  addCommonFields(input, request);
  return input;
}

/** Maps a request to `GetTemporaryDataLocationCredentials` input, sending only the fields that are set. */
export function toDataLocationInput(request: DataLocationCredentialRequest): GetTemporaryDataLocationCredentialsRequest {
  const input: GetTemporaryDataLocationCredentialsRequest = { DataLocations: [...request.dataLocations] };
  if (request.credentialsScope !== undefined) input.CredentialsScope = request.credentialsScope;
  if (request.durationSeconds !== undefined) input.DurationSeconds = request.durationSeconds;
  if (request.auditContext?.additionalAuditContext !== undefined) {
    input.AuditContext = { AdditionalAuditContext: request.auditContext.additionalAuditContext };
  }
  return input;
}

function addCommonFields(
  input: GetTemporaryGlueTableCredentialsRequest | GetTemporaryGluePartitionCredentialsRequest,
  request: TableCredentialRequest,
): void {
  if (request.permissions !== undefined) input.Permissions = [...request.permissions];
  if (request.durationSeconds !== undefined) input.DurationSeconds = request.durationSeconds;
  if (request.supportedPermissionTypes !== undefined) {
    input.SupportedPermissionTypes = [...request.supportedPermissionTypes];
  }
  if (request.auditContext?.additionalAuditContext !== undefined) {
    input.AuditContext = { AdditionalAuditContext: request.auditContext.additionalAuditContext };
  }
}

interface VendOutput {
  AccessKeyId?: string | undefined;
  SecretAccessKey?: string | undefined;
  SessionToken?: string | undefined;
  Expiration?: Date | undefined;
  VendedS3Path?: string[] | undefined;
}

/** Every output member is optional in the SDK types; a lease without key material or expiry is a failure. */
function toLease(output: VendOutput, request: CredentialRequest): Lease {
  const missing: string[] = [];
  if (!output.AccessKeyId) missing.push('AccessKeyId');
  if (!output.SecretAccessKey) missing.push('SecretAccessKey');
  if (!output.SessionToken) missing.push('SessionToken');
  const expiration = output.Expiration;
  if (!(expiration instanceof Date) || Number.isNaN(expiration.getTime())) missing.push('Expiration');
  if (missing.length > 0) {
    throw new LfcsError('InvalidUpstreamResponse', `${request.operation} answered without ${missing.join(', ')}`, { retryable: true });
  }
  return {
    accessKeyId: output.AccessKeyId!,
    secretAccessKey: output.SecretAccessKey!,
    sessionToken: output.SessionToken!,
    expiration: expiration!,
    ...(output.VendedS3Path && { vendedS3Path: [...output.VendedS3Path] }),
  };
}

/**
 * The data-location answer nests the key material under `Credentials`. Its
 * `AccessibleDataLocations` is kept exactly as sent, and an absent member
 * becomes `[]`: the lease never claims a location Lake Formation did not name.
 */
function toDataLocationLease(output: GetTemporaryDataLocationCredentialsResponse, request: CredentialRequest): Lease {
  const lease = toLease({ ...output.Credentials }, request);
  lease.accessibleDataLocations = [...(output.AccessibleDataLocations ?? [])];
  if (output.CredentialsScope !== undefined) lease.credentialsScope = output.CredentialsScope;
  return lease;
}
