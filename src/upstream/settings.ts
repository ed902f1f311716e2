/**
 * Settings of the Lake Formation client, its retry loop and the limiter that
 * protects Lake Formation's quota (`upstream.*` in the configuration). The
 * one definition of each: default, range and reason.
 */
import { z } from 'zod';
import { integer, positiveNumber, section, type Relation } from '../core/settings.js';

const ENDPOINT_EXPECTED =
  'an http:// or https:// URL without user, query or fragment, such as http://127.0.0.1:4599 ' +
  '(the emulator) or https://vpce-....lakeformation.us-east-1.vpce.amazonaws.com';

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

/** The retry loop's settings, the throttle brake's included. */
export const retrySettingsShape = {
  maxAttempts: integer(1, 10)
    .default(3)
    .describe('Attempts per Lake Formation call, the first included; as the AWS SDKs, and more would outlast a 1-2 s client timeout.'),
  retryBaseDelayMs: integer(1, 60_000).default(100).describe('Cap of the first retry delay, ms (full jitter, doubling per retry).'),
  retryMaxDelayMs: integer(1, 60_000).default(1000).describe('Largest retry delay cap, ms; clients time out after 1-2 s.'),
  throttlePauseMs: integer(0, 60_000)
    .default(1000)
    .describe(
      'After Lake Formation answers ThrottlingException, no new call for any key for this long, ms (as the EKS Pod Identity Agent): the quota is per account, so every key retrying on its own prolongs the throttling. 0 disables.',
    ),
};

/** The limiter's settings. */
export const limiterSettingsShape = {
  maxConcurrency: integer(1, 1000)
    .default(4)
    .describe('Lake Formation calls in flight at once: hides one slow answer, yet a burst of misses opens few connections.'),
  ratePerSecond: positiveNumber(1_000_000)
    .default(10)
    .describe('Sustained Lake Formation call starts per second (token bucket); these APIs answer "Rate exceeded" under load.'),
  burst: integer(1, 1_000_000).default(20).describe('Lake Formation calls that may start at once after a quiet period.'),
  maxQueuedCalls: integer(1, 1_000_000)
    .default(1000)
    .describe('Calls allowed to wait for the limiter; beyond it a new call is refused at once with UpstreamBusy.'),
};

const ROLE_ARN_EXPECTED = 'an IAM role ARN such as arn:aws:iam::123456789012:role/lfcs-authorized';
const TAG_KEY_EXPECTED = 'a session tag key of 1 to 128 characters';
const TAG_VALUE_EXPECTED = 'a session tag value of at most 256 characters';

/**
 * `upstream.assumeRole`: lfcs calls Lake Formation as this role, assumed with
 * its own identity through STS (the SDK's `fromTemporaryCredentials`, which
 * refreshes before expiry). With the session tag `LakeFormationAuthorizedCaller`
 * set to a value Lake Formation lists, lfcs is an authorized caller and may get
 * credentials for tables with column, row or cell filters. Bounds are STS's.
 */
export const assumeRoleSchema = section({
  roleArn: z
    .string({ error: ROLE_ARN_EXPECTED })
    .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, { error: ROLE_ARN_EXPECTED })
    .describe('Required: the role to assume.'),
  sessionTags: z
    .record(
      z.string().min(1, { error: TAG_KEY_EXPECTED }).max(128, { error: TAG_KEY_EXPECTED }),
      z.string({ error: TAG_VALUE_EXPECTED }).max(256, { error: TAG_VALUE_EXPECTED }),
      { error: 'a mapping from session tag key to value' },
    )
    .default(() => ({}))
    .describe('Session tags, e.g. LakeFormationAuthorizedCaller: <a value Lake Formation lists>; the role must allow sts:TagSession.'),
  externalId: z
    .string({ error: 'a string of 2 to 1224 characters' })
    .min(2, { error: 'a string of 2 to 1224 characters' })
    .max(1224, { error: 'a string of 2 to 1224 characters' })
    .optional()
    .describe("The role's trust policy condition sts:ExternalId, if it has one."),
  durationSeconds: integer(900, 43_200).default(3600).describe('Role session length, s; the SDK assumes the role again before it ends.'),
  stsEndpoint: z
    .string({ error: ENDPOINT_EXPECTED })
    .refine(isHttpEndpoint, { error: ENDPOINT_EXPECTED })
    .optional()
    .describe('STS endpoint override (the emulator, a VPC endpoint); default the SDK regional endpoint or AWS_ENDPOINT_URL_STS.'),
});

export type AssumeRoleSettings = z.output<typeof assumeRoleSchema>;

/** `upstream.*`: every field of the Lake Formation client, retry loop and limiter. */
export const upstreamSettingsSchema = section({
  endpoint: z
    .string({ error: ENDPOINT_EXPECTED })
    .refine(isHttpEndpoint, { error: ENDPOINT_EXPECTED })
    .optional()
    .describe('Lake Formation endpoint override, e.g. the emulator or a VPC interface endpoint; default the SDK regional endpoint.'),
  timeoutMs: integer(100, 60_000).default(3000).describe('Per-attempt timeout of a Lake Formation call, ms.'),
  assumeRole: assumeRoleSchema.optional().describe("Call Lake Formation as this role, assumed with lfcs's own identity (file only)."),
  ...retrySettingsShape,
  ...limiterSettingsShape,
});

export type UpstreamSettings = z.output<typeof upstreamSettingsSchema>;
export type RetrySettings = Pick<UpstreamSettings, keyof typeof retrySettingsShape>;
export type LimiterSettings = Pick<UpstreamSettings, keyof typeof limiterSettingsShape>;

/** Rules between `upstream.*` fields. */
export const UPSTREAM_RELATIONS: readonly Relation[] = [{ lower: ['retryBaseDelayMs'], upper: 'retryMaxDelayMs', strict: false }];

/** Every default of `upstream.*`. */
export const UPSTREAM_DEFAULTS: Readonly<UpstreamSettings> = Object.freeze(upstreamSettingsSchema.parse({}));
