import express, { type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import { LfcsError } from '../core/errors.js';
import { sendError } from './error-response.js';
import { writeJson } from '../core/json-answer.js';

/** Readiness as the admin listener reports it. */
export interface ReadinessReport {
  ready: boolean;
  /** Why not ready: e.g. "shutting down", "credentials listener not listening". */
  reasons: string[];
  /** Ready, but worth knowing: e.g. pods verified with the issuer's saved keys while it cannot be reached. */
  notes?: string[];
  /** Prewarm state per configured profile. */
  profiles: Record<string, { state: 'pending' | 'ready' | 'failed'; error?: { code: string; message: string } }>;
}

export interface AdminAppDeps {
  registry: Registry;
  readiness(): ReadinessReport;
}

/**
 * The admin listener: probes and metrics, nothing else. It is unauthenticated
 * and may listen on the pod IP for Prometheus and the kubelet, so it serves
 * neither credentials nor the cache listing (which names every cached table
 * and query id, and whose cost grows with the cache: it is on the credentials
 * listener, behind the token), and every answer here is cheap.
 */
const HEALTHY = JSON.stringify({ status: 'ok' });

export function createAdminApp(deps: AdminAppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  app.get('/healthz', (_req, res) => writeJson(res, 200, HEALTHY));

  app.get('/readyz', (_req, res) => {
    const report = deps.readiness();
    writeJson(res, report.ready ? 200 : 503, JSON.stringify({ status: report.ready ? 'ready' : 'not ready', ...report }));
  });

  app.get('/metrics', async (_req: Request, res: Response) => {
    try {
      const body = await deps.registry.metrics();
      res.status(200).setHeader('Content-Type', deps.registry.contentType);
      res.end(body);
    } catch {
      sendError(res, new LfcsError('InternalError', 'metrics collection failed'));
    }
  });

  app.use((req: Request, res: Response) => {
    const known = ['/healthz', '/readyz', '/metrics'];
    if (known.includes(req.path)) {
      res.setHeader('Allow', 'GET, HEAD');
      sendError(res, new LfcsError('MethodNotAllowed', `${req.method} is not allowed here; use GET`));
      return;
    }
    sendError(
      res,
      new LfcsError(
        'RouteNotFound',
        `no route ${req.method} ${req.path.slice(0, 200)}; try /healthz, /readyz or /metrics (the cache listing is GET /v1/cache on the credentials listener, with the token)`,
      ),
    );
  });
  return app;
}
