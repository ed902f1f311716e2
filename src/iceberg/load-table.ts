/**
 * The `loadTable` answer: the upstream's `LoadTableResult` with storage access
 * from lfcs put in, and everything else passed through byte for byte.
 *
 * Replaced: the top-level `config`, `storage-credentials` and
 * `remote-signing-config` members. Every other member (`metadata-location`,
 * `metadata`, anything a newer spec adds) keeps its exact source text (see
 * `json-members.ts`). The new `config` is the upstream's minus anything that
 * carries or points to credentials, a token or server-side scan planning,
 * plus lfcs's keys; it is never empty, because Iceberg Java 1.12 reuses the
 * catalog's FileIO for a table whose config is empty (and then has neither
 * credentials nor a signing endpoint).
 *
 * - Vended credentials: one `storage-credentials` entry for the table's
 *   location, with the lease, its expiry and the per-table refresh endpoint.
 * - Remote signing: no key at all. `s3.remote-signing-enabled` (Iceberg Java),
 *   `s3.signer` and `py-io-impl` (PyIceberg signs only with its fsspec FileIO),
 *   and the per-table signing endpoint under each name a client version
 *   reads: `signer.endpoint` (Java 1.11-1.12) and `s3.signer.endpoint`
 *   (Java 1.10, PyIceberg), relative and without a leading `/`, as PyIceberg
 *   joins it to the uri with a `/`. Java 1.12 also sets
 *   `rest.remote-signing.endpoint` itself, to the same path.
 */
import type { Lease } from '../lakeformation/types.js';
import { IcebergError } from './errors.js';
import { joinMembers, memberText, objectMembers } from './json-members.js';
import type { DelegationMode } from './settings.js';
import { storageCredential } from './storage-credentials.js';

/** Top-level members lfcs writes itself. */
const REPLACED_MEMBERS = new Set(['config', 'storage-credentials', 'remote-signing-config']);

/**
 * Upstream `config` keys never passed on: credentials of any store, tokens
 * (a `token` in a table's config becomes the client's token for that table),
 * refresh and signing endpoints (they would point at the upstream, which
 * lfcs does not let vend), and server-side scan planning, which lfcs does
 * not forward.
 */
const DROPPED_CONFIG_KEY =
  /(access-key|secret|session-token|token|password|credential|sas|signer|signing|refresh-credentials|py-io-impl|^scan-planning-mode$)/i;

/** Where storage access comes from for this answer. */
export type StorageAccess =
  | { mode: Extract<DelegationMode, 'vended-credentials'>; lease: Lease; refreshEndpoint: string }
  | { mode: Extract<DelegationMode, 'remote-signing'>; signEndpoint: string };

/** What the table config says about the store, whatever the mode. */
export interface StoreContext {
  region: string;
  /** `s3.endpoint` for clients (path-style), when not AWS's own. */
  s3Endpoint?: string | undefined;
}

/** The table's location (`metadata.location`) in an upstream `LoadTableResult`. */
export function tableLocation(body: Buffer): string {
  const parsed = parseResult(body);
  const location = (parsed.metadata as { location?: unknown } | undefined)?.location;
  if (typeof location !== 'string' || !/^s3[an]?:\/\/[^/]+/.test(location)) {
    throw malformed('its metadata has no s3:// location');
  }
  return location;
}

/** The rewritten body (see the module comment). */
export function rewriteLoadTable(body: Buffer, access: StorageAccess, store: StoreContext): Buffer {
  const text = body.toString('utf8');
  const members = objectMembers(text);
  if (members === undefined) throw malformed('it is not a JSON object');
  const upstreamConfig = parseResult(body).config;

  const config: Record<string, string> = {};
  if (typeof upstreamConfig === 'object' && upstreamConfig !== null && !Array.isArray(upstreamConfig)) {
    for (const [key, value] of Object.entries(upstreamConfig)) {
      if (typeof value === 'string' && !DROPPED_CONFIG_KEY.test(key)) config[key] = value;
    }
  }
  config['client.region'] = store.region;
  if (store.s3Endpoint !== undefined) {
    config['s3.endpoint'] = store.s3Endpoint;
    // Iceberg Java and Trino take path style from the config only; PyArrow is path-style unless told otherwise.
    config['s3.path-style-access'] = 'true';
  }

  const added: string[] = [];
  if (access.mode === 'vended-credentials') {
    const credential = storageCredential(tableLocation(body).replace(/^s3[an]:\/\//, 's3://'), access.lease, {
      region: store.region,
      refreshEndpoint: access.refreshEndpoint,
      s3Endpoint: store.s3Endpoint,
    });
    added.push(memberText('config', config), memberText('storage-credentials', [credential]));
  } else {
    Object.assign(config, {
      's3.remote-signing-enabled': 'true',
      's3.signer': 'S3V4RestSigner',
      'py-io-impl': 'pyiceberg.io.fsspec.FsspecFileIO',
      'signer.endpoint': access.signEndpoint,
      's3.signer.endpoint': access.signEndpoint,
    });
    added.push(memberText('config', config), memberText('remote-signing-config', { properties: {}, headers: {} }));
  }
  const kept = members.filter((member) => !REPLACED_MEMBERS.has(member.key)).map((member) => member.text);
  return Buffer.from(joinMembers([...kept, ...added]));
}

function parseResult(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw malformed('it is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformed('it is not a JSON object');
  return parsed as Record<string, unknown>;
}

function malformed(why: string): IcebergError {
  return new IcebergError(
    'ServiceUnavailableException',
    `The upstream catalog answered loadTable with an unusable LoadTableResult: ${why}`,
    {
      retryAfterSeconds: 1,
    },
  );
}
