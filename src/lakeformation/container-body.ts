/**
 * The container-credentials answer of a lease, and the lease as the cache
 * holds it: the answer rendered once, with the key material fields read
 * from it, so a cached lease holds its secrets once.
 */
import { accountIdFromTableArn } from './table-arn.js';
import { isDataLocationRequest, type CredentialRequest, type CredentialsScope, type Lease } from './types.js';

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

/** The members before each key material value, in the order renderContainerBody writes them. */
const KEY_ID_AT = '{"AccessKeyId":"'.length;
const SECRET_AFTER = '","SecretAccessKey":"'.length;
const TOKEN_AFTER = '","Token":"'.length;

/**
 * A cached lease: its container answer and where the key material sits in
 * it. The three key material fields and `expiration` are read from the
 * answer when asked for, so the secrets are held once, in the answer the hit
 * path writes as it is, and the lease adds a few numbers to it (no Date, no
 * string per field: 100k cached leases are 100k of these). Frozen.
 */
class CompactLease implements Lease {
  readonly containerBody: string;
  declare readonly vendedS3Path?: string[];
  declare readonly accessibleDataLocations?: string[];
  declare readonly credentialsScope?: CredentialsScope;
  readonly #expiresAtMs: number;
  readonly #keyIdEnd: number;
  readonly #secretEnd: number;
  readonly #tokenEnd: number;

  constructor(lease: Lease, body: string) {
    this.containerBody = flattened(body);
    this.#expiresAtMs = lease.expiration.getTime();
    this.#keyIdEnd = KEY_ID_AT + lease.accessKeyId.length;
    this.#secretEnd = this.#keyIdEnd + SECRET_AFTER + lease.secretAccessKey.length;
    this.#tokenEnd = this.#secretEnd + TOKEN_AFTER + lease.sessionToken.length;
    copyCoverage(this, lease);
    Object.freeze(this);
  }

  get accessKeyId(): string {
    return this.containerBody.slice(KEY_ID_AT, this.#keyIdEnd);
  }

  get secretAccessKey(): string {
    return this.containerBody.slice(this.#keyIdEnd + SECRET_AFTER, this.#secretEnd);
  }

  get sessionToken(): string {
    return this.containerBody.slice(this.#secretEnd + TOKEN_AFTER, this.#tokenEnd);
  }

  /** A new Date on each read: callers cannot change the lease's. */
  get expiration(): Date {
    return new Date(this.#expiresAtMs);
  }
}

/**
 * `body`, flattened. JSON.stringify builds a long result as a tree of string
 * parts (V8 cons strings, about 32 bytes each); reading it as a number
 * flattens it in place, after which the collector keeps only the flat text.
 */
function flattened(body: string): string {
  Number(body);
  return body;
}

/** The data-location members: kept with the lease, since a refresh may grant a different set. */
function copyCoverage(target: { -readonly [K in keyof Lease]?: Lease[K] }, lease: Lease): void {
  if (lease.vendedS3Path !== undefined) target.vendedS3Path = Object.freeze([...lease.vendedS3Path]) as string[];
  if (lease.accessibleDataLocations !== undefined) {
    target.accessibleDataLocations = Object.freeze([...lease.accessibleDataLocations]) as string[];
  }
  if (lease.credentialsScope !== undefined) target.credentialsScope = lease.credentialsScope;
}

/**
 * A frozen, private copy of `lease` that carries its container answer
 * (`containerBody`, with `accountId`) and holds its secrets only there
 * ({@link CompactLease}). When JSON escapes any of the three key material
 * values (never in AWS key material) the copy keeps them as fields instead.
 */
export function compactLease(lease: Lease, accountId: string | undefined): Lease {
  const body = renderContainerBody(lease, accountId);
  if (![lease.accessKeyId, lease.secretAccessKey, lease.sessionToken].some((value) => NEEDS_ESCAPING.test(value))) {
    return new CompactLease(lease, body);
  }
  const copy: Lease = {
    accessKeyId: lease.accessKeyId,
    secretAccessKey: lease.secretAccessKey,
    sessionToken: lease.sessionToken,
    expiration: new Date(lease.expiration.getTime()),
    containerBody: body,
  };
  copyCoverage(copy, lease);
  return Object.freeze(copy);
}
