/**
 * The one schema every configuration source is validated against, after the
 * sources are merged. Each field's error text says what would be accepted,
 * because that text becomes the `expected` part of a `ConfigProblem`.
 *
 * Cross-field rules (cache thresholds in order, distinct ports, loopback
 * listener...) are checked in `validate.ts`, not here, so that they are still
 * reported when some other field is invalid.
 */
import { z } from 'zod';
import { PERMISSIONS, PERMISSION_TYPES } from '../lakeformation/types.js';
import { isHost } from '../core/hosts.js';
import { isTablePattern, TABLE_ARN_PATTERN } from '../lakeformation/table-arn.js';

/** Accepted `log.level` values (pino's levels). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Profile names become a URL path segment, so they are limited to URL-safe characters. */
export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** AWS region names: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, ... */
export const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** Lake Formation's `DurationSeconds` range (API model; the prose says 21600 but the model allows 43200). */
export const DURATION_SECONDS_MIN = 900;
export const DURATION_SECONDS_MAX = 43_200;

// ---- building blocks: each carries its own "what would be accepted" text ----

function integer(min: number, max: number, note = '') {
  const expected = `an integer from ${min} to ${max}${note}`;
  return z.int({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
}

function positiveNumber(max: number) {
  const expected = `a number above 0 and at most ${max}`;
  return z.number({ error: expected }).positive({ error: expected }).max(max, { error: expected });
}

const port = () => integer(0, 65_535, ' (0 picks a free port)');

const bool = () => z.boolean({ error: 'true or false' });

function host() {
  const expected = 'an IP address (IPv6 without brackets) or a host name';
  return z.string({ error: expected }).refine(isHost, { error: expected });
}

function enumList<const T extends readonly [string, ...string[]]>(values: T) {
  const list = `a non-empty list, without duplicates, of: ${values.join(', ')}`;
  return z
    .array(z.enum(values, { error: `one of ${values.join(', ')}` }), { error: list })
    .min(1, { error: list })
    .refine((items) => new Set(items).size === items.length, { error: list });
}

/**
 * A mapping with a fixed set of keys. Unknown keys are problems (a typo such
 * as `cahce` must not silently fall back to defaults); the problem text lists
 * the accepted keys, computed from the shape in `validate.ts`.
 */
function section<const Shape extends z.ZodRawShape>(shape: Shape) {
  const expected = `a mapping with the keys: ${Object.keys(shape).join(', ')}`;
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'invalid_type' ? expected : undefined),
  });
}

function isHttpEndpoint(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  // Credentials in the URL would be logged with it; the SDK signs with SigV4 anyway.
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === ''
  );
}

const ENDPOINT_EXPECTED =
  'an http:// or https:// URL without user, query or fragment, such as http://127.0.0.1:4599 ' +
  '(the emulator) or https://vpce-....lakeformation.us-east-1.vpce.amazonaws.com';
const TABLE_ARN_EXPECTED = 'a Glue table ARN: arn:aws:glue:<region>:<12-digit account>:table/<database>/<table>';
const TABLE_PATTERN_EXPECTED =
  'a table ARN pattern such as arn:aws:glue:us-east-1:123456789012:table/sales/* ' +
  '(* matches within one segment; ** is not supported)';
const S3_PATH_EXPECTED = 'an s3:// URI such as s3://bucket/prefix/';
const TOKEN_EXPECTED =
  '16 to 4096 printable ASCII characters, without spaces or line breaks ' +
  "(it must equal the clients' Authorization header byte for byte)";

// ---- sections ----

const upstreamSchema = section({
  /**
   * Lake Formation endpoint override, e.g. the emulator (`http://127.0.0.1:4599`)
   * or a VPC interface endpoint. Default: none (the SDK's regional endpoint).
   */
  endpoint: z
    .string({ error: ENDPOINT_EXPECTED })
    .refine(isHttpEndpoint, { error: ENDPOINT_EXPECTED })
    .optional(),
  /** Per-attempt timeout of a Lake Formation call, ms. Default 3000. */
  timeoutMs: integer(100, 60_000).default(3000),
  /** Attempts per Lake Formation call, including the first. Default 3. */
  maxAttempts: integer(1, 10).default(3),
  /** Lake Formation calls in flight at once. Default 4. */
  maxConcurrency: integer(1, 256).default(4),
  /** Token-bucket rate of Lake Formation calls per second; these APIs answer "Rate exceeded" under load. Default 10. */
  ratePerSecond: positiveNumber(1000).default(10),
  /** Token-bucket size for Lake Formation calls. Default 20. */
  burst: integer(1, 10_000).default(20),
});

const listenSchema = section({
  /** Credentials listener address. Default `127.0.0.1`: the only plain-HTTP host every SDK version accepts. */
  host: host().default('127.0.0.1'),
  /** Credentials listener port. Default 9180. */
  port: port().default(9180),
  /**
   * Allow a non-loopback `host` (anyone who reaches it can ask for keys, token
   * permitting). Default false; the CLI flag `--unsafe-allow-non-loopback` sets it.
   */
  allowNonLoopback: bool().default(false),
});

const adminSchema = section({
  /** Probes and metrics listener address. Default `0.0.0.0` so the kubelet and Prometheus reach it; it serves no secrets. */
  host: host().default('0.0.0.0'),
  /** Probes and metrics port; must differ from `listen.port` unless one is 0. Default 9181. */
  port: port().default(9181),
});

const authSchema = section({
  /**
   * File holding the token clients send as `Authorization` (the file behind
   * their `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`). Default: none, in which
   * case the token comes from `LFCS_AUTH_TOKEN`. Set exactly one of the two.
   */
  tokenFile: z
    .string({ error: 'a path to the file holding the token' })
    .min(1, { error: 'a path to the file holding the token' })
    .optional(),
  /** The token itself. Secret: only from `LFCS_AUTH_TOKEN` (never a file), redacted everywhere. */
  token: z.string({ error: TOKEN_EXPECTED }).regex(/^[\x21-\x7e]{16,4096}$/, { error: TOKEN_EXPECTED }).optional(),
});

const rateLimitSchema = section({
  /** Requests per second the credentials listener accepts (EKS Pod Identity Agent's value). Default 1000. */
  requestsPerSecond: positiveNumber(1_000_000).default(1000),
  /** Burst size of that limit. Default 500. */
  burst: integer(1, 1_000_000).default(500),
});

const durationSeconds = () => integer(DURATION_SECONDS_MIN, DURATION_SECONDS_MAX);
const permissions = () => enumList(PERMISSIONS);
const permissionTypes = () => enumList(PERMISSION_TYPES);

const defaultsSchema = section({
  /** Requested lease length, s (Lake Formation may grant less). Default 3600, the length consumers assume. */
  durationSeconds: durationSeconds().default(3600),
  /** Requested permissions. Default `["SELECT"]`. */
  permissions: permissions().default(() => ['SELECT' as const]),
  /**
   * Policy kinds the caller says it enforces. Default `["COLUMN_PERMISSION"]`,
   * exactly what Iceberg's `LakeFormationAwsClientFactory` sends. A table with a
   * cell or nested policy then fails closed with PermissionTypeMismatchException.
   */
  supportedPermissionTypes: permissionTypes().default(() => ['COLUMN_PERMISSION' as const]),
});

const profileSchema = section({
  /** Required: the table whose credentials this profile vends. */
  tableArn: z.string({ error: TABLE_ARN_EXPECTED }).regex(TABLE_ARN_PATTERN, { error: TABLE_ARN_EXPECTED }),
  /** Partition values in partition-key order; when set, the partition operation is used. */
  partition: z
    .array(
      z
        .string({ error: 'a partition value as a string (quote numbers in YAML)' })
        .max(1024, { error: 'a partition value of at most 1024 characters' }),
      { error: 'a non-empty list of partition values, in partition-key order' },
    )
    .min(1, { error: 'a non-empty list of partition values, in partition-key order' })
    .optional(),
  /** Default: `defaults.permissions`. */
  permissions: permissions().optional(),
  /** Default: `defaults.supportedPermissionTypes`. */
  supportedPermissionTypes: permissionTypes().optional(),
  /** Default: `defaults.durationSeconds`. */
  durationSeconds: durationSeconds().optional(),
  /** `S3Path` of the table operation; not allowed with `partition` (the partition API has none). */
  s3Path: z
    .string({ error: S3_PATH_EXPECTED })
    .regex(/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](?:\/\S*)?$/, { error: S3_PATH_EXPECTED })
    .optional(),
  /** Sent as `AuditContext.AdditionalAuditContext`, visible in CloudTrail. */
  auditContext: z
    .string({ error: 'a string of 1 to 2048 characters' })
    .min(1, { error: 'a string of 1 to 2048 characters' })
    .max(2048, { error: 'a string of 1 to 2048 characters' })
    .optional(),
});

const PROFILE_NAME_EXPECTED = `a profile name matching ${PROFILE_NAME_PATTERN.source} (it is a URL path segment)`;

const dynamicSchema = section({
  /** Allow requests that name a table ARN directly instead of a profile. Default false. */
  enabled: bool().default(false),
  /** Table ARN patterns dynamic requests may name; required when enabled. Default `[]`. */
  allowedTables: z
    .array(z.string({ error: TABLE_PATTERN_EXPECTED }).refine(isTablePattern, { error: TABLE_PATTERN_EXPECTED }), {
      error: 'a list of table ARN patterns',
    })
    .default(() => []),
});

const cacheSchema = section({
  /** Cached leases kept (LRU beyond this). Default 10000. */
  maxEntries: integer(1, 1_000_000).default(10_000),
  /**
   * Start a background refresh once a lease has less than this left. Default
   * 1800: on 1 h leases, refresh at 30 min left, leaving 14 min of background
   * retries before `minServeSeconds`. The cache scales all four thresholds
   * down for leases shorter than twice this.
   */
  refreshBeforeExpirySeconds: integer(60, DURATION_SECONDS_MAX).default(1800),
  /**
   * While Lake Formation is healthy, never serve a lease with less than this
   * left (the request waits for a fresh one). Default 960: above the 15 min
   * at which botocore and Java start re-fetching on every call.
   */
  minServeSeconds: integer(1, DURATION_SECONDS_MAX).default(960),
  /**
   * When Lake Formation fails, an old lease is still served while it has more
   * than this left; never below. Default 60 (Java v2 treats 1 min left as stale).
   */
  hardMinimumSeconds: integer(1, DURATION_SECONDS_MAX).default(60),
  /** Only entries requested within this long are refreshed in the background. Default 3600. */
  idleSeconds: integer(60, 604_800).default(3600),
  /** Remember a permanent Lake Formation refusal (AccessDenied, EntityNotFound, ...) this long. Default 30. */
  negativeTtlSeconds: integer(1, 3600).default(30),
  /**
   * Each background refresh starts at a random point up to this many s after
   * the lease enters the refresh window, so leases vended together (prewarm)
   * are not all renewed in the same second. Must stay below
   * `refreshBeforeExpirySeconds - minServeSeconds`. 0 disables. Default 120.
   */
  refreshJitterSeconds: integer(0, 3600).default(120),
});

const prewarmSchema = section({
  /** Fetch every profile's credentials at start, before reporting ready. Default true. */
  enabled: bool().default(true),
  /** First retry delay of a failed prewarm fetch, ms (doubles each retry). Default 500. */
  retryBaseDelayMs: integer(1, 60_000).default(500),
  /** Cap of the prewarm retry delay, ms; at least `retryBaseDelayMs`. Default 30000. */
  retryMaxDelayMs: integer(1, 3_600_000).default(30_000),
});

const shutdownSchema = section({
  /** After SIGTERM, keep serving (reporting not ready) this long so load balancers and clients move away. Default 5. */
  drainSeconds: integer(0, 300).default(5),
  /** Hard limit for the whole shutdown, s; must exceed `drainSeconds`. Default 20. */
  graceSeconds: integer(1, 600).default(20),
});

const logSchema = section({
  /** Default `info`. */
  level: z.enum(LOG_LEVELS, { error: `one of ${LOG_LEVELS.join(', ')}` }).default('info'),
});

/** The whole configuration. Validate with `parseConfig`/`loadConfig`, which add the cross-field rules. */
export const configSchema = section({
  /**
   * Lake Formation region. Required; `loadConfig` falls back to `AWS_REGION`,
   * then `AWS_DEFAULT_REGION`, when neither the file, `LFCS_REGION` nor a flag sets it.
   */
  region: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'an AWS region name such as us-east-1 (set region, LFCS_REGION, AWS_REGION or AWS_DEFAULT_REGION)'
          : 'an AWS region name such as us-east-1',
    })
    .regex(REGION_PATTERN, { error: 'an AWS region name such as us-east-1' }),
  upstream: upstreamSchema.prefault({}),
  listen: listenSchema.prefault({}),
  admin: adminSchema.prefault({}),
  auth: authSchema.prefault({}),
  rateLimit: rateLimitSchema.prefault({}),
  defaults: defaultsSchema.prefault({}),
  /** Named credential requests, served at a URL path with the profile name. Default `{}`. */
  profiles: z
    .record(z.string().regex(PROFILE_NAME_PATTERN, { error: PROFILE_NAME_EXPECTED }), profileSchema, {
      error: 'a mapping from profile name to profile',
    })
    .default(() => ({})),
  dynamic: dynamicSchema.prefault({}),
  cache: cacheSchema.prefault({}),
  prewarm: prewarmSchema.prefault({}),
  shutdown: shutdownSchema.prefault({}),
  log: logSchema.prefault({}),
});

/** Validated, fully defaulted configuration. Deep-frozen at run time. */
export type Config = z.infer<typeof configSchema>;
/** One entry of `profiles`, as written (its unset fields fall back to `defaults`). */
export type ProfileConfig = Config['profiles'][string];
/** What the schema accepts before defaults are applied. */
export type ConfigInput = z.input<typeof configSchema>;

/** Every field optional, at every level; arrays are replaced, not merged. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | undefined }
    : T;

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
