/**
 * Control and inspection endpoints under `/_emulator/`. The SDK never calls
 * them, so they are not signed: tests and humans drive them with plain HTTP.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resetEmulatorState, type EmulatorState } from './emulator-state.js';
import { parseJsonObject, readBody, sendError, sendJson } from './http-io.js';
import { ServiceError } from './service-error.js';

/** Path prefix of every admin endpoint. */
export const ADMIN_PREFIX = '/_emulator/';

type AdminHandler = (req: IncomingMessage, state: EmulatorState) => Promise<unknown>;

const ROUTES: Record<string, Partial<Record<string, AdminHandler>>> = {
  '/_emulator/faults': {
    GET: async (_req, state) => state.faults.snapshot(),
    /** Merges `{throttleNext?, errorRate?, errorCode?, latencyMs?, outage?}` into the current faults. */
    POST: async (req, state) => state.faults.merge(parseJsonObject(await readBody(req))),
    DELETE: async (_req, state) => {
      state.faults.clear();
      return state.faults.snapshot();
    },
  },
  '/_emulator/stats': {
    GET: async (_req, state) => state.stats.snapshot(),
  },
  '/_emulator/reset': {
    POST: async (_req, state) => {
      resetEmulatorState(state);
      return { reset: true };
    },
  },
  '/_emulator/requests': {
    GET: async (_req, state) => state.requests.entries(),
  },
  '/_emulator/vended': {
    GET: async (_req, state) => state.vended.entries(),
  },
};

export async function handleAdminCall(path: string, req: IncomingMessage, res: ServerResponse, state: EmulatorState): Promise<void> {
  const methods = ROUTES[path];
  if (!methods) {
    sendError(res, new ServiceError('UnknownOperationException', `No emulator endpoint at ${path}`));
    return;
  }
  const handler = methods[req.method ?? 'GET'];
  if (!handler) {
    const allowed = Object.keys(methods).join(', ');
    sendError(res, new ServiceError('MethodNotAllowedException', `${path} accepts ${allowed}`), { allow: allowed });
    return;
  }
  try {
    sendJson(res, 200, await handler(req, state));
  } catch (err) {
    if (!(err instanceof ServiceError)) throw err;
    sendError(res, err);
  }
}
