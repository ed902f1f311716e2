/**
 * The container-credentials answer of a lease, and the lease as the cache
 * holds it: the answer rendered once, with the key material fields as slices
 * of it, so a cached lease holds its secrets once.
 */
import { accountIdFromTableArn } from './table-arn.js';
import { isDataLocationRequest, type CredentialRequest, type Lease } from './types.js';

/** `AccountId` of the container answer for `request`: the table's account; a location names none. */
export function containerAccountId(request: CredentialRequest): string | undefined {
  return isDataLocationRequest(request) ? undefined : accountIdFromTableArn(request.tableArn);
}

/** `{AccessKeyId, SecretAccessKey, Token, Expiration, AccountId?}`, the shape every SDK's container provider reads. */
export function renderContainerBody(lease: Lease, accountId: string | undefined): string {
  return JSON.stringify({
    AccessKeyId: lease.accessKeyId,
    SecretAccessKey: lease.secretAccessKey,
    Token: lease.sessionToken,
    Expiration: formatExpiration(lease.expiration),
    ...(accountId !== undefined && { AccountId: accountId }),
  });
}

/**
 * UTC RFC 3339 with `Z` and whole seconds, rounded down so a client never
 * believes in a second the lease does not have. JS rejects `+00:00`, and a
 * number breaks every client.
 */
export function formatExpiration(expiration: Date): string {
  return new Date(Math.floor(expiration.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** What `JSON.stringify` escapes in a string: quotes, backslashes, control characters, surrogates. */
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A frozen copy of `lease` that carries its container answer (`containerBody`,
 * with `accountId`) and whose `accessKeyId`, `secretAccessKey` and
 * `sessionToken` are substrings of that answer. The answer is one flat string
 * from `JSON.stringify`, and V8 keeps a substring of 13 characters or more of
 * a flat string as a slice of it (a pointer and an offset), not a copy: the
 * secrets are held once, in the answer served on every hit. When JSON
 * escapes any of the three (never in AWS key material), they keep their own copies.
 */
export function compactLease(lease: Lease, accountId: string | undefined): Lease {
  const body = renderContainerBody(lease, accountId);
  // Offsets hold only while JSON writes the three values as they are.
  const verbatim = ![lease.accessKeyId, lease.secretAccessKey, lease.sessionToken].some((value) => NEEDS_ESCAPING.test(value));
  let at = 0;
  // The members come in the order renderContainerBody writes them.
  const within = (prefix: string, value: string): string => {
    if (!verbatim) return value;
    at += prefix.length;
    const slice = body.slice(at, at + value.length);
    at += value.length;
    return slice === value ? slice : value;
  };
  const copy: Lease = {
    accessKeyId: within('{"AccessKeyId":"', lease.accessKeyId),
    secretAccessKey: within('","SecretAccessKey":"', lease.secretAccessKey),
    sessionToken: within('","Token":"', lease.sessionToken),
    expiration: new Date(lease.expiration.getTime()),
    containerBody: body,
  };
  if (lease.vendedS3Path !== undefined) copy.vendedS3Path = Object.freeze([...lease.vendedS3Path]) as string[];
  // Kept with the lease: coverage is a property of this lease, and a refresh may grant a different set.
  if (lease.accessibleDataLocations !== undefined) {
    copy.accessibleDataLocations = Object.freeze([...lease.accessibleDataLocations]) as string[];
  }
  if (lease.credentialsScope !== undefined) copy.credentialsScope = lease.credentialsScope;
  return Object.freeze(copy);
}
