/**
 * The one schema every configuration source is validated against, after the
 * sources are merged. Sections that tune a part of lfcs are defined beside it
 * (`upstream/settings.ts`, `cache/settings.ts`) and composed here; the rest
 * are defined here. Every field carries its default, range and a one-line
 * reason (`.describe()`), from which the `LFCS_*` table, the README's
 * configuration reference and the chart's values schema are generated
 * (`lfcs config reference`).
 *
 * Cross-field rules (cache thresholds in order, distinct ports, loopback
 * listener...) are listed in `rules.ts` and checked by `validate.ts`, not
 * here, so that they are still reported when some other field is invalid.
 */
import { z } from 'zod';
import { CACHE_RELATIONS, cacheSettingsSchema } from '../cache/settings.js';
import { isHost } from '../core/hosts.js';
import { bool, integer, positiveNumber, section, type Relation } from '../core/settings.js';
import * as fields from '../lakeformation/fields.js';
import { PERMISSIONS } from '../lakeformation/types.js';
import { UPSTREAM_RELATIONS, upstreamSettingsSchema } from '../upstream/settings.js';
import { agentSettingsSchema } from '../identity/settings.js';
import { icebergSettingsSchema } from '../iceberg/settings.js';

/** How lfcs is deployed: beside one engine in its pod, or once per node for every pod on it. */
export const MODES = ['sidecar', 'agent'] as const;
export type Mode = (typeof MODES)[number];

/** Accepted `log.level` values (pino's levels). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Profile names become a URL path segment, so they are limited to URL-safe characters. */
export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const port = () => integer(0, 65_535, ' (0 picks a free port)');

function host() {
  const expected = 'an IP address (IPv6 without brackets) or a host name';
  return z.string({ error: expected }).refine(isHost, { error: expected });
}

const TOKEN_EXPECTED =
  '16 to 4096 printable ASCII characters, without spaces or line breaks ' +
  "(it must equal the clients' Authorization header byte for byte)";

// ---- sections ----

const listenSchema = section({
  host: host()
    .default('127.0.0.1')
    .describe('Credentials listener address: 127.0.0.1 is the only plain-HTTP host every SDK version accepts.'),
  port: port().default(9180).describe('Credentials listener port.'),
  allowNonLoopback: bool()
    .default(false)
    .describe(
      'Allow a non-loopback listen.host (anyone who reaches it can ask for keys, token permitting); flag --unsafe-allow-non-loopback.',
    ),
});

const adminSchema = section({
  host: host()
    .default('0.0.0.0')
    .describe('Probes and metrics listener address, reachable by the kubelet and Prometheus; it serves no secrets.'),
  port: port().default(9181).describe('Probes and metrics port; must differ from listen.port unless one is 0.'),
  maxConnections: integer(1, 10_000)
    .default(32)
    .describe(
      'Open connections the admin listener holds at once, so a flood cannot use up memory or file descriptors the credentials listener needs; a new one past it closes an idle one of the source holding the most, so probes and scrapes are always answered.',
    ),
});

const lakeformationApiSchema = section({
  enabled: bool()
    .default(false)
    .describe(
      "Answer Lake Formation's own API (GetTemporaryGlue*Credentials) through the cache, for AWS_ENDPOINT_URL_LAKEFORMATION; needs dynamic.enabled.",
    ),
  host: host()
    .default('127.0.0.1')
    .describe('Lake Formation API listener address; loopback only, always (it has no token: the pod boundary is its guard).'),
  port: port().default(9182).describe('Lake Formation API listener port; must differ from listen.port and admin.port.'),
});

const authSchema = section({
  tokenFile: z
    .string({ error: 'a path to the file holding the token' })
    .min(1, { error: 'a path to the file holding the token' })
    .optional()
    .describe('File holding the token clients send as Authorization (their AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE); generated if missing.'),
  token: z
    .string({ error: TOKEN_EXPECTED })
    .regex(/^[\x21-\x7e]{16,4096}$/, { error: TOKEN_EXPECTED })
    .optional()
    .meta({ secret: true })
    .describe('The token itself: secret, so only from LFCS_AUTH_TOKEN (never a file) and redacted everywhere. Set it or tokenFile.'),
});

const rateLimitSchema = section({
  requestsPerSecond: positiveNumber(1_000_000)
    .default(1000)
    .describe("Requests per second the credentials listener accepts (the EKS Pod Identity Agent's value)."),
  burst: integer(1, 1_000_000).default(500).describe('Burst size of that limit.'),
  refusedPerSecond: positiveNumber(1_000_000)
    .default(20)
    .describe(
      'Requests per second without the right token, counted apart (after authentication), so a local process flooding wrong tokens never makes the real client get 429.',
    ),
  refusedBurst: integer(1, 1_000_000).default(50).describe('Burst size of that limit.'),
  deniedLogLinesPerSecond: positiveNumber(100_000)
    .default(10)
    .describe(
      'Refused-request audit lines logged per second (burst 20); the rest are dropped and counted in lfcs_log_lines_dropped_total.',
    ),
});

const DISTINCT_PERMISSIONS_EXPECTED = `a non-empty list of: ${PERMISSIONS.join(', ')}`;

const defaultsSchema = section({
  durationSeconds: fields.durationSeconds
    .default(3600)
    .describe('Requested lease length, s (Lake Formation may grant less); 3600 is what consumers assume.'),
  permissions: fields.permissions
    .min(1, { error: DISTINCT_PERMISSIONS_EXPECTED })
    .default(() => ['SELECT' as const])
    .describe('Requested permissions.'),
  supportedPermissionTypes: fields.supportedPermissionTypes
    .default(() => ['COLUMN_PERMISSION' as const])
    .describe(
      'Policy kinds the consumer enforces; COLUMN_PERMISSION is what Iceberg sends. A table with cell or nested policies then fails closed (PermissionTypeMismatchException).',
    ),
  credentialsScope: fields.credentialsScope
    .default('READ')
    .describe('CredentialsScope of location requests that name none: READ is least privilege; READWRITE needs a write grant.'),
});

const profileSchema = section({
  tableArn: fields.tableArn.optional().describe('The table whose credentials this profile vends; set it or locations, not both.'),
  locations: fields.dataLocations
    .optional()
    .describe(
      'S3 locations instead of a table: one GetTemporaryDataLocationCredentials lease for them all (e.g. every table an S3A bucket provider reads).',
    ),
  credentialsScope: fields.credentialsScope
    .optional()
    .describe('READ or READWRITE, for a profile with locations only. Default: defaults.credentialsScope.'),
  partition: fields.partitionValues
    .optional()
    .describe('Partition values in partition-key order; when set, the partition operation is used.'),
  permissions: fields.permissions.optional().describe('Default: defaults.permissions.'),
  supportedPermissionTypes: fields.supportedPermissionTypes.optional().describe('Default: defaults.supportedPermissionTypes.'),
  durationSeconds: fields.durationSeconds.optional().describe('Default: defaults.durationSeconds.'),
  s3Path: fields.s3Path.optional().describe('S3Path of the table operation; not with partition (the partition API has none).'),
  auditContext: fields.additionalAuditContext.optional().describe('Sent as AuditContext.AdditionalAuditContext, shown in CloudTrail.'),
})
  // A profile names a table or locations: `rules.ts` checks it with a message, the chart's values schema with this.
  .meta({
    oneOf: [
      { properties: { tableArn: true }, required: ['tableArn'] },
      { properties: { locations: true }, required: ['locations'] },
    ],
  });

const PROFILE_NAME_EXPECTED = `a profile name matching ${PROFILE_NAME_PATTERN.source} (it is a URL path segment)`;

const dynamicSchema = section({
  enabled: bool().default(false).describe('Allow requests that name a table ARN instead of a profile (dynamic and native routes).'),
  allowedTables: fields
    .tablePatterns()
    .default(() => [])
    .describe('Table ARN patterns dynamic requests may name (* within one segment); this or allowedLocations is required when enabled.'),
  allowedLocations: fields
    .locationPatterns()
    .default(() => [])
    .describe('S3 location patterns dynamic location requests may name (* within one path segment); empty refuses every location.'),
});

const prewarmSchema = section({
  enabled: bool().default(true).describe("Fetch every profile's credentials at start, before reporting ready."),
  retryBaseDelayMs: integer(1, 60_000)
    .default(500)
    .describe('Cap of the first retry delay of a failed prewarm, ms (full jitter, doubling per retry).'),
  retryMaxDelayMs: integer(1, 3_600_000).default(30_000).describe('Largest prewarm retry delay cap, ms.'),
});

const shutdownSchema = section({
  drainSeconds: integer(0, 300).default(5).describe('After SIGTERM, keep serving (reporting not ready) this long so clients move away.'),
  graceSeconds: integer(1, 600).default(20).describe('Hard limit for the whole shutdown, s; must exceed drainSeconds.'),
});

const logSchema = section({
  level: z
    .enum(LOG_LEVELS, { error: `one of ${LOG_LEVELS.join(', ')}` })
    .default('info')
    .describe('Log level.'),
});

const REGION_EXPECTED = 'an AWS region name such as us-east-1';
const REGION_REQUIRED = 'an AWS region name such as us-east-1 (set region, LFCS_REGION, AWS_REGION or AWS_DEFAULT_REGION)';

/** The whole configuration. Validate with `parseConfig`/`loadConfig`, which add the cross-field rules. */
export const configSchema = section({
  region: z
    .string({ error: (issue) => (issue.input === undefined ? REGION_REQUIRED : REGION_EXPECTED) })
    .regex(fields.REGION_PATTERN, { error: REGION_EXPECTED })
    .describe('Lake Formation region. Required; falls back to AWS_REGION, then AWS_DEFAULT_REGION.'),
  mode: z
    .enum(MODES, { error: `one of ${MODES.join(', ')}` })
    .default('sidecar')
    .describe(
      'sidecar: one lfcs per pod, on loopback (listen.*), with a shared token (auth.*). agent: one per node on a link-local address (agent.host, agent.port; listen.* and auth.* unused), pods authenticated by service-account token and bound by agent.bindings.',
    ),
  upstream: upstreamSettingsSchema.prefault({}),
  listen: listenSchema.prefault({}),
  admin: adminSchema.prefault({}),
  lakeformationApi: lakeformationApiSchema.prefault({}),
  iceberg: icebergSettingsSchema.prefault({}),
  auth: authSchema.prefault({}),
  agent: agentSettingsSchema.prefault({}),
  rateLimit: rateLimitSchema.prefault({}),
  defaults: defaultsSchema.prefault({}),
  profiles: z
    .record(z.string().regex(PROFILE_NAME_PATTERN, { error: PROFILE_NAME_EXPECTED }), profileSchema, {
      error: 'a mapping from profile name to profile',
    })
    .default(() => ({}))
    .describe('Named credential requests, served at /v1/credentials/<name>.'),
  dynamic: dynamicSchema.prefault({}),
  cache: cacheSettingsSchema.prefault({}),
  prewarm: prewarmSchema.prefault({}),
  shutdown: shutdownSchema.prefault({}),
  log: logSchema.prefault({}),
});

/** Numeric rules between fields of one section, by section; `rules.ts` makes them configuration rules. */
export const SECTION_RELATIONS: Readonly<Record<string, readonly Relation[]>> = {
  upstream: UPSTREAM_RELATIONS,
  cache: CACHE_RELATIONS,
  // The grace period is the hard stop; draining must finish inside it.
  shutdown: [{ lower: ['drainSeconds'], upper: 'graceSeconds', strict: true }],
  prewarm: [{ lower: ['retryBaseDelayMs'], upper: 'retryMaxDelayMs', strict: false }],
};

/** Validated, fully defaulted configuration. Deep-frozen at run time. */
export type Config = z.infer<typeof configSchema>;
/** One entry of `profiles`, as written (its unset fields fall back to `defaults`). */
export type ProfileConfig = Config['profiles'][string];
/** What the schema accepts before defaults are applied. */
export type ConfigInput = z.input<typeof configSchema>;

/** Every field optional, at every level; arrays are replaced, not merged. */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | undefined } : T;

/** A partial configuration: one layer (environment, command-line flags) merged over the file. */
export type ConfigOverrides = DeepPartial<ConfigInput>;

/**
 * The schema node at `path` (unwrapping defaults and optionals, stepping into
 * records), or `undefined` if there is none. Used to list accepted keys and to
 * describe a field's accepted values outside of a full parse.
 */
export function schemaAt(path: readonly PropertyKey[]): z.ZodType | undefined {
  let node: z.ZodType | undefined = configSchema;
  for (const segment of path) {
    node = unwrap(node);
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, z.ZodType>)[String(segment)];
    else if (node instanceof z.ZodRecord) node = node.valueType as z.ZodType;
    else return undefined;
    if (node === undefined) return undefined;
  }
  return unwrap(node);
}

function unwrap(node: z.ZodType): z.ZodType {
  let current = node;
  while (current instanceof z.ZodDefault || current instanceof z.ZodPrefault || current instanceof z.ZodOptional) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** The keys accepted by the mapping at `path`, or `undefined` if `path` is not a fixed-key mapping. */
export function acceptedKeysAt(path: readonly PropertyKey[]): string[] | undefined {
  const node = schemaAt(path);
  return node instanceof z.ZodObject ? Object.keys(node.shape) : undefined;
}

/** The "what would be accepted" text of the field at `path`. */
export function describeField(path: readonly PropertyKey[]): string | undefined {
  const node = schemaAt(path);
  // A symbol is invalid for every field, so the first issue carries the field's own text.
  const result = node?.safeParse(Symbol('probe'));
  return result && !result.success ? result.error.issues[0]?.message : undefined;
}
