/**
 * Settings of the Iceberg REST gateway (`iceberg.*` in the configuration):
 * the listener, the upstream Iceberg REST catalog it forwards to, the
 * catalogs it serves and how it hands out storage access. The one definition
 * of each: default, range and reason.
 */
import { z } from 'zod';
import { isHost, isHttpsOrLoopbackUrl, isLoopbackHost } from '../core/hosts.js';
import { bool, integer, section } from '../core/settings.js';
import { REGION_PATTERN } from '../lakeformation/fields.js';

/**
 * How a client gets storage access: vended credentials (keys of the table's
 * lease in the answer) or remote signing (lfcs signs each S3 request; the
 * client never holds a key). The values are the `X-Iceberg-Access-Delegation`
 * header's.
 */
export const DELEGATION_MODES = ['vended-credentials', 'remote-signing'] as const;
export type DelegationMode = (typeof DELEGATION_MODES)[number];

/** A Glue catalog id the gateway serves: the 12-digit account id of the account's default catalog. */
export const CATALOG_ID_PATTERN = /^\d{12}$/;

const LOOPBACK_EXPECTED = 'a loopback address (127.0.0.1, ::1 or localhost): the gateway answers with table credentials';
const URI_EXPECTED =
  'an https:// URL (or http:// on a loopback host), without user, query or fragment, such as https://glue.us-east-1.amazonaws.com/iceberg';
const S3_ENDPOINT_EXPECTED = 'an https:// URL (or http:// on a loopback host) without path, user, query or fragment';
const CATALOGS_EXPECTED = 'a list of 12-digit Glue catalog ids (account ids)';

function serviceUrl(expected: string, pathAllowed: boolean) {
  return z.string({ error: expected }).refine(
    (value) => {
      if (!URL.canParse(value)) return false;
      const url = new URL(value);
      return isHttpsOrLoopbackUrl(url) && url.search === '' && url.hash === '' && (pathAllowed || url.pathname === '/');
    },
    { error: expected },
  );
}

/** `iceberg.*`. Cross-field rules (a port apart from the other listeners) belong with the others in `config/validate.ts`. */
export const icebergSettingsSchema = section({
  enabled: bool()
    .default(false)
    .describe('Serve the Iceberg REST catalog gateway: catalog calls forwarded upstream, storage access from the credential cache.'),
  host: z
    .string({ error: LOOPBACK_EXPECTED })
    .refine((value) => isHost(value) && isLoopbackHost(value), { error: LOOPBACK_EXPECTED })
    .default('127.0.0.1')
    .describe('Gateway listener address; loopback only, as it answers with credentials for every table it serves.'),
  port: integer(0, 65_535, ' (0 picks a free port)')
    .default(9183)
    .describe('Gateway listener port; the catalog uri of the engines is http://127.0.0.1:<port>.'),
  upstreamUri: serviceUrl(URI_EXPECTED, true)
    .optional()
    .describe("The upstream Iceberg REST catalog; default Glue's, https://glue.<region>.amazonaws.com/iceberg."),
  region: z
    .string({ error: 'an AWS region name such as us-east-1' })
    .regex(REGION_PATTERN, { error: 'an AWS region name such as us-east-1' })
    .optional()
    .describe("Region of the upstream catalog, its SigV4 scope and the tables' ARNs; default the top-level region."),
  catalogs: z
    .array(z.string({ error: CATALOGS_EXPECTED }).regex(CATALOG_ID_PATTERN, { error: CATALOGS_EXPECTED }), {
      error: CATALOGS_EXPECTED,
    })
    .default(() => [])
    .describe(
      'Glue catalogs served, each at the prefix catalogs/<id> as upstream; the first is the one /v1/config names when the client sends no warehouse. Required when enabled.',
    ),
  delegation: z
    .enum(DELEGATION_MODES, { error: `one of ${DELEGATION_MODES.join(', ')}` })
    .default('vended-credentials')
    .describe(
      'Storage access when a loadTable sends no X-Iceberg-Access-Delegation header (Iceberg Java sends none unless header.X-Iceberg-Access-Delegation is set).',
    ),
  s3Endpoint: serviceUrl(S3_ENDPOINT_EXPECTED, false)
    .optional()
    .describe(
      "S3 endpoint given to clients (s3.endpoint, path-style) and the only one lfcs signs for; default the region's AWS endpoint, virtual-hosted or path-style.",
    ),
  timeoutMs: integer(100, 60_000).default(5000).describe('Time allowed for one upstream catalog call, ms.'),
  maxUpstreamResponseMiB: integer(1, 1024)
    .default(64)
    .describe(
      "Largest upstream catalog answer lfcs reads, MiB (a loadTable answer carries the table's whole metadata); a larger one is answered 500 InternalServerError, not held in memory.",
    ),
}).superRefine((settings, context) => {
  // A gateway without a catalog would answer every route 404: say so at start instead.
  if (settings.enabled && settings.catalogs.length === 0) {
    context.addIssue({ code: 'custom', path: ['catalogs'], message: `${CATALOGS_EXPECTED}, at least one when enabled is true` });
  }
});

export type IcebergSettings = z.output<typeof icebergSettingsSchema>;

/** Glue's Iceberg REST endpoint in `region`. */
export function glueIcebergUri(region: string): string {
  return `https://glue.${region}.amazonaws.com/iceberg`;
}

/** Every default of `iceberg.*`. */
export const ICEBERG_DEFAULTS: Readonly<IcebergSettings> = Object.freeze(icebergSettingsSchema.parse({}));
