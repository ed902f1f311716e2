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
 * mapped onto Lake Formation's names by the error catalogue
 * (`src/core/error-catalogue.ts`).
 */
import type { RequestListener } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { GetOptions } from '../cache/index.js';
import type { Clock } from '../core/clock.js';
import { ERROR_CATALOGUE, type LakeFormationNameOf } from '../core/error-catalogue.js';
import { LfcsError, type ErrorCode } from '../core/errors.js';
import {
  renderServiceError,
  SERVICE_ERROR_STATUSES,
  ServiceError,
  THROTTLING_MESSAGE,
  type RenderedServiceError,
} from '../lakeformation/service-error.js';
import type { CredentialRequest, Lease } from '../lakeformation/types.js';
import type { SidecarMetrics } from '../observability/metrics.js';
import { createRequestLog } from '../observability/request-log.js';
import { lakeFormationApiChecks, type Admission } from './admission.js';
import type { DynamicPolicy } from './authorization.js';
import { answerError, dispatchToExpress, listenerHandler, type Listener, type RenderedError } from './listener.js';
import { routeLabels, routeMatcher, UNMATCHED_LABEL, type LakeFormationApiRoute } from './routes.js';

type Served = Promise<{ lease: Lease; result: string; remainingSeconds: number }>;

export interface LakeFormationApiAppDeps {
  cache: { get(request: CredentialRequest, options?: GetOptions): Served };
  dynamic: DynamicPolicy & { isLocationAllowed(location: string): boolean };
  /** Token bucket for this listener's well-formed, signed requests: false means answer ThrottlingException. */
  rateLimiter: { tryTake(): boolean };
  /** Token bucket for requests refused as foreign, unsigned or malformed, apart, so they cannot spend the signed callers' budget. */
  refusedRateLimiter: { tryTake(): boolean };
  /** Token bucket for `request denied` audit lines: false means drop the line (and count it). */
  deniedLogLimiter: { tryTake(): boolean };
  /** For the `X-Amz-Date` window. */
  clock: Clock;
  metrics: SidecarMetrics;
  logger: Logger;
}

/** POST bodies above this size are refused: a real request is a few hundred bytes. */
export const MAX_API_BODY_BYTES = 64 * 1024;

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

/** {@link toLakeFormationError}, rendered: for errors raised before the listener's pipeline (bad framing, oversized head). */
export function lakeFormationErrorResponse(err: unknown): RenderedServiceError {
  return renderServiceError(toLakeFormationError(err));
}

/** The Lake Formation API listener's request handler. */
export function createLakeFormationApiApp(deps: LakeFormationApiAppDeps): RequestListener {
  const body = createBodyReader(deps);
  const listener: Listener = {
    name: 'lakeformation-api',
    match: routeMatcher('lakeformation-api'),
    unmatched: UNMATCHED_LABEL['lakeformation-api'],
    checks: lakeFormationApiChecks(deps),
    log: createRequestLog({
      metrics: deps.metrics,
      logger: deps.logger,
      deniedLogLimiter: deps.deniedLogLimiter,
      known: { routes: routeLabels('lakeformation-api'), statuses: SERVICE_ERROR_STATUSES },
    }),
    headers: { 'cache-control': 'no-store' },
    render,
    who: (a) => (a.callerAccessKeyId === undefined ? undefined : { callerAccessKeyId: a.callerAccessKeyId }),
    dispatch: dispatchToExpress(body),
  };
  return listenerHandler(listener);
}

function render(err: unknown): RenderedError {
  const error = toLakeFormationError(fromBodyParserError(err));
  const rendered = renderServiceError(error);
  const unexpected = !(err instanceof LfcsError) && !(err instanceof ServiceError) && (err as { type?: unknown })?.type === undefined;
  return { ...rendered, code: error.name, reason: error.message, unexpected };
}

/** The body, read by Express's JSON parser (inflate off, so a compressed body cannot expand past the limit), then the handler. */
function createBodyReader(deps: LakeFormationApiAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(express.json({ limit: MAX_API_BODY_BYTES, strict: true, type: () => true, inflate: false }));
  app.use((req: Request, res: Response) => {
    const a = res.locals['admission'] as Admission;
    // Admission let only a known operation through (`knownOperation`).
    (a.route as LakeFormationApiRoute).handler(a, deps, req.body).catch((err: unknown) => answerError(a, err));
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => answerError(res.locals['admission'] as Admission, err));
  return app;
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
