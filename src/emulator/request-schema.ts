/**
 * Input validation for the three credential operations, with the field rules
 * every part of lfcs shares (`lakeformation/fields.ts`). Members keep their
 * wire names, so a message names the field exactly as the caller sent it.
 * Unknown members are ignored, as the service ignores them.
 */
import type { z } from 'zod';
import { describeIssues, parseOptions } from '../core/zod-issues.js';
import { queryStartTimeEpochSeconds, wireRequestSchemas } from '../lakeformation/fields.js';
import type { Operation } from '../lakeformation/types.js';
import { ServiceError } from './service-error.js';

const schemas = wireRequestSchemas({ strict: false, queryStartTime: queryStartTimeEpochSeconds });

export type TableRequest = z.output<(typeof schemas)['GetTemporaryGlueTableCredentials']>;
export type PartitionRequest = z.output<(typeof schemas)['GetTemporaryGluePartitionCredentials']>;
export type DataLocationRequest = z.output<(typeof schemas)['GetTemporaryDataLocationCredentials']>;

/** A validated request of one of the table operations, tagged by operation. */
export type ValidatedRequest =
  | { operation: 'GetTemporaryGlueTableCredentials'; input: TableRequest }
  | { operation: 'GetTemporaryGluePartitionCredentials'; input: PartitionRequest };

/**
 * Checks a parsed JSON body against the operation's input shape.
 * @throws ServiceError `InvalidInputException` naming every offending field.
 */
export function validateRequest(operation: Exclude<Operation, 'GetTemporaryDataLocationCredentials'>, body: unknown): ValidatedRequest {
  if (operation === 'GetTemporaryGlueTableCredentials') {
    return { operation, input: check(schemas.GetTemporaryGlueTableCredentials, body) };
  }
  return { operation, input: check(schemas.GetTemporaryGluePartitionCredentials, body) };
}

/**
 * Checks a `GetTemporaryDataLocationCredentials` body. The model requires no
 * member; a call without `DataLocations` names nothing to vend for, so it is
 * refused as invalid input (lfcs's inference, as the API states no rule).
 */
export function validateDataLocationRequest(body: unknown): DataLocationRequest {
  return check(schemas.GetTemporaryDataLocationCredentials, body);
}

function check<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body, parseOptions);
  if (result.success) return result.data;
  const problems = describeIssues(result.error.issues);
  throw new ServiceError('InvalidInputException', `${problems.length} validation error(s) detected: ${problems.join('; ')}`);
}
