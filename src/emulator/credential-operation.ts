/**
 * One credential call, start to finish: faults that act before the service
 * (outage, latency), SigV4, then throttling and injected errors, then input
 * validation and the catalog's decision, then fresh credentials.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Operation } from '../lakeformation/types.js';
import { authorize } from './authorize.js';
import { authorizeDataLocations } from './authorize-location.js';
import type { SigningPrincipal } from './catalog.js';
import type { EmulatorState, RequestLogEntry } from './emulator-state.js';
import { parseJsonObject, readBody, sendError, sendJson } from './http-io.js';
import { validateDataLocationRequest, validateRequest } from './request-schema.js';
import { ServiceError } from './service-error.js';
import { findSigner } from './role-sessions.js';
import { verifySignature } from './sigv4.js';
import { mintLease, WRITE_PERMISSIONS } from './mint-lease.js';

export async function handleCredentialCall(
  operation: Operation,
  req: IncomingMessage,
  res: ServerResponse,
  state: EmulatorState,
  requestId: string,
): Promise<void> {
  let outcome = 'success';
  let logged: RequestLogEntry | undefined;
  try {
    const faults = state.faults.snapshot();
    if (faults.outage) {
      outcome = 'outage';
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);
    if (faults.latencyMs > 0) await state.wait(faults.latencyMs);

    // The raw target, not a parsed URL: URL parsing normalizes paths the client signed as sent.
    const [path = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
    const principal = await verifySignature(
      {
        method: req.method ?? 'POST',
        path,
        query,
        headers: req.headersDistinct,
        body,
      },
      {
        findPrincipal: (id) => findSigner(state.catalog, state.sessions, id, state.clock.now()),
        region: state.catalog.region,
        nowMs: state.clock.now(),
      },
    );
    const json = parseJsonObject(body);
    logged = state.requests.push({
      requestId,
      receivedAt: new Date(state.clock.now()).toISOString(),
      operation,
      principalArn: principal.principalArn,
      body: json,
    });

    const injected = state.faults.takeInjectedError();
    if (injected) throw injected;

    const answer = vend(operation, principal, json, state, logged);
    sendJson(res, 200, answer);
  } catch (err) {
    const error =
      err instanceof ServiceError
        ? err
        : new ServiceError('InternalServiceException', `Emulator failure: ${err instanceof Error ? err.message : String(err)}`);
    outcome = error.name;
    sendError(res, error);
  } finally {
    if (logged) logged.outcome = outcome;
    state.stats.record(operation, outcome);
  }
}

function vend(
  operation: Operation,
  principal: SigningPrincipal,
  body: Record<string, unknown>,
  state: EmulatorState,
  logged: RequestLogEntry,
): Record<string, unknown> {
  if (operation === 'GetTemporaryDataLocationCredentials') return vendForLocations(principal, body, state, logged);
  const request = validateRequest(operation, body);
  const { vendedPaths } = authorize(state.catalog, principal, request);
  logged.vendedPaths = vendedPaths;

  const { credentials, expirationSeconds } = mintLease(
    state,
    principal,
    request.input.DurationSeconds,
    {
      write: request.input.Permissions?.some((p) => WRITE_PERMISSIONS.has(p)) ?? false,
    },
    {
      operation,
      tableArn: request.input.TableArn,
      ...(request.operation === 'GetTemporaryGluePartitionCredentials' ? { partitionValues: [...request.input.Partition.Values] } : {}),
      vendedPaths,
    },
  );

  const answer: Record<string, unknown> = {
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    // restJson1 timestamps default to epoch seconds as a JSON number.
    Expiration: expirationSeconds,
  };
  // The partition operation's output has no VendedS3Path member.
  if (operation === 'GetTemporaryGlueTableCredentials') answer['VendedS3Path'] = vendedPaths;
  return answer;
}

/**
 * `GetTemporaryDataLocationCredentials`: the key material nested under
 * `Credentials`, the granted locations as `AccessibleDataLocations`.
 */
function vendForLocations(
  principal: SigningPrincipal,
  body: Record<string, unknown>,
  state: EmulatorState,
  logged: RequestLogEntry,
): Record<string, unknown> {
  const input = validateDataLocationRequest(body);
  const { granted, scope } = authorizeDataLocations(state.catalog, principal, input);
  logged.vendedPaths = granted;

  const { credentials, expirationSeconds } = mintLease(
    state,
    principal,
    input.DurationSeconds,
    { write: scope === 'READWRITE' },
    {
      operation: 'GetTemporaryDataLocationCredentials',
      credentialsScope: scope,
      vendedPaths: granted,
    },
  );
  return {
    Credentials: {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: expirationSeconds,
    },
    AccessibleDataLocations: granted,
    CredentialsScope: scope,
  };
}
