/**
 * S3's error answers: an XML `<Error>` body with `Code`, `Message` and the
 * request id, and the status S3 documents for each code (Amazon S3 API
 * reference, "Error responses"). A HEAD answer carries no body, as at S3.
 */
import type { ServerResponse } from 'node:http';
import { wireErrorClass } from './wire-error.js';

const STATUS_BY_CODE = {
  AccessDenied: 403,
  InvalidAccessKeyId: 403,
  SignatureDoesNotMatch: 403,
  RequestTimeTooSkewed: 403,
  ExpiredToken: 400,
  InvalidToken: 400,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  InvalidArgument: 400,
  InvalidRequest: 400,
  XAmzContentSHA256Mismatch: 400,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  MethodNotAllowed: 405,
  InvalidRange: 416,
  NotImplemented: 501,
  EntityTooLarge: 400,
} as const;

export type S3ErrorCode = keyof typeof STATUS_BY_CODE;

export const S3Error = wireErrorClass<S3ErrorCode>('S3Error', STATUS_BY_CODE);
export type S3Error = InstanceType<typeof S3Error>;

export function sendS3Error(res: ServerResponse, error: S3Error, options: { requestId: string; resource: string; head: boolean }): void {
  res.statusCode = error.status;
  if (options.head) {
    res.end();
    return;
  }
  res.setHeader('content-type', 'application/xml');
  res.end(
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
      `<Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message>` +
      `<Resource>${escapeXml(options.resource)}</Resource><RequestId>${options.requestId}</RequestId></Error>`,
  );
}

/** Text for an XML element: the five predefined entities. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}
