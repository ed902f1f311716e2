/**
 * Input validation for the two credential operations, against the constraints
 * of the Lake Formation model. Members keep their wire names, so a message can
 * name the field exactly as the caller sent it. Unknown members are ignored,
 * as the service ignores them.
 */
import { z } from 'zod';
import { PERMISSIONS, PERMISSION_TYPES, type Operation } from '../lakeformation/types.js';
import { MAX_DURATION_SECONDS, MIN_DURATION_SECONDS } from './catalog.js';
import { ServiceError } from './service-error.js';
import { describeIssues, parseOptions } from './zod-issues.js';

const TABLE_ARN = /^arn:aws(-cn|-us-gov)?:glue:([a-z0-9-]+):(\d{12}):table\/([^/]+)\/([^/]+)$/;

const boundedString = z
  .string()
  .min(1, { error: 'must be 1-255 characters' })
  .max(255, { error: 'must be 1-255 characters' });

const DURATION_RANGE = `must be an integer from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS}`;

const commonMembers = {
  TableArn: z.string().regex(TABLE_ARN, {
    error: 'must look like arn:aws:glue:<region>:<12-digit account>:table/<database>/<table>',
  }),
  Permissions: z.array(z.enum(PERMISSIONS)).optional(),
  // The model's range. The API prose says 900-21600; the model, which the SDKs follow, says 43200.
  DurationSeconds: z
    .number()
    .int({ error: DURATION_RANGE })
    .min(MIN_DURATION_SECONDS, { error: DURATION_RANGE })
    .max(MAX_DURATION_SECONDS, { error: DURATION_RANGE })
    .optional(),
  AuditContext: z.object({ AdditionalAuditContext: z.string().optional() }).optional(),
  SupportedPermissionTypes: z
    .array(z.enum(PERMISSION_TYPES))
    .min(1, { error: 'must list 1-255 permission types' })
    .max(255, { error: 'must list 1-255 permission types' })
    .optional(),
};

const tableRequestSchema = z.object({
  ...commonMembers,
  S3Path: z.string().min(1).optional(),
  QuerySessionContext: z
    .object({
      QueryId: boundedString.optional(),
      // Epoch seconds; the SDK sends a JSON number, with a fraction when the Date has milliseconds.
      QueryStartTime: z.number().nonnegative().optional(),
      ClusterId: boundedString.optional(),
      QueryAuthorizationId: boundedString.optional(),
      AdditionalContext: z.record(z.string().min(1), z.string()).optional(),
    })
    .optional(),
});

const partitionRequestSchema = z.object({
  ...commonMembers,
  Partition: z.object({
    Values: z.array(z.string()).min(1, { error: 'must list at least one partition value' }),
  }),
});

export type TableRequest = z.output<typeof tableRequestSchema>;
export type PartitionRequest = z.output<typeof partitionRequestSchema>;

/** A validated request of either operation, tagged by operation. */
export type ValidatedRequest =
  | { operation: 'GetTemporaryGlueTableCredentials'; input: TableRequest }
  | { operation: 'GetTemporaryGluePartitionCredentials'; input: PartitionRequest };

/**
 * Checks a parsed JSON body against the operation's input shape.
 * @throws ServiceError `InvalidInputException` naming every offending field.
 */
export function validateRequest(operation: Operation, body: unknown): ValidatedRequest {
  if (operation === 'GetTemporaryGlueTableCredentials') {
    return { operation, input: check(tableRequestSchema, body) };
  }
  return { operation, input: check(partitionRequestSchema, body) };
}

function check<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body, parseOptions);
  if (result.success) return result.data;
  const problems = describeIssues(result.error.issues);
  throw new ServiceError(
    'InvalidInputException',
    `${problems.length} validation error(s) detected: ${problems.join('; ')}`,
  );
}

/** The parts of a table ARN. Call only on an ARN that passed validation. */
export interface TableArnParts {
  region: string;
  account: string;
  database: string;
  table: string;
}

export function parseTableArn(arn: string): TableArnParts {
  const match = TABLE_ARN.exec(arn);
  if (!match) throw new ServiceError('InvalidInputException', 'TableArn: is not a Glue table ARN');
  const [, , region = '', account = '', database = '', table = ''] = match;
  return { region, account, database, table };
}
