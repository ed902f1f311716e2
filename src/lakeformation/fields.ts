/**
 * The rules of every Lake Formation request field, written once and used by
 * every place a request enters: configuration profiles and `defaults`, the
 * HTTP routes, and the emulator. Each schema's error text says what would be
 * accepted, so a message reads "DurationSeconds: an integer from 900 to 43200"
 * wherever it is raised.
 *
 * Where the API reference gives a bound, it is the bound here. Where it gives
 * none, the rule is lfcs's own and says so (the README lists both):
 * - `DurationSeconds`: 900-43200, the model's range (the prose says 21600).
 * - `Permissions`: any number of `Permission` values; duplicates are accepted
 *   (the API does not forbid them) and the cache key treats the list as a set.
 * - `SupportedPermissionTypes`: 1-255 `PermissionType` values (the model).
 * - `Partition.Values`: at least one value (the model); each at most 1024
 *   characters, Glue's limit for a partition value (Lake Formation states none).
 * - `S3Path`: lfcs's rule, the API states none: an `s3://` URI with a bucket,
 *   no whitespace, at most 1024 characters.
 * - `QuerySessionContext`: `QueryId`, `ClusterId`, `QueryAuthorizationId` of
 *   1-255 characters (the model); `QueryStartTime` epoch seconds on the wire;
 *   `AdditionalContext` keys of 1-128 and values of at most 1024 characters
 *   (lfcs's rule).
 * - `AuditContext.AdditionalAuditContext`: at most 2048 characters, empty
 *   allowed (the model).
 * - `DataLocations`: the model gives no bound and requires nothing; lfcs
 *   requires 1-100 locations (a request without one cannot vend anything),
 *   each an `s3://bucket/prefix` URI of at most 1024 characters without
 *   whitespace, `*`, control characters, empty, `.` or `..` segments
 *   (`data-location.ts`; `S3Path` follows the same segment rule, `segment.ts`).
 * - `CredentialsScope`: `READ` or `READWRITE` (the model's enum).
 */
import { z } from 'zod';
import { segmentSource } from './segment.js';
import { REGION_SOURCE, TABLE_ARN_PATTERN, TABLE_PATTERN_SYNTAX } from './table-arn.js';
import { DATA_LOCATION_MAX_LENGTH, DATA_LOCATION_PATTERN, DATA_LOCATION_PATTERN_SYNTAX, DATA_LOCATIONS_MAX } from './data-location.js';
import { CREDENTIALS_SCOPES, PERMISSIONS, PERMISSION_TYPES } from './types.js';

/** Lake Formation's `DurationSeconds` range (API model; the prose says 21600 but the model allows 43200). */
export const DURATION_SECONDS_MIN = 900;
export const DURATION_SECONDS_MAX = 43_200;

/** AWS region names: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`, ... */
export const REGION_PATTERN = new RegExp(`^${REGION_SOURCE}$`);

/** Longest S3Path accepted (lfcs's bound; the API gives none). */
export const S3_PATH_MAX_LENGTH = 1024;

const TABLE_ARN_EXPECTED = 'a Glue table ARN: arn:aws:glue:<region>:<12-digit account>:table/<database>/<table>';
const DURATION_EXPECTED = `an integer from ${DURATION_SECONDS_MIN} to ${DURATION_SECONDS_MAX}`;
const S3_PATH_EXPECTED = `an s3:// URI such as s3://bucket/prefix/ (at most ${S3_PATH_MAX_LENGTH} characters, no whitespace, control characters, . or .. segments)`;
/** A bucket or path segment of `S3Path` (empty path segments and `*` allowed, as before). */
const S3_PATH_SEGMENT = segmentSource('\\s');
const SESSION_FIELD_EXPECTED = 'a string of 1 to 255 characters';

/** `TableArn` of the table and partition operations. */
export const tableArn = z.string({ error: TABLE_ARN_EXPECTED }).regex(TABLE_ARN_PATTERN, { error: TABLE_ARN_EXPECTED });

/** `DurationSeconds` of every operation. */
export const durationSeconds = z
  .int({ error: DURATION_EXPECTED })
  .min(DURATION_SECONDS_MIN, { error: DURATION_EXPECTED })
  .max(DURATION_SECONDS_MAX, { error: DURATION_EXPECTED });

/** `Permissions` of the table and partition operations. */
export const permissions = z.array(z.enum(PERMISSIONS, { error: `one of ${PERMISSIONS.join(', ')}` }), {
  error: `a list of: ${PERMISSIONS.join(', ')}`,
});

const PERMISSION_TYPES_EXPECTED = `a list of 1 to 255 of: ${PERMISSION_TYPES.join(', ')}`;
/** `SupportedPermissionTypes` of the table and partition operations. */
export const supportedPermissionTypes = z
  .array(z.enum(PERMISSION_TYPES, { error: `one of ${PERMISSION_TYPES.join(', ')}` }), {
    error: PERMISSION_TYPES_EXPECTED,
  })
  .min(1, { error: PERMISSION_TYPES_EXPECTED })
  .max(255, { error: PERMISSION_TYPES_EXPECTED });

const PARTITION_EXPECTED = 'a non-empty list of partition values, in partition-key order';
/** `Partition.Values` of the partition operation. */
export const partitionValues = z
  .array(
    z
      .string({ error: 'a partition value as a string (quote numbers in YAML)' })
      .max(1024, { error: 'a partition value of at most 1024 characters' }),
    { error: PARTITION_EXPECTED },
  )
  .min(1, { error: PARTITION_EXPECTED });

/** `S3Path` of the table operation. */
export const s3Path = z
  .string({ error: S3_PATH_EXPECTED })
  .max(S3_PATH_MAX_LENGTH, { error: S3_PATH_EXPECTED })
  .regex(new RegExp(`^s3://${S3_PATH_SEGMENT}(?:/(?:${S3_PATH_SEGMENT})?)*$`), { error: S3_PATH_EXPECTED });

/** `QueryId`, `ClusterId` and `QueryAuthorizationId` of `QuerySessionContext`. */
export const sessionField = z
  .string({ error: SESSION_FIELD_EXPECTED })
  .min(1, { error: SESSION_FIELD_EXPECTED })
  .max(255, { error: SESSION_FIELD_EXPECTED });

/** `QuerySessionContext.QueryStartTime` as the wire carries it: epoch seconds, fractions allowed. */
export const queryStartTimeEpochSeconds = z
  .number({ error: 'a time in epoch seconds' })
  .nonnegative({ error: 'a time in epoch seconds' })
  .max(32_503_680_000, { error: 'a time in epoch seconds before the year 3000' });

/** `QuerySessionContext.AdditionalContext`. */
export const additionalContext = z.record(
  z.string().min(1, { error: 'a key of 1 to 128 characters' }).max(128, { error: 'a key of 1 to 128 characters' }),
  z.string({ error: 'a string of at most 1024 characters' }).max(1024, { error: 'a string of at most 1024 characters' }),
  { error: 'a mapping from string to string' },
);

/** `AuditContext.AdditionalAuditContext` of every operation (shown in CloudTrail). */
export const additionalAuditContext = z
  .string({ error: 'a string of at most 2048 characters' })
  .max(2048, { error: 'a string of at most 2048 characters' });

const DATA_LOCATION_EXPECTED = `an s3:// URI such as s3://bucket/prefix (at most ${DATA_LOCATION_MAX_LENGTH} characters, no whitespace, *, control characters, empty, . or .. segments)`;
const DATA_LOCATIONS_EXPECTED = `a list of 1 to ${DATA_LOCATIONS_MAX} s3:// locations`;

/** One member of `DataLocations`. */
export const dataLocation = z
  .string({ error: DATA_LOCATION_EXPECTED })
  .max(DATA_LOCATION_MAX_LENGTH, { error: DATA_LOCATION_EXPECTED })
  .regex(DATA_LOCATION_PATTERN, { error: DATA_LOCATION_EXPECTED });

/** `DataLocations` of the data-location operation (as sent: canonicalise with `canonicalDataLocations`). */
export const dataLocations = z
  .array(dataLocation, { error: DATA_LOCATIONS_EXPECTED })
  .min(1, { error: DATA_LOCATIONS_EXPECTED })
  .max(DATA_LOCATIONS_MAX, { error: DATA_LOCATIONS_EXPECTED });

/** `CredentialsScope` of the data-location operation. */
export const credentialsScope = z.enum(CREDENTIALS_SCOPES, { error: `one of ${CREDENTIALS_SCOPES.join(', ')}` });

const TABLE_PATTERN_EXPECTED =
  'a table ARN pattern such as arn:aws:glue:us-east-1:123456789012:table/sales/* ' + '(* matches within one segment; ** is not supported)';
const LOCATION_PATTERN_EXPECTED =
  'an S3 location pattern such as s3://lake/warehouse/* (* matches within one path segment; ** is not supported)';

/**
 * lfcs's own allow-lists (not request fields): table ARN patterns and S3
 * location patterns, as `dynamic.allowed*` and the agent's bindings take them.
 */
export const tablePatterns = () =>
  z.array(z.string({ error: TABLE_PATTERN_EXPECTED }).regex(TABLE_PATTERN_SYNTAX, { error: TABLE_PATTERN_EXPECTED }), {
    error: 'a list of table ARN patterns',
  });
export const locationPatterns = () =>
  z.array(z.string({ error: LOCATION_PATTERN_EXPECTED }).regex(DATA_LOCATION_PATTERN_SYNTAX, { error: LOCATION_PATTERN_EXPECTED }), {
    error: 'a list of S3 location patterns',
  });

/**
 * The request bodies as the API names their members, for the native HTTP
 * routes (which refuse unknown members: `strict`) and the emulator (which
 * ignores them, as the service does). `queryStartTime` is the rule for
 * `QueryStartTime`: the wire's epoch seconds, or what a route also accepts.
 */
export function wireRequestSchemas<T extends z.ZodType>(options: { strict: boolean; queryStartTime: T }) {
  const object = <S extends z.ZodRawShape>(shape: S) => (options.strict ? z.strictObject(shape) : z.object(shape));
  const common = {
    TableArn: tableArn,
    Permissions: permissions.optional(),
    DurationSeconds: durationSeconds.optional(),
    AuditContext: object({ AdditionalAuditContext: additionalAuditContext.optional() }).optional(),
    SupportedPermissionTypes: supportedPermissionTypes.optional(),
  };
  return {
    GetTemporaryGlueTableCredentials: object({
      ...common,
      S3Path: s3Path.optional(),
      QuerySessionContext: object({
        QueryId: sessionField.optional(),
        QueryStartTime: options.queryStartTime.optional(),
        ClusterId: sessionField.optional(),
        QueryAuthorizationId: sessionField.optional(),
        AdditionalContext: additionalContext.optional(),
      }).optional(),
    }),
    GetTemporaryGluePartitionCredentials: object({
      ...common,
      Partition: object({ Values: partitionValues }),
    }),
    // No TableArn, Permissions or SupportedPermissionTypes: the operation has none.
    GetTemporaryDataLocationCredentials: object({
      DataLocations: dataLocations,
      CredentialsScope: credentialsScope.optional(),
      DurationSeconds: common.DurationSeconds,
      AuditContext: common.AuditContext,
    }),
  };
}
