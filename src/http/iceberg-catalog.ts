/**
 * The Iceberg REST gateway's handler, the same for every catalog route of the
 * route table: the gateway core (src/iceberg) answers, with the admitted
 * caller's authorization as its `authorize` hook, and the answer is written
 * and counted here. See `iceberg-app.ts` for the listener.
 */
import type { GatewayAnswer } from '../iceberg/answer.js';
import { tableCredentialRequest } from '../iceberg/table-leases.js';
import type { Admission } from './admission.js';
import { authorizeTarget } from './authorization.js';
import type { IcebergAppDeps } from './iceberg-app.js';

export type IcebergHandler = (a: Admission, deps: IcebergAppDeps, body: Buffer) => Promise<void>;

/** Answers one admitted request through the gateway. */
export const serveCatalog: IcebergHandler = async (a, deps, body) => {
  // The client went away: stop waiting on the upstream and the cache.
  const controller = new AbortController();
  a.res.once('close', () => controller.abort());
  const { answer } = await deps.gateway.handle({
    method: a.req.method ?? 'GET',
    url: a.req.url ?? '/',
    headers: a.req.headers,
    body,
    signal: controller.signal,
    authorize: (tableArn) => {
      authorizeTarget(a, deps, { request: tableCredentialRequest(tableArn, deps.defaults) });
    },
  });
  writeAnswer(a, answer);
};

/** Writes the gateway's answer as it is (bytes passed through stay bytes), counts it, and audits a refusal. */
function writeAnswer(a: Admission, answer: GatewayAnswer): void {
  const { res } = a;
  if (res.destroyed || res.writableEnded) return;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  if (answer.body !== undefined) res.setHeader('Content-Length', answer.body.length);
  res.writeHead(answer.status);
  res.end(answer.body);
  a.listener.log.answered(a.label, answer.status, a.started);
  if (answer.status >= 400 && answer.status < 500) {
    const error = refusalOf(answer);
    a.listener.log.denied({
      route: a.label,
      method: a.req.method,
      status: answer.status,
      code: error.type,
      reason: error.message,
      who: a.listener.who(a),
    });
  }
}

/** The type and message of a refusal's `IcebergErrorResponse` (or of an upstream answer passed through), for the audit line. */
function refusalOf(answer: GatewayAnswer): { type: string; message: string } {
  try {
    const { error } = JSON.parse(answer.body?.toString('utf8') ?? '') as { error?: { type?: unknown; message?: unknown } };
    if (typeof error?.type === 'string' && typeof error.message === 'string')
      return { type: error.type, message: error.message.slice(0, 300) };
  } catch {
    // not an IcebergErrorResponse: named by its status below
  }
  return { type: `HTTP ${answer.status}`, message: 'refused (no IcebergErrorResponse body)' };
}
