import { z } from 'zod';
import { LfcsError } from '../core/errors.js';
import { describeIssues } from '../core/zod-issues.js';
import * as fields from '../lakeformation/fields.js';
import { canonicalDataLocations } from '../lakeformation/data-location.js';
import type {
  CredentialRequest,
  CredentialsScope,
  DataLocationCredentialRequest,
  Operation,
  Permission,
  PermissionType,
  TableCredentialRequest,
} from '../lakeformation/types.js';
import { sessionFromWire } from '../lakeformation/wire.js';

/** Values applied to dynamic requests that leave a field out (config `defaults`). */
export interface RequestDefaults {
  permissions: readonly Permission[];
  supportedPermissionTypes: readonly PermissionType[];
  durationSeconds: number;
  /** `CredentialsScope` of data-location requests that name none. Default `READ`. */
  credentialsScope?: CredentialsScope;
}

/** Query parameters of `GET /v1/credentials?location=...` (data-location credentials), and nothing else. */
export const LOCATION_QUERY_PARAMETERS = ['location', 'credentialsScope', 'durationSeconds'] as const;

/** Query parameters of `GET /v1/credentials?table=...`, and nothing else. */
export const DYNAMIC_QUERY_PARAMETERS = [
  'table',
  'permissions',
  'partition',
  'supportedPermissionTypes',
  'durationSeconds',
  's3Path',
  'queryId',
  'clusterId',
  'queryAuthorizationId',
  'queryStartTime',
] as const;

const commaList = <T extends z.ZodType<unknown, string[]>>(inner: T) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    )
    .pipe(inner);

const integerString = z
  .string()
  .regex(/^\d{1,6}$/, { message: 'expected an integer number of seconds' })
  .transform(Number)
  .pipe(fields.durationSeconds);

const rfc3339 = z.iso
  .datetime({ offset: true, message: 'expected an RFC 3339 timestamp such as 2026-11-25T06:00:00Z' })
  .transform((s) => new Date(s));

const jsonArray = (example: string) =>
  z.string().transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected a JSON array of strings, e.g. ${example}` });
      return z.NEVER;
    }
  });
const jsonStringArray = jsonArray('["2024-01-01"]');

const locationQuerySchema = z.strictObject({
  location: jsonArray('["s3://bucket/orders","s3://bucket/customers"]').pipe(fields.dataLocations),
  credentialsScope: fields.credentialsScope.optional(),
  durationSeconds: integerString.optional(),
});

const dynamicQuerySchema = z.strictObject({
  table: fields.tableArn,
  permissions: commaList(fields.permissions).optional(),
  partition: jsonStringArray.pipe(fields.partitionValues).optional(),
  supportedPermissionTypes: commaList(fields.supportedPermissionTypes).optional(),
  durationSeconds: integerString.optional(),
  s3Path: fields.s3Path.optional(),
  queryId: fields.sessionField.optional(),
  clusterId: fields.sessionField.optional(),
  queryAuthorizationId: fields.sessionField.optional(),
  queryStartTime: rfc3339.optional(),
});

/**
 * Parses the dynamic query route. Every parameter appears at most once: the
 * JS SDK collapses repeated keys, so a repeated key would mean different
 * things to different clients.
 */
export function parseDynamicQuery(
  query: Record<string, unknown>,
  defaults: RequestDefaults,
): TableCredentialRequest | DataLocationCredentialRequest {
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) throw invalid(`query parameter ${name} is repeated; give it once`);
    if (typeof value !== 'string') throw invalid(`query parameter ${name} must be a plain string`);
  }
  if (Object.hasOwn(query, 'location')) return parseLocationQuery(query, defaults);
  const parsed = dynamicQuerySchema.safeParse(query);
  if (!parsed.success) {
    // Named as what they are: query parameters, not body fields.
    const problems = parsed.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `query parameter ${issue.keys.map((k) => JSON.stringify(k.slice(0, 100))).join(', ')} is not accepted`
        : `query parameter ${describeIssues([issue]).join('')}`,
    );
    throw invalid(problems.join('; ') + unknownKeyHint(parsed.error, DYNAMIC_QUERY_PARAMETERS));
  }
  const q = parsed.data;
  const hasSession =
    q.queryId !== undefined || q.clusterId !== undefined || q.queryAuthorizationId !== undefined || q.queryStartTime !== undefined;
  if (q.partition && (q.s3Path !== undefined || hasSession)) {
    throw invalid('s3Path and query* parameters apply to table credentials only, not with partition');
  }
  const request: TableCredentialRequest = {
    operation: q.partition ? 'GetTemporaryGluePartitionCredentials' : 'GetTemporaryGlueTableCredentials',
    tableArn: q.table,
    permissions: (q.permissions as Permission[] | undefined) ?? [...defaults.permissions],
    supportedPermissionTypes: (q.supportedPermissionTypes as PermissionType[] | undefined) ?? [...defaults.supportedPermissionTypes],
    durationSeconds: q.durationSeconds ?? defaults.durationSeconds,
  };
  if (q.partition) request.partitionValues = q.partition;
  if (q.s3Path !== undefined) request.s3Path = q.s3Path;
  if (hasSession) {
    const { queryId, queryStartTime, clusterId, queryAuthorizationId } = q;
    const given = Object.entries({ queryId, queryStartTime, clusterId, queryAuthorizationId });
    request.querySessionContext = Object.fromEntries(given.filter(([, value]) => value !== undefined));
  }
  return request;
}

/** `location=` names S3 locations instead of a table: `GetTemporaryDataLocationCredentials`. */
function parseLocationQuery(query: Record<string, unknown>, defaults: RequestDefaults): DataLocationCredentialRequest {
  const parsed = locationQuerySchema.safeParse(query);
  if (!parsed.success) {
    const hint = parsed.error.issues.some((issue) => issue.code === 'unrecognized_keys')
      ? ` (with location, accepted parameters: ${LOCATION_QUERY_PARAMETERS.join(', ')}; table parameters do not apply)`
      : '';
    throw invalid(describeIssues(parsed.error.issues).join('; ') + hint);
  }
  const q = parsed.data;
  return {
    operation: 'GetTemporaryDataLocationCredentials',
    dataLocations: canonicalDataLocations(q.location),
    credentialsScope: q.credentialsScope ?? defaults.credentialsScope ?? 'READ',
    durationSeconds: q.durationSeconds ?? defaults.durationSeconds,
  };
}

/** `QueryStartTime` as RFC 3339 text or epoch seconds (the wire form). */
const queryStartTimeSchema = z.union([rfc3339, fields.queryStartTimeEpochSeconds.transform((seconds) => new Date(seconds * 1000))]);

const bodySchemas = fields.wireRequestSchemas({ strict: true, queryStartTime: queryStartTimeSchema });
const tableBodySchema = bodySchemas.GetTemporaryGlueTableCredentials;
const partitionBodySchema = bodySchemas.GetTemporaryGluePartitionCredentials;
const dataLocationBodySchema = bodySchemas.GetTemporaryDataLocationCredentials;

/**
 * Parses the body of `POST /v1/table-credentials` (API field names). Fields
 * left out take `defaults`, as on the dynamic route, so the same request
 * means the same thing (and shares a cache entry) whichever route it takes.
 */
export function parseTableBody(body: unknown, defaults?: RequestDefaults): TableCredentialRequest {
  const b = parseBody(tableBodySchema, body);
  const request: TableCredentialRequest = { operation: 'GetTemporaryGlueTableCredentials', ...commonFields(b, defaults) };
  if (b.S3Path !== undefined) request.s3Path = b.S3Path;
  if (b.QuerySessionContext) request.querySessionContext = sessionFromWire(b.QuerySessionContext);
  return request;
}

/** Parses the body of `POST /v1/partition-credentials` (API field names); `defaults` as for tables. */
export function parsePartitionBody(body: unknown, defaults?: RequestDefaults): TableCredentialRequest {
  const b = parseBody(partitionBodySchema, body);
  return {
    operation: 'GetTemporaryGluePartitionCredentials',
    ...commonFields(b, defaults),
    partitionValues: b.Partition.Values,
  };
}

/**
 * Parses the body of `POST /v1/data-location-credentials` (API field names:
 * `DataLocations`, `CredentialsScope`, `DurationSeconds`, `AuditContext`).
 * The locations are made canonical (sorted, no duplicates, no trailing `/`);
 * fields left out take `defaults`, as on the dynamic route.
 */
export function parseDataLocationBody(body: unknown, defaults?: RequestDefaults): DataLocationCredentialRequest {
  const b = parseBody(dataLocationBodySchema, body, '{"DataLocations": ["s3://bucket/prefix"]}');
  const credentialsScope = b.CredentialsScope ?? (defaults ? (defaults.credentialsScope ?? 'READ') : undefined);
  const durationSeconds = b.DurationSeconds ?? defaults?.durationSeconds;
  return {
    operation: 'GetTemporaryDataLocationCredentials',
    dataLocations: canonicalDataLocations(b.DataLocations),
    ...(credentialsScope !== undefined && { credentialsScope }),
    ...(durationSeconds !== undefined && { durationSeconds }),
    ...(b.AuditContext?.AdditionalAuditContext !== undefined && {
      auditContext: { additionalAuditContext: b.AuditContext.AdditionalAuditContext },
    }),
  };
}

type CommonBody = {
  TableArn: string;
  Permissions?: Permission[] | undefined;
  DurationSeconds?: number | undefined;
  AuditContext?: { AdditionalAuditContext?: string | undefined } | undefined;
  SupportedPermissionTypes?: PermissionType[] | undefined;
};

function commonFields(b: CommonBody, defaults: RequestDefaults | undefined): Omit<TableCredentialRequest, 'operation'> {
  const permissions = b.Permissions ?? (defaults && [...defaults.permissions]);
  const durationSeconds = b.DurationSeconds ?? defaults?.durationSeconds;
  const supportedPermissionTypes = b.SupportedPermissionTypes ?? (defaults && [...defaults.supportedPermissionTypes]);
  return {
    tableArn: b.TableArn,
    ...(permissions !== undefined && { permissions }),
    ...(durationSeconds !== undefined && { durationSeconds }),
    ...(supportedPermissionTypes !== undefined && { supportedPermissionTypes }),
    ...(b.AuditContext?.AdditionalAuditContext !== undefined && {
      auditContext: { additionalAuditContext: b.AuditContext.AdditionalAuditContext },
    }),
  };
}

function parseBody<T extends z.ZodType>(schema: T, body: unknown, example = '{"TableArn": "arn:aws:glue:..."}'): z.infer<T> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid(`the body must be a JSON object with the API request fields, e.g. ${example}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalid(describeIssues(parsed.error.issues).join('; '));
  return parsed.data;
}

function unknownKeyHint(error: z.ZodError, accepted: readonly string[]): string {
  return error.issues.some((issue) => issue.code === 'unrecognized_keys') ? ` (accepted parameters: ${accepted.join(', ')})` : '';
}

function invalid(message: string): LfcsError {
  return new LfcsError('InvalidRequest', message);
}

/**
 * The request bodies of Lake Formation's own API, for the Lake Formation API
 * listener: the wire's rules exactly (`QueryStartTime` in epoch seconds), and
 * unknown members refused, because lfcs calls Lake Formation with its own
 * identity and must not drop a member that would have narrowed the grant.
 */
const apiBodySchemas = fields.wireRequestSchemas({
  strict: true,
  queryStartTime: fields.queryStartTimeEpochSeconds.transform((seconds) => new Date(seconds * 1000)),
});

/**
 * Parses a Lake Formation API request body taken as sent: no `defaults` are
 * applied (Iceberg sends only `TableArn` and `SupportedPermissionTypes`, and
 * the service decides what an absent field means).
 * @throws LfcsError `InvalidRequest` naming every offending field.
 */
export function parseApiRequest(operation: Operation, body: unknown): CredentialRequest {
  if (operation === 'GetTemporaryDataLocationCredentials') return parseDataLocationBody(body);
  if (operation === 'GetTemporaryGlueTableCredentials') {
    const b = parseBody(apiBodySchemas.GetTemporaryGlueTableCredentials, body);
    const request: TableCredentialRequest = { operation, ...commonFields(b, undefined) };
    if (b.S3Path !== undefined) request.s3Path = b.S3Path;
    if (b.QuerySessionContext) request.querySessionContext = sessionFromWire(b.QuerySessionContext);
    return request;
  }
  const b = parseBody(apiBodySchemas.GetTemporaryGluePartitionCredentials, body);
  return { operation: 'GetTemporaryGluePartitionCredentials', ...commonFields(b, undefined), partitionValues: b.Partition.Values };
}
