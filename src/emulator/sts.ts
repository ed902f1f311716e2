/**
 * STS `AssumeRole`, only what Lake Formation's application integration needs:
 * the query protocol (form-encoded `Action=AssumeRole&Version=2011-06-15&...`
 * in, XML out), SigV4 for service `sts` against the catalog's principals, the
 * role's trust (`roles[].trustedPrincipals`, `externalId`) and session tags,
 * which the issued session keeps for Lake Formation's authorized-caller check.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorState } from './emulator-state.js';
import { readBody } from './http-io.js';
import { findSigner } from './role-sessions.js';
import { ServiceError } from './service-error.js';
import { verifySignature } from './sigv4.js';

const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const MAX_TAGS = 50;

/** An STS error: its code (`AccessDenied`, `ValidationError`, ...) and status, sent as STS's XML. */
class StsError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The front door's authentication errors under STS's names. */
const STS_AUTH_CODES: Record<string, string> = {
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
  UnrecognizedClientException: 'InvalidClientTokenId',
  InvalidSignatureException: 'SignatureDoesNotMatch',
  IncompleteSignatureException: 'IncompleteSignature',
};

export async function handleStsCall(req: IncomingMessage, res: ServerResponse, state: EmulatorState, requestId: string): Promise<void> {
  let outcome = 'success';
  try {
    const body = await readBody(req);
    const [path = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
    let caller: Awaited<ReturnType<typeof verifySignature>>;
    try {
      caller = await verifySignature(
        { method: req.method ?? 'POST', path, query, headers: req.headersDistinct, body },
        {
          findPrincipal: (id) => findSigner(state.catalog, state.sessions, id, state.clock.now()),
          region: state.catalog.region,
          nowMs: state.clock.now(),
          service: 'sts',
        },
      );
    } catch (err) {
      if (err instanceof ServiceError) throw new StsError(STS_AUTH_CODES[err.name] ?? 'AccessDenied', err.status, err.message);
      throw err;
    }
    const form = new URLSearchParams(body.toString('utf8'));
    if (form.get('Action') !== 'AssumeRole') {
      throw new StsError('InvalidAction', 400, `This emulator's STS serves only AssumeRole, not ${form.get('Action') ?? '(no Action)'}`);
    }
    if (form.get('Version') !== '2011-06-15') throw new StsError('InvalidParameterValue', 400, 'Version must be 2011-06-15');

    const roleArn = form.get('RoleArn') ?? '';
    const sessionName = form.get('RoleSessionName') ?? '';
    if (!SESSION_NAME.test(sessionName)) {
      throw new StsError(
        'ValidationError',
        400,
        "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64 and match [\\w+=,.@-]*",
      );
    }
    const durationText = form.get('DurationSeconds');
    const durationSeconds = durationText === null ? 3600 : Number(durationText);
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > state.catalog.maxSessionSeconds) {
      throw new StsError('ValidationError', 400, `DurationSeconds must be an integer from 900 to ${state.catalog.maxSessionSeconds}`);
    }
    const role = state.catalog.role(roleArn);
    const callerArn = caller.assumedRoleArn ?? caller.principalArn;
    if (
      !role?.trustedPrincipals.includes(caller.principalArn) ||
      (role.externalId !== undefined && form.get('ExternalId') !== role.externalId)
    ) {
      throw new StsError(
        'AccessDenied',
        403,
        `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn || '(none)'}`,
      );
    }
    const tags = readTags(form);

    const nowMs = state.clock.now();
    const expiresAtMs = (Math.floor(nowMs / 1000) + durationSeconds) * 1000;
    const session = state.sessions.issue({ roleArn, sessionName, tags, expiresAtMs, account: state.catalog.account });
    sendXml(
      res,
      200,
      requestId,
      `<AssumeRoleResponse xmlns="${STS_NAMESPACE}"><AssumeRoleResult>` +
        `<Credentials><AccessKeyId>${session.credentials.accessKeyId}</AccessKeyId>` +
        `<SecretAccessKey>${escapeXml(session.credentials.secretAccessKey)}</SecretAccessKey>` +
        `<SessionToken>${escapeXml(session.credentials.sessionToken)}</SessionToken>` +
        `<Expiration>${new Date(expiresAtMs).toISOString()}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>${escapeXml(session.assumedRoleId)}</AssumedRoleId><Arn>${escapeXml(session.assumedRoleArn)}</Arn></AssumedRoleUser>` +
        `<PackedPolicySize>${Object.keys(tags).length}</PackedPolicySize>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  } catch (err) {
    const error = err instanceof StsError ? err : new StsError('InternalFailure', 500, 'Emulator failure');
    outcome = error.code;
    sendXml(
      res,
      error.status,
      requestId,
      `<ErrorResponse xmlns="${STS_NAMESPACE}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
        `<Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  } finally {
    state.stats.record('AssumeRole', outcome);
  }
}

/** `Tags.member.N.Key` / `Tags.member.N.Value`, N from 1. */
function readTags(form: URLSearchParams): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let n = 1; form.has(`Tags.member.${n}.Key`); n++) {
    if (n > MAX_TAGS) throw new StsError('ValidationError', 400, `At most ${MAX_TAGS} session tags`);
    const key = form.get(`Tags.member.${n}.Key`) ?? '';
    const value = form.get(`Tags.member.${n}.Value`) ?? '';
    if (key.length < 1 || key.length > 128 || value.length > 256) {
      throw new StsError('ValidationError', 400, 'Session tag keys are 1-128 characters, values at most 256');
    }
    if (Object.keys(tags).some((existing) => existing.toLowerCase() === key.toLowerCase())) {
      throw new StsError('InvalidParameterValue', 400, `Duplicate tag key ${key} (keys are case-insensitive)`);
    }
    tags[key] = value;
  }
  return tags;
}

function sendXml(res: ServerResponse, status: number, requestId: string, xml: string): void {
  if (res.destroyed || res.writableEnded) return;
  const payload = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': requestId,
  });
  res.end(payload);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}
