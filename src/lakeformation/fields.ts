import { z } from 'zod';
import { parseTableArn, TABLE_ARN_PATTERN } from './table-arn.js';
import { PERMISSIONS, PERMISSION_TYPES } from './types.js';

/**
 * Field rules from the Lake Formation API reference, shared by every place a
 * request enters (HTTP routes, profiles). Checking them here turns a caller's
 * mistake into a clear 400 instead of an upstream call that is bound to fail.
 */

export const tableArnSchema = z
  .string()
  .max(2048)
  .regex(TABLE_ARN_PATTERN, { message: 'expected arn:aws:glue:<region>:<12-digit account>:table/<database>/<table>' });

export const permissionsSchema = z.array(z.enum(PERMISSIONS)).min(1).max(16);
export const permissionTypesSchema = z.array(z.enum(PERMISSION_TYPES)).min(1).max(255);
/** The model allows 900-43200 s; Lake Formation may grant less than asked. */
export const durationSecondsSchema = z.number().int().min(900).max(43200);
export const partitionValuesSchema = z.array(z.string().max(1024)).min(1).max(100);
export const s3PathSchema = z.string().regex(/^s3:\/\/[^\s]+$/, { message: 'expected an s3:// URI' }).max(1024);
export const queryIdSchema = z.string().min(1).max(255);
export const sessionFieldSchema = z.string().min(1).max(255);
export const additionalContextSchema = z.record(z.string().min(1).max(128), z.string().max(1024));
export const auditContextStringSchema = z.string().max(2048);

/** Extracts the 12-digit account from a table ARN (for `AccountId` in responses). */
export function accountIdFromTableArn(tableArn: string): string | undefined {
  return parseTableArn(tableArn)?.accountId;
}

/** Renders zod issues as one line: "field: problem; field: problem". */
export function describeIssues(error: z.ZodError, fieldNames: (path: PropertyKey[]) => string = defaultPath): string {
  return error.issues.map((issue) => `${fieldNames(issue.path) || 'body'}: ${issue.message}`).join('; ');
}

function defaultPath(path: PropertyKey[]): string {
  return path.map(String).join('.');
}
