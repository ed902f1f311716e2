/**
 * The sidecar's listeners: credentials (sidecar or agent address), the
 * optional Lake Formation API and Iceberg REST gateway, and admin (probes and metrics). Started in
 * that order; if one cannot listen, those already started are closed.
 */
import type { RequestListener } from 'node:http';
import type { Config } from '../config/index.js';
import { LfcsError } from '../core/errors.js';
import { hostForUrl } from '../core/hosts.js';
import { icebergErrorResponse } from '../http/iceberg-app.js';
import { lakeFormationErrorResponse } from '../http/lakeformation-api-app.js';
import { ADMIN_LIMITS, listen, type Listening } from '../http/listen.js';

export interface Handlers {
  credentials: RequestListener;
  lakeformationApi: RequestListener | undefined;
  iceberg: RequestListener | undefined;
  admin: RequestListener;
}

export interface Listeners {
  readonly credentialsUrl: string;
  readonly adminUrl: string;
  readonly lakeformationApiUrl: string | undefined;
  readonly icebergUrl: string | undefined;
  /** Which listeners are open, for readiness. */
  listening(): { credentials: boolean; admin: boolean; lakeformationApi?: boolean; iceberg?: boolean };
  /** Closes them in the order they were opened; the admin listener last, so probes answer until the end. */
  close(): Promise<void>;
}

/** Rejects with `InvalidConfiguration` naming the cause when a listener cannot listen. */
export async function startListeners(config: Config, handlers: Handlers): Promise<Listeners> {
  const at = config.mode === 'agent' ? config.agent : config.listen;
  const opened: { name: 'credentials' | 'lakeformationApi' | 'iceberg' | 'admin'; listener: Listening }[] = [];
  const open = new Set<string>();
  try {
    opened.push({ name: 'credentials', listener: await listen(handlers.credentials, at.host, at.port) });
    if (handlers.lakeformationApi) {
      const { host, port } = config.lakeformationApi;
      opened.push({
        name: 'lakeformationApi',
        listener: await listen(handlers.lakeformationApi, host, port, { errorResponse: lakeFormationErrorResponse }),
      });
    }
    if (handlers.iceberg) {
      const { host, port } = config.iceberg;
      opened.push({ name: 'iceberg', listener: await listen(handlers.iceberg, host, port, { errorResponse: icebergErrorResponse }) });
    }
    opened.push({
      name: 'admin',
      listener: await listen(handlers.admin, config.admin.host, config.admin.port, {
        ...ADMIN_LIMITS,
        maxConnections: config.admin.maxConnections,
      }),
    });
  } catch (err) {
    for (const { listener } of opened) await listener.close();
    const e = err as NodeJS.ErrnoException;
    throw new LfcsError('InvalidConfiguration', `cannot listen: ${e.code ?? ''} ${e.message}`.trim());
  }
  for (const { name } of opened) open.add(name);
  const port = (name: string): number => opened.find((o) => o.name === name)!.listener.port;
  const adminHost = config.admin.host === '0.0.0.0' ? '127.0.0.1' : config.admin.host;
  return {
    credentialsUrl: `http://${hostForUrl(at.host)}:${port('credentials')}`,
    adminUrl: `http://${hostForUrl(adminHost)}:${port('admin')}`,
    lakeformationApiUrl: handlers.lakeformationApi
      ? `http://${hostForUrl(config.lakeformationApi.host)}:${port('lakeformationApi')}`
      : undefined,
    icebergUrl: handlers.iceberg ? `http://${hostForUrl(config.iceberg.host)}:${port('iceberg')}` : undefined,
    listening: () => ({
      credentials: open.has('credentials'),
      admin: open.has('admin'),
      ...(handlers.lakeformationApi && { lakeformationApi: open.has('lakeformationApi') }),
      ...(handlers.iceberg && { iceberg: open.has('iceberg') }),
    }),
    async close() {
      for (const { name, listener } of opened) {
        open.delete(name);
        await listener.close();
      }
    },
  };
}
