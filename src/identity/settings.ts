/**
 * The agent's knobs (`agent.*` in the configuration): where it listens, how
 * it verifies the pods' service-account tokens, and the bindings that say
 * which identity may use what. Used only when `mode` is `agent`.
 */
import { z } from 'zod';
import { isHttpsOrLoopbackUrl, isLoopbackHost } from '../core/hosts.js';
import { integer, positiveNumber, section } from '../core/settings.js';
import * as fields from '../lakeformation/fields.js';

/**
 * The link-local addresses every SDK accepts in `AWS_CONTAINER_CREDENTIALS_FULL_URI`
 * over plain HTTP, besides loopback: ECS's, and the EKS Pod Identity Agent's
 * two. The agent defaults to the ECS one, which nothing uses on EKS.
 */
export const SDK_LINK_LOCAL_HOSTS = ['169.254.170.2', '169.254.170.23', 'fd00:ec2::23'] as const;

/** Where the EKS Pod Identity Agent listens: an agent there would take its address. */
export const POD_IDENTITY_AGENT_HOSTS = ['169.254.170.23', 'fd00:ec2::23'] as const;

const AGENT_HOST_EXPECTED = `one of ${SDK_LINK_LOCAL_HOSTS.join(', ')} (the link-local addresses the SDKs accept over plain HTTP) or a loopback address`;

/**
 * Kubernetes names: a namespace is a DNS label, a service account a DNS
 * subdomain (its 253-character bound is a separate check). Written without
 * look-ahead, so the chart's values schema works in Helm's Go regexp too.
 */
const DNS_LABEL = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;
const DNS_SUBDOMAIN_MAX = 253;
const NAMESPACE_EXPECTED = 'a Kubernetes namespace name (a DNS label: lower-case letters, digits and -, at most 63)';
const NAME_EXPECTED = 'a Kubernetes object name (a DNS subdomain: lower-case letters, digits, - and ., at most 253)';

const ISSUER_URL_EXPECTED = 'an https:// URL (http:// only for a loopback host), without query or fragment';

/** An https:// URL, or http:// on a loopback host, without query, fragment or credentials. */
function isIssuerUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return url.search === '' && url.hash === '' && isHttpsOrLoopbackUrl(url);
}

const bindingSchema = section({
  namespace: z.string({ error: NAMESPACE_EXPECTED }).regex(DNS_LABEL, { error: NAMESPACE_EXPECTED }).describe('Namespace of the pods.'),
  serviceAccount: z
    .string({ error: NAME_EXPECTED })
    .max(DNS_SUBDOMAIN_MAX, { error: NAME_EXPECTED })
    .regex(DNS_SUBDOMAIN, { error: NAME_EXPECTED })
    .describe('Service account of the pods.'),
  profiles: z
    .array(z.string({ error: 'a profile name' }), { error: 'a list of profile names' })
    .default(() => [])
    .describe('Profiles that identity may use at /v1/credentials/<name>.'),
  tables: fields
    .tablePatterns()
    .default(() => [])
    .describe('Table ARN patterns it may name in dynamic and native requests (needs dynamic.enabled).'),
  locations: fields
    .locationPatterns()
    .default(() => [])
    .describe('S3 location patterns it may name in dynamic and native location requests (needs dynamic.enabled).'),
  // Its own requests may ask for no more than these (profiles are used as configured).
  permissions: fields.permissions
    .min(1, { error: 'a non-empty list of permissions' })
    .optional()
    .describe('Permissions its dynamic and native table requests may ask for. Default: defaults.permissions.'),
  supportedPermissionTypes: fields.supportedPermissionTypes
    .optional()
    .describe(
      'Policy kinds its requests may claim to enforce (claiming CELL_FILTER_PERMISSION gets cell-filtered tables unfiltered). Default: defaults.supportedPermissionTypes.',
    ),
  credentialsScope: fields.credentialsScope
    .optional()
    .describe('READWRITE lets its location requests ask for write credentials; READ refuses them. Default: defaults.credentialsScope.'),
  maxDurationSeconds: fields.durationSeconds
    .optional()
    .describe('Longest DurationSeconds its requests may ask for (credentials outlive the pod token). Default: defaults.durationSeconds.'),
});

export const agentSettingsSchema = section({
  host: z
    .string({ error: AGENT_HOST_EXPECTED })
    .refine((host) => (SDK_LINK_LOCAL_HOSTS as readonly string[]).includes(host) || isLoopbackHost(host), {
      error: AGENT_HOST_EXPECTED,
    })
    .default('169.254.170.2')
    .describe(
      "Agent mode's credentials listener address: 169.254.170.2 is ECS's, unused on EKS (169.254.170.23 is the EKS Pod Identity Agent's).",
    ),
  port: integer(0, 65_535, ' (0 picks a free port)')
    .default(80)
    .describe('Agent credentials listener port: 80 lets AWS_CONTAINER_CREDENTIALS_RELATIVE_URI work too.'),
  nodeName: z
    .string({ error: NAME_EXPECTED })
    .max(DNS_SUBDOMAIN_MAX, { error: NAME_EXPECTED })
    .regex(DNS_SUBDOMAIN, { error: NAME_EXPECTED })
    .optional()
    .describe(
      'The node this agent serves (the chart sets it from spec.nodeName); tokens naming another node are refused. Required in agent mode.',
    ),
  audience: z
    .string({ error: 'a non-empty string' })
    .min(1, { error: 'a non-empty string' })
    .default('lfcs')
    .describe("Audience the pods' projected service-account tokens must name (serviceAccountToken.audience)."),
  issuerUrl: z
    .string({ error: ISSUER_URL_EXPECTED })
    .refine(isIssuerUrl, { error: ISSUER_URL_EXPECTED })
    .default('https://kubernetes.default.svc')
    .describe(
      'Where the OIDC discovery document is read (<issuerUrl>/.well-known/openid-configuration); the default is the API server in-cluster.',
    ),
  issuer: z
    .string({ error: 'a non-empty string' })
    .min(1, { error: 'a non-empty string' })
    .optional()
    .describe(
      "The iss the tokens must carry. Default: the discovery document's issuer (in-cluster, the API server's --service-account-issuer).",
    ),
  jwksUrl: z
    .string({ error: ISSUER_URL_EXPECTED })
    .refine(isIssuerUrl, { error: ISSUER_URL_EXPECTED })
    .optional()
    .describe(
      "Where the signing keys are read. Default: the discovery document's jwks_uri, except that an API server's own /openid/v1/jwks advertised at another address is read at issuerUrl's origin (the same API server, reachable in-cluster, and lfcs's token may go there).",
    ),
  discoveryTokenFile: z
    .string({ error: 'a path' })
    .min(1, { error: 'a path' })
    .default('/var/run/secrets/kubernetes.io/serviceaccount/token')
    .describe(
      "lfcs's own token, sent as a bearer token only when issuerUrl is the in-cluster API server (kubernetes.default.svc) or loopback, and only to its origin; skipped while the file is absent.",
    ),
  verifiedTokenSeconds: integer(0, 300)
    .default(60)
    .describe(
      'A verified token is remembered this long (never past its exp), so hits skip the signature check; a key the issuer drops stops working within jwksCacheSeconds plus this.',
    ),
  jwksCacheSeconds: integer(1, 86_400)
    .default(600)
    .describe(
      "The issuer's keys are re-read this often, so a key it removed stops verifying; while it cannot be reached, the keys read last stay in use.",
    ),
  jwksCooldownSeconds: integer(0, 3600)
    .default(30)
    .describe(
      'A token signed by an unknown key (kid) re-reads the keys at most this often: a rotation is picked up, a flood of forged kids costs one fetch.',
    ),
  keyStoreFile: z
    .string({ error: 'a path' })
    .min(1, { error: 'a path' })
    .default('/var/lib/lfcs/issuer-keys.json')
    .describe(
      "Where the issuer's last good keys (public keys only, mode 0600) are kept, so an agent restarted while the issuer is down still verifies pods; the chart mounts a writable volume there.",
    ),
  keyStoreMaxAgeSeconds: integer(0, 2_592_000)
    .default(86_400)
    .describe(
      'Keys saved longer ago than this are not used when the issuer cannot be reached (0: never used): a key the issuer has since removed must stop verifying.',
    ),
  podRequestsPerSecond: positiveNumber(1_000_000)
    .default(100)
    .describe(
      "Requests per second one pod may send (its own bucket, inside rateLimit.*'s node-wide one), so a runaway pod gets 429 without starving the others on its node.",
    ),
  podBurst: integer(1, 1_000_000).default(200).describe('Burst size of that limit.'),
  podNewRequestsPerSecond: positiveNumber(1_000_000)
    .default(2)
    .describe(
      "Distinct requests one pod may ask for per second that it has not asked for in the last hour (each may cost a Lake Formation call), so one pod's new query ids cannot fill the node's Lake Formation queue (upstream.ratePerSecond) for the others.",
    ),
  podNewRequestsBurst: integer(1, 1_000_000)
    .default(10)
    .describe('Burst size of that limit: distinct new requests a pod may ask for at once (a job starting on many tables).'),
  bindings: z
    .array(bindingSchema, { error: 'a list of bindings' })
    .default(() => [])
    .describe('Which (namespace, service account) may use which profiles, tables and locations; anything else is refused (403).'),
});

export type AgentSettings = z.infer<typeof agentSettingsSchema>;
export type Binding = AgentSettings['bindings'][number];
