/**
 * The Lake Formation API listener: Lake Formation's own restJson1 protocol
 * for the credential-vending operations, answered through the same cache as
 * every other route. An engine that calls Lake Formation itself (Iceberg's
 * `LakeFormationAwsClientFactory`, which asks on every S3 credential
 * resolution) is pointed here with `AWS_ENDPOINT_URL_LAKEFORMATION` and gets
 * caching, single-flight, refresh-ahead and quota protection unchanged.
 *
 * Trust model: lfcs cannot verify a SigV4 signature made with the caller's
 * secret, and it calls Lake Formation with its own identity. What a caller
 * may get is decided by the pod boundary (this listener is loopback only) and
 * by `dynamic.allowedTables`, as for the container endpoint. The checks here
 * (POST, a JSON content type, a well-formed SigV4 `Authorization` for
 * `lakeformation` with an `X-Amz-Date` within 15 minutes, a loopback `Host`,
 * no proxy headers) stop forged requests from inside the pod (SSRF: a
 * server tricked into fetching a URL sends none of them), not a determined
 * local process.
 *
 * Every answer is what the service sends: `Expiration` in epoch seconds,
 * errors with `x-amzn-errortype`, `{"__type","message"}` and the modeled
 * status, so each SDK raises its own typed exception. lfcs's own refusals are
 * mapped onto Lake Formation's names in `LAKE_FORMATION_NAME_BY_CODE`.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { ERROR_CATALOGUE, type LakeFormationNameOf } from '../core/error-catalogue.js';
import { LfcsError, truncate, type ErrorCode } from '../core/errors.js';
import {
  renderServiceError,
  sendJson,
  sendServiceError,
  ServiceError,
  THROTTLING_MESSAGE,
  type RenderedServiceError,
  type ServiceErrorName,
} from '../lakeformation/service-error.js';
import { checkSignatureShape, SIGNING_SERVICE } from '../lakeformation/sigv4-header.js';
import { isDataLocationRequest, type CredentialRequest, type Lease, type Operation } from '../lakeformation/types.js';
import type { SidecarMetrics } from '../observability/metrics.js';
import { isLoopbackHostHeader } from './host-check.js';
import { parseApiRequest } from './request-parsing.js';

type Served = Promise<{ lease: Lease; result: string; remainingSeconds: number }>;

export interface LakeFormationApiAppDeps {
  cache: { get(request: CredentialRequest): Served };
  dynamic: {
    enabled: boolean;
    /** Whether the table ARN matches one of `dynamic.allowedTables`. */
    isAllowed(tableArn: string): boolean;
    /** Whether the S3 location matches one of `dynamic.allowedLocations`. */
    isLocationAllowed(location: string): boolean;
  };
  /** Token bucket for this listener: false means answer ThrottlingException. */
  rateLimiter: { tryTake(): boolean };
  /** For the `X-Amz-Date` window. */
  clock: Clock;
  metrics: SidecarMetrics;
  logger: Logger;
}

/** POST bodies above this size are refused: a real request is a few hundred bytes. */
export const MAX_API_BODY_BYTES = 64 * 1024;

/** Content types the AWS SDKs send with a JSON body (restJson1 sends the first). */
const JSON_CONTENT_TYPES = ['application/json', 'application/x-amz-json-1.0', 'application/x-amz-json-1.1'];

/** What a served operation adds to the answer beyond the key material. */
interface ApiOperation {
  route: RouteName;
  /** The table operation's output has `VendedS3Path`; the partition operation's has none. */
  vendedS3Path: boolean;
}

/**
 * The operations served. Every other Lake Formation operation gets
 * UnknownOperationException. The data-location operation answers in its own
 * shape (`Credentials`, `AccessibleDataLocations`), see `answerBody`.
 */
const OPERATIONS: Readonly<Record<Operation, ApiOperation>> = {
  GetTemporaryGlueTableCredentials: { route: 'lakeformation-table', vendedS3Path: true },
  GetTemporaryGluePartitionCredentials: { route: 'lakeformation-partition', vendedS3Path: false },
  GetTemporaryDataLocationCredentials: { route: 'lakeformation-data-location', vendedS3Path: false },
};
const OPERATION_NAMES = Object.keys(OPERATIONS) as Operation[];

type RouteName = 'lakeformation-table' | 'lakeformation-partition' | 'lakeformation-data-location' | 'lakeformation-unmatched';

/** lfcs's own error codes as Lake Formation names them (the catalogue's `lakeFormation` column), so an SDK raises the exception its caller already handles. */
export const LAKE_FORMATION_NAME_BY_CODE = Object.fromEntries(
  Object.entries(ERROR_CATALOGUE).map(([code, spec]) => [code, spec.lakeFormation]),
) as { readonly [C in ErrorCode]: LakeFormationNameOf<C> };

/** Anything thrown, as the Lake Formation error to answer with. Messages never carry key material. */
export function toLakeFormationError(err: unknown): ServiceError {
  if (err instanceof ServiceError) return err;
  if (!(err instanceof LfcsError)) return new ServiceError('InternalServiceException', 'lfcs: internal error');
  const name = LAKE_FORMATION_NAME_BY_CODE[err.code];
  // Lake Formation's "Rate exceeded" first, so people and log searches recognise it.
  const message = name === 'ThrottlingException' ? `${THROTTLING_MESSAGE} (lfcs: ${err.message})` : `lfcs: ${err.message}`;
  return new ServiceError(name, message);
}

/** {@link toLakeFormationError}, rendered: for errors raised before Express (bad framing, oversized head). */
export function lakeFormationErrorResponse(err: unknown): RenderedServiceError {
  return renderServiceError(toLakeFormationError(err));
}

/** The Lake Formation API listener's Express app. */
export function createLakeFormationApiApp(deps: LakeFormationApiAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  app.use(countRequests(deps));
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.locals['requestId'] = randomUUID();
    res.setHeader('x-amzn-requestid', res.locals['requestId'] as string);
    // Same order as the credentials listener: where the request comes from, then how fast, then what it is.
    if (!isLoopbackHostHeader(req.headers.host)) {
      return next(new LfcsError('ForbiddenHost', 'the Host header must be a loopback address such as 127.0.0.1'));
    }
    if (req.headers['x-forwarded-for'] !== undefined || req.headers['forwarded'] !== undefined) {
      return next(new LfcsError('ForwardedRequestRejected', 'proxied requests (X-Forwarded-For, Forwarded) are refused'));
    }
    if (!deps.rateLimiter.tryTake()) return next(new LfcsError('RateLimited', 'too many requests to this listener'));
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return next(new LfcsError('MethodNotAllowed', `${req.method} is not allowed; Lake Formation operations are POST`));
    }
    if (!isJsonContentType(req.headers['content-type'])) {
      return next(new LfcsError('UnsupportedMediaType', 'send the body as Content-Type: application/json'));
    }
    checkSignature(req, res, deps.clock.now());
    const operation = OPERATION_NAMES.find((name) => req.path === `/${name}` || req.path.endsWith(`/${name}`));
    if (!operation) {
      // The last segment names the operation (an endpoint override may add a path prefix).
      const asked = req.path.slice(req.path.lastIndexOf('/') + 1).slice(0, 100) || '(none)';
      throw new LfcsError(
        'RouteNotFound',
        `this endpoint serves only credential vending (${OPERATION_NAMES.join(', ')}), not ${asked}; ` +
          'send other Lake Formation calls to the service (unset AWS_ENDPOINT_URL_LAKEFORMATION for that client)',
      );
    }
    res.locals['route'] = OPERATIONS[operation].route;
    res.locals['operation'] = operation;
    next();
  });
  // inflate: false, so a compressed body cannot expand past the limit.
  app.use(express.json({ limit: MAX_API_BODY_BYTES, strict: true, type: () => true, inflate: false }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    serve(deps, req, res).catch(next);
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const error = toLakeFormationError(fromBodyParserError(err));
    sendServiceError(res, error, { 'x-amzn-requestid': String(res.locals['requestId'] ?? randomUUID()) });
    if (!(err instanceof LfcsError) && !(err instanceof ServiceError) && (err as { type?: unknown })?.type === undefined) {
      // The name and first stack frame locate the bug; the message could carry anything, so it stays out.
      const e = err as { name?: unknown; stack?: unknown };
      const frame = typeof e?.stack === 'string' ? e.stack.split('\n').find((line) => line.trim().startsWith('at '))?.trim() : undefined;
      deps.logger.error({ route: routeOf(res), errorName: typeof e?.name === 'string' ? e.name : typeof err, frame }, 'unexpected error while serving');
    }
    if (error.status < 500) {
      deps.logger.info(
        {
          audit: 'denied',
          route: routeOf(res),
          method: req.method,
          status: error.status,
          code: error.name,
          reason: error.message,
          ...callerField(res),
        },
        'request denied',
      );
    }
  });
  return app;
}

async function serve(deps: LakeFormationApiAppDeps, req: Request, res: Response): Promise<void> {
  const operation = res.locals['operation'] as Operation;
  const request = parseApiRequest(operation, req.body);
  if (!deps.dynamic.enabled) {
    throw new LfcsError('DynamicRequestsDisabled', 'dynamic requests are disabled; set dynamic.enabled and dynamic.allowedTables');
  }
  if (isDataLocationRequest(request)) {
    const refused = request.dataLocations.filter((location) => !deps.dynamic.isLocationAllowed(location));
    if (refused.length > 0) {
      throw new LfcsError('LocationNotAllowed', `location(s) ${truncate(refused.join(', '))} match none of dynamic.allowedLocations`);
    }
  } else if (!deps.dynamic.isAllowed(request.tableArn)) {
    throw new LfcsError('TableNotAllowed', `table ${truncate(request.tableArn)} matches none of dynamic.allowedTables`);
  }
  const served = await deps.cache.get(request);
  deps.metrics.servedRemainingSeconds.observe(served.remainingSeconds);
  const { lease } = served;
  const credentials = {
    AccessKeyId: lease.accessKeyId,
    SecretAccessKey: lease.secretAccessKey,
    SessionToken: lease.sessionToken,
    // restJson1 timestamps are epoch seconds; whole seconds, rounded down, never a second the lease lacks.
    Expiration: Math.floor(lease.expiration.getTime() / 1000),
  };
  const body = isDataLocationRequest(request)
    ? {
        Credentials: credentials,
        // The lease's, as Lake Formation granted them: never the requested list.
        AccessibleDataLocations: [...(lease.accessibleDataLocations ?? [])],
        ...(lease.credentialsScope !== undefined && { CredentialsScope: lease.credentialsScope }),
      }
    : {
        ...credentials,
        ...(OPERATIONS[operation].vendedS3Path && lease.vendedS3Path !== undefined && { VendedS3Path: lease.vendedS3Path }),
      };
  sendJson(res, 200, body, { 'x-amzn-requestid': String(res.locals['requestId']), 'cache-control': 'no-store' });
  // One line per request: lfcs signs upstream calls with its own identity, so this is where the caller is on record.
  deps.logger.info(
    {
      audit: 'served',
      route: routeOf(res),
      operation,
      ...(isDataLocationRequest(request)
        ? { dataLocations: request.dataLocations }
        : { tableArn: request.tableArn, partition: request.partitionValues }),
      result: served.result,
      ...callerField(res),
    },
    'lake formation api request served',
  );
}

/** Access key ids as AWS issues them (AKIA..., ASIA...): upper-case letters and digits. */
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const SIGNATURE_HEX = /^[0-9a-f]{64}$/;

/**
 * Everything about the caller's signature that lfcs can check without the
 * caller's secret (see the module comment). Records the access key id for
 * the audit line. Throws the front door's error names.
 */
function checkSignature(req: Request, res: Response, nowMs: number): void {
  const authorization = req.headers.authorization;
  if (authorization === undefined || authorization.trim() === '') {
    throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const amzDate = req.headers['x-amz-date'];
  const shape = checkSignatureShape(authorization, typeof amzDate === 'string' ? amzDate : undefined, {
    service: SIGNING_SERVICE,
    nowMs,
  });
  if (!shape.ok) {
    throw new ServiceError(
      shape.problem.kind === 'incomplete' ? 'IncompleteSignatureException' : 'InvalidSignatureException',
      shape.problem.message,
    );
  }
  const { accessKeyId, signature } = shape.value.authorization;
  if (!ACCESS_KEY_ID.test(accessKeyId)) {
    throw new ServiceError('IncompleteSignatureException', 'Credential must start with an access key id of 16 to 128 letters and digits.');
  }
  if (!SIGNATURE_HEX.test(signature)) {
    throw new ServiceError('IncompleteSignatureException', 'Signature must be 64 hexadecimal characters.');
  }
  res.locals['callerAccessKeyId'] = accessKeyId;
}

/** The media type alone (parameters such as charset dropped), also for an empty body (which `req.is` ignores). */
function isJsonContentType(header: string | undefined): boolean {
  const mediaType = header?.split(';')[0]?.trim().toLowerCase();
  return mediaType !== undefined && JSON_CONTENT_TYPES.includes(mediaType);
}

function callerField(res: Response): { callerAccessKeyId?: string } {
  const id = res.locals['callerAccessKeyId'] as string | undefined;
  return id === undefined ? {} : { callerAccessKeyId: id };
}

/** body-parser's errors (which carry a `type`) as lfcs codes. */
function fromBodyParserError(err: unknown): unknown {
  const type = (err as { type?: unknown })?.type;
  if (type === undefined) return err;
  if (type === 'entity.too.large') return new LfcsError('PayloadTooLarge', `the body exceeds ${MAX_API_BODY_BYTES} bytes`);
  if (type === 'entity.parse.failed') return new ServiceError('SerializationException', 'The request body is not valid JSON');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return new LfcsError('UnsupportedMediaType', 'send the body as UTF-8 JSON without content encoding');
  }
  return new LfcsError('InvalidRequest', 'the body could not be read');
}

function countRequests(deps: LakeFormationApiAppDeps) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const routeName = routeOf(res);
      deps.metrics.httpRequests.inc({ route: routeName, code: String(res.statusCode) });
      deps.metrics.httpRequestDuration.observe({ route: routeName }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}

function routeOf(res: Response): RouteName {
  return (res.locals['route'] as RouteName | undefined) ?? 'lakeformation-unmatched';
}
