/**
 * The Iceberg REST gateway's listener: the route table's `iceberg` rows behind
 * the admission checks of `icebergChecks` (loopback `Host`, no proxy headers,
 * the bearer token, rate limits), then the gateway core of src/iceberg. Every
 * refusal, from admission or the gateway, is the spec's `IcebergErrorResponse`.
 *
 * Who may have a table: the caller names any table of the catalogs served,
 * so, as on the dynamic routes, `dynamic.enabled` and `dynamic.allowedTables`
 * decide (in agent mode, the caller's binding); Lake Formation then decides
 * for lfcs's own identity.
 */
import type { RequestListener } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { NO_STORE } from '../core/json-answer.js';
import { LfcsError } from '../core/errors.js';
import type { CallerAuth } from '../identity/caller-auth.js';
import { ICEBERG_ERROR_STATUS, IcebergError, renderIcebergError, toIcebergError } from '../iceberg/errors.js';
import type { IcebergGateway } from '../iceberg/gateway.js';
import type { TableRequestDefaults } from '../iceberg/table-leases.js';
import type { SidecarMetrics } from '../observability/metrics.js';
import { createRequestLog } from '../observability/request-log.js';
import { icebergChecks, type Admission } from './admission.js';
import type { DynamicPolicy } from './authorization.js';
import { serveCatalog } from './iceberg-catalog.js';
import { answerError, dispatchToExpress, listenerHandler, type Listener, type RenderedError } from './listener.js';
import { routeLabels, routeMatcher, UNMATCHED_LABEL } from './routes.js';

/** What the gateway's listener needs from the rest of the sidecar. */
export interface IcebergAppDeps {
  gateway: IcebergGateway;
  auth: CallerAuth;
  dynamic: DynamicPolicy;
  /** Config `defaults`: the table requests' permissions, types and duration, as on the dynamic routes. */
  defaults: TableRequestDefaults;
  rateLimiter: { tryTake(): boolean };
  refusedRateLimiter: { tryTake(): boolean };
  /** Token bucket for `request denied` audit lines. */
  deniedLogLimiter: { tryTake(): boolean };
  metrics: SidecarMetrics;
  logger: Logger;
}

/** Request bodies above this size are refused: a sign request is a few kilobytes, a metrics report less. */
export const MAX_CATALOG_BODY_BYTES = 256 * 1024;

/**
 * The statuses the gateway answers with besides 200: 204 (HEAD table exists,
 * metrics reports) and every error type's. A status the upstream catalog
 * answers and the gateway passes through unchanged gets its series on first use.
 */
const KNOWN_STATUSES: readonly number[] = [...new Set([204, ...Object.values(ICEBERG_ERROR_STATUS)])].sort((a, b) => a - b);

/** The gateway listener's request handler. */
export function createIcebergApp(deps: IcebergAppDeps): RequestListener {
  const body = createBodyReader(deps);
  const listener: Listener = {
    name: 'iceberg',
    match: routeMatcher('iceberg'),
    unmatched: UNMATCHED_LABEL.iceberg,
    checks: icebergChecks(deps),
    log: createRequestLog({
      metrics: deps.metrics,
      logger: deps.logger,
      deniedLogLimiter: deps.deniedLogLimiter,
      known: { routes: routeLabels('iceberg'), statuses: KNOWN_STATUSES },
    }),
    headers: NO_STORE,
    render,
    who: (a) =>
      a.caller?.kind === 'pod' ? { namespace: a.caller.identity.namespace, serviceAccount: a.caller.identity.serviceAccount } : undefined,
    dispatch: dispatchToExpress(body),
  };
  return listenerHandler(listener);
}

function render(err: unknown): RenderedError {
  const error = toIcebergError(fromBodyParserError(err));
  const { status, headers, body } = renderIcebergError(error);
  const { 'Content-Type': _json, ...rest } = headers;
  const unexpected = !(err instanceof LfcsError) && !(err instanceof IcebergError) && (err as { type?: unknown })?.type === undefined;
  return { status, headers: rest, body: body?.toString('utf8') ?? '', code: error.type, reason: error.message, unexpected };
}

/** Errors raised before the listener's pipeline (bad framing, an oversized head), as `IcebergErrorResponse`s. */
export function icebergErrorResponse(err: LfcsError): { status: number; headers: Record<string, string>; body: string } {
  const { status, headers, body } = render(err);
  return { status, headers, body };
}

/** The raw body (inflate off, so a compressed body cannot expand past the limit), then the handler. */
function createBodyReader(deps: IcebergAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(express.raw({ limit: MAX_CATALOG_BODY_BYTES, type: () => true, inflate: false }));
  app.use((req: Request, res: Response) => {
    const a = res.locals['admission'] as Admission;
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    serveCatalog(a, deps, body).catch((err: unknown) => answerError(a, err));
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => answerError(res.locals['admission'] as Admission, err));
  return app;
}

/** body-parser's errors (which carry a `type`) as lfcs codes. */
function fromBodyParserError(err: unknown): unknown {
  const type = (err as { type?: unknown })?.type;
  if (type === undefined || err instanceof IcebergError) return err;
  if (type === 'entity.too.large') return new LfcsError('PayloadTooLarge', `the body exceeds ${MAX_CATALOG_BODY_BYTES} bytes`);
  if (type === 'encoding.unsupported') return new LfcsError('UnsupportedMediaType', 'send the body without content encoding');
  return new LfcsError('InvalidRequest', 'the body could not be read');
}
